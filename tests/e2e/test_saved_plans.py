"""Saved plans: `plan --out FILE`, `show FILE`, `apply FILE`, and each refusal."""

from __future__ import annotations

import json
from pathlib import Path

from tests.e2e.test_engine import CONFIG, project, write_csv

SECRET = "s3cr3t-planted-value"

SENSITIVE = """variable "token" {
  type      = string
  sensitive = true
}

dataset "secured" {
  source      = "regions.csv"
  description = "token ${var.token}"
}

output "token" {
  value     = var.token
  sensitive = true
}
"""


def test_a_saved_plan_is_applied_exactly_and_only_once(mlform, tmp_path: Path):
    directory = project(tmp_path)
    plan_file = tmp_path / "review.plan"
    planned = mlform("plan", "--out", str(plan_file), cwd=directory)
    assert planned.code == 0, planned.output
    assert f"To perform exactly these actions, run: mlform apply {plan_file}" in planned.stdout
    shown = mlform("show", str(plan_file), cwd=tmp_path)
    assert shown.code == 0 and "Plan: 3 to add, 0 to change, 0 to destroy." in shown.stdout
    assert shown.stdout in planned.stdout

    applied = mlform("apply", str(plan_file), cwd=tmp_path)  # never asks: the plan was the review
    assert applied.code == 0, applied.output
    assert "Apply complete! Resources: 3 added, 0 changed, 0 destroyed." in applied.stdout
    assert mlform("plan", "--detailed-exitcode", cwd=directory).code == 0

    stale = mlform("apply", str(plan_file), cwd=tmp_path)
    assert stale.code == 1
    assert f"the plan in {plan_file} is stale: it was made against serial 0" in stale.stderr
    assert "Plan again" in stale.stderr


def test_refusals(mlform, tmp_path: Path):
    directory = project(tmp_path)
    assert mlform("apply", "--auto-approve", cwd=directory).code == 0
    plan_file = tmp_path / "review.plan"
    (directory / "main.mlf.hcl").write_text(CONFIG.replace("age >= 30", "age >= 40"))
    assert mlform("plan", "--out", str(plan_file), cwd=directory).code == 0

    other = mlform("apply", "--workspace", "review", str(plan_file), cwd=tmp_path)
    assert other.code == 1 and "was made for workspace" in other.stderr

    elsewhere = mlform("apply", "--state", str(tmp_path / "other"), str(plan_file))
    assert elsewhere.code == 1 and "was made against another state" in elsewhere.stderr

    write_csv(directory / "customers.csv", 300, offset=7)
    changed = mlform("apply", str(plan_file), cwd=tmp_path)
    assert changed.code == 1
    assert "the data changed after the plan" in changed.stderr
    assert "dataset.customers" in changed.stderr
    write_csv(directory / "customers.csv", 300)

    (directory / "main.mlf.hcl").write_text(CONFIG)
    edited = mlform("apply", str(plan_file), cwd=tmp_path)
    assert edited.code == 1 and "the configuration changed since the plan" in edited.stderr
    assert "main.mlf.hcl" in edited.stderr

    (directory / "main.mlf.hcl").write_text(CONFIG.replace("age >= 30", "age >= 40"))
    applied = mlform("apply", str(plan_file), cwd=tmp_path)
    assert applied.code == 0, applied.output
    assert "Resources: 1 added, 0 changed, 1 destroyed." in applied.stdout
    assert "Traceback" not in applied.stderr

    junk = tmp_path / "junk.plan"
    junk.write_text("{}")
    refused = mlform("apply", str(junk))
    assert refused.code == 1 and "is not a saved mlform plan" in refused.stderr


def test_a_sensitive_value_is_nowhere_in_a_saved_plan_and_must_be_given_again(
    mlform, tmp_path: Path
):
    directory = project(tmp_path)
    (directory / "secured.mlf.hcl").write_text(SENSITIVE)
    plan_file = tmp_path / "review.plan"
    env = {"MLFORM_VAR_token": SECRET}
    planned = mlform("plan", "--out", str(plan_file), cwd=directory, env=env)
    assert planned.code == 0, planned.output
    as_json = mlform("plan", "--json", cwd=directory, env=env)
    shown = mlform("show", "--json", str(plan_file), env=env)
    for text in (plan_file.read_text(), planned.stdout, as_json.stdout, shown.stdout):
        assert SECRET not in text
    document = json.loads(as_json.stdout)
    assert document["format_version"] and document["resource_changes"]

    missing = mlform("apply", str(plan_file), cwd=tmp_path)
    assert missing.code == 1 and 'no value for required variable "token"' in missing.stderr
    wrong = mlform("apply", str(plan_file), cwd=tmp_path, env={"MLFORM_VAR_token": "other"})
    assert wrong.code == 1
    assert "the sensitive variable token differs from the value planned" in wrong.stderr
    assert "other" not in wrong.stderr
    right = mlform("apply", str(plan_file), cwd=tmp_path, env=env)
    assert right.code == 0, right.output
    assert SECRET not in right.output
    assert mlform("output", "token", cwd=directory).stdout.strip() == f'"{SECRET}"'


def test_the_json_plan_reads_like_terraforms(mlform, tmp_path: Path):
    directory = project(tmp_path)
    assert mlform("apply", "--auto-approve", cwd=directory).code == 0
    (directory / "main.mlf.hcl").write_text(CONFIG.replace("age >= 30", "age >= 40"))
    document = json.loads(mlform("plan", "--json", cwd=directory).stdout)
    by_actions: dict[tuple[str, ...], list[str]] = {}
    for change in document["resource_changes"]:
        by_actions.setdefault(tuple(change["change"]["actions"]), []).append(change["address"])
    assert by_actions[("delete", "create")] == ["dataset.adults"]
    assert sorted(by_actions[("no-op",)]) == ["dataset.customers", "dataset.regions"]
    [adults] = [c for c in document["resource_changes"] if c["address"] == "dataset.adults"]
    assert adults["change"]["replace_paths"] == [["where"]]
    assert adults["action_reason"] == "replace_because_cannot_update"
    assert adults["change"]["after_unknown"]["id"] is True
    assert adults["change"]["before"]["where"] == "age >= 30"
    assert adults["change"]["after"]["where"] == "age >= 40"


def test_a_secret_in_an_auto_variables_file_stays_out_of_the_saved_plan(mlform, tmp_path: Path):
    directory = project(tmp_path)
    (directory / "secured.mlf.hcl").write_text(SENSITIVE)
    (directory / "team.auto.mlfvars").write_text(f'token = "{SECRET}"\n')
    plan_file = tmp_path / "review.plan"
    planned = mlform("plan", "--out", str(plan_file), cwd=directory)
    assert planned.code == 0, planned.output
    assert SECRET not in plan_file.read_text()
    (directory / "team.auto.mlfvars").write_text('token = "rotated-value"\n')
    refused = mlform("apply", str(plan_file), cwd=tmp_path)
    assert refused.code == 1 and "team.auto.mlfvars" in refused.stderr
    (directory / "team.auto.mlfvars").write_text(f'token = "{SECRET}"\n')
    applied = mlform("apply", str(plan_file), cwd=tmp_path)
    assert applied.code == 0, applied.output
