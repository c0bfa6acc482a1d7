"""How long fingerprinting a file takes, unchanged (a stat) and changed (a full blake3 read).

    python -m mlform.artifacts.benchmark FILE [--repeat N]

`benchmark_fingerprint` uses the production path: a stat cache in a fresh SQLite state
(unless one is given). "changed" moves the file's mtime forward, which forces a full re-hash
of the same bytes, then puts the mtime back; the file is then usually in the page cache, so
this measures hashing, not the disk.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from mlform.artifacts.fingerprint import RACY_WINDOW_NS, StatCache, fingerprint_file


@dataclass(frozen=True)
class FingerprintTimings:
    """Seconds per fingerprint (medians of the repeats) of a file of `size` bytes."""

    size: int
    first: float
    unchanged: float
    changed: float

    @property
    def gigabytes_per_second(self) -> float:
        """The re-hash speed of a changed file, in GB/s (10^9 bytes)."""
        return self.size / self.changed / 1e9 if self.changed else float("inf")

    def __str__(self) -> str:
        return (
            f"{self.size / (1 << 20):.0f} MiB: first {self.first * 1000:.1f} ms, "
            f"unchanged {self.unchanged * 1000:.2f} ms, changed {self.changed * 1000:.1f} ms "
            f"({self.gigabytes_per_second:.2f} GB/s)"
        )


def benchmark_fingerprint(
    path: str | os.PathLike[str],
    stat_cache: StatCache | None = None,
    *,
    repeat: int = 5,
    racy_window_ns: int = RACY_WINDOW_NS,
) -> FingerprintTimings:
    """Time fingerprinting `path` with an empty cache, unchanged, and after a touch."""
    if stat_cache is None:
        from mlform.state.store import StateStore

        with tempfile.TemporaryDirectory() as home:
            store = StateStore.open(Path(home) / "mlform.db")
            store.create_workspace("benchmark:default")  # the stat cache needs a database
            try:
                return benchmark_fingerprint(
                    path, store, repeat=repeat, racy_window_ns=racy_window_ns
                )
            finally:
                store.close()
    status = os.stat(path)
    # A file changed within the racy window is hashed again on purpose; wait it out.
    settle_ns = max(status.st_mtime_ns, status.st_ctime_ns) + racy_window_ns - time.time_ns()
    if settle_ns > 0:
        time.sleep(settle_ns / 1e9)
    first = _time(lambda: fingerprint_file(path, stat_cache, racy_window_ns=racy_window_ns))
    unchanged = statistics.median(
        _time(lambda: fingerprint_file(path, stat_cache, racy_window_ns=racy_window_ns))
        for _ in range(repeat)
    )
    changed = []
    try:
        for step in range(1, repeat + 1):
            os.utime(path, ns=(status.st_atime_ns, status.st_mtime_ns + step * 1_000_000))
            changed.append(
                _time(lambda: fingerprint_file(path, stat_cache, racy_window_ns=racy_window_ns))
            )
    finally:
        os.utime(path, ns=(status.st_atime_ns, status.st_mtime_ns))
    return FingerprintTimings(status.st_size, first, unchanged, statistics.median(changed))


def _time(work: Callable[[], object]) -> float:
    start = time.perf_counter()
    work()
    return time.perf_counter() - start


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m mlform.artifacts.benchmark")
    parser.add_argument("file", type=Path)
    parser.add_argument("--repeat", type=int, default=5)
    arguments = parser.parse_args(argv)
    print(benchmark_fingerprint(arguments.file, repeat=arguments.repeat))
    return 0


if __name__ == "__main__":
    sys.exit(main())
