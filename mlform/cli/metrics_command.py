"""`mlform metrics [ADDRESS] [DIR]`: the metric history of evaluations, apply by apply.

Every applied evaluation adds its metrics to the state's history (`mlform.engine.work`);
this command prints it, one table per evaluation, each value with its change since the
previous apply, or as JSON with `--json`. The history outlives the evaluation itself: a
destroyed evaluation's past stays visible.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # imported when run: building the parser must stay cheap
    from mlform.state.objects import MetricPoint


def add_parser(commands: argparse._SubParsersAction) -> None:
    """Add `metrics` to the subcommands of `mlform`."""
    from mlform.cli.arguments import _directory, _state_options

    metrics = commands.add_parser(
        "metrics", help="show the metric history of evaluations, with the change per apply"
    )
    metrics.add_argument(
        "address", nargs="?", metavar="ADDRESS", help="one evaluation, e.g. evaluation.churn"
    )
    _directory(metrics)
    _state_options(metrics)
    metrics.add_argument("--json", action="store_true", help="print the history as JSON")
    metrics.add_argument(
        "--slices", action="store_true", help="show the per-slice values too (slice_by)"
    )
    metrics.add_argument("--no-color", action="store_true", help="never colour the output")


@dataclass
class Apply:
    """The values one apply of one evaluation recorded."""

    recorded: datetime
    evaluation_id: str | None
    values: dict[tuple[str | None, str], float] = field(default_factory=dict)


def run(args: argparse.Namespace) -> int:
    from mlform.addresses import Address
    from mlform.cli.commands import _directory as configuration_directory
    from mlform.engine.workspace import StateOptions, open_workspace

    if args.address is not None and args.directory == "." and os.path.isdir(args.address):
        args.address, args.directory = None, args.address  # `mlform metrics DIR`
    address = Address.parse(args.address) if args.address is not None else None
    directory = configuration_directory(args)
    options = StateOptions(args.state, args.workspace, dict(os.environ))
    with open_workspace(directory, options) as workspace:
        points = workspace.store.metric_history(workspace.key, address)
        key = workspace.key
    history = applies(points)
    if args.json:
        sys.stdout.write(json.dumps(as_json(history), indent=2) + "\n")
        return 0
    if not history:
        what = str(address) if address is not None else "any evaluation"
        sys.stderr.write(
            f"No metrics recorded for {what} in workspace {key}: they are recorded by each "
            "mlform apply of an evaluation.\n"
        )
        return 0
    from mlform.views.terminal import Terminal

    out = Terminal(color=False if args.no_color else None)
    for number, (name, series) in enumerate(sorted(history.items())):
        if number:
            out.print("")
        for text, style in table_lines(name, series, slices=args.slices):
            out.print(text, style)
    return 0


def applies(points: Sequence[MetricPoint]) -> dict[str, list[Apply]]:
    """The points grouped by evaluation address, then by apply (oldest first)."""
    history: dict[str, list[Apply]] = {}
    for point in points:
        series = history.setdefault(str(point.address), [])
        if not series or series[-1].recorded != point.recorded:
            series.append(Apply(point.recorded, point.evaluation_id))
        series[-1].values[(point.slice, point.name)] = point.value
    return history


def table_lines(name: str, series: list[Apply], *, slices: bool) -> list[tuple[str, str | None]]:
    """One evaluation's history as aligned text: a row per apply, each metric followed by its
    change since the row before."""
    keys = sorted(
        {key for apply in series for key in apply.values if slices or key[0] is None},
        key=lambda key: (key[0] or "", key[1]),
    )
    headers = ["applied", "id"] + [_key_name(key) for key in keys]
    rows = []
    previous: Apply | None = None
    for apply in series:
        row = [apply.recorded.strftime("%Y-%m-%d %H:%M:%S"), (apply.evaluation_id or "")[:12]]
        for key in keys:
            value = apply.values.get(key)
            before = previous.values.get(key) if previous is not None else None
            row.append(_cell(value, before))
        rows.append(row)
        previous = apply
    widths = [max(len(r[i]) for r in [headers, *rows]) for i in range(len(headers))]
    lines: list[tuple[str, str | None]] = [(name, "bold")]
    lines.append(
        ("  " + "  ".join(h.ljust(w) for h, w in zip(headers, widths, strict=True)).rstrip(), "dim")
    )
    lines += [
        ("  " + "  ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)).rstrip(), None)
        for row in rows
    ]
    return lines


def _key_name(key: tuple[str | None, str]) -> str:
    slice_name, metric = key
    return metric if slice_name is None else f"{metric}[{slice_name}]"


def _cell(value: float | None, before: float | None) -> str:
    if value is None:
        return "-"
    text = f"{value:.4f}"
    if before is None or value != value or before != before:  # first apply, or NaN
        return text
    return f"{text} ({value - before:+.4f})"


def as_json(history: dict[str, list[Apply]]) -> dict[str, list[dict[str, object]]]:
    document: dict[str, list[dict[str, object]]] = {}
    for name, series in sorted(history.items()):
        entries: list[dict[str, object]] = []
        for apply in series:
            metrics = {m: v for (s, m), v in apply.values.items() if s is None}
            sliced: dict[str, dict[str, float]] = {}
            for (s, m), v in apply.values.items():
                if s is not None:
                    sliced.setdefault(s, {})[m] = v
            entries.append(
                {
                    "recorded": apply.recorded.isoformat(),
                    "evaluation_id": apply.evaluation_id,
                    "metrics": metrics,
                    "slices": sliced,
                }
            )
        document[name] = entries
    return document
