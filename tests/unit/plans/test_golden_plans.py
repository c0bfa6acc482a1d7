"""Golden plan tests: each tests/data/plans/<scenario>/ holds a configuration, the prior
state (prior.json), optional arguments (args.json: {"replace": [...], "refresh": true}) and
the expected plan text. With "refresh", the providers read the prior state first (sources
relative to the scenario, artifacts unchecked), as `mlform plan` does.
`MLFORM_UPDATE_GOLDEN=1` rewrites the expected files."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from mlform.addresses import Address
from mlform.plans.planner import plan_directory
from mlform.plans.refresh import ReadContext, Refreshed, refresh
from mlform.sdk import default_registry
from mlform.state.objects import ObjectStatus, ResourceInstance, StateSnapshot
from mlform.views.plan import render_plan

CASES = Path(__file__).resolve().parents[2] / "data" / "plans"
SCENARIOS = sorted(p.name for p in CASES.iterdir() if p.is_dir())


def state_of(case: Path, arguments: dict) -> StateSnapshot | Refreshed:
    snapshot = snapshot_of(case / "prior.json")
    if not arguments.get("refresh"):
        return snapshot
    return refresh(snapshot, default_registry(), ReadContext(case))


def plan_of(case: Path):
    arguments_path = case / "args.json"
    arguments = json.loads(arguments_path.read_text()) if arguments_path.exists() else {}
    return plan_directory(
        case,
        default_registry(),
        state_of(case, arguments),
        environ={},
        replace=arguments.get("replace", ()),
    )


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
    result, plan = plan_of(case)
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
        _, plan = plan_of(CASES / scenario)
        seen_actions.update(c.action for c in plan.changes)
        seen_reasons.update(c.reason for c in plan.changes)
    assert seen_actions == set(Action)
    # replace_triggered_by comes with triggers
    assert set(ActionReason) - seen_reasons <= {ActionReason.REPLACE_BY_TRIGGERS}
