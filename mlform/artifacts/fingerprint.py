"""Fingerprints of source files: a stat when the file is unchanged, a blake3 read when not.

The stat cache maps a path to what `stat` said when its content was last hashed (inode, size,
mtime and ctime in nanoseconds) and the digest. When the stat still matches, the digest is
reused without opening the file. ctime is part of the key, as in git: it cannot be set back by
hand, so a file rewritten to the same size with its mtime restored (`touch -r`, `cp -p`,
`rsync -t`) is still hashed again.

Timestamps are coarse (a kernel tick on Linux, a second or two on some filesystems), so a
file written in the same tick as it was hashed could change without its stat changing. An
entry is therefore trusted only when the file's last change came well before the hash began
(`RACY_WINDOW_NS`, git's "racily clean" rule); a freshly written file is hashed once more on
the next run, after which its entry is trusted.
"""

from __future__ import annotations

import errno
import os
import stat
import time
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

from mlform.artifacts.errors import FingerprintError
from mlform.artifacts.hashing import hash_file

if TYPE_CHECKING:
    from mlform.sdk.artifacts import Fingerprinter

# A change this close to the moment hashing began might not have moved the timestamps.
RACY_WINDOW_NS = 2_000_000_000

_ATTEMPTS = 3


@dataclass(frozen=True)
class StatEntry:
    """A file's stat when it was hashed, and its digest. `hashed_ns` is when hashing began."""

    path: str
    inode: int
    size: int
    mtime_ns: int
    ctime_ns: int
    digest: str
    hashed_ns: int

    @classmethod
    def of(cls, path: str, status: os.stat_result, digest: str, hashed_ns: int) -> StatEntry:
        return cls(
            path,
            status.st_ino,
            status.st_size,
            status.st_mtime_ns,
            status.st_ctime_ns,
            digest,
            hashed_ns,
        )

    def matches(self, status: os.stat_result) -> bool:
        """Whether `status` is the stat this entry was hashed with."""
        return (self.inode, self.size, self.mtime_ns, self.ctime_ns) == _key(status)

    def trusted(self, racy_window_ns: int = RACY_WINDOW_NS) -> bool:
        """Whether the file had stopped changing before it was hashed (see the module doc)."""
        return max(self.mtime_ns, self.ctime_ns) + racy_window_ns < self.hashed_ns


class StatCache(Protocol):
    """Where fingerprints are remembered: the state store, or a `MemoryStatCache` in tests."""

    def stat_cache_get(self, path: str) -> StatEntry | None: ...

    def stat_cache_put(self, entry: StatEntry) -> None: ...


class MemoryStatCache:
    """A stat cache held in a dict, for tests and one-off fingerprints."""

    def __init__(self) -> None:
        self.entries: dict[str, StatEntry] = {}

    def stat_cache_get(self, path: str) -> StatEntry | None:
        return self.entries.get(path)

    def stat_cache_put(self, entry: StatEntry) -> None:
        self.entries[entry.path] = entry


def fingerprint_file(
    path: str | os.PathLike[str],
    stat_cache: StatCache,
    *,
    racy_window_ns: int = RACY_WINDOW_NS,
) -> str:
    """The blake3 digest of a file's content, read only when its stat changed since last time.

    The cache is keyed by absolute path. A file that changes while it is read is read again;
    one that keeps changing is an error, since any digest of it would describe no real content.
    Raises OSError as the system does (FileNotFoundError, PermissionError, IsADirectoryError),
    and FingerprintError (an OSError) for a file that is no regular file or kept changing.
    """
    absolute = os.path.abspath(path)
    before = _stat(absolute)
    entry = stat_cache.stat_cache_get(absolute)
    if entry is not None and entry.matches(before) and entry.trusted(racy_window_ns):
        return entry.digest
    for _ in range(_ATTEMPTS):
        hashed_ns = time.time_ns()
        digest = hash_file(absolute)
        after = _stat(absolute)
        if _key(after) == _key(before):
            stat_cache.stat_cache_put(StatEntry.of(absolute, after, digest, hashed_ns))
            return digest
        before = after
    raise FingerprintError(
        f"{absolute} kept changing while mlform read it; wait until whatever writes it has "
        "finished, then run the command again"
    )


class CachedFingerprinter:
    """The SDK's `Fingerprinter`, which providers are given: `fingerprint_file` over a cache."""

    def __init__(self, stat_cache: StatCache, racy_window_ns: int = RACY_WINDOW_NS):
        self.stat_cache = stat_cache
        self.racy_window_ns = racy_window_ns

    def fingerprint_file(self, path: Path) -> str:
        return fingerprint_file(path, self.stat_cache, racy_window_ns=self.racy_window_ns)


def _stat(path: str) -> os.stat_result:
    status = os.stat(path)
    if stat.S_ISDIR(status.st_mode):
        raise IsADirectoryError(errno.EISDIR, os.strerror(errno.EISDIR), path)
    if not stat.S_ISREG(status.st_mode):
        raise FingerprintError(f"{path} is not a regular file, so it cannot be fingerprinted")
    return status


def _key(status: os.stat_result) -> tuple[int, int, int, int]:
    return (status.st_ino, status.st_size, status.st_mtime_ns, status.st_ctime_ns)


if TYPE_CHECKING:
    _satisfies_the_sdk_protocol: type[Fingerprinter] = CachedFingerprinter
