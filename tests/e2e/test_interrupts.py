"""Applies killed at many different instants, and two applies at once.

Whatever the instant, the state database must pass SQLite's integrity check, every
recorded instance must point at artifacts that are completely stored (their digests verify),
and the next apply must continue from what completed and end with no changes left.
"""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from mlform.artifacts.hashing import hash_file
from mlform.artifacts.store import LocalArtifactStore
from mlform.state.home import workspace_key
from mlform.state.store import StateStore

ROOT = Path(__file__).resolve().parents[2]

SLOW_QUERY = (
    "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c WHERE x < {rows}) "
    "SELECT x, x % 7 AS bucket FROM c"
)


def configuration(directory: Path, rows: int) -> None:
    directory.mkdir(parents=True, exist_ok=True)
    sqlite3.connect(directory / "source.db").close()
    blocks = []
    for name in ("iris", "wine", "breast_cancer", "diabetes"):
        blocks.append(f'dataset "{name}" {{\n  source = "sklearn:{name}"\n}}\n')
    for index in range(3):
        query = SLOW_QUERY.format(rows=rows + index)
        blocks.append(
            f'dataset "slow{index}" {{\n  source = "sqlite:///source.db"\n  query  = "{query}"\n}}\n'
        )
    blocks.append(
        'dataset "sample" {\n  source = "sklearn:wine"\n  sample = { rows = 50, seed = 1 }\n}\n'
    )
    (directory / "main.mlf.hcl").write_text("\n".join(blocks))


def start(directory: Path, *args: str) -> subprocess.Popen[str]:
    environment = {k: v for k, v in os.environ.items() if not k.startswith("MLFORM_")}
    return subprocess.Popen(
        [sys.executable, "-m", "mlform", "apply", "--auto-approve", *args],
        cwd=directory,
        env=environment,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def check_consistent(directory: Path) -> int:
    """The database is whole and every recorded artifact is stored completely."""
    database = directory / "state" / "mlform.db"
    if not database.exists():
        return 0
    with sqlite3.connect(database) as connection:
        assert connection.execute("PRAGMA integrity_check").fetchone() == ("ok",)
    store = StateStore.open(database)
    stored = LocalArtifactStore(directory / "state" / "artifacts")
    try:
        snapshot = store.snapshot(workspace_key(directory))
        for record in store.artifacts():
            path = stored.local_path(record.digest)
            assert path.is_file(), record
            assert hash_file(path) == record.digest
        for instance in snapshot.instances:
            for digest in instance.artifacts.values():
                assert store.artifact(digest) is not None
        return len(snapshot.instances)
    finally:
        store.close()


@pytest.mark.parametrize("sig", [signal.SIGKILL, signal.SIGTERM, signal.SIGINT])
def test_an_apply_killed_at_any_instant_leaves_a_state_to_continue_from(tmp_path: Path, sig):
    directory = tmp_path / "project"
    configuration(directory, rows=150_000)
    delays = [0.3, 0.7, 1.0, 1.3, 1.6, 2.0, 2.4, 3.0] if sig == signal.SIGKILL else [1.2, 2.2]
    recorded = []
    for delay in delays:
        process = start(directory, "--parallelism", "2")
        time.sleep(delay)
        process.send_signal(sig)
        stdout, stderr = process.communicate(timeout=120)
        assert "Traceback" not in stderr, stderr
        if sig != signal.SIGKILL:
            # 1: stopped after the work under way; 130: stopped before any; 0 or killed by
            # the signal itself: it came as the process was already finishing or exiting
            # (a SIGTERM is turned into Python's KeyboardInterrupt, so one that lands in the
            # interpreter's own shutdown ends it the way an uncaught Ctrl-C does: by SIGINT)
            ended = (0, 1, 130, -sig, -signal.SIGINT)
            assert process.returncode in ended, (process.returncode, stdout, stderr)
            assert "Traceback" not in stdout
        recorded.append(check_consistent(directory))
        if sig != signal.SIGKILL and "Creating..." in stdout and process.returncode == 1:
            assert "interrupted" in stderr.lower() or "Interrupt" in stdout, (stdout, stderr)
    final = start(directory)
    stdout, stderr = final.communicate(timeout=300)
    assert final.returncode == 0, (stdout, stderr)
    if sig != signal.SIGKILL:  # a graceful stop released its lock
        assert "Released the stale lock" not in stderr
    assert check_consistent(directory) == 8
    again = subprocess.run(
        [sys.executable, "-m", "mlform", "plan", "--detailed-exitcode"],
        cwd=directory,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert again.returncode == 0, again.stdout + again.stderr
    assert recorded == sorted(recorded), recorded  # work once recorded is never lost


def wait_for_lock(directory: Path, process: subprocess.Popen[str], timeout: float = 60) -> None:
    database = directory / "state" / "mlform.db"
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        assert process.poll() is None, process.communicate()
        if database.exists():
            store = StateStore.open(database)
            try:
                if store.current_lock(workspace_key(directory)) is not None:
                    return
            finally:
                store.close()
        time.sleep(0.05)
    raise AssertionError("the first apply never took the lock")


def test_two_applies_at_once_one_fails_with_the_lock_message_one_waits(tmp_path: Path):
    directory = tmp_path / "project"
    configuration(directory, rows=1_000_000)
    first = start(directory)
    wait_for_lock(directory, first)
    refused = start(directory)
    _, refused_err = refused.communicate(timeout=120)
    assert refused.returncode == 1
    assert "State is locked" in refused_err
    assert "Operation: apply" in refused_err and f"PID:       {first.pid}" in refused_err
    waiting = start(directory, "--lock-timeout", "5m")
    first_out, first_err = first.communicate(timeout=300)
    assert first.returncode == 0, first_out + first_err
    waited_out, waited_err = waiting.communicate(timeout=300)
    assert waiting.returncode == 0, waited_out + waited_err
    assert "No changes." in waited_out  # it read the state after the first one finished
    assert check_consistent(directory) == 8
