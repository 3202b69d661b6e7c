"""The project's own errors: every expected failure is one of these, with a message for a person."""


class ModelmetricsError(Exception):
    """An expected failure: bad input, a refused build, a broken output; the CLI exits 1."""


class InputError(ModelmetricsError):
    """A raw document cannot be used: unreadable, not text, changed since the manifest, ..."""

    def __init__(self, path: str, message: str, line: int | None = None) -> None:
        where = f"{path}:{line}" if line is not None else path
        super().__init__(f"{where}: {message}")
        self.path = path
        self.line = line


class ParseError(ModelmetricsError):
    """Text that a parser of this project cannot read (a cell, a header, a document)."""


class SchemaViolation(ModelmetricsError):
    """An output table breaks its own schema: a bug in the pipeline, never written to disk."""


class VersionError(ModelmetricsError):
    """A version cannot be written as declared: it exists with other content, or is malformed."""
