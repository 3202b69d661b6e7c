"""Extraction of many documents on every core, through the extraction cache (I/O).

Documents not in the cache are extracted in chunks of about CHUNK_CHARS of text: worker
processes take chunks from the front, this process from the back, so both cores work while the
workers start (importing polars and pandera takes a worker ~1 s). A worker returns its chunk's
two frames, never Table objects (pickling a million Row objects costs ~9 s). Pieces are put back
in document order, so the output does not depend on which process did what.

Workers are spawned, so a script that builds 2 MB of text or more must guard its entry point
(`if __name__ == "__main__":`), as with any multiprocessing; the CLI, pytest and notebooks do.
"""

import os
from collections.abc import Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from multiprocessing import get_context
from pathlib import Path

import polars as pl

from pipeline import cache, extract
from pipeline.decode import Doc

# Below this much text a pool costs more than it saves: the seed build (3 documents, 90 kB)
# and the tests stay in this process.
SERIAL_BELOW_CHARS = 2_000_000
CHUNK_CHARS = 1_000_000


@dataclass(frozen=True)
class Extraction:
    """Every document's tables and rows frames, and how many documents came from the cache."""

    tables: pl.DataFrame
    rows: pl.DataFrame
    cached: int
    extracted: int


@dataclass(frozen=True)
class _Chunk:
    """Consecutive documents to extract: (source, text, sha256) each."""

    documents: list[tuple[str, str, str]]


def extract_documents(
    docs: Sequence[Doc], cache_dir: Path | None = None, workers: int | None = None
) -> Extraction:
    """Tables and rows of every document, in document order, from the cache where possible."""
    # Runs of consecutive cached documents, and chunks of documents to extract, in order.
    pieces: list[list[cache.Entry] | _Chunk] = []
    for doc in docs:
        entry = cache.read_entry(cache_dir, doc.sha256, doc.path) if cache_dir else None
        if entry is not None:
            if pieces and isinstance(pieces[-1], list):
                pieces[-1].append(entry)
            else:
                pieces.append([entry])
        elif pieces and isinstance(pieces[-1], _Chunk) and _chars(pieces[-1]) < CHUNK_CHARS:
            pieces[-1].documents.append((doc.path, doc.text, doc.sha256))
        else:
            pieces.append(_Chunk([(doc.path, doc.text, doc.sha256)]))
    chunks = [piece for piece in pieces if isinstance(piece, _Chunk)]
    done = iter(_extract_chunks(chunks, cache_dir, workers))
    frames = [
        next(done) if isinstance(piece, _Chunk) else cache.entries_frames(piece) for piece in pieces
    ]
    extracted = sum(len(chunk.documents) for chunk in chunks)
    return Extraction(
        pl.concat([tables for tables, _ in frames], rechunk=True),
        pl.concat([rows for _, rows in frames], rechunk=True),
        cached=len(docs) - extracted,
        extracted=extracted,
    )


def _chars(chunk: _Chunk) -> int:
    return sum(len(text) for _, text, _ in chunk.documents)


def _extract_chunks(
    chunks: list[_Chunk], cache_dir: Path | None, workers: int | None
) -> list[tuple[pl.DataFrame, pl.DataFrame]]:
    """Each chunk's frames, in chunk order; in this process alone when there is little text."""
    workers = (os.cpu_count() or 1) - 1 if workers is None else workers
    if workers < 1 or len(chunks) < 2 or sum(map(_chars, chunks)) < SERIAL_BELOW_CHARS:
        return [extract_chunk(chunk, cache_dir) for chunk in chunks]
    # spawn, not fork: a forked child of a process whose polars threads hold a lock can hang.
    with ProcessPoolExecutor(workers, mp_context=get_context("spawn")) as pool:
        futures = [pool.submit(extract_chunk, chunk, cache_dir) for chunk in chunks]
        done = {}
        # Take chunks from the back while no worker has started them; stop where they meet.
        for index in reversed(range(len(chunks))):
            if not futures[index].cancel():
                break
            done[index] = extract_chunk(chunks[index], cache_dir)
        return [done.get(index) or futures[index].result() for index in range(len(chunks))]


def extract_chunk(chunk: _Chunk, cache_dir: Path | None) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Extract a chunk of documents (in a worker or here) and store each one's frames."""
    tables, rows = extract.extract_frames((source, text) for source, text, _ in chunk.documents)
    if cache_dir is not None:
        documents = [(source, sha256) for source, _, sha256 in chunk.documents]
        cache.write_extractions(cache_dir, documents, tables, rows)
    return tables, rows
