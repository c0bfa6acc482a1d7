"""The one pure function that chooses what apply does to an instance, and why.

It follows Terraform's `plan()`: no prior object means create; a prior object the
configuration no longer declares means delete; any reason to rebuild means replace (destroy
first unless `create_before_destroy`); equal inputs mean no-op; anything else is an update
in place. When several reasons to replace hold, the first in Terraform's order is given:
tainted, then requested, then an attribute that cannot be updated, then mlform's own
(upstream replaced, `replace_triggered_by`, drift).
"""

from __future__ import annotations

import enum
from collections.abc import Mapping, Set
from dataclasses import dataclass
from typing import Any

from mlform.language.values import contains_unknown, unmark
from mlform.plans.action import Action, ActionReason
from mlform.sdk.schema import AttributePath
from mlform.state.objects import ObjectStatus


class Presence(enum.Enum):
    """Whether the configuration declares an instance, and if not, what vanished."""

    CONFIGURED = "configured"
    NO_RESOURCE_CONFIG = "no_resource_config"  # the resource block is gone
    EACH_KEY_GONE = "each_key_gone"  # the block is there, its for_each lacks this key
    COUNT_INDEX_GONE = "count_index_gone"  # the block is there, its count is lower


@dataclass(frozen=True)
class Decision:
    action: Action
    reason: ActionReason = ActionReason.NONE
    replace_paths: tuple[AttributePath, ...] = ()


_DELETE_REASONS = {
    Presence.NO_RESOURCE_CONFIG: ActionReason.DELETE_BECAUSE_NO_RESOURCE_CONFIG,
    Presence.EACH_KEY_GONE: ActionReason.DELETE_BECAUSE_EACH_KEY,
    Presence.COUNT_INDEX_GONE: ActionReason.DELETE_BECAUSE_COUNT_INDEX,
}


def decide_action(
    *,
    prior_status: ObjectStatus | None,
    presence: Presence = Presence.CONFIGURED,
    prior_inputs: Mapping[str, Any] | None = None,
    proposed_inputs: Mapping[str, Any] | None = None,
    replace_paths: tuple[AttributePath, ...] = (),
    replace_requested: bool = False,
    upstream_replaced: bool = False,
    replace_triggered: bool = False,
    drift: bool = False,
    create_before_destroy: bool = False,
    changed_in_place: Set[str] = frozenset(),
) -> Decision:
    """The action for one instance.

    `prior_status` is None when the state holds no object. `replace_paths` are the paths
    whose change forces replacement (the caller computes them from the schema);
    `changed_in_place` the names of changed attributes that can be updated in place.
    Sensitive marks are ignored when comparing inputs; an unknown proposed value is a change.
    """
    if presence is not Presence.CONFIGURED:
        if prior_status is None:
            return Decision(Action.NO_OP)
        return Decision(Action.DELETE, _DELETE_REASONS[presence])
    if prior_status is None:
        return Decision(Action.CREATE)

    reason = _replace_reason(
        tainted=prior_status is ObjectStatus.TAINTED,
        replace_requested=replace_requested,
        replace_paths=replace_paths,
        upstream_replaced=upstream_replaced,
        replace_triggered=replace_triggered,
        drift=drift,
    )
    if reason is not None:
        action = Action.CREATE_THEN_DELETE if create_before_destroy else Action.DELETE_THEN_CREATE
        return Decision(action, reason, replace_paths)
    if not changed_in_place and _equal(prior_inputs or {}, proposed_inputs or {}):
        return Decision(Action.NO_OP)
    return Decision(Action.UPDATE)


def _replace_reason(
    *,
    tainted: bool,
    replace_requested: bool,
    replace_paths: tuple[AttributePath, ...],
    upstream_replaced: bool,
    replace_triggered: bool,
    drift: bool,
) -> ActionReason | None:
    for holds, reason in (
        (tainted, ActionReason.REPLACE_BECAUSE_TAINTED),
        (replace_requested, ActionReason.REPLACE_BY_REQUEST),
        (bool(replace_paths), ActionReason.REPLACE_BECAUSE_CANNOT_UPDATE),
        (upstream_replaced, ActionReason.REPLACE_BECAUSE_UPSTREAM),
        (replace_triggered, ActionReason.REPLACE_BY_TRIGGERS),
        (drift, ActionReason.DRIFT),
    ):
        if holds:
            return reason
    return None


def _equal(prior: Mapping[str, Any], proposed: Mapping[str, Any]) -> bool:
    if contains_unknown(dict(proposed)):
        return False
    return unmark(dict(prior))[0] == unmark(dict(proposed))[0]
