"""The sources table: every raw document the version was built from."""

import pandera.polars as pa
import polars as pl


class Source(pa.DataFrameModel):
    """A raw input document, its bytes' sha256, where it comes from and what was found in it."""

    source: str = pa.Field(unique=True, description="Path relative to the raw directory")
    sha256: str = pa.Field(str_length=64, description="sha256 of the raw bytes")
    bytes: pl.Int64 = pa.Field(ge=0, description="Size of the raw file, bytes")
    encoding: str = pa.Field(description="Encoding it was decoded with (utf-8, cp1252)")
    decode_notes: pl.List(pl.String) = pa.Field(description="Repairs made while decoding")
    n_tables: pl.Int32 = pa.Field(ge=0, description="Tables extracted from it")
    n_rows: pl.Int32 = pa.Field(ge=0, description="Table body rows extracted from it")
    repository: str = pa.Field(nullable=True, description="Origin repository (owner/name)")
    upstream: str = pa.Field(nullable=True, description="Repository it was forked from")
    path: str = pa.Field(nullable=True, description="Path of the document in its repository")
    commit: str = pa.Field(nullable=True, description="Commit of the origin it was taken at")
    date: str = pa.Field(nullable=True, description="Date of that commit, YYYY-MM-DD")
    title: str = pa.Field(nullable=True, description="Title of the document")

    class Config:
        strict = True
