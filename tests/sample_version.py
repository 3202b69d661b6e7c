"""A small hand-made dataset version in the exact shape of every published table."""

from pathlib import Path
from typing import Any

import polars as pl

from pipeline import publish
from pipeline.dedupe import result_id
from pipeline.validate import empty_frame
from schemas import PUBLISHED_TABLES
from tests.factories import observation

SOURCE = "timm-2025-models.md"
OTHER_SOURCE = "obsidian-backbones-comparison.md"

# (model, pretrain_dataset, img_size, top1, params_m, params_lower_bound)
RESULTS = [
    ("vit_small_patch16_rope_224.naver_in1k", "imagenet-1k", 224, 81.23, 21.98, False),
    ("vit_base_patch16_rope_224.naver_in1k", "imagenet-1k", 224, 83.718, 86.43, False),
    ("resnet101.a1_in1k", "imagenet-1k", 224, 82.0, 100.0, False),
    ("mambaout_base_plus_rw.sw_e150_in12k_ft_in1k", "imagenet-12k", 224, 86.632, 101.66, False),
    ("mambaout_base_plus_rw.sw_e150_in12k_ft_in1k", "imagenet-12k", 384, 87.506, 101.66, False),
    (
        "vit_so150m2_patch16_reg1_gap_448.sbb_e200_in12k_ft_in1k",
        "imagenet-12k",
        448,
        88.1,
        150.0,
        True,
    ),
    ("vit_large_patch16_rope_224.naver_in1k", "imagenet-1k", 224, 84.648, 304.17, False),
    ("ConvNeXt V2-H", None, 224, 86.3, 660.0, False),
    ("caformer_s18_no_params", "imagenet-1k", 224, 83.0, None, False),
    ("vit_unmeasured_patch16_224.untested", "imagenet-1k", 224, None, 50.0, False),
]

# The results on the accuracy/params frontier, in order of parameters.
FRONTIER = [
    "vit_small_patch16_rope_224.naver_in1k",
    "vit_base_patch16_rope_224.naver_in1k",
    "mambaout_base_plus_rw.sw_e150_in12k_ft_in1k",
    "vit_so150m2_patch16_reg1_gap_448.sbb_e200_in12k_ft_in1k",
]


def table(name: str, rows: list[dict[str, Any]]) -> pl.DataFrame:
    """A published table with its schema's exact columns and dtypes; missing values are null."""
    schema = empty_frame(PUBLISHED_TABLES[name]).schema
    return pl.DataFrame(
        [{column: row.get(column) for column in schema} for row in rows], schema=schema
    )


def result_row(
    number: int,
    model: str,
    dataset: str | None,
    size: int,
    top1: float | None,
    params: float | None,
    lower_bound: bool,
) -> dict[str, Any]:
    """One row of results, published once in SOURCE at line 10 + number."""
    architecture, _, tag = model.partition(".")
    return {
        "result_id": result_id(model, dataset, size, None),
        "model": model,
        "architecture": architecture,
        "pretrained_tag": tag or None,
        "top1": top1,
        "top5": None,
        "params_m": params,
        "params_lower_bound": lower_bound,
        "img_size": size,
        "pretrain_dataset": dataset,
        "eval_dataset": "imagenet-1k",
        "n_observations": 1,
        "sources": [SOURCE],
        "first_source": SOURCE,
        "first_line": 10 + number,
        "has_conflict": False,
    }


def observation_row(result: dict[str, Any], number: int, source: str = SOURCE) -> dict[str, Any]:
    """The observation in source that published a result."""
    published = ("model", "architecture", "pretrained_tag", "top1", "params_m", "img_size")
    return observation(
        number,
        source=source,
        **{key: result[key] for key in (*published, "params_lower_bound", "pretrain_dataset")},
        top5=None,
        heading_path=["2025 Model Metrics", "July 2025"],
        raw_cells=[],
        result_id=result["result_id"],
        status="result",
    )


def sample_tables() -> dict[str, pl.DataFrame]:
    """Every published table: ten results, their observations (one published twice), two sources."""
    results = [result_row(number, *values) for number, values in enumerate(RESULTS)]
    observations = [observation_row(result, number) for number, result in enumerate(results)]
    observations.append(observation_row(results[6], 0, source=OTHER_SOURCE))
    sources = [
        {
            "source": SOURCE,
            "sha256": "0" * 64,
            "bytes": 100,
            "encoding": "utf-8",
            "decode_notes": [],
            "n_tables": 1,
            "n_rows": 10,
            "repository": "GeorgePearse/pytorch-image-models",
            "commit": "1b928dcc",
        },
        {
            "source": OTHER_SOURCE,
            "sha256": "1" * 64,
            "bytes": 50,
            "encoding": "utf-8",
            "decode_notes": [],
            "n_tables": 1,
            "n_rows": 1,
            "repository": "f-fuchs/ObsidianNotes",
            "commit": "1beb83ce",
        },
    ]
    models = [
        {
            "model": row["model"],
            "architecture": row["architecture"],
            "params_lower_bound": False,
            "pretrain_datasets": [],
            "n_results": 1,
            "n_observations": 1,
        }
        for row in {row["model"]: row for row in results}.values()
    ]
    rows = {
        "results": results,
        "models": models,
        "observations": observations,
        "sources": sources,
        "conflicts": [],
        "quarantine": [],
    }
    return {name: table(name, rows[name]) for name in PUBLISHED_TABLES}


def write_sample_version(
    out_dir: Path, version: str = "0.1.0", tables: dict[str, pl.DataFrame] | None = None
) -> Path:
    """Write the sample tables (or the given ones) as a version in out_dir; return its directory."""
    inputs = [{"source": SOURCE, "sha256": "0" * 64}]
    chosen = sample_tables() if tables is None else tables
    dataset = publish.DatasetVersion("modelmetrics", version, chosen, inputs)
    return publish.write_version(out_dir, dataset).path
