"""An evaluation's work: score the part, compute the metrics overall and per slice, judge the
thresholds, and write the predictions, plots and report.

The id is the digest of the canonical content the evaluation produced: its metrics, slices,
the content of its predictions (not the Parquet file's bytes) and the gate's outcome. Plots
and the report are left out of it; they are deterministic anyway (see `plots.py`).
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import blake3

from mlform.sdk import ApplyRequest, ProviderDiagnostic
from providers.evaluation import plots as plotting
from providers.evaluation.code import code_files, code_version, load_functions
from providers.evaluation.predictions import ARTIFACT as PREDICTIONS
from providers.evaluation.predictions import predictions_table, write_predictions
from providers.evaluation.report import ARTIFACT as REPORT
from providers.evaluation.report import FILE as REPORT_FILE
from providers.evaluation.report import ReportContent, write_report
from providers.evaluation.schema import BUILTIN_METRICS
from providers.evaluation.scoring import (
    MetricValue,
    Scored,
    compute,
    default_metrics,
    mismatch_problem,
    task_mismatch,
)
from providers.evaluation.settings import EvaluationSettings
from providers.evaluation.slices import check_columns, compute_slices, many_values
from providers.evaluation.thresholds import gate_errors, judge
from providers.evaluation.upstream import (
    choose_part,
    labelled_rows,
    read_card,
    read_part,
    require_upstream,
    score_part,
)
from providers.model.training import Task
from providers.problems import Problem

if TYPE_CHECKING:
    pass

PLOT_PREFIX = "plot."


@dataclass(frozen=True)
class Evaluated:
    """The outputs, the files to store (artifact name -> path), the warnings, and the
    errors of a failed gate (the result is complete and recorded all the same)."""

    outputs: dict[str, Any]
    files: dict[str, Path]
    warnings: list[ProviderDiagnostic] = field(default_factory=list)
    gate_errors: list[ProviderDiagnostic] = field(default_factory=list)


def evaluate(settings: EvaluationSettings, request: ApplyRequest) -> Evaluated:
    upstream = require_upstream(settings.model, request.upstream)
    part, warnings = choose_part(settings.part, upstream)
    card, model_path = read_card(upstream, request.artifacts)
    builtin = builtin_metrics(settings, card.task)
    check_thresholds(settings, builtin)
    plot_names, plot_warnings = choose_plots(settings.plots, card.task, upstream.model)
    warnings += plot_warnings
    files = code_files(settings, request.config_dir)
    functions = load_functions(settings, request.config_dir)

    frame = read_part(upstream, part, request.artifacts)
    check_columns(settings.slice_by, frame)
    frame, rows, dropped = labelled_rows(frame, card, part)
    if dropped:
        warnings.append(
            ProviderDiagnostic.warning(
                f'{dropped} rows of part "{part}" have no value of the label "{card.label}" '
                "and were left out of the evaluation",
                ("part",),
            )
        )
    if not len(rows):
        raise Problem.at(("part",), f'part "{part}" has no labelled rows to evaluate')
    request.progress(f'scoring {len(rows)} rows of part "{part}"')
    scored = score_part(frame, card, model_path, part, request.config_dir)
    warnings += _many_values(scored, settings)

    metrics = _ordered(compute(scored, builtin, functions), settings)
    slices = compute_slices(scored, settings.slice_by, builtin, functions)
    baseline = _baseline(request.replaced_outputs)
    verdicts = judge(settings.thresholds, metrics, baseline)
    failed = [failure for verdict in verdicts for failure in verdict.failures]

    request.workdir.mkdir(parents=True, exist_ok=True)
    predictions_path = request.workdir / "predictions.parquet"
    predictions_content = write_predictions(predictions_table(scored, rows), predictions_path)
    predictions = _file_digest(predictions_path)
    slice_values = {item.name: item.metrics for item in slices}

    request.progress("drawing plots")
    drawn = plotting.draw(
        plot_names, plotting.PlotContext(scored, part, upstream.model), request.workdir / "plots"
    )
    report_path = request.workdir / REPORT
    content = ReportContent(
        address=request.address,
        model_id=settings.model,
        part=part,
        rows=scored.rows,
        task=card.task.value,
        classes=card.classes,
        metrics=metrics,
        baseline=baseline,
        slices=slices,
        verdicts=verdicts,
        custom={m.name: m.reference for m in settings.custom},
        plots=drawn,
        predictions=predictions,
        notes=[v.note for v in verdicts if v.note],
    )
    write_report(content, report_path)
    report = request.artifacts.unpacked(request.artifacts.put(report_path)) / REPORT_FILE
    outputs: dict[str, Any] = {
        "id": content_id(metrics, slice_values, predictions_content, failed),
        "metrics": metrics,
        "slices": slice_values,
        "passed": not failed,
        "failed_thresholds": failed,
        "baseline": dict(baseline) if baseline is not None else None,
        "report": str(report),
        "plots": {name: _file_digest(path) for name, path in drawn.items()},
        "predictions": predictions,
        "code_version": code_version(settings, files),
        "code_files": files or None,
    }
    stored = {
        PREDICTIONS: predictions_path,
        REPORT: report_path,
        **{f"{PLOT_PREFIX}{name}": path for name, path in drawn.items()},
    }
    return Evaluated(outputs, stored, warnings, gate_errors(verdicts, part))


def _many_values(scored: Scored, settings: EvaluationSettings) -> list[ProviderDiagnostic]:
    return [
        ProviderDiagnostic.warning(
            f'slice_by column "{column}" has {count} values, one slice each; is it an '
            "identifier? Slice by a column with a few values",
            ("slice_by", index),
        )
        for index, column, count in many_values(scored, settings.slice_by)
    ]


def builtin_metrics(settings: EvaluationSettings, task: Task) -> tuple[str, ...]:
    """The built-in metrics to compute: those listed, else those that suit the task."""
    if settings.metrics is None:
        return default_metrics(task)
    wrong = task_mismatch(settings.metrics, task)
    if wrong:
        raise mismatch_problem(wrong, task, ("metrics",))
    return tuple(name for name in settings.metrics if name in BUILTIN_METRICS)


def check_thresholds(settings: EvaluationSettings, builtin: Sequence[str]) -> None:
    """A threshold on a metric the evaluation does not compute: with the default metrics,
    validate cannot know which those are (the task is the model's)."""
    computed = {*builtin, *(metric.name for metric in settings.custom)}
    problems = [
        ProviderDiagnostic.error(
            f'threshold on "{threshold.metric}", which this evaluation does not compute for '
            f"this model; its metrics are {', '.join(sorted(computed))}",
            (*threshold.path, "metric"),
        )
        for threshold in settings.thresholds
        if threshold.metric not in computed
    ]
    if problems:
        raise Problem(problems)


def choose_plots(
    asked: Sequence[str] | None, task: Task, model: Mapping[str, Any]
) -> tuple[list[str], list[ProviderDiagnostic]]:
    """The plots to draw: those asked for, else every one that suits the model. A plot for
    the other task is an error; one the model records nothing for, a warning."""
    suited = plotting.suited(task)
    if asked is None:
        return [name for name in suited if plotting.available(name, model)], []
    wrong = [name for name in asked if name not in suited]
    if wrong:
        kind = "a classifier" if task.is_classification else "a regression model"
        raise Problem.at(
            ("plots",),
            f"{', '.join(wrong)} {'does' if len(wrong) == 1 else 'do'} not apply to {kind}; "
            f"its plots are {', '.join(suited)}",
        )
    warnings = [
        ProviderDiagnostic.warning(
            f"the model records no {'feature importance' if name == 'feature_importance' else 'training history'}, "
            f"so there is no {name} plot",
            ("plots", index),
        )
        for index, name in enumerate(asked)
        if not plotting.available(name, model)
    ]
    return [name for name in asked if plotting.available(name, model)], warnings


def content_id(
    metrics: Mapping[str, MetricValue],
    slices: Mapping[str, Mapping[str, MetricValue]],
    predictions: str,
    failed: Sequence[str],
) -> str:
    document = {
        "content": "mlform.evaluation.v1",
        "metrics": metrics,
        "slices": slices,
        "predictions": predictions,
        "failed_thresholds": list(failed),
    }
    text = json.dumps(document, sort_keys=True, separators=(",", ":"), allow_nan=False)
    return str(blake3.blake3(text.encode()).hexdigest())


def _file_digest(path: Path) -> str:
    """A stored file's digest, as the artifact store names it (blake3 of its bytes)."""
    return str(blake3.blake3(path.read_bytes()).hexdigest())


def _ordered(
    metrics: dict[str, MetricValue], settings: EvaluationSettings
) -> dict[str, MetricValue]:
    """The metrics in the order listed, the custom ones not listed last."""
    listed = [name for name in settings.metrics or () if name in metrics]
    return {name: metrics[name] for name in [*listed, *(n for n in metrics if n not in listed)]}


def _baseline(replaced: Mapping[str, Any] | None) -> Mapping[str, Any] | None:
    """The metrics a change threshold compares with: those of the evaluation this one
    replaces when it passed its gate, else the baseline that one was compared with. So a
    model that failed its gate never becomes the baseline (as a TFX blessing compares with
    the last blessed model), and a run of failures cannot lower the bar step by step."""
    if replaced is None:
        return None
    found = replaced.get("baseline" if replaced.get("passed") is False else "metrics")
    return found if isinstance(found, Mapping) else None
