"""How a provider reaches the artifact store without touching the state store.

The core passes an `ArtifactStore` in the requests that need one; a provider reads the
artifacts of its upstream resources through it and hands back the files it wrote as
`Artifact`s, which the core stores (content-addressed) and records. Source files are
fingerprinted through the core's `Fingerprinter`, so that its stat cache spares re-reading a
file that has not changed.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Protocol


class ArtifactStore(Protocol):
    """Read access to stored artifacts, by digest."""

    def exists(self, digest: str) -> bool:
        """Whether the artifact is stored (without reading it)."""
        ...

    def local_path(self, digest: str) -> Path:
        """A local file holding the artifact, fetched first when the store is remote."""
        ...

    def put(self, path: Path) -> str:
        """Store a file now, during the work, and return its digest (for a provider that
        needs the stored copy before it returns, such as an archive to unpack). Files handed
        back in `ApplyResponse.artifacts` are stored by the core; storing one twice is free."""
        ...

    def unpacked(self, digest: str) -> Path:
        """A stored tar archive as a local directory, extracted once (TensorBoard logs)."""
        ...

    def verify(self, digest: str) -> bool:
        """Whether the stored artifact (in the store itself, not a local copy) still hashes
        to its digest; False when it is missing."""
        ...


@dataclass(frozen=True)
class Artifact:
    """A file a provider produced under its work directory, for the core to store.

    `name` is its role within the resource (`"data"`, `"train"`, `"model"`, `"transform"`),
    unique per resource.
    """

    name: str
    path: Path


class Fingerprinter(Protocol):
    """Fingerprints of source files, for drift detection, implemented by the core.

    The core keeps a stat cache (inode, size, mtime): a file is hashed again only when its stat
    changed, so an unchanged large file is not re-read on every refresh and a touched but
    unchanged file gives the same fingerprint.
    """

    def fingerprint_file(self, path: Path) -> str:
        """A digest of the file's content; raises OSError when the file cannot be read."""
        ...
