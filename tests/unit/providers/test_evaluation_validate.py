"""The evaluation provider's validate, case by case: the configuration changes applied to a
minimal valid one, and the errors expected (path -> part of the message)."""

from __future__ import annotations

from typing import Any

import pytest

import providers.evaluation
from mlform.language.values import UNKNOWN
from mlform.sdk import BlockValue
from mlform.testing import assert_validate_errors

MINIMAL: dict[str, Any] = {"model": "5f2a9c"}
LIFT = [BlockValue(("lift",), {"function": "metrics.py:top_decile_lift"})]


def threshold(**config: Any) -> list[BlockValue]:
    return [BlockValue((), config)]


CASES = [
    pytest.param(
        {
            "part": "test",
            "metrics": ["auc", "accuracy", "logloss"],
            "slice_by": ["plan"],
            "plots": ["roc", "confusion_matrix"],
            "metric": LIFT,
            "threshold": threshold(metric="auc", min=0.8),
        },
        {},
        id="design-example",
    ),
    pytest.param({"metrics": ["rmse", "mae", "r2", "mape"]}, {}, id="regression"),
    pytest.param(
        {"part": "tset"}, {("part",): 'unknown part "tset"; did you mean "test"?'}, id="part-typo"
    ),
    pytest.param({"part": UNKNOWN}, {}, id="unknown-part"),
    pytest.param(
        {"metrics": ["acuracy"]},
        {("metrics", 0): 'unknown metric "acuracy"; did you mean "accuracy"?'},
        id="metric-typo",
    ),
    pytest.param(
        {"metrics": ["lift"]},
        {("metrics", 0): 'declare it with a metric "lift" block'},
        id="undeclared-custom",
    ),
    pytest.param({"metrics": ["lift", "auc"], "metric": LIFT}, {}, id="declared-custom"),
    pytest.param({"metrics": ["auc", "auc"]}, {("metrics", 1): "listed twice"}, id="metric-twice"),
    pytest.param(
        {"metrics": ["auc", "rmse"]},
        {("metrics",): "mix classification (auc) and regression (rmse)"},
        id="mixed-tasks",
    ),
    pytest.param({"metrics": ["auc", UNKNOWN]}, {}, id="unknown-metric-name"),
    pytest.param(
        {"metric": [BlockValue(("auc",), {"function": "m.py:auc"})]},
        {("metric", 0): '"auc" is a built-in metric'},
        id="custom-shadows-builtin",
    ),
    pytest.param(
        {"metric": [*LIFT, *LIFT]},
        {("metric", 1): 'metric "lift" is declared twice'},
        id="custom-twice",
    ),
    pytest.param(
        {"metric": [BlockValue(("lift",), {"function": "metrics.top_decile_lift"})]},
        {("metric", 0, "function"): '"file.py:function"'},
        id="custom-bad-function",
    ),
    pytest.param(
        {"plots": ["rco"]},
        {("plots", 0): 'unknown plot "rco"; did you mean "roc"?'},
        id="plot-typo",
    ),
    pytest.param(
        {"metrics": ["accuracy"], "threshold": threshold(metric="auc", min=0.8)},
        {("threshold", 0, "metric"): 'threshold on "auc", which this evaluation does not compute'},
        id="threshold-not-computed",
    ),
    pytest.param(
        {"threshold": threshold(metric="auc", min=0.8)}, {}, id="threshold-on-default-metric"
    ),
    pytest.param(
        {"metric": LIFT, "metrics": ["auc"], "threshold": threshold(metric="lift", min=2)},
        {},
        id="threshold-on-custom",
    ),
    pytest.param(
        {"threshold": threshold(metric="lfit", min=2), "metric": LIFT},
        {("threshold", 0, "metric"): 'did you mean "lift"?'},
        id="threshold-typo",
    ),
    pytest.param(
        {"threshold": threshold(metric="confusion_matrix", min=0)},
        {("threshold", 0, "metric"): "not a single number"},
        id="threshold-on-matrix",
    ),
    pytest.param(
        {"threshold": threshold(metric="auc")},
        {("threshold", 0): "needs min, max or both"},
        id="threshold-no-bounds",
    ),
    pytest.param(
        {"threshold": threshold(metric="rmse", min=3, max=1)},
        {("threshold", 0, "min"): "no value can pass"},
        id="threshold-min-above-max",
    ),
    pytest.param(
        {"threshold": threshold(metric="rmse", max=UNKNOWN)}, {}, id="threshold-unknown-bound"
    ),
    pytest.param(
        {"metrics": UNKNOWN, "threshold": threshold(metric="nonsense", min=1)},
        {},
        id="unknown-metrics",
    ),
]


@pytest.mark.parametrize(("changes", "expected"), CASES)
def test_validate(changes: dict[str, Any], expected: dict[tuple[str | int, ...], str]) -> None:
    assert_validate_errors(providers.evaluation.provider, {**MINIMAL, **changes}, expected)
