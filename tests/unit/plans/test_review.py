"""The review of a plan: facts, never values, and the metric change since the apply before."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from mlform.addresses import Address
from mlform.language.values import UNKNOWN, Sensitive
from mlform.plans.action import Action, ActionReason
from mlform.plans.changes import CacheHit, DriftNote, Plan, ResourceChange
from mlform.plans.review import Review, previous_value, review_of
from mlform.state.objects import MetricPoint, ResourceInstance, StateSnapshot

EVALUATION = Address("evaluation", "churn")
START = datetime(2026, 3, 1, tzinfo=UTC)


def point(value: float, evaluation_id: str | None, day: int, name: str = "auc") -> MetricPoint:
    return MetricPoint(EVALUATION, name, value, None, evaluation_id, None, START + timedelta(day))


def test_the_previous_value_is_that_of_the_apply_before_the_current_evaluation() -> None:
    history = [point(0.70, "e1", 0), point(0.75, "e2", 1), point(0.80, "e3", 2)]
    assert previous_value(history, "e3") == 0.75
    assert previous_value(history, "e2") == 0.70  # a later apply was not recorded in the state
    assert previous_value(history, "unknown") == 0.75  # as `mlform metrics`: the row before
    assert previous_value(history[:1], "e1") is None
    assert previous_value([], "e1") is None
    assert previous_value([point(0.7, None, 0), point(0.8, None, 1)], None) == 0.7


def test_a_review_holds_no_value_and_hides_secrets_in_free_text() -> None:
    model = Address("model", "churn")
    prior = StateSnapshot(
        "w:default",
        "lineage",
        3,
        (
            ResourceInstance(
                EVALUATION, id="e2", outputs={"metrics": {"auc": 0.8, "note": "x", "ok": True}}
            ),
        ),
    )
    plan = Plan(
        changes=(
            ResourceChange(
                model,
                Action.DELETE_THEN_CREATE,
                ActionReason.REPLACE_BECAUSE_CANNOT_UPDATE,
                before={"params": {"depth": 4}, "token": "old-secret-value"},
                after={"params": {"depth": 6}, "token": Sensitive("new-secret-value")},
                replace_paths=(("params", "depth"),),
                restored_from_cache=CacheHit("key", START, 42.0),
            ),
            ResourceChange(
                EVALUATION,
                Action.DELETE_THEN_CREATE,
                ActionReason.REPLACE_BECAUSE_UPSTREAM,
                replaced_upstream=(model,),
                expected_seconds=5.0,
            ),
            ResourceChange(
                Address("dataset", "a"),
                Action.UPDATE,
                before={"id": "1", "description": "a", "rows": 3},
                after={"id": "1", "description": "b", "rows": UNKNOWN},
            ),
        ),
        drift=(DriftNote(Address("dataset", "a"), {"rows": 3}, {"rows": 4}),),
        warnings=("the source new-secret-value is odd",),
        prior=prior,
    )
    history = [point(0.7, "e1", 0), point(0.8, "e2", 1)]
    review = review_of(
        plan, "w:default", history, lambda text: text.replace("new-secret-value", "(hidden)")
    )
    document = review.to_json()
    assert "secret-value" not in repr(document)
    assert Review.from_json(document) == review
    dataset_change, evaluation_change, model_change = review.changes  # by address
    assert model_change.attributes == ("params",) and model_change.restored
    assert model_change.restored_seconds == 42.0
    assert evaluation_change.upstream == ("model.churn",)
    assert dataset_change.attributes == ("description", "rows")
    assert review.drift[0].attributes == ("rows",)
    assert review.warnings == ("the source (hidden) is odd",)
    assert [(m.name, m.value, m.previous, m.planned) for m in review.metrics] == [
        ("auc", 0.8, 0.7, "delete-then-create")
    ]
    assert review.expected_seconds == 5.0  # the restored model costs nothing


def test_a_damaged_review_is_an_error_not_a_crash() -> None:
    with pytest.raises((KeyError, TypeError, ValueError)):
        Review.from_json({"changes": [{"address": "model.x"}]})
