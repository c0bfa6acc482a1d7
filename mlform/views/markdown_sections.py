"""The parts of a plan's pull-request comment above the full plan, in markdown.

Text from outside mlform (addresses, a provider's reason) goes into code spans or is
escaped, so that it can neither format the comment, nor inject HTML, nor mention anyone.
"""

from __future__ import annotations

import enum
import re
from collections.abc import Iterable
from datetime import datetime

from mlform.plans.action import Action, ActionReason
from mlform.plans.review import MetricChange, Review, ReviewedChange
from mlform.views.plan import format_duration

_IN_PLACE = frozenset({"description", "tags"})
_BANNER_ADDRESSES = 10
_ESCAPED = re.compile(r"([\\`*_\[\]<>|#~!])")


class Work(enum.Enum):
    """The kinds of work a reviewer asks about, in the order the comment lists them."""

    RETRAIN = "Retrain"
    REEVALUATE = "Re-evaluate"
    REDEPLOY = "Redeploy"
    RESTORE = "Restore from cache"
    REBUILD = "Rebuild data"
    BUILD = "Build"
    UPDATE = "Update in place"
    DESTROY = "Destroy"


_BUILT_BY_KIND = {
    "model": Work.RETRAIN,
    "evaluation": Work.REEVALUATE,
    "endpoint": Work.REDEPLOY,
    "dataset": Work.REBUILD,
    "split": Work.REBUILD,
}


def work_of(change: ReviewedChange) -> Work:
    action = Action(change.action)
    if action is Action.DELETE:
        return Work.DESTROY
    if change.restored:
        return Work.RESTORE
    if action is Action.UPDATE:
        material = set(change.attributes) - _IN_PLACE
        return Work.REDEPLOY if change.kind == "endpoint" and material else Work.UPDATE
    return _BUILT_BY_KIND.get(change.kind, Work.BUILD)


def head(review: Review, cap: int | None = None) -> str:
    """Everything above the full plan; with `cap`, no list longer than that."""
    verb = "destroy plan" if review.destroy else "plan"
    parts = [f"### mlform {verb} for workspace {code(review.workspace)}", "", summary(review)]
    if review.targets:
        targets = ", ".join(code(t) for t in review.targets)
        parts.append(f"Limited to --target {targets}: other changes may be pending.")
    parts += ["", *banner(review)]
    for warning in review.warnings:
        parts += [f"> **Warning:** {escape(warning)}", ""]
    by_work: dict[Work, list[ReviewedChange]] = {}
    for change in review.changes:
        by_work.setdefault(work_of(change), []).append(change)
    for work in Work:
        if work in by_work:
            items = [f"- {code(c.address)}: {reason(c, review.destroy)}" for c in by_work[work]]
            parts += [f"#### {work.value} ({len(items)})", *_capped(items, cap), ""]
    if review.outputs:
        names = ", ".join(code(name) for name in review.outputs)
        parts += [f"Outputs that change: {names}.", ""]
    if review.expected_seconds is not None:
        parts += [
            f"Expected apply time: about {format_duration(review.expected_seconds)} "
            "(from recorded history).",
            "",
        ]
    if review.metrics:
        parts += [*metrics(review.metrics, cap), ""]
    if review.drift:
        parts += [*drift(review, cap), ""]
    return "\n".join(parts).rstrip("\n") + "\n"


def summary(review: Review) -> str:
    if review.changes:
        return (
            f"**Plan: {review.to_add} to add, {review.to_change} to change, "
            f"{review.to_destroy} to destroy.**"
        )
    if review.has_changes:
        return "**No changes to resources.** Applying this plan only records new output values."
    return "**No changes.** Your ML state matches the configuration."


def banner(review: Review) -> list[str]:
    """A warning when the plan destroys anything or replaces or destroys an endpoint."""
    destroyed = [
        c for c in review.changes if c.action == Action.DELETE.value or Action(c.action).is_replace
    ]
    if not destroyed:
        return []
    deleted = [c for c in destroyed if c.action == Action.DELETE.value]
    replaced = [c for c in destroyed if c.action != Action.DELETE.value]
    lines = ["> [!WARNING]"]
    shown = ", ".join(code(c.address) for c in destroyed[:_BANNER_ADDRESSES])
    more = len(destroyed) - _BANNER_ADDRESSES
    if more > 0:
        shown += f" and {more:,} more"
    parts = [f"{len(replaced):,} replaced"] if replaced else []
    parts += [f"{len(deleted):,} destroyed for good"] if deleted else []
    noun = "instance" if len(destroyed) == 1 else "instances"
    lines.append(
        f"> **This plan destroys {len(destroyed):,} resource {noun}** ({', '.join(parts)}): "
        f"{shown}."
    )
    for change in destroyed:
        if change.kind != "endpoint":
            continue
        if change.action == Action.DELETE.value:
            effect = "it stops serving"
        elif change.action == Action.DELETE_THEN_CREATE.value:
            effect = "it stops serving until its replacement is up, and its URL may change"
        else:
            effect = "its replacement starts before it stops, and its URL may change"
        verb = "destroyed" if change.action == Action.DELETE.value else "replaced"
        lines.append(f"> **Endpoint {code(change.address)} will be {verb}:** {effect}.")
    return [*lines, ""]


def reason(change: ReviewedChange, destroy_plan: bool = False) -> str:
    """Why the instance changes, in a few words."""
    action = Action(change.action)
    why = ActionReason(change.reason)
    attributes = ", ".join(code(a) for a in change.attributes)
    if action is Action.CREATE:
        text = "new"
    elif action is Action.UPDATE:
        text = f"{attributes} changed" if attributes else "changed"
        if work_of(change) is Work.REDEPLOY:
            text += ", updated in place"
    elif action is Action.DELETE:
        text = {
            ActionReason.DELETE_BECAUSE_NO_RESOURCE_CONFIG: "not in the configuration any more",
            ActionReason.DELETE_BECAUSE_EACH_KEY: "its key is not in for_each any more",
            ActionReason.DELETE_BECAUSE_COUNT_INDEX: "its index is out of range for count",
        }.get(why, "destroy requested" if destroy_plan else "destroyed")
    else:
        text = "replaced: " + _replace_reason(change, why, attributes)
    if change.restored_built is not None:
        built = _when(change.restored_built)
        saved = change.restored_seconds
        text += f"; the identical build of {built} is restored"
        if saved is not None:
            text += f", about {format_duration(saved)} of work saved"
    elif change.expected_seconds is not None and action is not Action.DELETE:
        text += f" (about {format_duration(change.expected_seconds)})"
    return text


def _replace_reason(change: ReviewedChange, why: ActionReason, attributes: str) -> str:
    if why is ActionReason.REPLACE_BECAUSE_TAINTED:
        return "tainted (its last apply failed)"
    if why is ActionReason.REPLACE_BY_REQUEST:
        return "requested with --replace"
    if why is ActionReason.REPLACE_BECAUSE_UPSTREAM:
        upstream = ", ".join(code(a) for a in change.upstream)
        return f"{upstream} will be replaced" if upstream else "an upstream will be replaced"
    if why is ActionReason.REPLACE_BY_TRIGGERS:
        return "triggered by replace_triggered_by"
    if why is ActionReason.DRIFT:
        return escape(change.drift or "it changed outside mlform")
    return f"{attributes} changed" if attributes else "its inputs changed"


def metrics(found: Iterable[MetricChange], cap: int | None) -> list[str]:
    rows = []
    for metric in found:
        change, previous = "-", "-"
        if metric.previous is not None:
            previous = number(metric.previous)
            change = number(metric.value - metric.previous, signed=True)
        planned = {
            Action.NO_OP.value: "kept",
            Action.UPDATE.value: "kept",
            Action.DELETE.value: "destroyed",
        }.get(metric.planned, "re-evaluated")
        address = code(metric.address).replace("|", "\\|")  # a table cell, even in code
        rows.append(
            f"| {address} | {escape(metric.name)} "
            f"| {number(metric.value)} "
            f"| {previous} | {change} | {planned} |"
        )
    return [
        "#### Metrics",
        "As of the last apply, with the change since the apply before:",
        "",
        "| Evaluation | Metric | Value | Before | Change | This plan |",
        "| --- | --- | ---: | ---: | ---: | --- |",
        *_capped(rows, cap, "| ... and {more} more metrics | | | | | |"),
    ]


def drift(review: Review, cap: int | None) -> list[str]:
    items = []
    for note in review.drift:
        if note.deleted:
            what = "deleted"
        elif note.attributes:
            what = ", ".join(code(a) for a in note.attributes) + " changed"
        else:
            what = "changed"
        if note.reason:
            what += f" ({escape(note.reason)})"
        items.append(f"- {code(note.address)}: {what}")
    return [
        "#### Drift",
        "Refresh found objects changed outside mlform since the last apply; the plan "
        "responds to them:",
        *_capped(items, cap),
    ]


def number(value: float, signed: bool = False) -> str:
    """`0.8412`, `1,204`, `+0.0031`, `-2`: four decimals at most, no trailing zeros."""
    text = f"{value:,.0f}" if abs(value) >= 10_000 else f"{value:,.4f}".rstrip("0").rstrip(".")
    if text in ("-0", ""):
        text = "0"
    if signed and not text.startswith("-"):
        text = ("+" if value > 0 and text != "0" else "±") + text
    return text


def code(text: str) -> str:
    """`text` as an inline code span, whatever backticks it holds."""
    longest = max((len(run) for run in re.findall(r"`+", text)), default=0)
    fence = "`" * (longest + 1)
    padded = f" {text} " if text.startswith("`") or text.endswith("`") else text
    return f"{fence}{padded}{fence}"


def escape(text: str) -> str:
    """Plain text that markdown shows as it is: no formatting, HTML or @mention."""
    text = text.replace("&", "&amp;").replace("\n", " ")
    return _ESCAPED.sub(r"\\\1", text).replace("@", "&#64;")


def _capped(
    items: list[str], cap: int | None, more: str = "- ... and {more} more (see the full plan)"
) -> list[str]:
    if cap is None or len(items) <= cap:
        return items
    return [*items[:cap], more.format(more=f"{len(items) - cap:,}")]


def _when(iso: str) -> str:
    try:
        return f"{datetime.fromisoformat(iso):%Y-%m-%d %H:%M}"
    except ValueError:
        return escape(iso)
