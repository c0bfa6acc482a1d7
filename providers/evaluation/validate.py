"""Checks of an evaluation's configuration: metric names, custom metrics, slices and
thresholds. What needs the model (its task, its split's parts) is checked at plan and apply."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from mlform.sdk import (
    ProviderDiagnostic,
    blocks_of,
    did_you_mean,
    is_known,
    number_of,
    quoted_choices,
    value_of,
)
from providers.common import PART_NAMES, check_code_reference
from providers.evaluation.schema import (
    BOUNDS,
    BUILTIN_METRICS,
    CLASSIFICATION_METRICS,
    NON_SCALAR_METRICS,
    PLOTS,
    REGRESSION_METRICS,
)

Config = Mapping[str, Any]


def validate_evaluation(config: Config) -> list[ProviderDiagnostic]:
    custom = custom_metric_names(config)
    return [
        *check_part(config),
        *check_custom_metrics(config),
        *check_metrics(config, custom),
        *check_plots(config),
        *check_slices(config),
        *check_thresholds(config, custom),
    ]


def custom_metric_names(config: Config) -> list[str]:
    return [block.labels[0] for block in blocks_of(config, "metric") if block.labels]


def check_part(config: Config) -> list[ProviderDiagnostic]:
    part = value_of(config, "part")
    if not isinstance(part, str) or part in PART_NAMES:
        return []
    return [
        ProviderDiagnostic.error(
            f'unknown part "{part}"{did_you_mean(part, PART_NAMES, otherwise=".")} '
            f"A split's parts are {quoted_choices(PART_NAMES)}.",
            ("part",),
        )
    ]


def check_custom_metrics(config: Config) -> list[ProviderDiagnostic]:
    found = []
    seen: set[str] = set()
    for index, block in enumerate(blocks_of(config, "metric")):
        path = ("metric", index)
        name = block.labels[0] if block.labels else ""
        if name in BUILTIN_METRICS:
            found.append(
                ProviderDiagnostic.error(
                    f'"{name}" is a built-in metric; give the custom metric another name, or '
                    "remove the block and list it in metrics",
                    path,
                )
            )
        elif name in seen:
            found.append(
                ProviderDiagnostic.error(f'metric "{name}" is declared twice; remove one', path)
            )
        seen.add(name)
        found += check_code_reference(value_of(block.config, "function"), (*path, "function"))
    return found


def check_metrics(config: Config, custom: list[str]) -> list[ProviderDiagnostic]:
    metrics = value_of(config, "metrics")
    if not isinstance(metrics, list):
        return []
    found = []
    choices = [*BUILTIN_METRICS, *custom]
    seen: set[str] = set()
    for index, name in enumerate(metrics):
        if not isinstance(name, str):
            continue
        if name not in choices:
            found.append(
                ProviderDiagnostic.error(
                    f'unknown metric "{name}"{did_you_mean(name, choices, otherwise=".")} '
                    f"Use a built-in metric ({', '.join(BUILTIN_METRICS)}) or declare it "
                    f'with a metric "{name}" block.',
                    ("metrics", index),
                )
            )
        elif name in seen:
            found.append(
                ProviderDiagnostic.error(
                    f'metric "{name}" is listed twice; remove one', ("metrics", index)
                )
            )
        seen.add(name)
    classification = [m for m in metrics if m in CLASSIFICATION_METRICS]
    regression = [m for m in metrics if m in REGRESSION_METRICS]
    if classification and regression:
        found.append(
            ProviderDiagnostic.error(
                f"metrics mix classification ({', '.join(classification)}) and regression "
                f"({', '.join(regression)}) metrics; a model does one or the other: keep the "
                "ones that suit its label",
                ("metrics",),
            )
        )
    return found


def check_plots(config: Config) -> list[ProviderDiagnostic]:
    plots = value_of(config, "plots")
    if not isinstance(plots, list):
        return []
    return [
        ProviderDiagnostic.error(
            f'unknown plot "{name}"{did_you_mean(name, PLOTS, otherwise=".")} '
            f"Use {quoted_choices(PLOTS)}.",
            ("plots", index),
        )
        for index, name in enumerate(plots)
        if isinstance(name, str) and name not in PLOTS
    ]


def check_thresholds(config: Config, custom: list[str]) -> list[ProviderDiagnostic]:
    metrics = value_of(config, "metrics")
    if metrics is None:
        computed: set[str] | None = {*BUILTIN_METRICS, *custom}  # the defaults suit the label
    elif isinstance(metrics, list) and is_known(metrics):
        computed = {*(m for m in metrics if isinstance(m, str)), *custom}
    else:
        computed = None
    found = []
    for index, block in enumerate(blocks_of(config, "threshold")):
        path = ("threshold", index)
        metric = value_of(block.config, "metric")
        if isinstance(metric, str) and metric in NON_SCALAR_METRICS:
            found.append(
                ProviderDiagnostic.error(
                    f'"{metric}" is not a single number and cannot have a threshold; '
                    "use a metric such as accuracy, precision or recall",
                    (*path, "metric"),
                )
            )
        elif isinstance(metric, str) and computed is not None and metric not in computed:
            found.append(
                ProviderDiagnostic.error(
                    f'threshold on "{metric}", which this evaluation does not compute'
                    f"{did_you_mean(metric, sorted(computed), otherwise='.')} "
                    f"Add it to metrics, or declare it with a metric block.",
                    (*path, "metric"),
                )
            )
        if all(value_of(block.config, bound) is None for bound in BOUNDS):
            found.append(
                ProviderDiagnostic.error(
                    "threshold needs min, max or both, or a change since the last applied "
                    "evaluation (min_delta, max_delta)",
                    path,
                )
            )
        for lower, upper, what in (("min", "max", "value"), ("min_delta", "max_delta", "change")):
            low, high = value_of(block.config, lower), value_of(block.config, upper)
            if number_of(low) is not None and number_of(high) is not None and low > high:
                found.append(
                    ProviderDiagnostic.error(
                        f"threshold {lower} ({low}) is greater than its {upper} ({high}); no "
                        f"{what} can pass",
                        (*path, lower),
                    )
                )
    return found


def check_slices(config: Config) -> list[ProviderDiagnostic]:
    columns = value_of(config, "slice_by")
    if not isinstance(columns, list):
        return []
    found = []
    seen: set[str] = set()
    for index, column in enumerate(columns):
        if not isinstance(column, str):
            continue
        if not column.strip():
            found.append(
                ProviderDiagnostic.error(
                    "slice_by holds an empty column name; name a column of the evaluated part",
                    ("slice_by", index),
                )
            )
        elif column in seen:
            found.append(
                ProviderDiagnostic.error(
                    f'column "{column}" is listed twice in slice_by; remove one',
                    ("slice_by", index),
                )
            )
        seen.add(column)
    return found
