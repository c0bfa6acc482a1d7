"""What a model predicts: the task (binary, multiclass, regression) and the label's classes.

In order of precedence: the xgboost objective (`binary:*`, `multi:*`, anything else a
regression), then the `task` attribute, then the label itself: strings, booleans and
categories are classes, whole numbers with exactly two values are a binary label, other
numbers a regression. Classes are the sorted distinct values of the label in the train and
valid parts, so that the encoded index of a class is the same on every machine.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from mlform.sdk import AttributePath
from providers.model.training import Task
from providers.problems import Problem

if TYPE_CHECKING:
    import numpy as np
    import pandas as pd

LABEL: AttributePath = ("label",)
TASK: AttributePath = ("task",)
OBJECTIVE: AttributePath = ("params", "objective")


def objective_task(objective: str | None) -> Task | None:
    """The task an xgboost objective implies, or None without one."""
    if objective is None:
        return None
    if objective.startswith("binary:"):
        return Task.BINARY
    if objective.startswith("multi:"):
        return Task.MULTICLASS
    return Task.REGRESSION


def resolve_task(
    label: str,
    values: Sequence[pd.Series],
    declared: str | None,
    objective: str | None,
) -> tuple[Task, list[Any] | None]:
    """The task and the classes (None for a regression) of the label's `values` in the train
    (and valid) parts; raises `Problem` when they do not fit."""
    for series in values:
        missing = int(series.isna().sum())
        if missing:
            raise Problem.at(
                LABEL,
                f'{missing} of {len(series)} rows have no value in the label "{label}"; '
                f'drop them with the dataset\'s where ("{label} IS NOT NULL")',
            )
    categorical = not all(_is_number(series) for series in values)
    implied = objective_task(objective)
    if implied is not None and declared is not None and not _agrees(implied, declared):
        raise Problem.at(
            TASK,
            f'task = "{declared}" contradicts the objective "{objective}", which makes a '
            f"{implied.value} model; remove one of them",
        )
    if implied is Task.REGRESSION or declared == "regression":
        if categorical:
            raise Problem.at(
                LABEL,
                f'the label "{label}" holds {_kind(values[0])} values, which a regression cannot '
                "predict; use a classification objective, or a numeric label",
            )
        return Task.REGRESSION, None
    classification = (
        implied is not None
        or declared is not None
        or categorical
        or (all(_is_whole(series) for series in values) and len(_distinct(values)) == 2)
    )
    if not classification:
        return Task.REGRESSION, None
    classes = _distinct(values)
    if len(classes) < 2:
        raise Problem.at(
            LABEL,
            f'the label "{label}" has only one value ({classes[0]!r}) in the train part; a '
            "classifier needs at least two classes",
        )
    if implied is Task.BINARY or declared == "binary":
        if len(classes) > 2:
            at, setting = (OBJECTIVE, f'objective "{objective}"') if implied else (TASK, "task")
            raise Problem.at(
                at,
                f'the label "{label}" has {len(classes)} classes ({_listed(classes)}), but the '
                f"{setting} makes a binary classifier; use multi:softprob, or a binary label",
            )
        return Task.BINARY, classes
    if implied is Task.MULTICLASS or declared == "multiclass" or len(classes) > 2:
        return Task.MULTICLASS, classes
    return Task.BINARY, classes


def class_array(classes: Sequence[Any]) -> np.ndarray:
    """The classes as an array to decode predicted indices with, typed as the label was:
    bool, int64 or float64 when they all are, else objects (text)."""
    import numpy as np

    values = list(classes)
    for kind, dtype in ((bool, np.bool_), (int, np.int64), ((int, float), np.float64)):
        if values and all(isinstance(v, kind) for v in values):
            if dtype is not np.bool_ and any(isinstance(v, bool) for v in values):
                break
            return np.asarray(values, dtype=dtype)
    return np.asarray(values, dtype=object)


def _agrees(implied: Task, declared: str) -> bool:
    if declared == "classification":
        return implied.is_classification
    return implied.value == declared


def _is_number(series: pd.Series) -> bool:
    from pandas.api import types

    return bool(types.is_numeric_dtype(series.dtype) and not types.is_bool_dtype(series.dtype))


def _is_whole(series: pd.Series) -> bool:
    import numpy as np

    values = series.to_numpy()
    if np.issubdtype(values.dtype, np.integer):
        return True
    return bool(np.all(np.mod(values, 1) == 0))


def _distinct(values: Sequence[pd.Series]) -> list[Any]:
    """The distinct values, sorted, as plain Python values (JSON-ready)."""
    found: set[Any] = set()
    for series in values:
        found.update(_plain(value) for value in series.unique())
    try:
        return sorted(found)
    except TypeError:  # mixed types: order them by their text
        return sorted(found, key=lambda value: (type(value).__name__, str(value)))


def _plain(value: Any) -> Any:
    item = getattr(value, "item", None)
    value = item() if callable(item) else value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


def _kind(series: pd.Series) -> str:
    from pandas.api import types

    return "boolean" if types.is_bool_dtype(series.dtype) else "text"


def _listed(classes: Sequence[Any], limit: int = 5) -> str:
    shown = ", ".join(repr(value) for value in classes[:limit])
    return shown + (", ..." if len(classes) > limit else "")
