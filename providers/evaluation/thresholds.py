"""The gate: each threshold checked against the metrics, and against the baseline.

`min` and `max` bound a metric's value. `min_delta` and `max_delta` bound its change since
the baseline: the metrics of the evaluation of the same address this one replaces, or, when
that one failed its gate, the baseline it was compared with (like a TFX blessing, which
compares with the last blessed model): `min_delta = 0` means "no worse than before" for a metric
where higher is better, `max_delta = 0` the same where lower is better. Without a baseline
(a first evaluation, or one whose baseline lacks the metric) a change bound passes, and the
result says so. A metric that is undefined (None) fails every bound on it.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from mlform.sdk import ProviderDiagnostic
from providers.evaluation.settings import Threshold


@dataclass(frozen=True)
class Verdict:
    """A threshold's outcome: the value, the baseline (None when there is none), the bounds
    it failed in words, and a note for the report ("no baseline: min_delta passes")."""

    threshold: Threshold
    value: float | None
    baseline: float | None
    failures: tuple[str, ...] = ()
    note: str = ""

    @property
    def passed(self) -> bool:
        return not self.failures


def judge(
    thresholds: Sequence[Threshold],
    metrics: Mapping[str, Any],
    baseline: Mapping[str, Any] | None,
) -> list[Verdict]:
    return [_judge(t, metrics.get(t.metric), baseline) for t in thresholds]


def _judge(threshold: Threshold, value: Any, baseline: Mapping[str, Any] | None) -> Verdict:
    name = threshold.metric
    before = _number((baseline or {}).get(name))
    if not isinstance(value, int | float) or isinstance(value, bool):
        bounds = ", ".join(_bounds(threshold))
        failure = f"{name} is undefined on the evaluated rows, so {bounds} cannot be met"
        return Verdict(threshold, None, before, (failure,))
    failures = []
    if threshold.min is not None and value < threshold.min:
        failures.append(f"{name} {show(value)} < min {show(threshold.min)}")
    if threshold.max is not None and value > threshold.max:
        failures.append(f"{name} {show(value)} > max {show(threshold.max)}")
    note = ""
    if threshold.needs_baseline:
        if before is None:
            note = (
                "no baseline (no earlier evaluation of this address passed its gate with this "
                "metric): "
                f"{' and '.join(b for b in _bounds(threshold) if 'delta' in b)} passes"
            )
        else:
            delta = value - before
            change = f"{name} {show(value)} - baseline {show(before)} = {show(delta, sign=True)}"
            if threshold.min_delta is not None and delta < threshold.min_delta:
                failures.append(f"{change} < min_delta {show(threshold.min_delta, sign=True)}")
            if threshold.max_delta is not None and delta > threshold.max_delta:
                failures.append(f"{change} > max_delta {show(threshold.max_delta, sign=True)}")
    return Verdict(threshold, float(value), before, tuple(failures), note)


def gate_errors(verdicts: Sequence[Verdict], part: str) -> list[ProviderDiagnostic]:
    """One error per failed threshold, at its block, naming the metric, value and bound."""
    return [
        ProviderDiagnostic.error(
            f'threshold not met on part "{part}": {"; ".join(verdict.failures)}. The '
            "evaluation is recorded with passed = false, and nothing that depends on it is "
            "applied; improve the model, or change the threshold if it is wrong.",
            verdict.threshold.path,
        )
        for verdict in verdicts
        if not verdict.passed
    ]


def show(value: float, sign: bool = False) -> str:
    """A number as the gate's messages print it: four significant digits."""
    text = f"{value:+.4g}" if sign else f"{value:.4g}"
    return text


def _bounds(threshold: Threshold) -> list[str]:
    found = []
    for bound in ("min", "max", "min_delta", "max_delta"):
        value = getattr(threshold, bound)
        if value is not None:
            found.append(f"{bound} {show(value, sign='delta' in bound)}")
    return found


def _number(value: Any) -> float | None:
    if isinstance(value, int | float) and not isinstance(value, bool):
        return float(value)
    return None
