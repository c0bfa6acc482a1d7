from typing import Any

import pytest

from mlform.language.values import UNKNOWN, Sensitive
from mlform.plans.action import Action, ActionReason
from mlform.plans.decide import Decision, Presence, decide_action
from mlform.state.objects import ObjectStatus

READY = ObjectStatus.READY
TAINTED = ObjectStatus.TAINTED
A = {"source": "a.csv", "description": "x"}
B = {"source": "b.csv", "description": "x"}
SOURCE = (("source",),)

R = ActionReason
DTC, CTD = Action.DELETE_THEN_CREATE, Action.CREATE_THEN_DELETE

CASES: list[tuple[str, dict[str, Any], Decision]] = [
    ("no prior: create", {"prior_status": None}, Decision(Action.CREATE)),
    (
        "no prior, requested: still create",
        {"prior_status": None, "replace_requested": True},
        Decision(Action.CREATE),
    ),
    ("equal: no-op", {"prior_inputs": A, "proposed_inputs": dict(A)}, Decision(Action.NO_OP)),
    (
        "sensitive marks ignored",
        {"prior_inputs": {"k": "s"}, "proposed_inputs": {"k": Sensitive("s")}},
        Decision(Action.NO_OP),
    ),
    (
        "in-place change: update",
        {
            "prior_inputs": A,
            "proposed_inputs": {**A, "description": "y"},
            "changed_in_place": {"description"},
        },
        Decision(Action.UPDATE),
    ),
    (
        "inputs differ: update",
        {"prior_inputs": A, "proposed_inputs": {**A, "tags": {}}},
        Decision(Action.UPDATE),
    ),
    (
        "unknown proposed: update",
        {"prior_inputs": A, "proposed_inputs": {**A, "description": UNKNOWN}},
        Decision(Action.UPDATE),
    ),
    (
        "forces replacement",
        {"prior_inputs": A, "proposed_inputs": B, "replace_paths": SOURCE},
        Decision(DTC, R.REPLACE_BECAUSE_CANNOT_UPDATE, SOURCE),
    ),
    (
        "forces replacement, cbd",
        {
            "prior_inputs": A,
            "proposed_inputs": B,
            "replace_paths": SOURCE,
            "create_before_destroy": True,
        },
        Decision(CTD, R.REPLACE_BECAUSE_CANNOT_UPDATE, SOURCE),
    ),
    (
        "tainted",
        {"prior_status": TAINTED, "prior_inputs": A, "proposed_inputs": A},
        Decision(DTC, R.REPLACE_BECAUSE_TAINTED),
    ),
    (
        "tainted, cbd",
        {"prior_status": TAINTED, "create_before_destroy": True},
        Decision(CTD, R.REPLACE_BECAUSE_TAINTED),
    ),
    (
        "tainted before requested and cannot-update",
        {"prior_status": TAINTED, "replace_requested": True, "replace_paths": SOURCE},
        Decision(DTC, R.REPLACE_BECAUSE_TAINTED, SOURCE),
    ),
    (
        "requested",
        {"prior_inputs": A, "proposed_inputs": A, "replace_requested": True},
        Decision(DTC, R.REPLACE_BY_REQUEST),
    ),
    (
        "requested before cannot-update",
        {"replace_requested": True, "replace_paths": SOURCE},
        Decision(DTC, R.REPLACE_BY_REQUEST, SOURCE),
    ),
    (
        "cannot-update before upstream",
        {"replace_paths": SOURCE, "upstream_replaced": True},
        Decision(DTC, R.REPLACE_BECAUSE_CANNOT_UPDATE, SOURCE),
    ),
    (
        "upstream replaced",
        {"prior_inputs": A, "proposed_inputs": A, "upstream_replaced": True},
        Decision(DTC, R.REPLACE_BECAUSE_UPSTREAM),
    ),
    (
        "upstream before triggers",
        {"upstream_replaced": True, "replace_triggered": True},
        Decision(DTC, R.REPLACE_BECAUSE_UPSTREAM),
    ),
    ("triggered", {"replace_triggered": True}, Decision(DTC, R.REPLACE_BY_TRIGGERS)),
    (
        "triggers before drift",
        {"replace_triggered": True, "drift": True},
        Decision(DTC, R.REPLACE_BY_TRIGGERS),
    ),
    ("drift", {"prior_inputs": A, "proposed_inputs": A, "drift": True}, Decision(DTC, R.DRIFT)),
    ("drift, cbd", {"drift": True, "create_before_destroy": True}, Decision(CTD, R.DRIFT)),
    (
        "block removed: delete",
        {"presence": Presence.NO_RESOURCE_CONFIG},
        Decision(Action.DELETE, R.DELETE_BECAUSE_NO_RESOURCE_CONFIG),
    ),
    (
        "for_each key gone: delete",
        {"presence": Presence.EACH_KEY_GONE},
        Decision(Action.DELETE, R.DELETE_BECAUSE_EACH_KEY),
    ),
    (
        "count index gone: delete",
        {"presence": Presence.COUNT_INDEX_GONE},
        Decision(Action.DELETE, R.DELETE_BECAUSE_COUNT_INDEX),
    ),
    (
        "tainted and unconfigured: delete",
        {
            "prior_status": TAINTED,
            "presence": Presence.NO_RESOURCE_CONFIG,
            "replace_requested": True,
        },
        Decision(Action.DELETE, R.DELETE_BECAUSE_NO_RESOURCE_CONFIG),
    ),
    (
        "nothing prior, nothing configured: no-op",
        {"prior_status": None, "presence": Presence.NO_RESOURCE_CONFIG},
        Decision(Action.NO_OP),
    ),
]


@pytest.mark.parametrize(
    ("arguments", "expected"), [c[1:] for c in CASES], ids=[c[0] for c in CASES]
)
def test_decide_action(arguments: dict[str, Any], expected: Decision) -> None:
    assert decide_action(**{"prior_status": READY, **arguments}) == expected


def test_every_action_and_reason_is_covered() -> None:
    assert {c[2].action for c in CASES} == set(Action)
    assert {c[2].reason for c in CASES} == set(ActionReason)
