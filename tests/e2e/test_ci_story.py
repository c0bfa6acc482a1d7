"""The CI story of DESIGN §9 end to end: the quickstart applied from one clone against the
team's PostgreSQL state and S3 artifact store; a second, fresh clone, as a CI runner has,
changes one model parameter, plans and comments on the pull request. The comment lists
exactly that model, its evaluation and its endpoint."""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
from pathlib import Path

from tests import s3 as s3_fixtures
from tests.e2e.test_team import git
from tests.s3 import S3
from tests.unit.comments.hosts import GitHub, serving

s3_server, s3 = s3_fixtures.s3_server, s3_fixtures.s3  # the fixtures, for pytest to find

ROOT = Path(__file__).resolve().parents[2]
QUICKSTART = ROOT / "examples" / "quickstart"
LOCAL = {"NO_PROXY": "127.0.0.1,localhost", "no_proxy": "127.0.0.1,localhost"}


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def clones(tmp_path: Path) -> tuple[Path, Path]:
    origin = tmp_path / "origin"
    project = origin / "examples" / "quickstart"
    shutil.copytree(QUICKSTART, project, ignore=shutil.ignore_patterns("state"))
    config = project / "main.mlf.hcl"
    config.write_text(
        config.read_text().replace("port       = 8080", f"port       = {free_port()}")
    )
    git(origin, "init", "-q")
    git(origin, "add", ".")
    git(origin, "commit", "-qm", "quickstart")
    found = []
    for name in ("main", "runner"):
        git(tmp_path, "clone", "-q", str(origin), name)
        found.append(tmp_path / name / "examples" / "quickstart")
    return found[0], found[1]


def test_a_pull_request_comment_lists_only_what_the_change_touches(
    tmp_path: Path, postgresql_url: str, s3: S3
) -> None:
    main, runner = clones(tmp_path)
    base = {k: v for k, v in os.environ.items() if not k.startswith("MLFORM_")}

    def mlform(where: Path, *args: str, **extra: str) -> subprocess.CompletedProcess[str]:
        environ = {
            **base,
            **s3.environ,
            **LOCAL,
            "MLFORM_STATE": postgresql_url,
            "MLFORM_ARTIFACTS": s3.url("ci"),
            "MLFORM_CACHE_DIR": str(where.parents[1] / ".cache"),  # each machine its own
            "MLFORM_RUNTIME_DIR": str(tmp_path / "runtime"),
            **extra,
        }
        command = [str(Path(sys.executable).with_name("mlform")), *args]
        return subprocess.run(command, cwd=where, env=environ, capture_output=True, text=True)

    applied = mlform(main, "apply", "--auto-approve")
    try:
        assert applied.returncode == 0, applied.stdout + applied.stderr
        config = runner / "main.mlf.hcl"
        config.write_text(config.read_text().replace("eta = 0.1", "eta = 0.2"))
        planned = mlform(runner, "plan", "--out", "plan.mlplan")
        assert planned.returncode == 0, planned.stdout + planned.stderr
        assert "Plan: 2 to add, 1 to change, 2 to destroy." in planned.stdout

        event = tmp_path / "event.json"
        event.write_text(json.dumps({"pull_request": {"number": 7}}))
        with serving(GitHub()) as github:
            posted = mlform(
                runner,
                "comment",
                "plan.mlplan",
                GITHUB_TOKEN="ghs_ci-token",
                GITHUB_API_URL=github.url,
                GITHUB_REPOSITORY="acme/churn",
                GITHUB_EVENT_PATH=str(event),
            )
            assert posted.returncode == 0, posted.stdout + posted.stderr
            body = github.requests[-1].body["body"]
        lists, rest = body.split("#### Metrics")  # the work lists come first
        assert "#### Retrain (1)\n- `model.churn`: replaced: `params` changed" in lists
        assert "#### Re-evaluate (1)\n- `evaluation.churn`: replaced" in lists
        assert "#### Redeploy (1)\n- `endpoint.churn`:" in lists and "updated in place" in lists
        full_plan = rest.split("<details>")[1]
        for untouched in ("dataset.churn", "split.churn", "churn_nn"):
            assert untouched not in lists and f"# {untouched}" not in full_plan
        assert "| `evaluation.churn_nn` | auc |" in rest  # metrics of every evaluation, kept
        assert "quickstart-demo-token" not in body
    finally:
        destroyed = mlform(main, "destroy", "--auto-approve")
        assert destroyed.returncode == 0, destroyed.stdout + destroyed.stderr
