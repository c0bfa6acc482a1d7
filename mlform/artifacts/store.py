"""The local artifact store: one read-only file per digest under `<state home>/artifacts/`.

Layout: `artifacts/ab/cdef...` (the first two hex characters of the digest name a directory,
the other 62 the file), and `artifacts/.partial/` for writes in progress. A write is copied
into `.partial/` while being hashed, flushed to disk, made read-only, then renamed to its
digest's name and the directory entry flushed too. The rename is atomic, so whatever the
instant a process dies at, a name under `ab/` holds a complete artifact, and a caller records
an artifact in the state only after `put_file` returned. Leftovers in `.partial/` are invisible
and `discard_partial_writes` removes them.

The interface is the small one an fsspec-backed store will implement as well; providers see
only `exists` and `local_path` (`mlform.sdk.ArtifactStore`).
"""

from __future__ import annotations

import contextlib
import io
import os
import stat
import tempfile
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, BinaryIO

import blake3

from mlform.artifacts.errors import ArtifactError, ArtifactNotFoundError
from mlform.artifacts.hashing import hash_file, is_digest, new_hasher

if TYPE_CHECKING:
    from mlform.sdk.artifacts import ArtifactStore

_CHUNK = 8 << 20
_PARTIAL = ".partial"
_READ_ONLY = stat.S_IRUSR | stat.S_IRGRP | stat.S_IROTH


@dataclass(frozen=True)
class StoredArtifact:
    """An artifact in the store: its content digest (lowercase hex blake3) and size in bytes."""

    digest: str
    size: int


class LocalArtifactStore:
    """Artifacts on a local filesystem. The root directory is created on the first write."""

    def __init__(self, root: str | os.PathLike[str]):
        self.root = Path(root)

    @property
    def location(self) -> str:
        """Where the artifacts live, as recorded with each artifact in the state."""
        return str(self.root)

    # writing --------------------------------------------------------------------------------

    def put_file(self, path: str | os.PathLike[str]) -> StoredArtifact:
        """Store a copy of a file, hashed while it is copied so the name matches the copy."""
        try:
            source = open(path, "rb")  # noqa: SIM115 - a with-statement follows at once
        except OSError as error:
            raise ArtifactError(f"cannot store {path}: {error.strerror}") from error
        with source:
            return self._put(lambda target, hasher: _copy(source, target, hasher))

    def put_bytes(self, data: bytes) -> StoredArtifact:
        """Store bytes held in memory."""

        def write(target: BinaryIO, hasher: blake3.blake3) -> None:
            hasher.update(data)
            target.write(data)

        return self._put(write)

    def _put(self, write: Callable[[BinaryIO, blake3.blake3], None]) -> StoredArtifact:
        partial = self.root / _PARTIAL
        partial.mkdir(parents=True, exist_ok=True)
        descriptor, temporary = tempfile.mkstemp(dir=partial, prefix=f"{os.getpid()}-")
        try:
            hasher = new_hasher()
            with os.fdopen(descriptor, "wb") as file:
                write(file, hasher)
                file.flush()
                os.fsync(file.fileno())
                size = file.tell()
            digest = hasher.hexdigest()
            os.chmod(temporary, _READ_ONLY)
            final = self._path(digest)
            if final.is_file() and final.stat().st_size == size:
                os.unlink(temporary)  # already stored; a wrong size is a damaged copy, replaced
            else:
                if not final.parent.is_dir():
                    final.parent.mkdir(exist_ok=True)
                    _fsync_directory(self.root)
                os.replace(temporary, final)
                _fsync_directory(final.parent)
        except BaseException:
            with contextlib.suppress(FileNotFoundError):
                os.unlink(temporary)
            raise
        return StoredArtifact(digest, size)

    def delete(self, digest: str) -> bool:
        """Remove an artifact; whether there was one. The state's records are the caller's."""
        try:
            os.unlink(self._path(digest))
        except FileNotFoundError:
            return False
        return True

    def discard_partial_writes(self, older_than: float = 3600.0) -> int:
        """Remove unfinished writes left by killed processes; how many were removed.

        Only files untouched for `older_than` seconds go, so a write in progress survives.
        """
        removed = 0
        cutoff = time.time() - older_than
        with contextlib.suppress(FileNotFoundError), os.scandir(self.root / _PARTIAL) as entries:
            for entry in entries:
                if entry.stat().st_mtime < cutoff:
                    with contextlib.suppress(FileNotFoundError):
                        os.unlink(entry.path)
                        removed += 1
        return removed

    # reading --------------------------------------------------------------------------------

    def exists(self, digest: str) -> bool:
        """Whether a complete artifact is stored under `digest` (its content is not read)."""
        return self._path(digest).is_file()

    def local_path(self, digest: str) -> Path:
        """The stored file; read it, never write it (it is read-only on disk)."""
        path = self._path(digest)
        if not path.is_file():
            raise ArtifactNotFoundError(digest, self.location)
        return path

    def put(self, path: str | os.PathLike[str]) -> str:
        """Store a file during a provider's work; its digest (`mlform.sdk.ArtifactStore`)."""
        return self.put_file(path).digest

    def unpacked(self, digest: str) -> Path:
        """A stored tar archive as a directory, extracted once beside the artifacts."""
        from mlform.artifacts.unpack import unpack

        return unpack(self.local_path(digest), self.root / ".unpacked", digest)

    def verify(self, digest: str) -> bool:
        """Whether the artifact is stored and its content still hashes to its digest."""
        path = self._path(digest)
        try:
            return hash_file(path) == digest
        except FileNotFoundError:
            return False

    def digests(self) -> Iterator[str]:
        """The digest of every stored artifact, in no particular order."""
        if not self.root.is_dir():
            return
        for directory in self.root.iterdir():
            if len(directory.name) != 2 or not directory.is_dir():
                continue
            for file in directory.iterdir():
                digest = directory.name + file.name
                if is_digest(digest):
                    yield digest

    def _path(self, digest: str) -> Path:
        if not is_digest(digest):
            raise ArtifactError(
                f'"{digest}" is not an artifact digest (64 lowercase hexadecimal characters)'
            )
        return self.root / digest[:2] / digest[2:]


def _copy(source: io.BufferedIOBase, target: BinaryIO, hasher: blake3.blake3) -> None:
    buffer = bytearray(_CHUNK)
    view = memoryview(buffer)
    while count := source.readinto(buffer):
        hasher.update(view[:count])
        target.write(view[:count])


def _fsync_directory(path: Path) -> None:
    """Make a rename or a new entry in `path` survive a crash of the machine."""
    descriptor = os.open(path, os.O_RDONLY)
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)


if TYPE_CHECKING:
    _satisfies_the_sdk_protocol: type[ArtifactStore] = LocalArtifactStore
