"""Observing many documents on every core, through the observation cache (I/O).

Each document not in the cache is extracted and observed (pipeline.observe) in a chunk of about
CHUNK_CHARS of text, and its entry written to the cache; every document is then read from the
cache, in document order. Chunks go to worker processes (one fewer than the cores), and this
process, whenever the next document's chunk is not done, observes the earliest chunk no worker
has started instead of waiting. Between chunks it hands the entries done so far to the caller,
which encodes them in a thread. Workers return nothing but their entries on disk: pickling a
million observation rows back would cost more than mapping their files.

Workers are spawned, so a script that builds 2 MB of text or more must guard its entry point
(`if __name__ == "__main__":`), as with any multiprocessing; the CLI, pytest and notebooks do.
"""

import os
import tempfile
from collections.abc import Iterator, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from multiprocessing import get_context
from pathlib import Path

from pipeline import cache, errata, extract, interrupts, observe
from pipeline.decode import Doc

# Below this much text a pool costs more than it saves: the seed build (3 documents, 90 kB)
# and the tests stay in this process.
SERIAL_BELOW_CHARS = 2_000_000
CHUNK_CHARS = 4_000_000


@dataclass(frozen=True)
class _Chunk:
    """Consecutive documents to observe: (source, text, sha256) each."""

    documents: list[tuple[str, str, str]] = field(default_factory=list)

    def chars(self) -> int:
        return sum(len(text) for _, text, _ in self.documents)


@dataclass
class Counts:
    """How many documents came from the cache and how many were observed in this build."""

    cached: int = 0
    observed: int = 0


def observe_documents(
    docs: Sequence[Doc],
    cache_dir: Path | None,
    corrections: list[errata.Correction],
    counts: Counts | None = None,
    workers: int | None = None,
) -> Iterator[cache.Entry]:
    """Each document's cache entry, in document order; the documents not cached are observed.

    Once every entry is read, the cache keeps only these documents' entries. Without a cache
    directory the entries go through a temporary one.
    """
    counts = counts if counts is not None else Counts()
    with ExitStack() as stack:
        if cache_dir is None:
            cache_dir = Path(stack.enter_context(tempfile.TemporaryDirectory()))
        else:
            used = {cache.entry_path(cache_dir, doc.sha256, doc.path) for doc in docs}
            stack.callback(cache.remove_other_entries, cache_dir, used)
        cached = {doc.path for doc in docs if cache.has_entry(cache_dir, doc.sha256, doc.path)}
        # Each chunk in source order: its observations come out sorted so (observe_rows).
        missing = sorted((doc for doc in docs if doc.path not in cached), key=lambda doc: doc.path)
        chunks = _Chunks(_chunks(missing), cache_dir, corrections)
        counts.observed, counts.cached = len(missing), len(docs) - len(missing)
        chunks.start(workers, stack)
        for doc in docs:
            # Ctrl-C stops the build here, inside the stack: the pool is shut down first.
            interrupts.checkpoint()
            read = cache.read_entry(cache_dir, doc.sha256, doc.path) if doc.path in cached else None
            yield read or chunks.entry(doc)


def _chunks(docs: list[Doc]) -> list[_Chunk]:
    """The documents in consecutive chunks of about CHUNK_CHARS of text."""
    chunks: list[_Chunk] = []
    chars = CHUNK_CHARS  # the first document starts a chunk
    for doc in docs:
        if chars >= CHUNK_CHARS:
            chunks.append(_Chunk())
            chars = 0
        chunks[-1].documents.append((doc.path, doc.text, doc.sha256))
        chars += len(doc.text)
    return chunks


class _Chunks:
    """Chunks observed by worker processes and by this process, which steals the earliest chunk
    no worker has started whenever it would otherwise wait."""

    def __init__(
        self, chunks: list[_Chunk], cache_dir: Path, corrections: list[errata.Correction]
    ) -> None:
        self.chunks = chunks
        self.cache_dir = cache_dir
        self.corrections = corrections
        self.futures: list[Future[None]] = []
        self.of_document = {
            source: index for index, chunk in enumerate(chunks) for source, _, _ in chunk.documents
        }

    def start(self, workers: int | None, stack: ExitStack) -> None:
        """Hand every chunk to a pool of workers, or observe them all here when there is little
        text; the pool is shut down when the stack closes."""
        workers = (os.cpu_count() or 1) - 1 if workers is None else workers
        text = sum(chunk.chars() for chunk in self.chunks)
        if workers < 1 or len(self.chunks) < 2 or text < SERIAL_BELOW_CHARS:
            self.futures = [self._observed_here(index) for index in range(len(self.chunks))]
            return
        # spawn, not fork: a forked child of a process whose polars threads hold a lock can hang.
        # A worker runs polars on one thread: the processes already fill the cores.
        with _environment(POLARS_MAX_THREADS="1"), interrupts.ignored():
            pool = worker_pool(workers)
            stack.callback(pool.shutdown, wait=True, cancel_futures=True)
            self.futures = [
                pool.submit(observe_chunk, chunk, self.cache_dir, self.corrections)
                for chunk in self.chunks
            ]

    def entry(self, doc: Doc) -> cache.Entry:
        """The entry of a document observed in this build, once its chunk is done; a document
        whose entry could not be read after all is observed here."""
        if doc.path in self.of_document:
            self._wait(self.of_document[doc.path])
        else:
            observe_chunk(
                _Chunk([(doc.path, doc.text, doc.sha256)]), self.cache_dir, self.corrections
            )
        entry = cache.read_entry(self.cache_dir, doc.sha256, doc.path)
        if entry is None:
            path = cache.entry_path(self.cache_dir, doc.sha256, doc.path)
            raise OSError(f"{path}: written in this build, and unreadable")
        return entry

    def _wait(self, index: int) -> None:
        """Until chunk index is done (or raise its error), observing unstarted chunks here."""
        while not self.futures[index].done():
            unstarted = next(
                (later for later in range(index, len(self.chunks)) if self.futures[later].cancel()),
                None,
            )
            if unstarted is None:
                break
            self.futures[unstarted] = self._observed_here(unstarted)
        self.futures[index].result()

    def _observed_here(self, index: int) -> Future[None]:
        """Observe a chunk in this process; a future already done, like a worker's."""
        observe_chunk(self.chunks[index], self.cache_dir, self.corrections)
        future: Future[None] = Future()
        future.set_result(None)
        return future


def worker_pool(workers: int) -> ProcessPoolExecutor:
    """Spawned worker processes that leave Ctrl-C to the build's own process."""
    # Ctrl-C reaches every process of the terminal's group. This process stops the build (the
    # pool is shut down as the stack unwinds); a worker that stopped too would print a traceback.
    return ProcessPoolExecutor(
        workers, mp_context=get_context("spawn"), initializer=interrupts.ignore_in_worker
    )


@contextmanager
def _environment(**variables: str) -> Iterator[None]:
    """Environment variables set for the processes started inside the block (spawned ones
    inherit them), restored after it."""
    saved = {name: os.environ.get(name) for name in variables}
    os.environ.update(variables)
    try:
        yield
    finally:
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value


def observe_chunk(chunk: _Chunk, cache_dir: Path, corrections: list[errata.Correction]) -> None:
    """Extract and observe a chunk of documents (in a worker or here); store each one's entry."""
    tables, rows, unread = extract.extract_frames_and_unread(
        (source, text) for source, text, _ in chunk.documents
    )
    observed = observe.observe_rows(tables, rows, corrections)
    documents = [(source, sha256) for source, _, sha256 in chunk.documents]
    cache.write_entries(cache_dir, documents, tables, observed, corrections, unread)
