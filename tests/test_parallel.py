"""Observing on worker processes gives what observing in this process gives, in document order."""

import os
import random
import signal
import subprocess
import sys
import time

import polars as pl
import psutil
import pyarrow as pa
import pytest

from benchmarks import corpus
from pipeline import cache, errata, parallel
from pipeline.decode import decode_document


def corpus_docs(documents: int, rows: int):
    """Synthetic documents (benchmarks/corpus.py), decoded as the build decodes them."""
    return [
        decode_document(f"doc-{number:04d}.md", text.encode())
        for number in range(documents)
        for text, _ in [corpus.document_text(random.Random(number), number, rows)]
    ]


def observed(docs, cache_dir, workers, counts=None):
    """Every entry's source, observations (as one frame) and tables, in the order given."""
    entries = list(
        parallel.observe_documents(docs, cache_dir, errata.load_errata(), counts, workers)
    )
    observations = pl.DataFrame(pa.concat_tables([entry.observations for entry in entries]))
    return [entry.source for entry in entries], observations, cache.tables_frame(entries)


@pytest.fixture
def small_thresholds(monkeypatch):
    """Use the pool for a few kB of text, in chunks of about one document."""
    monkeypatch.setattr(parallel, "SERIAL_BELOW_CHARS", 1)
    monkeypatch.setattr(parallel, "CHUNK_CHARS", 1)


def test_workers_give_the_observations_one_process_gives(small_thresholds, tmp_path):
    docs = corpus_docs(6, 40)
    counts = parallel.Counts()
    alone = observed(docs, None, workers=0)
    pooled = observed(docs, tmp_path, workers=2, counts=counts)
    assert pooled[0] == alone[0] == [doc.path for doc in docs]
    assert pooled[1].equals(alone[1])
    assert pooled[1].height == 6 * 40
    assert pooled[2].equals(alone[2])
    assert (counts.cached, counts.observed) == (0, 6)


def test_pieces_from_cache_and_workers_come_back_in_document_order(small_thresholds, tmp_path):
    docs = corpus_docs(6, 30)
    observed(docs[1::2], tmp_path, workers=0)
    counts = parallel.Counts()
    mixed = observed(docs, tmp_path, workers=1, counts=counts)
    alone = observed(docs, None, workers=0)
    assert (counts.cached, counts.observed) == (3, 3)
    assert mixed[1].equals(alone[1])
    assert mixed[1].get_column("source").unique(maintain_order=True).to_list() == [
        doc.path for doc in docs
    ]


def test_chunk_size_does_not_change_the_observations(monkeypatch):
    docs = corpus_docs(5, 25)
    whole = observed(docs, None, workers=0)
    monkeypatch.setattr(parallel, "CHUNK_CHARS", 1)
    chunked = observed(docs, None, workers=0)
    assert chunked[1].equals(whole[1])
    assert chunked[2].equals(whole[2])


def test_little_text_stays_in_this_process(monkeypatch):
    def no_pool(*args, **kwargs):
        raise AssertionError("a process pool was started for three small documents")

    monkeypatch.setattr(parallel, "ProcessPoolExecutor", no_pool)
    counts = parallel.Counts()
    observed(corpus_docs(3, 10), None, workers=None, counts=counts)
    assert counts.observed == 3


def test_a_failure_in_a_worker_is_raised_here(small_thresholds, tmp_path):
    docs = corpus_docs(4, 10)
    unreadable = errata.Correction("doc-0003.md", "no_such_column", "x", "a bug", equals="y")
    entries = parallel.observe_documents(docs, tmp_path, [unreadable], workers=1)
    with pytest.raises(pl.exceptions.ColumnNotFoundError, match="no_such_column"):
        list(entries)


def test_documents_out_of_path_order_come_back_in_the_order_given(tmp_path):
    docs = corpus_docs(4, 10)
    shuffled = [docs[2], docs[0], docs[3], docs[1]]
    sources, observations, _ = observed(shuffled, tmp_path, workers=0)
    assert sources == [doc.path for doc in shuffled]
    assert observations.get_column("source").unique(maintain_order=True).to_list() == sources


def test_an_entry_unreadable_after_its_check_is_observed_again(tmp_path, monkeypatch):
    docs = corpus_docs(3, 10)
    first = observed(docs, tmp_path, workers=0)
    read_entry, failed = cache.read_entry, []

    def once_unreadable(cache_dir, sha256, source):
        if source == docs[1].path and not failed:
            failed.append(source)
            return None
        return read_entry(cache_dir, sha256, source)

    monkeypatch.setattr(cache, "read_entry", once_unreadable)
    again = observed(docs, tmp_path, workers=0)
    assert failed == [docs[1].path]
    assert again[0] == first[0]
    assert again[1].equals(first[1])


def _interrupt_handler() -> object:
    return signal.getsignal(signal.SIGINT)


def test_workers_leave_ctrl_c_to_the_build_process():
    # A worker interrupted too would print its own traceback under the build's one-line error.
    with parallel.worker_pool(1) as pool:
        assert pool.submit(_interrupt_handler).result() == signal.SIG_IGN
    assert signal.getsignal(signal.SIGINT) is signal.default_int_handler


def test_ctrl_c_during_a_build_on_workers_is_one_line_and_no_version(tmp_path):
    # Ctrl-C goes to every process of the terminal's group, here while the workers start.
    corpus.write_corpus(tmp_path / "raw", documents=6, rows_per_doc=10_000)
    command = [sys.executable, "-m", "pipeline.cli", "build", "--raw", "raw", "--out", "out"]
    command += ["--version", "1.0.0"]
    build = subprocess.Popen(
        command,
        cwd=tmp_path,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
        # As from a terminal, whatever this test runs under (a shell's background job ignores it).
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),
    )
    while build.poll() is None and not _has_a_worker(build.pid):
        time.sleep(0.01)
    # The build ignores Ctrl-C for the ~10 ms it takes to start its workers; a worker takes
    # over a second to import the pipeline.
    time.sleep(0.3)
    os.killpg(build.pid, signal.SIGINT)
    _, errors = build.communicate(timeout=120)
    assert (build.returncode, errors) == (1, "\nAborted!\n")
    assert not (tmp_path / "out" / "v1.0.0").exists()


def _has_a_worker(pid: int) -> bool:
    """Whether the process has started a spawned worker process."""
    try:
        return any("spawn_main" in " ".join(c.cmdline()) for c in psutil.Process(pid).children())
    except psutil.Error:
        return False
