"""Golden plan tests: each tests/data/plans/<scenario>/ holds a configuration, the prior
state (prior.json), optional arguments (args.json: {"replace": [...]}) and the expected plan
text. `MLFORM_UPDATE_GOLDEN=1` rewrites the expected files."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from mlform.addresses import Address
from mlform.plans.planner import plan_directory
from mlform.sdk import default_registry
from mlform.state.objects import ObjectStatus, ResourceInstance, StateSnapshot
from mlform.views.plan import render_plan

CASES = Path(__file__).resolve().parents[2] / "data" / "plans"
SCENARIOS = sorted(p.name for p in CASES.iterdir() if p.is_dir())


def snapshot_of(path: Path) -> StateSnapshot:
    records = json.loads(path.read_text()) if path.exists() else []
    instances = tuple(
        ResourceInstance(
            address=Address.parse(r["address"]),
            status=ObjectStatus(r.get("status", "ready")),
            inputs=r.get("inputs", {}),
            outputs=r.get("outputs", {}),
            id=r.get("outputs", {}).get("id"),
            duration=r.get("duration"),
        )
        for r in records
    )
    return StateSnapshot(
        "plans:default", "lineage" if instances else None, len(instances), instances
    )


@pytest.mark.parametrize("scenario", SCENARIOS)
def test_plan(scenario: str):
    case = CASES / scenario
    arguments_path = case / "args.json"
    arguments = json.loads(arguments_path.read_text()) if arguments_path.exists() else {}
    result, plan = plan_directory(
        case,
        default_registry(),
        snapshot_of(case / "prior.json"),
        environ={},
        replace=arguments.get("replace", ()),
    )
    assert not result.diagnostics.has_errors, [str(d) for d in result.diagnostics]
    text = render_plan(plan)
    expected = case / "expected.txt"
    if os.environ.get("MLFORM_UPDATE_GOLDEN"):
        expected.write_text(text)
    assert text == expected.read_text()


def test_every_action_and_reason_has_a_scenario():
    from mlform.plans.action import Action, ActionReason

    seen_actions, seen_reasons = set(), set()
    for scenario in SCENARIOS:
        case = CASES / scenario
        arguments_path = case / "args.json"
        arguments = json.loads(arguments_path.read_text()) if arguments_path.exists() else {}
        _, plan = plan_directory(
            case,
            default_registry(),
            snapshot_of(case / "prior.json"),
            environ={},
            replace=arguments.get("replace", ()),
        )
        seen_actions.update(c.action for c in plan.changes)
        seen_reasons.update(c.reason for c in plan.changes)
    assert seen_actions == set(Action)
    # drift and replace_triggered_by come with refresh and triggers in the engine
    assert set(ActionReason) - seen_reasons <= {
        ActionReason.DRIFT,
        ActionReason.REPLACE_BY_TRIGGERS,
    }
