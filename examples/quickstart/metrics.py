"""Custom metrics for the quickstart's ``evaluation "churn"``.

mlform injects these through ``metric "NAME" { function = "metrics.py:FUNCTION" }`` and hashes
this file with the configuration, so editing a metric changes the plan (the evaluation is
re-run). A metric function takes ``(y_true, y_pred, frame)`` and returns a float.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np


def top_decile_lift(y_true: Any, y_pred: Any, frame: Any = None) -> float:
    """Return the lift of the top decile: how much likelier to be positive (to churn) the 10% of
    rows with the highest predicted scores are than the rows as a whole.

    ``lift = positive rate among the top ceil(n / 10) rows by score / positive rate overall``.
    1.0 is no better than chance; the best possible value is ``1 / positive rate``. For a churn
    model this answers "if retention calls the 10% the model flags, how many more churners do
    they reach than calling at random?".

    Args:
        y_true: the labels, 0/1 (or booleans), one per row.
        y_pred: the predicted scores or probabilities of the positive class, one per row; an
            ``(n, 2)`` array of class probabilities is accepted too (its second column is used).
        frame: the evaluated rows (features and label); unused here, part of the metric
            signature so that metrics can slice or weight by column.

    Returns:
        The lift as a float; NaN when it is undefined (no rows, or no positive row).

    Ties in the score are broken by row order (a stable sort), so the result is
    deterministic.
    """
    del frame  # not needed for this metric
    labels = np.asarray(y_true, dtype=float).reshape(-1)
    scores = np.asarray(y_pred, dtype=float)
    if scores.ndim == 2 and scores.shape[1] == 2:
        scores = scores[:, 1]
    scores = scores.reshape(-1)
    if labels.shape != scores.shape:
        raise ValueError(f"top_decile_lift: {labels.size} labels but {scores.size} predictions")
    n = labels.size
    if n == 0:
        return math.nan
    overall = float(labels.mean())
    if overall == 0.0:
        return math.nan
    top = math.ceil(n / 10)
    order = np.argsort(-scores, kind="stable")
    return float(labels[order[:top]].mean()) / overall
