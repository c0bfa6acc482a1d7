"""Errors of the artifact store and of fingerprinting."""

from __future__ import annotations

from mlform.errors import MlformError


class ArtifactError(MlformError):
    """An artifact could not be stored, found or read."""


class ArtifactNotFoundError(ArtifactError):
    """A digest the state refers to has no file in the artifact store."""

    def __init__(self, digest: str, location: str):
        self.digest = digest
        self.location = location
        super().__init__(
            f"artifact {digest} is missing from {location}; it was deleted or the store was "
            "moved. Run `mlform plan` to see which resources will be rebuilt, then `mlform apply`."
        )


class ArtifactDamagedError(ArtifactError, OSError):
    """A stored artifact's content no longer hashes to its digest. An OSError too, so that a
    reader treating unreadable files as damaged treats this one so as well."""


class FingerprintError(MlformError, OSError):
    """A file is no regular file, or kept changing while read. An OSError too, so callers
    handle it with the operating system's refusals (missing file, permission denied)."""
