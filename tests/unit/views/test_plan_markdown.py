"""Golden tests of the pull-request markdown: each tests/data/markdown/<scenario>/ holds a
configuration, optionally a prior state (prior.json, as in tests/data/plans) and arguments
(args.json: "refresh", "replace", "env", root "outputs" and "sensitive_outputs", metric
history "metrics" as [address, name, value, evaluation id, recorded] rows, and "secrets":
text that must appear nowhere), and the expected comment (expected.md).

The prior state and the metric history are written to a real SQLite state, and read back
from it, as `mlform plan` reads them. The review also goes through JSON, as a saved plan
keeps it. `MLFORM_UPDATE_GOLDEN=1` rewrites the expected files.
"""

from __future__ import annotations

import json
import os
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest

from mlform.addresses import Address
from mlform.plans.planner import plan_directory
from mlform.plans.refresh import ReadContext, refresh
from mlform.plans.review import Review, review_of
from mlform.plans.saved import split_variables
from mlform.sdk import default_registry
from mlform.state import StateStore
from mlform.state.objects import MetricPoint, ObjectStatus, ResourceInstance, RootOutput
from mlform.views.masking import Mask, secret_strings
from mlform.views.plan import render_plan
from mlform.views.plan_markdown import COMMENT_LIMIT, Source, length, render_markdown

CASES = Path(__file__).resolve().parents[2] / "data" / "markdown"
SCENARIOS = sorted(p.name for p in CASES.iterdir() if (p / "expected.md").exists())
SOURCE = Source("`mlform show plan.mlplan`")


def arguments_of(case: Path) -> dict[str, Any]:
    path = case / "args.json"
    return json.loads(path.read_text()) if path.exists() else {}


def recorded_state(case: Path, database: Path, key: str) -> StateStore:
    """A SQLite state holding the scenario's prior instances, outputs and metric history."""
    arguments = arguments_of(case)
    store = StateStore.open(database)
    prior = case / "prior.json"
    for record in json.loads(prior.read_text()) if prior.exists() else []:
        outputs = record.get("outputs", {})
        store.record_instance(
            key,
            ResourceInstance(
                address=Address.parse(record["address"]),
                status=ObjectStatus(record.get("status", "ready")),
                inputs=record.get("inputs", {}),
                outputs=outputs,
                id=outputs.get("id"),
                duration=record.get("duration"),
            ),
        )
    hidden = set(arguments.get("sensitive_outputs", []))
    if arguments.get("outputs"):
        store.record_outputs(
            key,
            {n: RootOutput(v, n in hidden) for n, v in arguments["outputs"].items()},
        )
    points = [
        MetricPoint(Address.parse(a), n, v, None, i, recorded=datetime.fromisoformat(t))
        for a, n, v, i, t in arguments.get("metrics", [])
    ]
    store.record_metrics(key, points)
    return store


def comment_for(case: Path, tmp_path: Path, limit: int = COMMENT_LIMIT) -> str:
    arguments = arguments_of(case)
    key = f"tests/data/markdown/{case.name}:default"
    with recorded_state(case, tmp_path / "mlform.db", key) as store:
        snapshot = store.snapshot(key)
        history = store.metric_history(key)
    state = (
        refresh(snapshot, default_registry(), ReadContext(case))
        if arguments.get("refresh")
        else snapshot
    )
    result, plan = plan_directory(
        case,
        default_registry(),
        state,
        environ=arguments.get("env", {}),
        replace=arguments.get("replace", ()),
    )
    assert not result.diagnostics.has_errors, [str(d) for d in result.diagnostics]
    secrets = secret_strings(split_variables(result.variables)[1])
    mask = Mask.of(secrets)
    review = review_of(plan, key, history, mask)
    saved = Review.from_json(json.loads(json.dumps(review.to_json())))
    assert saved == review  # what a saved plan keeps renders the same
    return render_markdown(saved, mask(render_plan(plan)), SOURCE, mask, limit)


@pytest.mark.parametrize("scenario", SCENARIOS)
def test_markdown(scenario: str, tmp_path: Path) -> None:
    case = CASES / scenario
    text = comment_for(case, tmp_path)
    for secret in arguments_of(case).get("secrets", []):
        assert secret not in text
    assert length(text) <= COMMENT_LIMIT
    expected = case / "expected.md"
    if os.environ.get("MLFORM_UPDATE_GOLDEN"):
        expected.write_text(text)
    assert text == expected.read_text()


LONG = """locals {
  keys = toset([for i in range(COUNT) : format("variant-%03d", i)])
}

dataset "d" {
  for_each = local.keys
  source   = "churn.csv"
  where    = "tenure > ${tonumber(substr(each.key, 8, 3))}"
}

split "s" {
  for_each = local.keys
  dataset  = dataset.d[each.key]
  ratio    = { train = 0.75, test = 0.25 }
  seed     = 1
}

model "m" {
  for_each = local.keys
  type     = "xgboost"
  split    = split.s[each.key]
  label    = "churned"
  params   = { max_depth = 4 }
}

evaluation "e" {
  for_each = local.keys
  model    = model.m[each.key]
  metrics  = ["auc"]
}

endpoint "p" {
  for_each   = local.keys
  model      = model.m[each.key]
  evaluation = evaluation.e[each.key]
  runtime    = "local"
  port       = 20000 + tonumber(substr(each.key, 8, 3))
}
"""


def test_a_plan_of_hundreds_of_resources_fits_and_keeps_its_head_whole(tmp_path: Path) -> None:
    """550 instances to create and 30 to destroy: the plan text is far longer than a comment
    may be, so its middle goes; the header, summary, banner and every list stay whole."""
    case = tmp_path / "long"
    case.mkdir()
    (case / "main.mlf.hcl").write_text(LONG.replace("COUNT", "110"))
    (case / "churn.csv").write_text((CASES / "create-everything" / "churn.csv").read_text())
    retired = [
        {
            "address": f"dataset.retired[{i}]",
            "inputs": {"source": "churn.csv"},
            "outputs": {"id": f"{i:064x}", "rows": 4},
        }
        for i in range(30)
    ]
    (case / "prior.json").write_text(json.dumps(retired))
    text = comment_for(case, tmp_path)
    print(f"\n500-resource plan: the comment is {length(text):,} characters")  # for the record

    assert length(text) <= COMMENT_LIMIT
    head, details = text.split("<details>", 1)
    assert head.startswith("<!-- mlform:workspace=") and "### mlform plan for workspace" in head
    assert "**Plan: 550 to add, 0 to change, 30 to destroy.**" in head
    assert "> **This plan destroys 30 resource instances** (30 destroyed for good)" in head
    for title, kind in (
        ("Retrain", "model.m"),
        ("Re-evaluate", "evaluation.e"),
        ("Redeploy", "endpoint.p"),
    ):
        assert f"#### {title} (110)" in head
        for i in range(110):
            assert f'- `{kind}["variant-{i:03d}"]`: new\n' in head
    assert "#### Rebuild data (220)" in head and "#### Destroy (30)" in head
    assert "... and" not in head  # no list was cut
    assert "shortened in the middle" in details
    assert "of the plan are left out here to fit the comment." in details
    assert "See the whole plan with `mlform show plan.mlplan`." in details
    assert "Resource actions are indicated with the following symbols:" in details  # start
    assert details.rstrip().endswith("</details>")
    assert "Plan: 550 to add, 0 to change, 30 to destroy." in details.split("left out here")[1]


def test_a_plan_beyond_any_comment_has_its_lists_cut_and_still_fits(tmp_path: Path) -> None:
    case = tmp_path / "huge"
    case.mkdir()
    (case / "main.mlf.hcl").write_text(LONG.replace("COUNT", "150"))
    (case / "churn.csv").write_text((CASES / "create-everything" / "churn.csv").read_text())
    text = comment_for(case, tmp_path, limit=20_000)
    assert length(text) <= 20_000
    head = text.split("<details>", 1)[0]
    assert "**Plan: 750 to add, 0 to change, 0 to destroy.**" in head
    assert "#### Retrain (150)" in head and "more (see the full plan)" in head
