"""Content-addressed artifacts and file fingerprints, the storage that outlives a process.

Everything mlform produces (Parquet tables, fitted transforms, model files, reports) is kept
once, under its blake3 digest, so the same result built twice, in two workspaces or before and
after a destroy, is one file, and any copy can be checked against its name. A write lands under
a temporary name and is renamed only once complete and flushed, so a process killed at any
instant never leaves a half-written artifact where a complete one is expected. Fingerprints of
source files use the same digest, behind a stat cache that makes an unchanged file cost a stat.
Artifacts live in a local directory or, through fsspec, at any URL (`s3://bucket/prefix`),
downloaded into a local cache when read; `open_store` picks the store a location names, and
fsspec loads only when a URL store is used. This package needs neither SQLAlchemy nor the
state store.
"""

from mlform.artifacts.cache import ArtifactCache, cache_directory
from mlform.artifacts.errors import (
    ArtifactDamagedError,
    ArtifactError,
    ArtifactNotFoundError,
    FingerprintError,
)
from mlform.artifacts.fingerprint import (
    RACY_WINDOW_NS,
    CachedFingerprinter,
    MemoryStatCache,
    StatCache,
    StatEntry,
    fingerprint_file,
)
from mlform.artifacts.hashing import hash_bytes, hash_file, is_digest
from mlform.artifacts.locations import is_url, without_credentials
from mlform.artifacts.storage import ArtifactStorage, open_store
from mlform.artifacts.store import LocalArtifactStore, StoredArtifact

__all__ = [
    "RACY_WINDOW_NS",
    "ArtifactCache",
    "ArtifactDamagedError",
    "ArtifactError",
    "ArtifactNotFoundError",
    "ArtifactStorage",
    "CachedFingerprinter",
    "FingerprintError",
    "LocalArtifactStore",
    "MemoryStatCache",
    "StatCache",
    "StatEntry",
    "StoredArtifact",
    "cache_directory",
    "fingerprint_file",
    "hash_bytes",
    "hash_file",
    "is_digest",
    "is_url",
    "open_store",
    "without_credentials",
]
