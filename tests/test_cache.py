"""The observation cache: hits for unchanged documents and code, never a different output."""

import hashlib
import shutil
from pathlib import Path

import polars as pl
import pyarrow as pa
import pytest

from pipeline import cache, errata, extract, observe, parallel
from pipeline.build import build_dataset
from pipeline.decode import decode_document

REPO = Path(__file__).resolve().parent.parent


def seed_docs():
    return [
        decode_document(path.name, path.read_bytes())
        for path in sorted((REPO / "raw").glob("*.md"))
    ]


def observed(docs, cache_dir):
    """The entries of the documents, and how many came from the cache and were observed."""
    counts = parallel.Counts()
    entries = list(parallel.observe_documents(docs, cache_dir, errata.load_errata(), counts))
    return entries, (counts.cached, counts.observed)


def frame(entries):
    return pl.DataFrame(pa.concat_tables([entry.observations for entry in entries]))


def write_entry(cache_dir, doc, tables, observations):
    """Store a document's entry made from the given frames."""
    found = observe.ObservedRows(observations, set())
    cache.write_entries(cache_dir, [(doc.path, doc.sha256)], tables, found, [], {})


def observe_doc(doc):
    tables, rows = extract.extract_frames([(doc.path, doc.text)])
    return tables, observe.observe_rows(tables, rows, errata.load_errata()).observations


def test_a_second_observation_reads_every_document_from_the_cache(tmp_path):
    first, first_counts = observed(seed_docs(), tmp_path)
    second, second_counts = observed(seed_docs(), tmp_path)
    assert (first_counts, second_counts) == ((0, 3), (3, 0))
    assert frame(second).equals(frame(first))
    assert cache.tables_frame(second).equals(cache.tables_frame(first))


def test_entries_are_named_by_content_hash_and_a_key_of_path_and_code(tmp_path):
    docs = seed_docs()
    observed(docs, tmp_path)
    names = sorted(path.name for path in tmp_path.iterdir())
    assert names == sorted(cache.entry_path(tmp_path, doc.sha256, doc.path).name for doc in docs)
    assert {name.split("-")[0] for name in names} == {doc.sha256 for doc in docs}


@pytest.mark.parametrize(
    ("module", "name", "value"),
    [(extract, "EXTRACTOR_VERSION", "another"), (cache, "pipeline_fingerprint", lambda: "other")],
)
def test_other_code_does_not_read_the_cache(tmp_path, monkeypatch, module, name, value):
    observed(seed_docs(), tmp_path)
    before = set(tmp_path.iterdir())
    monkeypatch.setattr(module, name, value)
    _, counts = observed(seed_docs(), tmp_path)
    assert counts == (0, 3)
    assert len(set(tmp_path.iterdir())) == 3
    assert not before & set(tmp_path.iterdir())


def test_the_fingerprint_follows_every_code_and_data_file_and_version(tmp_path):
    package = tmp_path / "package"
    (package / "data").mkdir(parents=True)
    (package / "stage.py").write_text("VALUE = 1\n")
    (package / "data" / "aliases.toml").write_text("a = 1\n")
    before = cache.files_fingerprint([package], ["polars==2.1.0"])
    (package / "__pycache__").mkdir()
    (package / "__pycache__" / "stage.py").write_text("compiled")
    (package / "notes.txt").write_text("not code")
    assert cache.files_fingerprint([package], ["polars==2.1.0"]) == before
    assert cache.files_fingerprint([package], ["polars==2.1.1"]) != before
    (package / "data" / "aliases.toml").write_text("a = 2\n")
    changed_data = cache.files_fingerprint([package], ["polars==2.1.0"])
    (package / "stage.py").write_text("VALUE = 2\n")
    assert len({before, changed_data, cache.files_fingerprint([package], ["polars==2.1.0"])}) == 3


def test_the_cache_keeps_only_the_entries_of_the_last_observation(tmp_path):
    docs = seed_docs()
    observed(docs, tmp_path)
    changed = decode_document(docs[1].path, docs[1].text.replace("|", "| ", 1).encode())
    observed([docs[0], changed], tmp_path)
    kept = {path.name for path in tmp_path.iterdir()}
    assert kept == {
        cache.entry_path(tmp_path, doc.sha256, doc.path).name for doc in [docs[0], changed]
    }


def test_a_changed_document_is_the_only_one_observed_again(tmp_path):
    docs = seed_docs()
    observed(docs, tmp_path)
    changed = decode_document(docs[1].path, docs[1].text.replace("|", "| ", 1).encode())
    _, counts = observed([docs[0], changed, docs[2]], tmp_path)
    assert counts == (2, 1)


def test_a_renamed_document_is_observed_again_under_its_new_path(tmp_path):
    doc = seed_docs()[0]
    observed([doc], tmp_path)
    renamed = decode_document("renamed.md", doc.text.encode())
    entries, counts = observed([renamed], tmp_path)
    assert counts == (0, 1)
    assert frame(entries).get_column("source").unique().to_list() == ["renamed.md"]


def test_a_corrupt_entry_is_ignored_and_rewritten(tmp_path):
    docs = seed_docs()
    first, _ = observed(docs, tmp_path)
    entry = cache.entry_path(tmp_path, docs[0].sha256, docs[0].path)
    entry.unlink()  # not rewritten in place: the entries read first map the old file
    entry.write_bytes(b"not an arrow file")
    again, counts = observed(docs, tmp_path)
    assert counts == (2, 1)
    assert frame(again).equals(frame(first))
    assert cache.read_entry(tmp_path, docs[0].sha256, docs[0].path) is not None


def test_an_entry_with_other_columns_is_a_miss(tmp_path):
    doc = seed_docs()[0]
    tables, observations = observe_doc(doc)
    write_entry(tmp_path, doc, tables, observations.drop("ragged"))
    assert cache.read_entry(tmp_path, doc.sha256, doc.path) is None
    write_entry(tmp_path, doc, tables, observations)
    assert cache.read_entry(tmp_path, doc.sha256, doc.path) is not None


def test_an_entry_whose_table_records_are_mistyped_is_a_miss(tmp_path):
    doc = seed_docs()[0]
    tables, observations = observe_doc(doc)
    write_entry(tmp_path, doc, tables.with_columns(pl.col("line").cast(pl.String)), observations)
    assert cache.read_entry(tmp_path, doc.sha256, doc.path) is None


@pytest.mark.parametrize(
    ("key", "stored"),
    [
        # Matched errata are positions in errata.toml.
        (cache.ERRATA_KEY, b'["0"]'),
        # Tables not read are [line, kind, problem] each.
        (cache.UNREAD_KEY, b'[["3", "a pipe table", "why"]]'),
        (cache.UNREAD_KEY, b'[[3, "a pipe table"]]'),
        (cache.UNREAD_KEY, b'{"line": 3}'),
    ],
)
def test_an_entry_whose_metadata_is_mistyped_is_a_miss(tmp_path, key, stored):
    doc = seed_docs()[0]
    tables, observations = observe_doc(doc)
    write_entry(tmp_path, doc, tables, observations)
    path = cache.entry_path(tmp_path, doc.sha256, doc.path)
    with pa.memory_map(str(path)) as stream:
        arrow = pa.ipc.open_file(stream).read_all()
    metadata = {**arrow.schema.metadata, key: stored}
    rewritten = path.with_suffix(".new")  # then renamed: arrow maps the old file
    with (
        pa.OSFile(str(rewritten), "wb") as sink,
        pa.ipc.new_file(sink, arrow.schema.with_metadata(metadata)) as writer,
    ):
        writer.write_table(arrow)
    rewritten.replace(path)
    assert cache.read_entry(tmp_path, doc.sha256, doc.path) is None


def test_the_tables_a_document_has_that_are_not_read_are_remembered(tmp_path):
    text = (
        "| Model | Top-1 |\n|---|---|\n| a | 1 |\n\n| Model | Top-1 |\n|---|---|---|\n\n"
        "<table><tr><th>Model</th></tr><tr><td colspan=2>x</td></tr></table>\n"
    )
    doc = decode_document("doc.md", text.encode())
    first = list(parallel.observe_documents([doc], tmp_path, []))
    again, counts = observed([doc], tmp_path)
    assert counts == (1, 0)
    assert (
        first[0].tables_not_read
        == again[0].tables_not_read
        == [
            (
                5,
                "a pipe table",
                "its delimiter row (line 6) has 3 cells for 2 cells in its header "
                "row, so it is text, as on GitHub",
            ),
            (8, "an HTML <table>", "a cell at line 8 spans 2 columns"),
        ]
    )


def test_documents_written_together_read_back_one_by_one(tmp_path):
    docs = seed_docs()
    observed(docs, tmp_path)
    for doc in docs:
        tables, observations = observe_doc(doc)
        entry = cache.read_entry(tmp_path, doc.sha256, doc.path)
        assert entry is not None
        assert pl.DataFrame(entry.observations).equals(observations)
        assert cache.tables_frame([entry]).equals(tables)


def test_an_erratum_matched_in_a_cached_document_is_remembered(tmp_path):
    docs = seed_docs()
    corrections = errata.load_errata()
    assert corrections, "errata.toml lists corrections of the seed documents"
    first = list(parallel.observe_documents(docs, tmp_path, corrections))
    again = list(parallel.observe_documents(docs, tmp_path, corrections))
    matched = sorted(position for entry in first for position in entry.matched_errata)
    assert matched == list(range(len(corrections)))
    assert [entry.matched_errata for entry in again] == [entry.matched_errata for entry in first]


def digests(version_dir: Path) -> dict[str, str]:
    return {
        path.name: hashlib.sha256(path.read_bytes()).hexdigest()
        for path in sorted(version_dir.iterdir())
        if path.is_file()
    }


def test_a_build_from_the_cache_writes_the_same_bytes(tmp_path):
    shutil.copytree(REPO / "raw", tmp_path / "raw")
    cold = build_dataset(tmp_path / "raw", tmp_path / "cold")
    shutil.copytree(
        cache.observation_dir(tmp_path / "cold"), cache.observation_dir(tmp_path / "warm")
    )
    warm = build_dataset(tmp_path / "raw", tmp_path / "warm")
    assert len(list(cache.observation_dir(tmp_path / "warm").iterdir())) == 3
    assert digests(warm.path) == digests(cold.path)
