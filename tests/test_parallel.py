"""Extraction on worker processes gives what extraction in this process gives."""

import random

import pytest
from polars.testing import assert_frame_equal

from benchmarks import corpus
from pipeline import parallel
from pipeline.decode import decode_document


def corpus_docs(documents: int, rows: int):
    """Synthetic documents (benchmarks/corpus.py), decoded as the build decodes them."""
    return [
        decode_document(f"doc-{number:04d}.md", text.encode())
        for number in range(documents)
        for text, _ in [corpus.document_text(random.Random(number), number, rows)]
    ]


@pytest.fixture
def small_thresholds(monkeypatch):
    """Use the pool for a few kB of text, in chunks of about one document."""
    monkeypatch.setattr(parallel, "SERIAL_BELOW_CHARS", 1)
    monkeypatch.setattr(parallel, "CHUNK_CHARS", 1)


def test_workers_give_the_frames_one_process_gives(small_thresholds, tmp_path):
    docs = corpus_docs(6, 40)
    alone = parallel.extract_documents(docs, None, workers=0)
    pooled = parallel.extract_documents(docs, tmp_path, workers=2)
    assert_frame_equal(pooled.tables, alone.tables)
    assert_frame_equal(pooled.rows, alone.rows)
    assert pooled.extracted == 6


def test_pieces_from_cache_and_workers_come_back_in_document_order(small_thresholds, tmp_path):
    docs = corpus_docs(6, 30)
    parallel.extract_documents(docs[1::2], tmp_path, workers=0)
    mixed = parallel.extract_documents(docs, tmp_path, workers=1)
    alone = parallel.extract_documents(docs, None, workers=0)
    assert (mixed.cached, mixed.extracted) == (3, 3)
    assert_frame_equal(mixed.rows, alone.rows)
    assert mixed.rows.get_column("source").unique(maintain_order=True).to_list() == [
        doc.path for doc in docs
    ]


def test_chunk_size_does_not_change_the_frames(monkeypatch):
    docs = corpus_docs(5, 25)
    whole = parallel.extract_documents(docs, None, workers=0)
    monkeypatch.setattr(parallel, "CHUNK_CHARS", 1)
    chunked = parallel.extract_documents(docs, None, workers=0)
    assert_frame_equal(chunked.rows, whole.rows)
    assert_frame_equal(chunked.tables, whole.tables)


def test_little_text_stays_in_this_process(monkeypatch):
    def no_pool(*args, **kwargs):
        raise AssertionError("a process pool was started for three small documents")

    monkeypatch.setattr(parallel, "ProcessPoolExecutor", no_pool)
    assert parallel.extract_documents(corpus_docs(3, 10), None).extracted == 3
