from datetime import UTC, datetime

from mlform.addresses import Address
from mlform.plans.action import Action
from mlform.plans.changes import CacheHit, OutputChange, Plan, ResourceChange


def change(name: str, action: Action, **kwargs: object) -> ResourceChange:
    return ResourceChange(Address("model", name), action, **kwargs)  # type: ignore[arg-type]


def test_counts_a_replace_as_one_add_and_one_destroy() -> None:
    plan = Plan(
        (
            change("a", Action.CREATE),
            change("b", Action.UPDATE),
            change("c", Action.DELETE_THEN_CREATE),
            change("d", Action.CREATE_THEN_DELETE),
            change("e", Action.DELETE),
            change("f", Action.NO_OP),
        )
    )
    assert (plan.to_add, plan.to_change, plan.to_destroy) == (3, 1, 3)
    assert plan.has_changes
    assert len(plan.resource_changes) == 5


def test_no_changes() -> None:
    plan = Plan((change("a", Action.NO_OP),))
    assert not plan.has_changes
    assert plan.expected_seconds() is None


def test_output_changes_count_as_changes() -> None:
    assert Plan(outputs={"auc": OutputChange("auc", Action.CREATE, after=0.8)}).has_changes


def test_expected_seconds_skips_cache_hits_and_unknown_durations() -> None:
    hit = CacheHit("key", datetime(2026, 11, 20, tzinfo=UTC), 41.0)
    plan = Plan(
        (
            change("a", Action.CREATE, expected_seconds=30.0),
            change("b", Action.CREATE, expected_seconds=41.0, restored_from_cache=hit),
            change("c", Action.UPDATE, expected_seconds=2.0),
            change("d", Action.CREATE),
            change("e", Action.NO_OP, expected_seconds=100.0),
        )
    )
    assert plan.expected_seconds() == 32.0
    assert plan.changes[0].runs_work and not plan.changes[1].runs_work
