"""Reading raw/: the sources manifest, the documents' bytes, their sha256 (I/O)."""

import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

import polars as pl

from pipeline.decode import Doc, decode_document
from pipeline.errors import InputError

MANIFEST_NAME = "sources.toml"
SEMVER = re.compile(r"(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)")
# A directory without a manifest builds as this version unless one is given.
UNDECLARED_VERSION = "0.0.0"


@dataclass(frozen=True)
class SourceEntry:
    """One document declared in the manifest, with its recorded sha256 and origin."""

    file: str
    sha256: str
    origin: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Manifest:
    """The sources manifest: dataset name, declared version and the declared documents."""

    name: str
    version: str
    entries: tuple[SourceEntry, ...]
    path: Path | None = None

    def origins(self) -> dict[str, dict[str, str]]:
        """Each declared file's origin (repository, path, commit, ...), by file name."""
        return {entry.file: entry.origin for entry in self.entries}


def is_version(version: str) -> bool:
    """Whether a version is X.Y.Z (semver), the whole string: "0.1.0" is, "0.1.0\\n" is not."""
    return SEMVER.fullmatch(version) is not None


def read_manifest(raw_dir: Path) -> Manifest | None:
    """The manifest in raw_dir, or None when the directory has none."""
    path = raw_dir / MANIFEST_NAME
    if not path.is_file():
        if path.exists() or path.is_symlink():
            raise InputError(str(path), "is not a readable file (a directory or broken link?)")
        return None
    try:
        content = tomllib.loads(path.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as error:
        raise InputError(str(path), f"is not a valid TOML manifest: {error}") from None
    return _manifest_from(content, path)


def _manifest_from(content: dict, path: Path) -> Manifest:
    dataset = content.get("dataset", {})
    items = content.get("source", [])
    if not isinstance(dataset, dict) or not isinstance(items, list):
        raise InputError(str(path), "needs a [dataset] table and [[source]] entries")
    version = str(dataset.get("version", ""))
    if not is_version(version):
        raise InputError(str(path), f"[dataset] version {version!r} is not X.Y.Z (semver)")
    entries: list[SourceEntry] = []
    for number, item in enumerate(items, start=1):
        entry = _source_entry(item, number, path)
        if any(earlier.file == entry.file for earlier in entries):
            raise InputError(str(path), f"[[source]] #{number} declares {entry.file} again")
        entries.append(entry)
    return Manifest(str(dataset.get("name", "modelmetrics")), version, tuple(entries), path)


def _source_entry(item: object, number: int, path: Path) -> SourceEntry:
    """One [[source]] entry, refused unless it names a file inside raw/ and its sha256."""
    fields = item if isinstance(item, dict) else {}
    file, sha256 = fields.get("file"), fields.get("sha256")
    if not (isinstance(file, str) and file and isinstance(sha256, str)) or not re.fullmatch(
        r"[0-9a-f]{64}", sha256
    ):
        raise InputError(str(path), f"[[source]] #{number} needs a file and a 64-hex sha256")
    if Path(file).is_absolute() or ".." in Path(file).parts:
        raise InputError(str(path), f"[[source]] #{number}: {file} is not a path inside raw/")
    origin = {key: str(value) for key, value in fields.items() if key not in ("file", "sha256")}
    return SourceEntry(file, sha256, origin)


def markdown_files(raw_dir: Path) -> list[str]:
    """Every *.md under raw_dir, as sorted POSIX paths relative to it; a name that is not
    UTF-8 is refused (it could be neither cached nor published)."""
    names = sorted(path.relative_to(raw_dir).as_posix() for path in raw_dir.rglob("*.md"))
    for name in names:
        if _not_utf8(name):
            raise InputError(repr(name)[1:-1], "file name is not valid UTF-8: rename the file")
    return names


def _not_utf8(name: str) -> bool:
    try:
        name.encode("utf-8")
    except UnicodeEncodeError:
        return True
    return False


def read_docs(raw_dir: Path, manifest: Manifest | None) -> list[Doc]:
    """Decode every source document; with a manifest, only declared ones, sha256 checked."""
    if not raw_dir.is_dir():
        raise InputError(str(raw_dir), "is not a directory of raw documents")
    names = [entry.file for entry in manifest.entries] if manifest else markdown_files(raw_dir)
    if manifest and not names:
        raise InputError(
            str(manifest.path),
            "declares no [[source]] documents; to declare the *.md files beside it: "
            f"modelmetrics accept --raw {raw_dir} --version {manifest.version}",
        )
    if not names:
        raise InputError(str(raw_dir), "has no Markdown documents (*.md)")
    return [read_doc(raw_dir, name) for name in names]


def read_doc(raw_dir: Path, name: str) -> Doc:
    """Read and decode one document; an unreadable or empty one is an InputError naming it."""
    path = raw_dir / name
    data = _read_bytes(path)
    if not data.strip():
        raise InputError(str(path), "is empty: a source document must hold at least one table")
    return decode_document(name, data)


def changed_documents(docs: list[Doc], manifest: Manifest) -> list[tuple[str, str, str]]:
    """(file, recorded sha256, actual sha256) for every document whose bytes changed."""
    recorded = {entry.file: entry.sha256 for entry in manifest.entries}
    return [
        (doc.path, recorded[doc.path], doc.sha256)
        for doc in docs
        if recorded[doc.path] != doc.sha256
    ]


def undeclared_documents(raw_dir: Path, manifest: Manifest) -> list[str]:
    """Markdown files in raw_dir that the manifest does not declare."""
    declared = {entry.file for entry in manifest.entries}
    return [name for name in markdown_files(raw_dir) if name not in declared]


def sources_table(docs: list[Doc], manifest: Manifest | None, tables: pl.DataFrame) -> pl.DataFrame:
    """The sources table: each document, its sha256, origin and what was extracted from it."""
    origins = manifest.origins() if manifest else {}
    counts = {
        row["source"]: (row["n_tables"], row["n_rows"])
        for row in tables.group_by("source")
        .agg(n_tables=pl.len(), n_rows=pl.col("n_rows").sum())
        .to_dicts()
    }
    records = [
        _source_record(doc, origins.get(doc.path, {}), counts.get(doc.path, (0, 0))) for doc in docs
    ]
    return pl.DataFrame(records, schema=_SOURCE_SCHEMA).sort("source")


def _source_record(doc: Doc, origin: dict[str, str], counts: tuple[int, int]) -> dict:
    return {
        "source": doc.path,
        "sha256": doc.sha256,
        "bytes": doc.size,
        "encoding": doc.encoding,
        "decode_notes": list(doc.notes),
        "n_tables": counts[0],
        "n_rows": counts[1],
        **{name: origin.get(name) for name in _ORIGIN_FIELDS},
    }


_ORIGIN_FIELDS = ["repository", "upstream", "path", "commit", "date", "title"]
_SOURCE_SCHEMA: dict[str, pl.DataType | type[pl.DataType]] = {
    "source": pl.String,
    "sha256": pl.String,
    "bytes": pl.Int64,
    "encoding": pl.String,
    "decode_notes": pl.List(pl.String),
    "n_tables": pl.Int32,
    "n_rows": pl.Int32,
    **{name: pl.String for name in _ORIGIN_FIELDS},
}


def accept_documents(raw_dir: Path, version: str) -> list[str]:
    """Record the current sha256 of every changed or new document and declare version; say what."""
    manifest = read_manifest(raw_dir)
    if manifest is None or manifest.path is None:
        raise InputError(str(raw_dir / MANIFEST_NAME), "does not exist: nothing to accept into")
    if not is_version(version):
        raise InputError(str(manifest.path), f"version {version!r} is not X.Y.Z (semver)")
    text = manifest.path.read_text(encoding="utf-8")
    said = [f"version {manifest.version} -> {version}"] if version != manifest.version else []
    text = re.sub(r'(?m)^version = "[^"]*"', f'version = "{version}"', text, count=1)
    for entry in manifest.entries:
        actual = read_doc(raw_dir, entry.file).sha256
        if actual != entry.sha256:
            text = text.replace(f'sha256 = "{entry.sha256}"', f'sha256 = "{actual}"', 1)
            said.append(f"{entry.file}: sha256 {entry.sha256[:12]}... -> {actual[:12]}...")
    for name in undeclared_documents(raw_dir, manifest):
        text += f'\n[[source]]\nfile = "{name}"\nsha256 = "{read_doc(raw_dir, name).sha256}"\n'
        said.append(f"{name}: declared (add its origin to {manifest.path.name})")
    manifest.path.write_text(text, encoding="utf-8")
    return said


def read_file_doc(path: Path) -> Doc:
    """Read and decode a document given by its own path (for extract): names it as given."""
    return decode_document(str(path), _read_bytes(path))


def _read_bytes(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except OSError as error:
        raise InputError(str(path), f"cannot be read: {error.strerror}") from None
