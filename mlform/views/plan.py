"""A plan as text, in Terraform's words and layout, plus what only mlform can say.

The text is built as (line, style) pairs, so a plain rendering and a coloured one have the
same words: `render_plan` gives the plain text, `print_plan` writes through a `Terminal`,
which colours only on a terminal.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from mlform.addresses import Address
from mlform.language.values import UNKNOWN, Sensitive, contains_unknown, render, unmark
from mlform.plans.action import Action, ActionReason
from mlform.plans.changes import CacheHit, DriftNote, OutputChange, Plan, ResourceChange
from mlform.sdk.schema import AttributePath
from mlform.views.terminal import Terminal

Line = tuple[str, str | None]

_STYLES = {
    Action.CREATE: "green",
    Action.UPDATE: "yellow",
    Action.DELETE: "red",
    Action.DELETE_THEN_CREATE: "red",
    Action.CREATE_THEN_DELETE: "green",
}

_LEGEND = (
    (Action.CREATE, "  + create"),
    (Action.DELETE, "  - destroy"),
    (Action.UPDATE, "  ~ update in place"),
    (Action.DELETE_THEN_CREATE, "-/+ destroy and then create replacement"),
    (Action.CREATE_THEN_DELETE, "+/- create replacement and then destroy"),
)

_RULE = "─" * 77


def render_plan(plan: Plan) -> str:
    return "".join(text + "\n" for text, _ in plan_lines(plan))


def print_plan(plan: Plan, terminal: Terminal) -> None:
    for text, style in plan_lines(plan):
        terminal.print(text, style)


def plan_lines(plan: Plan) -> list[Line]:
    lines: list[Line] = []
    if plan.drift:
        lines += _drift_lines(plan.drift)
    changes = sorted(plan.resource_changes, key=lambda c: c.address.sort_key)
    outputs = [o for o in plan.outputs.values() if o.action is not Action.NO_OP]
    if not changes and not outputs:
        lines += [
            ("No changes. Your ML state matches the configuration.", "bold green"),
            ("", None),
            (
                "mlform has compared your ML state against your configuration and found no "
                "differences, so no changes are needed.",
                None,
            ),
        ]
        return lines + _warning_lines(plan.warnings)
    if changes:
        used = {c.action for c in changes}
        lines.append(("Resource actions are indicated with the following symbols:", None))
        lines += [(text, _STYLES[action]) for action, text in _LEGEND if action in used]
        lines += [("", None), ("mlform will perform the following actions:", None)]
        for change in changes:
            lines.append(("", None))
            lines += _change_lines(change)
        lines += [("", None), _summary(plan)]
        lines += _work_lines(changes, plan)
    if outputs:
        if changes:
            lines.append(("", None))
        lines.append(("Changes to Outputs:", None))
        lines += _output_lines(outputs)
        if not changes:
            lines += [
                ("", None),
                (
                    "You can apply this plan to save these new output values to the mlform "
                    "state, without changing any ML resources.",
                    None,
                ),
            ]
    return lines + _warning_lines(plan.warnings)


def _summary(plan: Plan) -> Line:
    return (
        f"Plan: {plan.to_add} to add, {plan.to_change} to change, {plan.to_destroy} to destroy.",
        "bold",
    )


def _work_lines(changes: list[ResourceChange], plan: Plan) -> list[Line]:
    lines: list[Line] = []
    retrain = [str(c.address) for c in changes if c.kind == "model" and c.runs_work]
    restore = [str(c.address) for c in changes if c.restored_from_cache is not None]
    if retrain:
        lines.append((f"Retrain: {', '.join(retrain)}", None))
    if restore:
        lines.append((f"Restore from cache: {', '.join(restore)}", None))
    seconds = plan.expected_seconds()
    if seconds is not None:
        lines.append(
            (f"Expected apply time: about {format_duration(seconds)} (from recorded history)", None)
        )
    return lines


def format_duration(seconds: float) -> str:
    """`41 s`, `2 min`, `1 h 5 min`: rounded the way a person estimates."""
    if seconds < 90:
        return f"{max(1, round(seconds))} s"
    minutes = round(seconds / 60)
    if minutes < 60:
        return f"{minutes} min"
    hours, minutes = divmod(minutes, 60)
    return f"{hours} h {minutes} min" if minutes else f"{hours} h"


def _change_lines(change: ResourceChange) -> list[Line]:
    address = change.address
    lines: list[Line] = [(f"  # {address} {_headline(change)}", "bold")]
    because = _because(change)
    if because:
        lines.append((f"  # (because {because})", None))
    if change.restored_from_cache is not None:
        lines.append((f"  # {_cache_note(change.restored_from_cache)}", None))
    lines += _block_lines(
        address,
        change.action,
        change.before,
        change.after,
        change.replace_paths,
        change.sensitive_paths,
    )
    return lines


def _headline(change: ResourceChange) -> str:
    if change.action is Action.CREATE:
        return "will be created"
    if change.action is Action.UPDATE:
        return "will be updated in place"
    if change.action is Action.DELETE:
        return "will be destroyed"
    if change.reason is ActionReason.REPLACE_BECAUSE_TAINTED:
        return "is tainted, so must be replaced"
    if change.reason is ActionReason.REPLACE_BY_REQUEST:
        return "will be replaced, as requested"
    if change.reason is ActionReason.REPLACE_BY_TRIGGERS:
        return "will be replaced due to changes in replace_triggered_by"
    return "must be replaced"


def _because(change: ResourceChange) -> str | None:
    reason, address = change.reason, change.address
    if reason is ActionReason.DELETE_BECAUSE_NO_RESOURCE_CONFIG:
        return f"{address} is not in configuration"
    if reason is ActionReason.DELETE_BECAUSE_EACH_KEY:
        return f"key [{render(address.key)}] is not in for_each map"
    if reason is ActionReason.DELETE_BECAUSE_COUNT_INDEX:
        return f"index [{address.key}] is out of range for count"
    if reason is ActionReason.REPLACE_BECAUSE_UPSTREAM:
        upstream = ", ".join(str(a) for a in change.replaced_upstream)
        return "an upstream resource will be replaced" + (f": {upstream}" if upstream else "")
    if reason is ActionReason.DRIFT:
        return change.drift or "it changed outside mlform"
    return None


def _cache_note(hit: CacheHit) -> str:
    note = f"will be restored from cache: built {hit.built:%Y-%m-%d %H:%M}"
    if hit.seconds is not None:
        note += f", {format_duration(hit.seconds)} saved"
    return note


def _drift_lines(drift: tuple[DriftNote, ...]) -> list[Line]:
    lines: list[Line] = [
        ("Note: Objects have changed outside of mlform", "bold"),
        ("", None),
        (
            "mlform detected the following changes made outside of mlform since the last "
            '"mlform apply" which may have affected this plan:',
            None,
        ),
    ]
    for note in sorted(drift, key=lambda n: n.address.sort_key):
        deleted = note.after is None
        lines.append(("", None))
        lines.append(
            (f"  # {note.address} {'has been deleted' if deleted else 'has changed'}", "bold")
        )
        action = Action.DELETE if deleted else Action.UPDATE
        lines += _block_lines(
            note.address, action, note.before, note.after, (), note.sensitive_paths
        )
    lines += [
        ("", None),
        (
            "Unless you have made equivalent changes to your configuration, the following plan "
            "may include actions to undo or respond to these changes.",
            None,
        ),
        ("", None),
        (_RULE, None),
        ("", None),
    ]
    return lines


def _block_lines(
    address: Address,
    action: Action,
    before: Mapping[str, Any] | None,
    after: Mapping[str, Any] | None,
    replace_paths: tuple[AttributePath, ...],
    sensitive_paths: tuple[AttributePath, ...],
) -> list[Line]:
    style = _STYLES[action]
    lines: list[Line] = [(f"{action.symbol:>3} {address.kind} {render(address.name)} {{", style)]
    rows: list[tuple[str, str, str, str | None]] = []  # symbol, name, text, style
    hidden = 0
    forcing = {path[0] for path in replace_paths if path}
    secret = {path[0] for path in sensitive_paths if path}
    for name in sorted({*(before or {}), *(after or {})}):
        new = None if after is None else after.get(name)
        old = None if before is None else _marked_like(before.get(name), new)
        hide = name in secret
        if old is None and new is None:
            continue
        if old is None:
            symbol, text, line_style = "+", _shown(new, hide), "green"
        elif new is None:
            symbol, text, line_style = "-", f"{_shown(old, hide)} -> null", "red"
        elif not contains_unknown(new) and unmark(old)[0] == unmark(new)[0]:
            if name != "id":
                hidden += 1
                continue
            symbol, text, line_style = " ", _shown(new, hide), None
        else:
            symbol, line_style = "~", "yellow"
            old_sensitive = hide or isinstance(old, Sensitive)
            new_sensitive = hide or isinstance(new, Sensitive)
            if old_sensitive and new_sensitive and new is not UNKNOWN:
                text = "(sensitive value)"
            else:
                text = f"{_shown(old, hide)} -> {_shown(new, hide)}"
        if symbol != " " and name in forcing and action.is_replace:
            text += " # forces replacement"
        rows.append((symbol, name, text, line_style))
    width = max((len(name) for _, name, _, _ in rows), default=0)
    for symbol, name, text, line_style in rows:
        lines.append((f"      {symbol} {name.ljust(width)} = {text}", line_style))
    if hidden:
        plural = "attribute" if hidden == 1 else "attributes"
        lines.append((f"        # ({hidden} unchanged {plural} hidden)", None))
    lines.append(("    }", style))
    return lines


def _marked_like(old: Any, new: Any) -> Any:
    """`old` with the sensitive marks of `new`, path by path. The state records values
    without marks, so a value the configuration marks sensitive now was recorded plain; its
    recorded value must not show beside the hidden one (`"token OLD" -> (sensitive value)`)."""
    if isinstance(new, Sensitive):
        return old if isinstance(old, Sensitive) or old is None else Sensitive(old)
    if isinstance(old, Mapping) and isinstance(new, Mapping):
        return {key: _marked_like(value, new.get(key)) for key, value in old.items()}
    if isinstance(old, list) and isinstance(new, list):
        return [
            _marked_like(value, new[index] if index < len(new) else None)
            for index, value in enumerate(old)
        ]
    return old


def _shown(value: Any, sensitive: bool) -> str:
    """A value as plans print it; a sensitive one never shows."""
    return "(sensitive value)" if sensitive or isinstance(value, Sensitive) else render(value)


def _output_lines(outputs: list[OutputChange]) -> list[Line]:
    width = max(len(o.name) for o in outputs)
    lines: list[Line] = []
    for output in sorted(outputs, key=lambda o: o.name):
        hide = output.sensitive
        name = output.name.ljust(width)
        if output.action is Action.CREATE:
            lines.append((f"  + {name} = {_shown(output.after, hide)}", "green"))
        elif output.action is Action.DELETE:
            lines.append((f"  - {name} = {_shown(output.before, hide)} -> null", "red"))
        elif hide:
            lines.append((f"  ~ {name} = (sensitive value)", "yellow"))
        else:
            lines.append(
                (
                    f"  ~ {name} = {_shown(output.before, hide)} -> {_shown(output.after, hide)}",
                    "yellow",
                )
            )
    return lines


def _warning_lines(warnings: tuple[str, ...]) -> list[Line]:
    lines: list[Line] = []
    for warning in warnings:
        lines += [("", None), (f"Warning: {warning}", "bold yellow")]
    return lines
