"""What a reviewer of a pull request needs from a plan, beyond its text.

A `Review` holds, per instance, the action and the facts behind its reason (which
attributes forced it, which upstream instances, what drifted, which earlier build will be
restored), the drift refresh found, the expected apply time, and the metrics of the
evaluations already applied with their values at the apply before. It holds names, numbers
and reasons, never an attribute's value, so it can be saved with a plan (no sensitive value
can be in it) and rendered later, on a CI runner that has no access to the state.
`mlform.views.plan_markdown` words it.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Mapping
from dataclasses import asdict, dataclass
from typing import Any

from mlform.addresses import Address
from mlform.language.values import contains_unknown, unmark
from mlform.plans.action import Action
from mlform.plans.changes import Plan, ResourceChange
from mlform.state.objects import MetricPoint


@dataclass(frozen=True)
class ReviewedChange:
    """One instance's change. `attributes` are the top-level attributes whose change forces
    the replacement, or, for an update, those that change; `upstream` the replaced upstream
    instances that cause it; `drift` what changed outside mlform, as the provider said."""

    address: str
    action: str
    reason: str
    attributes: tuple[str, ...] = ()
    upstream: tuple[str, ...] = ()
    drift: str | None = None
    restored_built: str | None = None
    """With a cache hit: when the build that will be restored was made (ISO 8601)."""
    restored_seconds: float | None = None
    """With a cache hit: how long that build took, the time the restore saves."""
    expected_seconds: float | None = None

    @property
    def kind(self) -> str:
        return Address.parse(self.address).kind

    @property
    def restored(self) -> bool:
        return self.restored_built is not None


@dataclass(frozen=True)
class ReviewedDrift:
    """An object refresh found changed (`attributes`) or deleted outside mlform."""

    address: str
    deleted: bool
    attributes: tuple[str, ...] = ()
    reason: str | None = None


@dataclass(frozen=True)
class MetricChange:
    """One metric of an evaluation as last applied, and at the apply before (if recorded).
    `planned` is what the plan does to the evaluation: its action's value."""

    address: str
    name: str
    value: float
    previous: float | None = None
    planned: str = Action.NO_OP.value


@dataclass(frozen=True)
class Review:
    workspace: str
    to_add: int = 0
    to_change: int = 0
    to_destroy: int = 0
    has_changes: bool = False
    destroy: bool = False
    changes: tuple[ReviewedChange, ...] = ()
    drift: tuple[ReviewedDrift, ...] = ()
    outputs: tuple[str, ...] = ()
    """The root outputs whose value the apply sets, changes or removes."""
    metrics: tuple[MetricChange, ...] = ()
    expected_seconds: float | None = None
    targets: tuple[str, ...] = ()
    warnings: tuple[str, ...] = ()

    def to_json(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_json(cls, document: Mapping[str, Any]) -> Review:
        """The review a saved plan holds (ValueError, KeyError or TypeError when damaged)."""
        values = dict(document)
        values["changes"] = tuple(_record(ReviewedChange, c) for c in values.get("changes", ()))
        values["drift"] = tuple(_record(ReviewedDrift, d) for d in values.get("drift", ()))
        values["metrics"] = tuple(_record(MetricChange, m) for m in values.get("metrics", ()))
        for name in ("outputs", "targets", "warnings"):
            values[name] = tuple(values.get(name, ()))
        return _record(cls, values)


def _record(cls: Any, values: Mapping[str, Any]) -> Any:
    known = cls.__dataclass_fields__
    return cls(
        **{k: tuple(v) if isinstance(v, list) else v for k, v in values.items() if k in known}
    )


def review_of(
    plan: Plan,
    workspace: str,
    history: Iterable[MetricPoint] = (),
    mask: Callable[[str], str] = lambda text: text,
) -> Review:
    """The review of `plan` made in `workspace`, with the recorded metric `history` of its
    evaluations (oldest first). `mask` hides secrets in the free text it keeps (the reasons
    and warnings providers and the planner give, which never should, but could, quote one)."""

    def clean(text: str | None) -> str | None:
        return None if text is None else mask(text)

    changes = tuple(
        _reviewed(change, clean)
        for change in sorted(plan.resource_changes, key=lambda c: c.address.sort_key)
    )
    by_address = {str(c.address): c for c in plan.changes}
    drift = tuple(
        ReviewedDrift(
            str(note.address),
            note.after is None,
            () if note.after is None else _changed(note.before, note.after),
            clean(getattr(by_address.get(str(note.address)), "drift", None)),
        )
        for note in sorted(plan.drift, key=lambda n: n.address.sort_key)
    )
    return Review(
        workspace=workspace,
        to_add=plan.to_add,
        to_change=plan.to_change,
        to_destroy=plan.to_destroy,
        has_changes=plan.has_changes,
        destroy=plan.destroy,
        changes=changes,
        drift=drift,
        outputs=tuple(
            sorted(name for name, o in plan.outputs.items() if o.action is not Action.NO_OP)
        ),
        metrics=_metrics(plan, list(history)),
        expected_seconds=plan.expected_seconds(),
        targets=tuple(str(t) for t in plan.targets),
        warnings=tuple(clean(w) or "" for w in plan.warnings),
    )


def _reviewed(change: ResourceChange, clean: Callable[[str | None], str | None]) -> ReviewedChange:
    if change.action.is_replace:
        attributes = tuple(dict.fromkeys(str(p[0]) for p in change.replace_paths if p))
    elif change.action is Action.UPDATE:
        attributes = _changed(change.before or {}, change.after or {})
    else:
        attributes = ()
    hit = change.restored_from_cache
    return ReviewedChange(
        address=str(change.address),
        action=change.action.value,
        reason=change.reason.value,
        attributes=attributes,
        upstream=tuple(str(a) for a in change.replaced_upstream),
        drift=clean(change.drift),
        restored_built=None if hit is None else hit.built.isoformat(),
        restored_seconds=None if hit is None else hit.seconds,
        expected_seconds=change.expected_seconds,
    )


def _changed(before: Mapping[str, Any], after: Mapping[str, Any]) -> tuple[str, ...]:
    """The attributes whose value differs (an unknown one counts as different), but `id`."""
    names = []
    for name in sorted({*before, *after}):
        if name == "id":
            continue
        old, new = before.get(name), after.get(name)
        if contains_unknown(new) or unmark(old)[0] != unmark(new)[0]:
            names.append(name)
    return tuple(names)


def _metrics(plan: Plan, history: list[MetricPoint]) -> tuple[MetricChange, ...]:
    """Each numeric metric of each evaluation in the prior state, with its value at the
    apply before the last one, taken from the recorded history."""
    if plan.prior is None:
        return ()
    found = []
    evaluations = [i for i in plan.prior.instances if i.kind == "evaluation"]
    for instance in sorted(evaluations, key=lambda i: i.address.sort_key):
        metrics = instance.outputs.get("metrics")
        if not isinstance(metrics, Mapping):
            continue
        change = plan.change(instance.address)
        planned = Action.NO_OP if change is None else change.action
        for name, value in sorted(metrics.items()):
            if not _is_number(value):
                continue
            points = [
                p
                for p in history
                if p.address == instance.address and p.name == name and p.slice is None
            ]
            found.append(
                MetricChange(
                    str(instance.address),
                    str(name),
                    float(value),
                    previous_value(points, instance.id),
                    planned.value,
                )
            )
    return tuple(found)


def previous_value(points: list[MetricPoint], current_id: str | None) -> float | None:
    """The value at the apply before the last one that recorded the current evaluation, from
    one metric's history (oldest first, one point per apply), as `mlform metrics` shows it."""
    index = len(points) - 1
    if current_id is not None:
        matching = [i for i, point in enumerate(points) if point.evaluation_id == current_id]
        if matching:
            index = matching[-1]
    return points[index - 1].value if index >= 1 else None


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)
