"""The exploration notebook: stored without outputs, and runs top to bottom on a fresh build."""

import json
import os
import sys
from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient

REPO = Path(__file__).resolve().parent.parent
NOTEBOOK = REPO / "notebooks" / "explore.ipynb"
KERNEL = "modelmetrics-test"


@pytest.fixture
def kernel_name(tmp_path, monkeypatch):
    """A kernelspec for this interpreter on a temporary Jupyter path (no user kernels needed)."""
    spec_dir = tmp_path / "jupyter" / "kernels" / KERNEL
    spec_dir.mkdir(parents=True)
    spec = {
        "argv": [sys.executable, "-m", "ipykernel_launcher", "-f", "{connection_file}"],
        "display_name": "modelmetrics (tests)",
        "language": "python",
    }
    (spec_dir / "kernel.json").write_text(json.dumps(spec), encoding="utf-8")
    monkeypatch.setenv("JUPYTER_PATH", str(tmp_path / "jupyter"))
    # The kernel imports this checkout's pipeline, whichever one the venv has installed.
    monkeypatch.setenv(
        "PYTHONPATH", os.pathsep.join(filter(None, [str(REPO), os.environ.get("PYTHONPATH")]))
    )
    return KERNEL


def outputs_of(notebook, output_type):
    """Every output of a given type across the notebook's code cells."""
    return [
        output
        for cell in notebook.cells
        if cell.cell_type == "code"
        for output in cell.outputs
        if output.output_type == output_type
    ]


def test_the_notebook_is_stored_without_outputs():
    notebook = nbformat.read(NOTEBOOK, as_version=4)
    code = [cell for cell in notebook.cells if cell.cell_type == "code"]
    assert code, "the notebook has no code cells"
    assert all(cell.outputs == [] and cell.execution_count is None for cell in code), (
        "clear the notebook's outputs before committing it (Edit > Clear Outputs of All Cells)"
    )


def test_the_notebook_runs_headless_against_a_fresh_build(seed_build, kernel_name, monkeypatch):
    monkeypatch.setenv("MODELMETRICS_OUTPUTS", str(seed_build.parent))
    notebook = nbformat.read(NOTEBOOK, as_version=4)
    client = NotebookClient(
        notebook,
        kernel_name=kernel_name,
        timeout=120,
        resources={"metadata": {"path": str(NOTEBOOK.parent)}},
    )
    client.execute()  # a failing cell raises CellExecutionError, naming the cell
    charts = [out for out in outputs_of(notebook, "execute_result") if "image/png" in out.data]
    assert len(charts) == 2
    printed = "".join(out.text for out in outputs_of(notebook, "stream"))
    assert f"modelmetrics {seed_build.name} in {seed_build.parent}" in printed
