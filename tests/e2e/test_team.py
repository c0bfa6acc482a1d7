"""A team: two clones of one repository sharing a PostgreSQL state and an S3 artifact store.

Alice applies; Bob, in his own clone with his own caches, plans and sees no changes. Then both
apply at once: one holds the workspace lock, the other fails with the lock message or waits
for it, and nothing is lost.
"""

from __future__ import annotations

import sqlite3
import subprocess
import sys
import time
from pathlib import Path

from tests import s3 as s3_fixtures
from tests.e2e.conftest import ROOT
from tests.e2e.test_engine import write_csv
from tests.s3 import S3, SECRET

s3_server, s3 = s3_fixtures.s3_server, s3_fixtures.s3  # the fixtures, for pytest to find

SLOW = (
    "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c WHERE x < 1500000) "
    "SELECT x, x % 7 AS bucket FROM c"
)

CONFIG = """mlform {{
  artifacts = "{artifacts}"
}}

dataset "customers" {{
  source = "customers.csv"
}}

dataset "adults" {{
  source = "customers.csv"
  where  = "age >= 30"
}}

dataset "events" {{
  source = "sqlite:///events.db"
  query  = "{slow}"
}}
"""


def git(cwd: Path, *args: str) -> None:
    subprocess.run(
        ["git", "-c", "user.name=team", "-c", "user.email=team@example.com", *args],
        cwd=cwd,
        check=True,
        capture_output=True,
    )


def repository(tmp_path: Path, artifacts: str) -> tuple[Path, Path]:
    origin = tmp_path / "origin"
    project = origin / "ml" / "churn"
    project.mkdir(parents=True)
    write_csv(project / "customers.csv", 300)
    sqlite3.connect(project / "events.db").close()
    (project / "main.mlf.hcl").write_text(CONFIG.format(artifacts=artifacts, slow=SLOW))
    git(origin, "init", "-q")
    git(origin, "add", ".")
    git(origin, "commit", "-qm", "churn")
    clones = []
    for name in ("alice", "bob"):
        git(tmp_path, "clone", "-q", str(origin), name)
        clones.append(tmp_path / name / "ml" / "churn")
    return clones[0], clones[1]


def test_two_clones_share_one_state_and_one_artifact_store(
    mlform, tmp_path: Path, postgresql_url: str, s3: S3
) -> None:
    alice, bob = repository(tmp_path, s3.url("team"))

    def environ(who: str) -> dict[str, str]:
        cache = tmp_path / f"{who}-cache"  # each laptop has its own caches
        return {**s3.environ, "MLFORM_STATE": postgresql_url, "MLFORM_CACHE_DIR": str(cache)}

    applied = mlform("apply", "--auto-approve", cwd=alice, env=environ("alice"))
    assert applied.code == 0, applied.output
    assert "Resources: 3 added, 0 changed, 0 destroyed." in applied.stdout
    assert len(s3.keys("team/")) == 3

    planned = mlform("plan", "--detailed-exitcode", cwd=bob, env=environ("bob"))
    assert planned.code == 0, planned.output
    assert "No changes. Your ML state matches the configuration." in planned.stdout
    listed = mlform("state", "list", cwd=bob, env=environ("bob")).stdout.split()
    assert listed == ["dataset.adults", "dataset.customers", "dataset.events"]

    # both apply at once: Alice's rebuild of the slow dataset holds the lock
    first = start(alice, environ("alice"), "--replace", "dataset.events")
    wait_for_lock(postgresql_url, first)
    refused = mlform("apply", "--auto-approve", cwd=bob, env=environ("bob"))
    assert refused.code == 1, refused.output
    assert "State is locked" in refused.stderr
    assert "Operation: apply" in refused.stderr and f"PID:       {first.pid}" in refused.stderr
    waiting = start(bob, environ("bob"), "--replace", "dataset.adults", "--lock-timeout", "5m")
    first_out, first_err = first.communicate(timeout=300)
    assert first.returncode == 0, first_out + first_err
    waited_out, waited_err = waiting.communicate(timeout=300)
    assert waiting.returncode == 0, waited_out + waited_err
    assert "dataset.adults: Replacement complete" in waited_out

    for who, clone in (("alice", alice), ("bob", bob)):  # nothing lost, seen alike
        again = mlform("plan", "--detailed-exitcode", cwd=clone, env=environ(who))
        assert again.code == 0, again.output
        assert SECRET not in again.output
    shown = mlform("show", "--json", cwd=alice, env=environ("alice")).stdout
    assert len(__import__("json").loads(shown)["values"]["root_module"]["resources"]) == 3
    assert postgresql_url.split("@")[0] not in shown


def start(directory: Path, environ: dict[str, str], *args: str) -> subprocess.Popen[str]:
    import os

    base = {k: v for k, v in os.environ.items() if not k.startswith("MLFORM_")}
    return subprocess.Popen(
        [sys.executable, "-m", "mlform", "apply", "--auto-approve", *args],
        cwd=directory,
        env={**base, **environ},
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def wait_for_lock(url: str, process: subprocess.Popen[str], timeout: float = 60) -> None:
    from mlform.state.store import StateStore

    store = StateStore.open(url)
    deadline = time.monotonic() + timeout
    try:
        while time.monotonic() < deadline:
            assert process.poll() is None, process.communicate()
            if store.locks():
                return
            time.sleep(0.05)
    finally:
        store.close()
    raise AssertionError("the first apply never took the lock")


assert ROOT.is_dir()
