"""An evaluation's configuration as the work reads it: typed, with its attribute paths.

Validation has already checked names and shapes; what is left here is turning the inputs
into values, and keeping each setting's path so that a problem found during the work (a
custom metric that raises, a threshold that fails) points at the line that asked for it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from mlform.sdk import AttributePath, blocks_of, number_of, value_of
from providers.common import CODE_REFERENCE
from providers.evaluation.schema import BOUNDS


@dataclass(frozen=True)
class CustomMetric:
    """`metric "lift" { function = "metrics.py:top_decile_lift" }`, the block at `index`."""

    name: str
    reference: str
    index: int

    @property
    def file(self) -> str:
        return self.reference.rpartition(":")[0]

    @property
    def function(self) -> str:
        return self.reference.rpartition(":")[2]

    @property
    def path(self) -> AttributePath:
        return ("metric", self.index, "function")


@dataclass(frozen=True)
class Threshold:
    """One `threshold` block: a metric and its bounds (None where unset)."""

    index: int
    metric: str
    min: float | None = None
    max: float | None = None
    min_delta: float | None = None
    max_delta: float | None = None

    @property
    def path(self) -> AttributePath:
        return ("threshold", self.index)

    @property
    def needs_baseline(self) -> bool:
        return self.min_delta is not None or self.max_delta is not None


@dataclass(frozen=True)
class EvaluationSettings:
    model: str
    part: str | None
    metrics: tuple[str, ...] | None
    """The built-in metrics listed (custom ones included when listed); None: the defaults."""
    slice_by: tuple[str, ...]
    plots: tuple[str, ...] | None
    """The plots asked for; None: every plot that suits the model."""
    custom: tuple[CustomMetric, ...]
    thresholds: tuple[Threshold, ...]

    @property
    def needs_baseline(self) -> bool:
        return any(threshold.needs_baseline for threshold in self.thresholds)

    @property
    def code_files(self) -> tuple[str, ...]:
        """The files of custom metric code, each once, in the order first named."""
        return tuple(dict.fromkeys(metric.file for metric in self.custom))


def settings_from(config: Mapping[str, Any]) -> EvaluationSettings:
    """The settings of validated, fully known inputs."""
    metrics = value_of(config, "metrics")
    plots = value_of(config, "plots")
    return EvaluationSettings(
        model=str(value_of(config, "model")),
        part=value_of(config, "part"),
        metrics=tuple(metrics) if isinstance(metrics, list) else None,
        slice_by=tuple(value_of(config, "slice_by") or ()),
        plots=tuple(plots) if isinstance(plots, list) else None,
        custom=tuple(
            CustomMetric(block.labels[0], str(value_of(block.config, "function")), index)
            for index, block in enumerate(blocks_of(config, "metric"))
            if block.labels and CODE_REFERENCE.match(str(value_of(block.config, "function")))
        ),
        thresholds=tuple(
            Threshold(
                index,
                str(value_of(block.config, "metric")),
                **{bound: _number(value_of(block.config, bound)) for bound in BOUNDS},
            )
            for index, block in enumerate(blocks_of(config, "threshold"))
        ),
    )


def _number(value: Any) -> float | None:
    number = number_of(value)
    return None if number is None else float(number)
