"""Fingerprints: a stat for an unchanged file, a full read for anything else."""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import pytest

import mlform.artifacts.fingerprint as fingerprint_module
from mlform.artifacts import (
    CachedFingerprinter,
    FingerprintError,
    MemoryStatCache,
    StatCache,
    fingerprint_file,
    hash_bytes,
)
from mlform.artifacts.benchmark import benchmark_fingerprint
from mlform.sdk.artifacts import Fingerprinter
from mlform.state import StateStore


class CountingReads:
    """Counts the full reads fingerprint_file does (every one goes through hash_file)."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch):
        self.paths: list[str] = []
        real = fingerprint_module.hash_file

        def hash_file(path: str) -> str:
            self.paths.append(path)
            return real(path)

        monkeypatch.setattr(fingerprint_module, "hash_file", hash_file)

    @property
    def count(self) -> int:
        return len(self.paths)


@pytest.fixture
def reads(monkeypatch: pytest.MonkeyPatch) -> CountingReads:
    return CountingReads(monkeypatch)


@pytest.fixture
def data(tmp_path: Path) -> Path:
    path = tmp_path / "churn.csv"
    path.write_bytes(b"customer_id,tenure\n1,3\n")
    return path


def fingerprint(path: Path, cache: StatCache) -> str:
    """Without the racy window, so that a file written by the test counts as settled."""
    return fingerprint_file(path, cache, racy_window_ns=0)


def test_an_unchanged_file_is_not_read_again(data: Path, reads: CountingReads) -> None:
    cache = MemoryStatCache()
    digest = fingerprint(data, cache)
    assert digest == hash_bytes(data.read_bytes()) and reads.count == 1
    for _ in range(3):
        assert fingerprint(data, cache) == digest
    assert reads.count == 1
    assert list(cache.entries) == [str(data)]


def test_a_touched_file_is_read_again_and_keeps_its_digest(
    data: Path, reads: CountingReads
) -> None:
    cache = MemoryStatCache()
    digest = fingerprint(data, cache)
    status = data.stat()
    os.utime(data, ns=(status.st_atime_ns, status.st_mtime_ns - 1_000_000_000))
    assert fingerprint(data, cache) == digest and reads.count == 2
    assert fingerprint(data, cache) == digest and reads.count == 2


def test_a_changed_file_is_read_again(data: Path, reads: CountingReads) -> None:
    cache = MemoryStatCache()
    before = fingerprint(data, cache)
    with data.open("ab") as file:
        file.write(b"2,7\n")
    after = fingerprint(data, cache)
    assert after != before and after == hash_bytes(data.read_bytes()) and reads.count == 2


def test_same_size_and_restored_mtime_is_still_caught(data: Path, reads: CountingReads) -> None:
    cache = MemoryStatCache()
    before = fingerprint(data, cache)
    status = data.stat()
    data.write_bytes(data.read_bytes().replace(b"3", b"4"))  # `cp -p`, `rsync -t`, `touch -r`
    os.utime(data, ns=(status.st_atime_ns, status.st_mtime_ns))
    assert data.stat().st_size == status.st_size
    assert fingerprint(data, cache) != before and reads.count == 2  # the ctime moved


def test_a_replaced_file_is_read_again(data: Path, tmp_path: Path, reads: CountingReads) -> None:
    cache = MemoryStatCache()
    fingerprint(data, cache)
    replacement = tmp_path / "new.csv"
    replacement.write_bytes(data.read_bytes())
    status = data.stat()
    os.utime(replacement, ns=(status.st_atime_ns, status.st_mtime_ns))
    replacement.replace(data)  # a new inode at the same path
    fingerprint(data, cache)
    assert reads.count == 2


def test_a_file_hashed_just_after_it_changed_is_hashed_again(
    data: Path, reads: CountingReads
) -> None:
    """Its timestamps could hide a change made in the same clock tick (see the module doc)."""
    cache = MemoryStatCache()
    digest = fingerprint_file(data, cache)  # written a moment ago: within the racy window
    entry = cache.entries[str(data)]
    assert not entry.trusted() and entry.trusted(racy_window_ns=0)
    assert fingerprint_file(data, cache) == digest and reads.count == 2
    old = replace(entry, hashed_ns=entry.hashed_ns + 10**10)
    cache.stat_cache_put(old)  # as if hashed 10 s after its last change
    assert fingerprint_file(data, cache) == digest and reads.count == 2


def test_a_file_that_keeps_changing_while_read_is_an_error(
    data: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls = []
    real = fingerprint_module.hash_file

    def hash_while_appending(path: str) -> str:
        calls.append(path)
        with open(path, "ab") as file:
            file.write(b"9,9\n")
        return real(path)

    monkeypatch.setattr(fingerprint_module, "hash_file", hash_while_appending)
    with pytest.raises(FingerprintError, match="kept changing while mlform read it"):
        fingerprint(data, MemoryStatCache())
    assert len(calls) == 3


def test_what_cannot_be_fingerprinted_raises_what_the_system_says(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError):
        fingerprint(tmp_path / "missing.csv", MemoryStatCache())
    with pytest.raises(IsADirectoryError):
        fingerprint(tmp_path, MemoryStatCache())
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    with pytest.raises(FingerprintError, match="not a regular file") as refused:
        fingerprint(fifo, MemoryStatCache())
    assert isinstance(refused.value, OSError)


def test_providers_get_a_cached_fingerprinter(data: Path, reads: CountingReads) -> None:
    fingerprinter: Fingerprinter = CachedFingerprinter(MemoryStatCache(), racy_window_ns=0)
    digest = fingerprinter.fingerprint_file(data)
    assert fingerprinter.fingerprint_file(data) == digest and reads.count == 1


@pytest.fixture
def state(tmp_path: Path) -> Iterator[StateStore]:
    with StateStore.open(tmp_path / "state" / "mlform.db") as store:
        yield store


def test_the_state_store_is_a_stat_cache(
    data: Path, state: StateStore, reads: CountingReads
) -> None:
    state.create_workspace("config:default")
    digest = fingerprint(data, state)
    assert fingerprint(data, state) == digest and reads.count == 1
    entry = state.stat_cache_get(str(data))
    assert entry is not None and entry.digest == digest and entry.inode == data.stat().st_ino


def test_a_missing_state_home_still_fingerprints(data: Path, state: StateStore) -> None:
    assert fingerprint(data, state) == hash_bytes(data.read_bytes())
    assert not state.exists  # the cache entry was dropped rather than create the state


def test_the_benchmark_reports_each_case(data: Path) -> None:
    timings = benchmark_fingerprint(data, MemoryStatCache(), repeat=2, racy_window_ns=0)
    assert timings.size == data.stat().st_size
    assert timings.first > 0 and timings.unchanged > 0 and timings.changed > 0
    assert "unchanged" in str(timings) and timings.gigabytes_per_second > 0
    with_state = benchmark_fingerprint(data, repeat=1, racy_window_ns=0)  # a SQLite stat cache
    assert with_state.size == timings.size
