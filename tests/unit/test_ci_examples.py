"""The ready-to-copy CI files in examples/ci: valid YAML of the shape each CI reads, plan and
comment on pull requests, apply on the main branch, secrets only from the CI's secret store,
and every mlform command in them one that this mlform accepts."""

from __future__ import annotations

import re
import shlex
from pathlib import Path
from typing import Any

import yaml

from mlform.cli.arguments import parse

CI = Path(__file__).resolve().parents[2] / "examples" / "ci"
SHARED = ("MLFORM_STATE", "MLFORM_ARTIFACTS", "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY")


def load(name: str) -> dict[str, Any]:
    document = yaml.safe_load((CI / name).read_text())
    assert isinstance(document, dict)
    return document


def commands(lines: list[str]) -> list[list[str]]:
    """The mlform command lines, as argument lists (after `mlform`)."""
    found = []
    for line in lines:
        for command in line.splitlines():
            words = shlex.split(command.replace('"$CONFIG"', "examples/quickstart"))
            if words and words[0] == "mlform":
                parse(words[1:])  # raises on anything this mlform would refuse
                found.append(words[1:])
    return found


def test_github_actions_workflow() -> None:
    workflow = load("github-actions.yml")
    triggers = workflow.get("on", workflow.get(True))  # YAML 1.1 reads a bare `on` as true
    assert set(triggers) == {"pull_request", "push"} and triggers["push"]["branches"] == ["main"]
    for name in SHARED:
        assert workflow["env"][name] == "${{ secrets." + name + " }}"
    plan, apply = workflow["jobs"]["plan"], workflow["jobs"]["apply"]
    for job in (plan, apply):
        assert job["runs-on"] and all(("uses" in s) != ("run" in s) for s in job["steps"])
    assert plan["if"] == "github.event_name == 'pull_request'"
    assert plan["permissions"]["pull-requests"] == "write"
    assert commands([s["run"] for s in plan["steps"] if "run" in s]) == [
        ["plan", "--out", "plan.mlplan", "examples/quickstart"],
        ["comment", "plan.mlplan"],
    ]
    [comment] = [s for s in plan["steps"] if s.get("run") == "mlform comment plan.mlplan"]
    assert comment["env"]["GITHUB_TOKEN"] == "${{ secrets.GITHUB_TOKEN }}"
    assert "refs/heads/main" in apply["if"] and "push" in apply["if"]
    assert commands([s["run"] for s in apply["steps"] if "run" in s]) == [
        ["plan", "--out", "plan.mlplan", "examples/quickstart"],
        ["apply", "plan.mlplan"],
    ]
    assert apply["concurrency"]["cancel-in-progress"] is False


def test_gitlab_ci_file() -> None:
    pipeline = load("gitlab-ci.yml")
    assert pipeline["stages"] == ["plan", "apply"]
    plan, apply = pipeline["plan"], pipeline["apply"]
    assert plan["rules"] == [{"if": '$CI_PIPELINE_SOURCE == "merge_request_event"'}]
    assert commands(plan["script"]) == [
        ["plan", "--out", "plan.mlplan", "examples/quickstart"],
        ["comment", "--gitlab", "plan.mlplan"],
    ]
    assert apply["rules"] == [{"if": "$CI_COMMIT_BRANCH == $CI_DEFAULT_BRANCH"}]
    assert commands(apply["script"]) == [
        ["plan", "--out", "plan.mlplan", "examples/quickstart"],
        ["apply", "plan.mlplan"],
    ]
    assert commands(pipeline["default"]["before_script"]) == []
    # the shared state and credentials come from the project's CI/CD variables, not the file
    assert not set(SHARED) & set(pipeline.get("variables", {}))
    text = (CI / "gitlab-ci.yml").read_text()
    for name in (*SHARED, "GITLAB_TOKEN"):
        assert name in text  # each is named in the instructions


def test_no_secret_is_written_in_a_ci_file() -> None:
    for path in sorted(CI.glob("*.yml")):
        text = path.read_text()
        assert not re.search(r"postgresql://[^\s:@]+:[^\s@A-Z]+@", text), path
        assert not re.search(r"AKIA[0-9A-Z]{16}", text), path
        assert not re.search(r"gh[ps]_[A-Za-z0-9]{20,}|glpat-[A-Za-z0-9_-]{20}", text), path
