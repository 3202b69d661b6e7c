"""The extraction cache: hits for unchanged documents, never a different output."""

import hashlib
import shutil
from pathlib import Path

import polars as pl
import pytest
from polars.testing import assert_frame_equal

from pipeline import cache, extract, parallel
from pipeline.build import build_dataset
from pipeline.decode import decode_document

REPO = Path(__file__).resolve().parent.parent


def seed_docs():
    return [
        decode_document(path.name, path.read_bytes())
        for path in sorted((REPO / "raw").glob("*.md"))
    ]


def test_a_second_extraction_reads_every_document_from_the_cache(tmp_path):
    first = parallel.extract_documents(seed_docs(), tmp_path)
    second = parallel.extract_documents(seed_docs(), tmp_path)
    assert (first.cached, first.extracted) == (0, 3)
    assert (second.cached, second.extracted) == (3, 0)
    assert_frame_equal(second.tables, first.tables)
    assert_frame_equal(second.rows, first.rows)


def test_entries_are_named_by_content_hash_and_extractor_version(tmp_path):
    docs = seed_docs()
    parallel.extract_documents(docs, tmp_path)
    names = sorted(path.name for path in tmp_path.iterdir())
    assert names == sorted(f"{doc.sha256}-{extract.EXTRACTOR_VERSION}.arrow" for doc in docs)


def test_another_extractor_version_does_not_read_the_cache(tmp_path, monkeypatch):
    parallel.extract_documents(seed_docs(), tmp_path)
    monkeypatch.setattr(extract, "EXTRACTOR_VERSION", "another")
    again = parallel.extract_documents(seed_docs(), tmp_path)
    assert (again.cached, again.extracted) == (0, 3)
    assert len(list(tmp_path.glob("*-another.arrow"))) == 3


def test_a_changed_document_is_the_only_one_extracted_again(tmp_path):
    docs = seed_docs()
    parallel.extract_documents(docs, tmp_path)
    changed = decode_document(docs[1].path, docs[1].text.replace("|", "| ", 1).encode())
    again = parallel.extract_documents([docs[0], changed, docs[2]], tmp_path)
    assert (again.cached, again.extracted) == (2, 1)


def test_a_corrupt_entry_is_ignored_and_rewritten(tmp_path):
    docs = seed_docs()
    first = parallel.extract_documents(docs, tmp_path)
    entry = cache.entry_path(tmp_path, docs[0].sha256)
    entry.write_bytes(b"not an arrow file")
    again = parallel.extract_documents(docs, tmp_path)
    assert (again.cached, again.extracted) == (2, 1)
    assert_frame_equal(again.rows, first.rows)
    assert cache.read_extraction(tmp_path, docs[0].sha256, docs[0].path) is not None


def test_an_entry_with_other_columns_is_a_miss(tmp_path):
    doc = seed_docs()[0]
    tables, rows = extract.extract_frames([(doc.path, doc.text)])
    cache.write_extractions(tmp_path, [(doc.path, doc.sha256)], tables, rows.drop("ragged"))
    assert cache.read_extraction(tmp_path, doc.sha256, doc.path) is None


def test_a_renamed_document_is_a_hit_with_its_new_path(tmp_path):
    doc = seed_docs()[0]
    parallel.extract_documents([doc], tmp_path)
    renamed = decode_document("renamed.md", doc.text.encode())
    again = parallel.extract_documents([renamed], tmp_path)
    expected_tables, expected_rows = extract.extract_frames([("renamed.md", doc.text)])
    assert again.cached == 1
    assert_frame_equal(again.tables, expected_tables)
    assert_frame_equal(again.rows, expected_rows)


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
        cache.extraction_dir(tmp_path / "cold"), cache.extraction_dir(tmp_path / "warm")
    )
    warm = build_dataset(tmp_path / "raw", tmp_path / "warm")
    assert len(list(cache.extraction_dir(tmp_path / "warm").iterdir())) == 3
    assert digests(warm.path) == digests(cold.path)


def test_a_build_without_a_cache_directory_extracts_the_same_frames(tmp_path):
    without = parallel.extract_documents(seed_docs(), None)
    with_cache = parallel.extract_documents(seed_docs(), tmp_path)
    assert_frame_equal(without.rows, with_cache.rows)
    assert isinstance(without.rows, pl.DataFrame)


def test_an_entry_whose_table_records_are_mistyped_is_a_miss(tmp_path):
    doc = seed_docs()[0]
    tables, rows = extract.extract_frames([(doc.path, doc.text)])
    mistyped = tables.with_columns(pl.col("line").cast(pl.String))
    cache.write_extractions(tmp_path, [(doc.path, doc.sha256)], mistyped, rows)
    assert cache.read_extraction(tmp_path, doc.sha256, doc.path) is None
    cache.write_extractions(tmp_path, [(doc.path, doc.sha256)], tables, rows)
    assert cache.read_extraction(tmp_path, doc.sha256, doc.path) is not None


def test_cached_runs_around_an_extracted_document_keep_document_order(tmp_path):
    docs = seed_docs()
    first = parallel.extract_documents(docs, tmp_path)
    cache.entry_path(tmp_path, docs[1].sha256).unlink()
    again = parallel.extract_documents(docs, tmp_path)
    assert (again.cached, again.extracted) == (2, 1)
    assert_frame_equal(again.tables, first.tables)
    assert_frame_equal(again.rows, first.rows)


def test_documents_written_together_read_back_one_by_one(tmp_path):
    docs = seed_docs()
    tables, rows = extract.extract_frames([(doc.path, doc.text) for doc in docs])
    cache.write_extractions(tmp_path, [(doc.path, doc.sha256) for doc in docs], tables, rows)
    for doc in docs:
        alone = extract.extract_frames([(doc.path, doc.text)])
        read = cache.read_extraction(tmp_path, doc.sha256, doc.path)
        assert read is not None
        assert_frame_equal(read[0], alone[0])
        assert_frame_equal(read[1], alone[1])


def test_rows_out_of_the_documents_order_are_refused(tmp_path):
    docs = seed_docs()[:2]
    tables, rows = extract.extract_frames([(doc.path, doc.text) for doc in docs])
    swapped = [(doc.path, doc.sha256) for doc in reversed(docs)]
    with pytest.raises(ValueError, match="not where the documents' order puts them"):
        cache.write_extractions(tmp_path, swapped, tables, rows)
