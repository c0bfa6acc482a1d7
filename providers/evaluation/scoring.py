"""The metrics of a set of scored rows: built-in ones through scikit-learn, and custom ones.

Conventions, the same overall and on every slice:

- binary classification: the positive class is the second of the model's sorted classes
  (1 for 0/1 labels, "yes" for "no"/"yes"); precision, recall and f1 are those of the
  positive class, auc uses its probability.
- multiclass: precision, recall and f1 are macro averages over the classes present in the
  labels or the predictions; auc is the one-vs-rest macro average.
- confusion_matrix: rows are the true classes and columns the predicted ones, both in the
  order of the model's sorted classes.
- mape is a fraction, as scikit-learn's (0.12 means 12%).
- A metric that is undefined on the rows (auc with a single class, precision with no
  positive prediction, r2 with fewer than two rows) is None, never an error.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from mlform.sdk import AttributePath
from providers.evaluation.code import MetricFunction, describe
from providers.evaluation.schema import CLASSIFICATION_METRICS, REGRESSION_METRICS
from providers.evaluation.settings import CustomMetric
from providers.model.training import Predictions, Task
from providers.problems import Problem

if TYPE_CHECKING:
    import numpy as np
    import pandas as pd

MetricValue = float | list[list[int]] | None


@dataclass(frozen=True)
class Scored:
    """Rows with their labels and the model's predictions of them."""

    frame: pd.DataFrame
    """The rows as the split stored them: features, passthrough columns, the label."""
    y_true: np.ndarray
    predictions: Predictions
    task: Task
    classes: Sequence[Any] | None

    @property
    def rows(self) -> int:
        return len(self.y_true)

    @property
    def positive(self) -> Any:
        """The positive class of a binary classifier."""
        assert self.classes is not None
        return self.classes[1]

    @property
    def y_pred(self) -> np.ndarray:
        """What a custom metric gets as y_pred: the positive class's probabilities for a
        binary classifier, the predicted values otherwise."""
        if self.task is Task.BINARY and self.predictions.probabilities is not None:
            return self.predictions.probabilities[:, 1]
        return self.predictions.values

    def subset(self, mask: np.ndarray) -> Scored:
        probabilities = self.predictions.probabilities
        return Scored(
            frame=self.frame.loc[mask].reset_index(drop=True),
            y_true=self.y_true[mask],
            predictions=Predictions(
                self.predictions.values[mask],
                None if probabilities is None else probabilities[mask],
            ),
            task=self.task,
            classes=self.classes,
        )


def default_metrics(task: Task) -> tuple[str, ...]:
    return CLASSIFICATION_METRICS if task.is_classification else REGRESSION_METRICS


def compute(
    scored: Scored,
    builtin: Sequence[str],
    custom: Mapping[str, tuple[CustomMetric, MetricFunction]],
    where: str = "",
) -> dict[str, MetricValue]:
    """The value of each built-in metric, then of each custom one, by name. `where` names
    the slice in the message of a custom metric that fails ("on slice plan=basic")."""
    values: dict[str, MetricValue] = {}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # undefined values come back as None instead
        for name in builtin:
            values[name] = BUILTIN[name](scored)
    for name, (metric, function) in custom.items():
        values[name] = call_custom(metric, function, scored, where)
    return values


def call_custom(
    metric: CustomMetric, function: MetricFunction, scored: Scored, where: str = ""
) -> float | None:
    """Call fn(y_true, y_pred, frame); a failure is the user's, reported at the metric's
    `function` attribute with the exception in one line."""
    place = f" {where}" if where else ""
    try:
        value = function(scored.y_true, scored.y_pred, scored.frame)
    except Exception as error:
        raise Problem.at(
            metric.path,
            f'metric "{metric.name}": {metric.reference} raised {describe(error)}{place}; '
            "fix the function, which is called as fn(y_true, y_pred, frame)",
        ) from None
    number = _as_number(value)
    if number is _NOT_A_NUMBER:
        raise Problem.at(
            metric.path,
            f'metric "{metric.name}": {metric.reference} returned {type(value).__name__}'
            f"{place}; a metric function must return a number (NaN or None when undefined)",
        )
    return _finite(number)


_NOT_A_NUMBER = object()


def _as_number(value: Any) -> Any:
    if value is None:
        return None
    if isinstance(value, bool):
        return _NOT_A_NUMBER
    try:
        import numpy as np

        if isinstance(value, np.ndarray) and value.shape in ((), (1,)):
            value = value.reshape(()).item()
        if isinstance(value, np.generic):
            value = value.item()
    except ImportError:  # pragma: no cover - numpy comes with pandas
        pass
    if isinstance(value, bool) or not isinstance(value, int | float):
        return _NOT_A_NUMBER
    return float(value)


def _finite(value: Any) -> float | None:
    if value is None:
        return None
    number = float(value)
    return number if math.isfinite(number) else None


# built-in metrics ------------------------------------------------------------------------------


def _accuracy(scored: Scored) -> MetricValue:
    from sklearn.metrics import accuracy_score

    return _finite(accuracy_score(scored.y_true, scored.predictions.values))


def _averaged(function_name: str) -> Callable[[Scored], MetricValue]:
    def metric(scored: Scored) -> MetricValue:
        import numpy as np
        from sklearn import metrics

        function = getattr(metrics, function_name)
        if scored.task is Task.BINARY:
            return _finite(
                function(
                    scored.y_true,
                    scored.predictions.values,
                    pos_label=scored.positive,
                    average="binary",
                    zero_division=np.nan,
                )
            )
        return _finite(
            function(
                scored.y_true,
                scored.predictions.values,
                average="macro",
                zero_division=np.nan,
            )
        )

    return metric


def _probabilities(scored: Scored) -> np.ndarray:
    probabilities = scored.predictions.probabilities
    if probabilities is None:
        raise Problem.at(
            ("model",),
            "the model gives no class probabilities, which auc and logloss need; this is a "
            "bug in the model's trainer, or leave auc and logloss out of metrics",
        )
    return probabilities


def _auc(scored: Scored) -> MetricValue:
    import numpy as np
    from sklearn.metrics import roc_auc_score

    probabilities = _probabilities(scored)
    classes = list(scored.classes or ())
    if scored.task is Task.BINARY:
        truth = scored.y_true == scored.positive
        if truth.all() or not truth.any():
            return None  # a single class: undefined
        return _finite(roc_auc_score(truth, probabilities[:, 1]))
    present = set(np.unique(scored.y_true).tolist())
    if any(c not in present for c in classes):
        return None  # one-vs-rest is undefined for a class with no row
    return _finite(
        roc_auc_score(
            scored.y_true, probabilities, multi_class="ovr", average="macro", labels=classes
        )
    )


def _logloss(scored: Scored) -> MetricValue:
    from sklearn.metrics import log_loss

    if scored.rows == 0:
        return None
    return _finite(
        log_loss(scored.y_true, _probabilities(scored), labels=list(scored.classes or ()))
    )


def _confusion_matrix(scored: Scored) -> MetricValue:
    from sklearn.metrics import confusion_matrix

    classes = list(scored.classes or ())
    if scored.rows == 0:
        return [[0] * len(classes) for _ in classes]
    matrix = confusion_matrix(scored.y_true, scored.predictions.values, labels=classes)
    return [[int(count) for count in row] for row in matrix]


def _regression(
    function: Callable[[Any, Any], Any], minimum_rows: int = 1
) -> Callable[[Scored], MetricValue]:
    def metric(scored: Scored) -> MetricValue:
        if scored.rows < minimum_rows:
            return None
        return _finite(function(scored.y_true, scored.predictions.values))

    return metric


def _rmse(y_true: Any, y_pred: Any) -> Any:
    from sklearn.metrics import root_mean_squared_error

    return root_mean_squared_error(y_true, y_pred)


def _mae(y_true: Any, y_pred: Any) -> Any:
    from sklearn.metrics import mean_absolute_error

    return mean_absolute_error(y_true, y_pred)


def _r2(y_true: Any, y_pred: Any) -> Any:
    from sklearn.metrics import r2_score

    return r2_score(y_true, y_pred, force_finite=False)


def _mape(y_true: Any, y_pred: Any) -> Any:
    from sklearn.metrics import mean_absolute_percentage_error

    return mean_absolute_percentage_error(y_true, y_pred)


BUILTIN: dict[str, Callable[[Scored], MetricValue]] = {
    "accuracy": lambda scored: None if scored.rows == 0 else _accuracy(scored),
    "precision": _averaged("precision_score"),
    "recall": _averaged("recall_score"),
    "f1": _averaged("f1_score"),
    "auc": _auc,
    "logloss": _logloss,
    "confusion_matrix": _confusion_matrix,
    "rmse": _regression(_rmse),
    "mae": _regression(_mae),
    "r2": _regression(_r2, minimum_rows=2),
    "mape": _regression(_mape),
}


def task_mismatch(names: Sequence[str], task: Task) -> list[str]:
    """The metrics listed that do not suit the model's task."""
    wrong = REGRESSION_METRICS if task.is_classification else CLASSIFICATION_METRICS
    return [name for name in names if name in wrong]


def mismatch_problem(names: Sequence[str], task: Task, path: AttributePath) -> Problem:
    kind = "a classifier" if task.is_classification else "a regression model"
    suits = default_metrics(task)
    return Problem.at(
        path,
        f"{', '.join(names)} {'does' if len(names) == 1 else 'do'} not apply to {kind} "
        f"({task.value}); use {', '.join(suits)}",
    )
