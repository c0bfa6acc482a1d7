"""The evaluation's plots, drawn with matplotlib's Agg backend into PNG files.

Figures are made with `matplotlib.figure.Figure` directly, never through `pyplot`, whose
global state is not safe in the threads evaluations apply in. PNGs are written without
matplotlib's "Software" text chunk, so the same plot gives the same bytes (Agg's output is
otherwise deterministic for a matplotlib version).

The plots that suit a classifier: roc, precision_recall, confusion_matrix, calibration; a
regression model: residuals; either: feature_importance and training_curves, drawn from the
model's `feature_importance` and `history` outputs when it records them.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from providers.evaluation.schema import CLASSIFICATION_PLOTS, MODEL_PLOTS, REGRESSION_PLOTS
from providers.evaluation.scoring import Scored
from providers.model.training import Task

if TYPE_CHECKING:
    import numpy as np
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

TOP_FEATURES = 20
"""The feature importance plot shows the most important features, at most this many."""
ANNOTATED_CLASSES = 20
"""The confusion matrix prints counts in its cells up to this many classes."""
SCATTER_POINTS = 5000
"""The residuals plot shows at most this many rows."""
DPI = 110


@dataclass(frozen=True)
class PlotContext:
    """What the plots are drawn from: the scored rows, the part's name and the model's
    recorded outputs (feature importance, training history, format)."""

    scored: Scored
    part: str
    model: Mapping[str, Any]


def suited(task: Task) -> tuple[str, ...]:
    """The plots that suit a task, in the order the report shows them."""
    own = CLASSIFICATION_PLOTS if task.is_classification else REGRESSION_PLOTS
    return own + MODEL_PLOTS


def available(name: str, model: Mapping[str, Any]) -> bool:
    """Whether the model records what a plot is drawn from."""
    if name == "feature_importance":
        return bool(model.get("feature_importance"))
    if name == "training_curves":
        history = model.get("history")
        return isinstance(history, Mapping) and any(history.values())
    return True


def draw(names: Sequence[str], context: PlotContext, directory: Path) -> dict[str, Path]:
    """Draw each plot into `directory/<name>.png`; the paths by plot name."""
    directory.mkdir(parents=True, exist_ok=True)
    drawn = {}
    for name in names:
        figure = DRAW[name](context)
        path = directory / f"{name}.png"
        figure.savefig(path, format="png", dpi=DPI, metadata={"Software": None})
        drawn[name] = path
    return drawn


def _figure(width: float = 6.4, height: float = 4.8) -> Figure:
    from matplotlib.figure import Figure

    return Figure(figsize=(width, height), layout="constrained")


def _class_columns(scored: Scored) -> list[tuple[str, np.ndarray, np.ndarray]]:
    """(class name, is that class, its probability) for each curve: the positive class for a
    binary classifier, every class present (one-vs-rest) for a multiclass one."""
    probabilities = scored.predictions.probabilities
    classes = list(scored.classes or ())
    if probabilities is None:
        return []
    if scored.task is Task.BINARY:
        return [(str(classes[1]), scored.y_true == classes[1], probabilities[:, 1])]
    found = []
    for index, value in enumerate(classes):
        truth = scored.y_true == value
        if truth.any() and not truth.all():
            found.append((str(value), truth, probabilities[:, index]))
    return found


def _empty(axes: Axes, text: str) -> None:
    axes.text(0.5, 0.5, text, ha="center", va="center", transform=axes.transAxes, wrap=True)


def _roc(context: PlotContext) -> Figure:
    from sklearn.metrics import roc_auc_score, roc_curve

    figure = _figure()
    axes = figure.add_subplot()
    curves = _class_columns(context.scored)
    for name, truth, score in curves:
        false_positive, true_positive, _ = roc_curve(truth, score)
        auc = roc_auc_score(truth, score)
        label = f"AUC = {auc:.3f}" if len(curves) == 1 else f"{name} (AUC = {auc:.3f})"
        axes.plot(false_positive, true_positive, linewidth=2, label=label)
    axes.plot([0, 1], [0, 1], linestyle="--", color="grey", label="chance (AUC = 0.5)")
    if not curves:
        _empty(axes, "undefined: the part holds a single class")
    kind = "" if context.scored.task is Task.BINARY else ", one-vs-rest"
    axes.set_title(f'ROC curve (part "{context.part}"{kind})')
    axes.set_xlabel("False positive rate")
    axes.set_ylabel("True positive rate")
    axes.set_xlim(0, 1)
    axes.set_ylim(0, 1.02)
    axes.legend(loc="lower right", fontsize="small")
    axes.grid(alpha=0.3)
    return figure


def _precision_recall(context: PlotContext) -> Figure:
    from sklearn.metrics import average_precision_score, precision_recall_curve

    figure = _figure()
    axes = figure.add_subplot()
    curves = _class_columns(context.scored)
    for name, truth, score in curves:
        precision, recall, _ = precision_recall_curve(truth, score, drop_intermediate=True)
        average = average_precision_score(truth, score)
        label = f"AP = {average:.3f}" if len(curves) == 1 else f"{name} (AP = {average:.3f})"
        axes.plot(recall, precision, linewidth=2, drawstyle="steps-post", label=label)
    if len(curves) == 1:
        rate = float(curves[0][1].mean())
        axes.axhline(rate, linestyle="--", color="grey", label=f"chance (positive rate {rate:.3f})")
    if not curves:
        _empty(axes, "undefined: the part holds a single class")
    kind = "" if context.scored.task is Task.BINARY else ", one-vs-rest"
    axes.set_title(f'Precision-recall curve (part "{context.part}"{kind})')
    axes.set_xlabel("Recall")
    axes.set_ylabel("Precision")
    axes.set_xlim(0, 1)
    axes.set_ylim(0, 1.02)
    axes.legend(loc="lower left", fontsize="small")
    axes.grid(alpha=0.3)
    return figure


def _confusion_matrix(context: PlotContext) -> Figure:
    from sklearn.metrics import confusion_matrix

    scored = context.scored
    classes = list(scored.classes or ())
    matrix = confusion_matrix(scored.y_true, scored.predictions.values, labels=classes)
    size = max(4.8, min(12.0, 0.5 * len(classes) + 3))
    figure = _figure(size + 1, size)
    axes = figure.add_subplot()
    image = axes.imshow(matrix, cmap="Blues")
    figure.colorbar(image, ax=axes, label="rows")
    names = [str(c) for c in classes]
    axes.set_xticks(
        range(len(names)),
        names,
        rotation=45 if len(names) > 4 else 0,
        ha="right" if len(names) > 4 else "center",
    )
    axes.set_yticks(range(len(names)), names)
    if len(classes) <= ANNOTATED_CLASSES:
        threshold = matrix.max() / 2 if matrix.size else 0
        for row in range(len(classes)):
            for column in range(len(classes)):
                count = int(matrix[row, column])
                color = "white" if count > threshold else "black"
                axes.text(column, row, str(count), ha="center", va="center", color=color)
    axes.set_title(f'Confusion matrix (part "{context.part}", {scored.rows} rows)')
    axes.set_xlabel("Predicted class")
    axes.set_ylabel("True class")
    return figure


def _calibration(context: PlotContext) -> Figure:
    from sklearn.calibration import calibration_curve

    figure = _figure()
    axes = figure.add_subplot()
    curves = _class_columns(context.scored)
    for name, truth, score in curves:
        observed, predicted = calibration_curve(truth, score, n_bins=10, strategy="uniform")
        label = "model" if len(curves) == 1 else name
        axes.plot(predicted, observed, marker="o", linewidth=2, label=label)
    axes.plot([0, 1], [0, 1], linestyle="--", color="grey", label="perfectly calibrated")
    if not curves:
        _empty(axes, "undefined: the part holds a single class")
    axes.set_title(f'Calibration (part "{context.part}", 10 bins)')
    axes.set_xlabel("Mean predicted probability")
    axes.set_ylabel("Observed frequency")
    axes.set_xlim(0, 1)
    axes.set_ylim(0, 1.02)
    axes.legend(loc="upper left", fontsize="small")
    axes.grid(alpha=0.3)
    return figure


def _residuals(context: PlotContext) -> Figure:
    import numpy as np

    scored = context.scored
    actual = np.asarray(scored.y_true, dtype=float)
    predicted = np.asarray(scored.predictions.values, dtype=float)
    if actual.size > SCATTER_POINTS:  # evenly spaced rows: readable, fast, deterministic
        kept = np.linspace(0, actual.size - 1, SCATTER_POINTS).astype(int)
        actual, predicted = actual[kept], predicted[kept]
    figure = _figure(11, 4.8)
    left, right = figure.subplots(1, 2)
    left.scatter(actual, predicted, s=12, alpha=0.6)
    if actual.size:
        low = float(min(actual.min(), predicted.min()))
        high = float(max(actual.max(), predicted.max()))
        left.plot([low, high], [low, high], linestyle="--", color="grey", label="perfect")
        left.legend(loc="upper left", fontsize="small")
    left.set_title("Predicted against actual")
    left.set_xlabel("Actual value")
    left.set_ylabel("Predicted value")
    left.grid(alpha=0.3)
    right.scatter(predicted, actual - predicted, s=12, alpha=0.6)
    right.axhline(0, linestyle="--", color="grey")
    right.set_title("Residuals")
    right.set_xlabel("Predicted value")
    right.set_ylabel("Actual - predicted")
    right.grid(alpha=0.3)
    shown = (
        f"{scored.rows} rows"
        if scored.rows <= SCATTER_POINTS
        else (f"{SCATTER_POINTS} of {scored.rows} rows")
    )
    figure.suptitle(f'Regression residuals (part "{context.part}", {shown})')
    return figure


def _feature_importance(context: PlotContext) -> Figure:
    importance = {str(k): float(v) for k, v in dict(context.model["feature_importance"]).items()}
    ranked = sorted(importance.items(), key=lambda item: (-item[1], item[0]))[:TOP_FEATURES]
    figure = _figure(7, max(3.0, 0.35 * len(ranked) + 1.5))
    axes = figure.add_subplot()
    names = [name for name, _ in reversed(ranked)]
    axes.barh(names, [value for _, value in reversed(ranked)], color="tab:blue")
    shown = (
        f"top {len(ranked)} of {len(importance)}"
        if len(importance) > len(ranked)
        else (f"{len(importance)} features")
    )
    axes.set_title(f"Feature importance ({shown})")
    axes.set_xlabel("Importance, as the model reports it")
    axes.set_ylabel("Feature")
    axes.grid(axis="x", alpha=0.3)
    return figure


def _training_curves(context: PlotContext) -> Figure:
    from matplotlib.ticker import MaxNLocator

    history = {str(k): list(v) for k, v in dict(context.model["history"]).items() if v}
    by_metric: dict[str, list[tuple[str, list[float]]]] = {}
    for key, values in sorted(history.items()):
        part, _, metric = key.partition("-")
        if not metric:  # "loss", "val_loss": no part prefix
            part, metric = key, key.removeprefix("val_")
        by_metric.setdefault(metric, []).append((part, values))
    step = "epoch" if context.model.get("format") == "keras" else "round"
    count = len(by_metric)
    columns = min(count, 3)
    rows = -(-count // columns)
    figure = _figure(6.4 if count == 1 else 5.0 * columns, 4.8 if rows == 1 else 4.0 * rows)
    panels = figure.subplots(rows, columns, squeeze=False).ravel()
    best = context.model.get("best_iteration")
    for axes, (metric, series) in zip(panels, by_metric.items(), strict=False):
        for part, values in series:
            axes.plot(range(1, len(values) + 1), values, linewidth=2, label=part)
        if isinstance(best, int | float) and not isinstance(best, bool):
            kept = int(best) + 1  # counted from 0; the axis counts from 1
            axes.axvline(kept, linestyle="--", color="grey", label=f"kept ({step} {kept})")
        axes.set_title(metric)
        axes.set_xlabel(step.capitalize())
        axes.set_ylabel(metric)
        axes.xaxis.set_major_locator(MaxNLocator(integer=True))
        axes.legend(fontsize="small")
        axes.grid(alpha=0.3)
    for axes in panels[count:]:
        axes.set_visible(False)
    figure.suptitle(f"Training curves, by {step}")
    return figure


DRAW: dict[str, Callable[[PlotContext], Figure]] = {
    "roc": _roc,
    "precision_recall": _precision_recall,
    "confusion_matrix": _confusion_matrix,
    "calibration": _calibration,
    "residuals": _residuals,
    "feature_importance": _feature_importance,
    "training_curves": _training_curves,
}
