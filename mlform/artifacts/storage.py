"""Which artifact store a location names, and the interface every store offers the core.

A directory (or a `file://` URL) is a `LocalArtifactStore`; any other URL an
`FsspecArtifactStore`, whose libraries load only when it is first used. `file://` goes to the
local store because it is the same filesystem: renames, fsyncs, and providers reading the
stored file itself rather than a cached copy.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Protocol

from mlform.artifacts.errors import ArtifactError
from mlform.artifacts.locations import ArtifactURL, is_url
from mlform.artifacts.store import LocalArtifactStore, StoredArtifact


class ArtifactStorage(Protocol):
    """What the core asks of an artifact store (providers see the reading part and `put`,
    `mlform.sdk.ArtifactStore`)."""

    @property
    def location(self) -> str:
        """Where the artifacts live, without credentials, as recorded in the state."""
        ...

    def put_file(self, path: str | os.PathLike[str]) -> StoredArtifact: ...

    def put_bytes(self, data: bytes) -> StoredArtifact: ...

    def exists(self, digest: str) -> bool: ...

    def local_path(self, digest: str) -> Path: ...

    def put(self, path: str | os.PathLike[str]) -> str: ...

    def unpacked(self, digest: str) -> Path: ...

    def verify(self, digest: str) -> bool: ...

    def delete(self, digest: str) -> bool: ...

    def digests(self) -> Iterator[str]: ...

    def discard_partial_writes(self, older_than: float = 3600.0) -> int: ...


def open_store(location: str | os.PathLike[str], *, origin: str | None = None) -> ArtifactStorage:
    """The store for a directory or a URL. Nothing is created or contacted yet; `origin`
    (which setting chose the location) goes into the messages of a store that fails."""
    if isinstance(location, os.PathLike) or not is_url(location):
        return LocalArtifactStore(location)
    try:
        url = ArtifactURL.parse(location)
    except ValueError as error:
        raise ArtifactError(str(error)) from None
    if url.protocol == "file" and url.user is None and url.secret is None:
        path = url.path.removeprefix("localhost")
        if path.startswith("/"):
            return LocalArtifactStore(path)
    from mlform.artifacts.remote import FsspecArtifactStore

    return FsspecArtifactStore(location, origin=origin)
