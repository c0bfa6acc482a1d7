"""Each worker's watch on `DIR/current`: a background thread that looks at the link every
50 ms, loads a new version beside the one being served, then swaps a single reference, and
reports what the worker serves in `DIR/workers/<pid>.json` (written to a temporary file and
renamed) so that the runtime can wait for every worker to serve a new version."""

from __future__ import annotations

import gc
import json
import logging
import os
import threading
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from providers.endpoint.serving.bundle import Bundle, load_bundle
from providers.endpoint.serving.metrics import Metrics, SnapshotFiles

logger = logging.getLogger("mlform.serving")

CHECK_SECONDS = 0.05
RETRY_SECONDS = 2.0
SNAPSHOT_SECONDS = 1.0


class ServingState:
    """What requests read: the bundle served (None until one is loaded), swapped whole."""

    def __init__(self) -> None:
        self.bundle: Bundle | None = None
        self.error: str | None = None


@dataclass(frozen=True)
class Target:
    """What `current` resolves to: the version directory, told apart by path and inode."""

    path: Path
    inode: int


def resolve(root: Path) -> Target | None:
    try:
        path = Path(os.path.realpath(root / "current"))
        return Target(path, os.stat(path).st_ino)
    except OSError:
        return None


class Watcher:
    def __init__(
        self, root: Path, state: ServingState, metrics: Metrics, share_metrics: bool
    ) -> None:
        self.root = root
        self.state = state
        self.metrics = metrics
        self.pid = os.getpid()
        self.workers = root / "workers"
        self.snapshots = SnapshotFiles(root / "metrics") if share_metrics else None
        self.loaded: Target | None = None
        self.failed: tuple[Target, float] | None = None
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="mlform-watcher", daemon=True)

    def start(self) -> None:
        self.workers.mkdir(parents=True, exist_ok=True)
        prune_dead_workers(self.workers)
        self.write_status()
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread.is_alive():
            self._thread.join(timeout=5)
        (self.workers / f"{self.pid}.json").unlink(missing_ok=True)
        if self.snapshots is not None:
            self.snapshots.write(self.pid, self.metrics.snapshot())

    def _run(self) -> None:
        last_snapshot = 0.0
        while True:
            try:
                self.check()
                if (
                    self.snapshots is not None
                    and time.monotonic() - last_snapshot >= SNAPSHOT_SECONDS
                ):
                    self.snapshots.write(self.pid, self.metrics.snapshot())
                    last_snapshot = time.monotonic()
            except Exception:  # the watch must outlive any surprise; the old version serves on
                logger.exception("watching %s/current failed", self.root)
            if self._stop.wait(CHECK_SECONDS):
                return

    def check(self) -> None:
        """Load and swap in the version `current` points at, if it is new."""
        target = resolve(self.root)
        if target is None:
            return
        if target == self.loaded:
            if self.failed is not None:  # pointed back at the version served: nothing failed
                self.failed, self.state.error = None, None
                self.write_status()
            return
        failed = self.failed
        if (
            failed is not None
            and failed[0] == target
            and time.monotonic() - failed[1] < RETRY_SECONDS
        ):
            return
        started = time.monotonic()
        try:
            bundle = load_bundle(target.path)
        except Exception as error:
            first = self.failed is None or self.failed[0] != target
            self.failed = (target, time.monotonic())
            self.state.error = f"loading {target.path} failed: {type(error).__name__}: {error}"
            if first:
                self.metrics.count("model_load_failures")
                logger.error("%s; still serving the previous version", self.state.error)
            self.write_status()
            return
        previous = self.state.bundle
        gc.freeze()  # the loaded libraries and model: out of reach of every later collection
        self.state.bundle = bundle
        self.state.error = None
        self.loaded, self.failed = target, None
        if previous is not None:
            self.metrics.count("model_swaps")
        route = "fast" if bundle.pipeline.fast else "reference"
        logger.info(
            "serving version %s (model %s) in %.2f s, %s route",
            bundle.version,
            bundle.model_id[:12],
            time.monotonic() - started,
            route,
        )
        self.write_status()

    def write_status(self) -> None:
        bundle = self.state.bundle
        status: dict[str, Any] = {
            "pid": self.pid,
            "version": bundle.version if bundle else None,
            "model_id": bundle.model_id if bundle else None,
            "transform_id": bundle.transform_id if bundle else None,
            "directory": str(bundle.directory) if bundle else None,
            "error": self.state.error,
            "updated": datetime.now(UTC).isoformat(timespec="milliseconds"),
        }
        write_atomically(self.workers / f"{self.pid}.json", json.dumps(status))


def write_atomically(path: Path, text: str) -> None:
    temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    temporary.write_text(text, encoding="utf-8")
    os.replace(temporary, path)


def prune_dead_workers(directory: Path) -> None:
    """Remove the status files of workers that are gone (a worker killed and restarted)."""
    for path in directory.glob("*.json"):
        if path.stem.isdigit() and not alive(int(path.stem)):
            path.unlink(missing_ok=True)


def alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def read_statuses(directory: Path) -> list[dict[str, Any]]:
    """The status of every live worker."""
    found = []
    for path in sorted(directory.glob("*.json")):
        if not path.stem.isdigit() or not alive(int(path.stem)):
            continue
        try:
            found.append(json.loads(path.read_text(encoding="utf-8")))
        except (OSError, ValueError):
            continue
    return found
