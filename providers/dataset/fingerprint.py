"""Fingerprints of a dataset's source, by which refresh tells that the data changed.

- A file: the core's `Fingerprinter` (a stat cache: the file is hashed with blake3 only when
  its inode, size or mtime changed), so a touched but unchanged file is not drift and an
  unchanged large file is not re-read. Without one, the file is hashed every time.
- A database: the digest of the `fingerprint` query's result when there is one (a cheap
  `SELECT count(*), max(updated_at) ...`), otherwise of the whole query's result.
- A bundled sample: its name and scikit-learn's version.
"""

from __future__ import annotations

from pathlib import Path

from mlform.sdk import Fingerprinter, import_optional
from providers.dataset.bundled import bundled_fingerprint
from providers.dataset.canonical import content_digest
from providers.dataset.database import run_query
from providers.dataset.files import file_errors, resolve_file
from providers.dataset.settings import DatasetSettings
from providers.dataset.source import SourceKind

_CHUNK = 1 << 20


def file_digest(path: Path) -> str:
    """The blake3 digest (lowercase hex) of a file's bytes, memory-mapped where possible."""
    blake3 = import_optional("blake3", "fingerprinting a file")
    hasher = blake3.blake3(max_threads=blake3.blake3.AUTO)
    if path.stat().st_size and hasattr(hasher, "update_mmap"):
        hasher.update_mmap(str(path))
    else:
        with path.open("rb") as stream:
            while chunk := stream.read(_CHUNK):
                hasher.update(chunk)
    return str(hasher.hexdigest())


class HashingFingerprinter:
    """A `Fingerprinter` without a cache: hashes the file each time. Used when the core
    passes none."""

    def fingerprint_file(self, path: Path) -> str:
        return file_digest(path)


def source_fingerprint(
    settings: DatasetSettings, config_dir: Path, fingerprints: Fingerprinter | None
) -> str:
    """The source's fingerprint now; raises `DatasetProblem` when it cannot be read."""
    source = settings.source
    if source.kind is SourceKind.SKLEARN:
        return bundled_fingerprint(source.location)
    if source.kind is SourceKind.SQL:
        attribute, query = ("query", settings.query)
        if settings.fingerprint is not None:
            attribute, query = ("fingerprint", settings.fingerprint)
        table = run_query(source.location, query or "", config_dir, settings.shown, (attribute,))
        return content_digest(table)
    path = resolve_file(source.location, config_dir)
    with file_errors(settings.shown, path):
        if path.is_dir():
            raise IsADirectoryError(path)
        return (fingerprints or HashingFingerprinter()).fingerprint_file(path)
