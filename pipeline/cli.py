"""The modelmetrics command line: thin commands over the library; failures print Error: lines.

Each command imports the modules it uses when it runs: `modelmetrics --help` then starts in a
fraction of the time, and so does `modelmetrics extract`; the build's workers import this module
again when the build runs from this command line (multiprocessing's spawn start method).
"""

import json
import sys
from collections.abc import Callable
from functools import wraps
from pathlib import Path
from typing import Any

import click
import polars as pl

from pipeline.errors import InputError, ModelmetricsError


def friendly_errors(command: Callable[..., Any]) -> Callable[..., Any]:
    """Turn the project's own errors, and a file that cannot be read or written, into
    `Error: ...` and exit 1, never a traceback."""

    @wraps(command)
    def run(*args: Any, **kwargs: Any) -> Any:
        try:
            return command(*args, **kwargs)
        except ModelmetricsError as error:
            raise click.ClickException(str(error)) from None
        except OSError as error:
            # An output directory someone damaged (".cache" a file, "build.log" a directory).
            where = error.filename if error.filename is not None else "a file"
            raise click.ClickException(f"{where}: {error.strerror or error}") from None

    return run


raw_option = click.option(
    "--raw",
    "raw_dir",
    # Not click's own check (exit 2): a file given is bad input like any other, exit 1.
    type=click.Path(path_type=Path),
    default=Path("raw"),
    show_default=True,
    help="Directory of raw Markdown documents (with its sources.toml, if any).",
)
out_option = click.option(
    "--out",
    "out_dir",
    type=click.Path(path_type=Path),
    default=Path("outputs"),
    show_default=True,
    help="Directory holding the dataset versions (v<version>/ and latest).",
)
format_option = click.option(
    "--format",
    "output_format",
    type=click.Choice(["table", "json"]),
    default="table",
    show_default=True,
    help="Output for a person (table) or for a program (json).",
)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
def main() -> None:
    """Image-classification benchmark results from Markdown tables, as a versioned dataset.

    \b
    Example:
      modelmetrics build
      modelmetrics query "SELECT model, top1 FROM results ORDER BY top1 DESC LIMIT 5"
    """


@main.command("build")
@raw_option
@out_option
@click.option("--version", help="Version to build instead of the one the manifest declares.")
@click.option("--quiet", "-q", is_flag=True, help="Print nothing but errors.")
@click.option("--verbose", "-v", is_flag=True, help="Print every warning and each stage's time.")
@friendly_errors
def build_command(
    raw_dir: Path, out_dir: Path, version: str | None, quiet: bool, verbose: bool
) -> None:
    """Build the dataset version declared in RAW's sources.toml into OUT.

    Prints a summary table; warnings (each naming its file and line) go to stderr and to
    OUT/build.log.

    \b
    Example:
      modelmetrics build --raw raw --out outputs
      modelmetrics build --raw my-notes/ --out /tmp/outputs --version 0.0.1 --verbose
    """
    from pipeline import build, console, sources

    if version is not None and not sources.is_version(version):
        raise InputError("--version", f"{version!r} is not X.Y.Z (semver)")
    if "\\" in str(out_dir):
        # DuckDB reads a backslash in a path as a separator: the catalog could not be written.
        raise InputError(
            "--out", f"{out_dir}: DuckDB reads '\\' in a path as '/': choose one without it"
        )
    with console.ProgressLine() as progress:
        report = build.build_dataset(raw_dir, out_dir, version, progress=progress)
    console.write_log(out_dir, report)
    if quiet:
        return
    click.echo(console.summary_text(report, verbose))
    if report.warnings.height:
        click.echo(console.warnings_text(report, verbose), err=True)


@main.command("extract")
@click.argument("files", nargs=-1, required=True, type=click.Path(path_type=Path))
@format_option
def extract_command(files: tuple[Path, ...], output_format: str) -> None:
    """Print the tables found in Markdown FILES, in document order; tables that are not read
    (an HTML table that is no grid, a pipe table whose delimiter row does not match its header
    row) are warned of on stderr, with their line and why.

    \b
    Example:
      modelmetrics extract raw/obsidian-backbones-comparison.md --format json
    """
    from pipeline import extract, report, sources

    found, warnings, failures = [], [], []
    for path in files:
        try:
            doc = sources.read_file_doc(path)
            tables, unread = extract.extract_tables_and_unread(doc.text, str(path))
            found += tables
            located = ((str(path), table) for table in unread)
            warnings += report.warning_lines(report.unread_table_warnings(located))
        except ModelmetricsError as error:
            failures.append(str(error))
    if output_format == "json":
        click.echo(json.dumps(extract.tables_as_json(found), ensure_ascii=False, indent=2))
    else:
        click.echo(extract.format_tables_text(found))
    for warning in warnings:
        click.echo(f"warning: {warning}", err=True)
    for failure in failures:
        click.echo(f"Error: {failure}", err=True)
    if failures:
        sys.exit(1)


@main.command("query")
@click.argument("sql")
@out_option
@click.option("--version", help="Query this version instead of latest (0.1.0).")
@click.option(
    "--format", "output_format", type=click.Choice(["table", "csv", "json"]), default="table"
)
@friendly_errors
def query_command(sql: str, out_dir: Path, version: str | None, output_format: str) -> None:
    """Run SQL over the dataset; every table is available by name.

    \b
    Example:
      modelmetrics query "SELECT model, top1 FROM results ORDER BY top1 DESC LIMIT 5"
    """
    from pipeline import query

    answer = query.run_sql(query.version_path(out_dir, version), sql)
    click.echo(_formatted_answer(answer, output_format), nl=output_format != "csv")


def _formatted_answer(answer: pl.DataFrame, output_format: str) -> str:
    """A query's answer as csv, json or a table for a person; ModelmetricsError when the format
    cannot hold it."""
    cannot = f"the answer cannot be shown as {output_format}"
    # polars stops the process instead of raising on binary columns in JSON.
    binary = [name for name, dtype in answer.schema.items() if "binary" in str(dtype).lower()]
    if output_format == "json" and binary:
        raise ModelmetricsError(
            f"{cannot}: {', '.join(binary)} hold(s) bytes; cast them to text in the SQL or "
            "choose another --format"
        )
    try:
        if output_format == "csv":
            return answer.write_csv()
        if output_format == "json":
            return answer.write_json()
    except pl.exceptions.PolarsError as error:
        raise ModelmetricsError(
            f"{cannot}: {error}; select plain columns or choose another --format"
        ) from None
    with pl.Config(tbl_rows=-1, tbl_cols=-1, fmt_str_lengths=80, tbl_hide_dataframe_shape=True):
        return str(answer)


@main.command("verify")
@click.argument(
    "version_dir", required=False, type=click.Path(path_type=Path), default=Path("outputs/latest")
)
@click.option("--raw", "raw_dir", type=click.Path(path_type=Path), help="Also check inputs here.")
@friendly_errors
def verify_command(version_dir: Path, raw_dir: Path | None) -> None:
    """Recompute the sizes, hashes and row counts of a version against its manifest.

    \b
    Example:
      modelmetrics verify outputs/latest
    """
    from pipeline import publish

    problems = publish.verify_version(version_dir, raw_dir)
    if problems:
        raise click.ClickException(f"{version_dir} does not verify:\n  " + "\n  ".join(problems))
    click.echo(f"{version_dir}: every file matches its manifest")


@main.command("diff")
@click.argument("old")
@click.argument("new")
@out_option
@format_option
@friendly_errors
def diff_command(old: str, new: str, out_dir: Path, output_format: str) -> None:
    """List rows added, removed and changed per table between two versions.

    \b
    Example:
      modelmetrics diff v0.1.0 v0.1.1 --format json
    """
    from pipeline import diff, publish, query

    old_tables = publish.read_tables(query.version_path(out_dir, old))
    new_tables = publish.read_tables(query.version_path(out_dir, new))
    diffs = diff.diff_versions(old_tables, new_tables)
    if output_format == "json":
        click.echo(json.dumps(diff.diff_as_json(diffs), indent=2, default=str))
    else:
        click.echo(diff.format_diff_text(diffs))


@main.command("accept")
@raw_option
@click.option("--version", required=True, help="The version to declare (X.Y.Z).")
@friendly_errors
def accept_command(raw_dir: Path, version: str) -> None:
    """Record the sha256 of changed or new raw documents and declare VERSION.

    \b
    Example:
      modelmetrics accept --raw raw --version 0.1.1
    """
    from pipeline import sources

    for line in sources.accept_documents(raw_dir, version):
        click.echo(line)


version_option = click.option("--version", help="Use this version instead of latest (0.1.0).")


@main.command("plot")
@click.option(
    "--out",
    "out_file",
    type=click.Path(path_type=Path, dir_okay=False),
    default=Path("tradeoff.png"),
    show_default=True,
    help="Chart file; .png, .svg or .html (an HTML page embedding the SVG).",
)
@click.option(
    "--out-dir",
    "out_dir",
    type=click.Path(path_type=Path, file_okay=False),
    default=Path("outputs"),
    show_default=True,
    help="Directory holding the dataset versions (v<version>/ and latest).",
)
@version_option
@friendly_errors
def plot_command(out_file: Path, out_dir: Path, version: str | None) -> None:
    """Draw top-1 against parameters, with the Pareto frontier labelled.

    \b
    Example:
      modelmetrics plot --out tradeoff.svg
    """
    # matplotlib takes half a second to import: only this command pays for it.
    from pipeline import plot, query

    results = pl.read_parquet(query.version_path(out_dir, version) / "results.parquet")
    click.echo(f"wrote {plot.draw_tradeoff(results, out_file)}")


@main.command("show")
@click.argument("model")
@out_option
@version_option
@format_option
@friendly_errors
def show_command(model: str, out_dir: Path, version: str | None, output_format: str) -> None:
    """Show every result of MODEL (exact name or part of it) and where each was published.

    \b
    Example:
      modelmetrics show caformer_b36
    """
    from pipeline import lookup, query

    shown = lookup.show_model(query.version_path(out_dir, version), model)
    if output_format == "json":
        click.echo(shown.write_json())
    else:
        click.echo(lookup.format_model_text(shown))


@main.command("sources")
@out_option
@version_option
@format_option
@friendly_errors
def sources_command(out_dir: Path, version: str | None, output_format: str) -> None:
    """List the documents the dataset was built from, with their origin.

    \b
    Example:
      modelmetrics sources --format json
    """
    from pipeline import lookup, query

    documents = lookup.list_sources(query.version_path(out_dir, version))
    if output_format == "json":
        click.echo(documents.write_json())
    else:
        click.echo(lookup.format_sources_text(documents))


@main.command("docs")
@click.option(
    "--out",
    "out_file",
    type=click.Path(path_type=Path, dir_okay=False),
    default=Path("docs/DATA.md"),
    show_default=True,
    help="Where to write the data dictionary.",
)
def docs_command(out_file: Path) -> None:
    """Write the data dictionary (every table and column, from the schemas) as Markdown.

    \b
    Example:
      modelmetrics docs --out docs/DATA.md
    """
    from pipeline import dictionary

    try:
        out_file.parent.mkdir(parents=True, exist_ok=True)
        out_file.write_text(dictionary.data_dictionary_markdown(), encoding="utf-8")
    except OSError as error:
        raise click.ClickException(f"{out_file}: cannot write it: {error.strerror}") from None
    click.echo(f"wrote {out_file}")


if __name__ == "__main__":
    main()
