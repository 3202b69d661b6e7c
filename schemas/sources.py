"""The sources table: every raw document the version was built from."""

import pandera.polars as pa
import polars as pl

from schemas import fields


class Source(pa.DataFrameModel):
    """A raw input document, its bytes' sha256, where it comes from and what was found in it."""

    source: str = fields.source("Path relative to the raw directory")
    sha256: str = pa.Field(
        str_length=64,
        description="sha256 of the raw bytes",
        metadata={
            "unit": "",
            "example": "0b158997448aa30d0574b002f3e0ca88b3fab33fd1a405beedcae144a64bc2f7",
        },
    )
    bytes: pl.Int64 = pa.Field(
        ge=0,
        description="Size of the raw file, bytes",
        metadata={"unit": "bytes", "example": "9312"},
    )
    encoding: str = pa.Field(
        description="Encoding it was decoded with (utf-8, cp1252)",
        metadata={"unit": "", "example": "utf-8"},
    )
    decode_notes: pl.List(pl.String) = pa.Field(
        description="Repairs made while decoding",
        metadata={"unit": "", "example": '["repaired mojibake (UTF-8 read as cp1252)"]'},
    )
    n_tables: pl.Int32 = pa.Field(
        ge=0, description="Tables extracted from it", metadata={"unit": "count", "example": "9"}
    )
    n_rows: pl.Int32 = pa.Field(
        ge=0,
        description="Table body rows extracted from it",
        metadata={"unit": "count", "example": "70"},
    )
    repository: str = pa.Field(
        nullable=True,
        description="Origin repository (owner/name)",
        metadata={"unit": "", "example": "GeorgePearse/pytorch-image-models"},
    )
    upstream: str = pa.Field(
        nullable=True,
        description="Repository it was forked from",
        metadata={"unit": "", "example": "huggingface/pytorch-image-models"},
    )
    path: str = pa.Field(
        nullable=True,
        description="Path of the document in its repository",
        metadata={"unit": "", "example": "docs/metrics/2025-models.md"},
    )
    commit: str = pa.Field(
        nullable=True,
        description="Commit of the origin it was taken at",
        metadata={"unit": "", "example": "1b928dcc"},
    )
    date: str = pa.Field(
        nullable=True,
        description="Date of that commit, YYYY-MM-DD",
        metadata={"unit": "", "example": "2025-12-07"},
    )
    title: str = pa.Field(
        nullable=True,
        description="Title of the document",
        metadata={"unit": "", "example": "2025 Model Metrics"},
    )

    class Config:
        strict = True
