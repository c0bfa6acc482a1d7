"""The pull-request story through the CLI: plan --out, show --format markdown, comment (GitHub
and GitLab, against local servers speaking their APIs), on datasets applied for real, with a
sensitive variable flowing into attributes, templates and outputs."""

from __future__ import annotations

import json
from pathlib import Path

from tests.e2e.test_engine import CONFIG, project
from tests.unit.comments.hosts import Failure, GitHub, GitLab, serving

SECRET = "s3cr3t-planted-in-the-comment"
TOKEN = "ghs_t0ken-never-printed"
SENSITIVE = """variable "token" {
  type      = string
  sensitive = true
}

dataset "secured" {
  source      = "regions.csv"
  description = "token ${var.token}"
  tags        = { owner = "ml", secret = var.token }
}

output "token" {
  value     = var.token
  sensitive = true
}

output "greeting" {
  value     = "hello ${var.token}"
  sensitive = true
}
"""
LOCAL = {"NO_PROXY": "127.0.0.1,localhost", "no_proxy": "127.0.0.1,localhost"}


def applied_project(mlform, tmp_path: Path) -> Path:
    directory = project(tmp_path)
    (directory / "secured.mlf.hcl").write_text(SENSITIVE)
    applied = mlform(
        "apply", "--auto-approve", cwd=directory, env={"MLFORM_VAR_token": "old-" + SECRET}
    )
    assert applied.code == 0, applied.output
    return directory


def planned(mlform, directory: Path, where: str, plan_file: Path) -> None:
    (directory / "main.mlf.hcl").write_text(CONFIG.replace("age >= 30", where))
    result = mlform(
        "plan", "--out", str(plan_file), cwd=directory, env={"MLFORM_VAR_token": SECRET}
    )
    assert result.code == 0, result.output


def github_environment(host: GitHub, tmp_path: Path) -> dict[str, str]:
    event = tmp_path / "event.json"
    event.write_text(json.dumps({"action": "synchronize", "pull_request": {"number": 12}}))
    return {
        **LOCAL,
        "GITHUB_TOKEN": TOKEN,
        "GITHUB_API_URL": host.url,
        "GITHUB_REPOSITORY": "acme/churn",
        "GITHUB_EVENT_PATH": str(event),
        "GITHUB_EVENT_NAME": "pull_request",
    }


def test_show_renders_the_saved_plan_for_a_pull_request(mlform, tmp_path: Path) -> None:
    directory = applied_project(mlform, tmp_path)
    plan_file = tmp_path / "plan.mlplan"
    planned(mlform, directory, "age >= 40", plan_file)

    shown = mlform("show", "--format", "markdown", "plan.mlplan", cwd=tmp_path)
    assert shown.code == 0, shown.output
    text = shown.stdout
    key = f"{directory.resolve().as_posix()}:default"
    assert text.startswith(
        f"<!-- mlform:workspace={key} -->\n### mlform plan for workspace `{key}`"
    )
    assert "**Plan: 1 to add, 1 to change, 1 to destroy.**" in text
    assert "> **This plan destroys 1 resource instance** (1 replaced): `dataset.adults`." in text
    assert "#### Rebuild data (1)\n- `dataset.adults`: replaced: `where` changed" in text
    assert "#### Update in place (1)\n- `dataset.secured`: `description`, `tags` changed" in text
    assert "Outputs that change: `greeting`, `token`." in text
    assert "<details><summary>Full plan (" in text and "```diff\n" in text
    assert "!       where" in text  # the symbol moved to the first column, for GitHub's colours
    assert SECRET not in text and "s3cr3t" not in text
    assert SECRET not in plan_file.read_text()

    masked = mlform(
        "show", "-format=markdown", "--mask", "age >= [0-9]+", "--mask", "regions?", str(plan_file)
    )
    assert masked.code == 0, masked.output
    assert "age >=" not in masked.stdout and "regions" not in masked.stdout
    assert "(masked)" in masked.stdout

    live = mlform("plan", "--format", "markdown", cwd=directory, env={"MLFORM_VAR_token": SECRET})
    assert live.code == 0 and "**Plan: 1 to add, 1 to change, 1 to destroy.**" in live.stdout
    assert (
        live.stdout.startswith(f"<!-- mlform:workspace={key} -->\n") and SECRET not in live.stdout
    )
    as_json = mlform("plan", "--format", "json", cwd=directory, env={"MLFORM_VAR_token": SECRET})
    assert as_json.code == 0 and json.loads(as_json.stdout)["resource_changes"]

    document = json.loads(plan_file.read_text())
    del document["review"]  # as saved by an mlform before the review was kept
    older = tmp_path / "older.mlplan"
    older.write_text(json.dumps(document))
    refused = mlform("show", "--format", "markdown", str(older))
    assert refused.code == 1 and "kept no review of the plan" in refused.stderr

    state = mlform("show", "--format", "markdown", cwd=directory)
    assert state.code == 1 and "--format markdown renders a saved plan" in state.stderr
    both = mlform("show", "--json", "--format", "markdown", str(plan_file))
    assert both.code == 1 and "--json and --format markdown ask for two formats" in both.stderr
    bad = mlform("show", "--format", "markdown", "--mask", "(", str(plan_file))
    assert bad.code == 1 and 'Error: --mask "(" is not a valid regular expression' in bad.stderr


def test_comment_posts_then_updates_one_comment_on_github(mlform, tmp_path: Path) -> None:
    directory = applied_project(mlform, tmp_path)
    plan_file = tmp_path / "plan.mlplan"
    planned(mlform, directory, "age >= 40", plan_file)
    shown = mlform("show", "--format", "markdown", str(plan_file)).stdout
    key = f"{directory.resolve().as_posix()}:default"

    with serving(GitHub()) as github:
        github.add("Looks good, but what does it retrain?")
        github.add("Let me check.")
        env = github_environment(github, tmp_path)

        posted = mlform("comment", str(plan_file), env=env)
        assert posted.code == 0, posted.output
        assert posted.stdout == (
            f"Posted the plan of workspace {key} on acme/churn#12: "
            "https://github.test/acme/churn/pull/12#issuecomment-1003\n"
        )
        create = github.requests[-1]
        assert (create.method, create.path) == ("POST", "/repos/acme/churn/issues/12/comments")
        assert create.body == {"body": shown}  # exactly what show prints

        planned(mlform, directory, "age >= 50", plan_file)
        github.requests.clear()
        updated = mlform("comment", str(plan_file), env=env)
        assert updated.code == 0, updated.output
        assert updated.stdout.startswith(f"Updated the plan comment of workspace {key} on acme")
        gets = [r for r in github.requests if r.method == "GET"]
        assert [r.query.get("page") for r in gets] == [None, "2"]  # three comments, two pages
        patch = github.requests[-1]
        assert (patch.method, patch.path) == ("PATCH", "/repos/acme/churn/issues/comments/1003")
        assert "age >= 50" in patch.body["body"] and len(github.comments) == 3

        again = mlform("comment", str(plan_file), env=env)
        assert again.code == 0 and "already shows this plan" in again.stdout
        assert github.requests[-1].method == "GET"

        github.failures.append(Failure(401, {"message": "Bad credentials"}))
        refused = mlform("comment", str(plan_file), env=env)
        assert refused.code == 1
        assert refused.stderr.startswith("Error: GitHub answered 401 (Bad credentials)")
        for output in (posted, updated, again, refused):
            assert TOKEN not in output.output and SECRET not in output.output

    for text in [r.body["body"] for r in github.requests if r.body]:
        assert SECRET not in text


def test_comment_on_a_gitlab_merge_request(mlform, tmp_path: Path) -> None:
    directory = applied_project(mlform, tmp_path)
    plan_file = tmp_path / "plan.mlplan"
    planned(mlform, directory, "age >= 40", plan_file)
    with serving(GitLab()) as gitlab:
        env = {
            **LOCAL,
            "CI_API_V4_URL": f"{gitlab.url}/api/v4",
            "CI_PROJECT_ID": "42",
            "CI_MERGE_REQUEST_IID": "7",
            "GITLAB_TOKEN": "glpat-never-printed",
        }
        posted = mlform("comment", "--gitlab", "--mask", "adults", str(plan_file), env=env)
        assert posted.code == 0, posted.output
        assert "Posted the plan of workspace" in posted.stdout and "on 42!7." in posted.stdout
        create = gitlab.requests[-1]
        assert (create.method, create.path) == (
            "POST",
            "/api/v4/projects/42/merge_requests/7/notes",
        )
        assert create.headers["private-token"] == "glpat-never-printed"
        assert "adults" not in create.body["body"]
        assert "`dataset.(masked)`: replaced: `where` changed" in create.body["body"]

        other = mlform(
            "comment", "--gitlab", "--repo", "group/churn", "--pr", "9", str(plan_file), env=env
        )
        assert other.code == 0, other.output
        assert gitlab.requests[-1].path == "/api/v4/projects/group%2Fchurn/merge_requests/9/notes"

        updated = mlform("comment", "--gitlab", str(plan_file), env=env)
        assert updated.code == 0 and updated.stdout.startswith("Updated the plan comment")
        assert gitlab.requests[-1].method == "PUT"
        assert gitlab.requests[-1].path == "/api/v4/projects/42/merge_requests/7/notes/1001"


def test_comment_refuses_what_it_cannot_post(mlform, tmp_path: Path) -> None:
    missing = mlform("comment", str(tmp_path / "nothing.mlplan"))
    assert missing.code == 1 and "is not a file" in missing.stderr
    directory = project(tmp_path)
    plan_file = tmp_path / "plan.mlplan"
    assert mlform("plan", "--out", str(plan_file), cwd=directory).code == 0
    no_pull_request = mlform(
        "comment", str(plan_file), env={"GITHUB_TOKEN": TOKEN, "GITHUB_REPOSITORY": "acme/churn"}
    )
    assert no_pull_request.code == 1
    assert "no pull request to comment on" in no_pull_request.stderr
    no_token = mlform("comment", "--repo", "acme/churn", "--pr", "3", str(plan_file))
    assert no_token.code == 1 and "GITHUB_TOKEN is not set" in no_token.stderr
