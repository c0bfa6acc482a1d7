"""Validate's checks of the settings this provider added: `task`, and the xgboost `params`
that belong to attributes of the model block or name an objective mlform cannot train."""

from __future__ import annotations

from typing import Any

import pytest
from model_cases import ROOT  # noqa: F401  (puts the repository first on sys.path)

import providers.model
from mlform.language.values import UNKNOWN
from mlform.testing import assert_validate_errors

MINIMAL: dict[str, Any] = {"type": "xgboost", "split": "5f2a9c", "label": "churned"}

CASES = [
    pytest.param({"task": "classification"}, {}, id="task"),
    pytest.param(
        {"task": "clasification"},
        {("task",): 'unknown task "clasification"; did you mean "classification"?'},
        id="task-typo",
    ),
    pytest.param({"task": UNKNOWN}, {}, id="task-unknown-value"),
    pytest.param({"params": {"objective": "multi:softprob", "max_depth": 4}}, {}, id="objective"),
    pytest.param(
        {"params": {"objective": "binary:logisti"}},
        {("params", "objective"): 'did you mean "binary:logistic"?'},
        id="objective-typo",
    ),
    pytest.param(
        {"params": {"objective": "rank:ndcg"}},
        {("params", "objective"): "needs query groups or interval labels"},
        id="objective-ranking",
    ),
    pytest.param({"params": {"objective": UNKNOWN}}, {}, id="objective-unknown-value"),
    pytest.param({"params": UNKNOWN}, {}, id="params-unknown"),
    pytest.param(
        {"params": {"seed": 3, "n_estimators": 10}},
        {
            ("params", "seed"): "set seed as the model's own attribute",
            ("params", "n_estimators"): "set rounds as the model's own attribute",
        },
        id="attributes-in-params",
    ),
    pytest.param(
        {"type": "python", "code": "train.py:train", "params": {"seed": 3, "objective": "x"}},
        {},
        id="python-params-are-the-codes",
    ),
]


@pytest.mark.parametrize(("changes", "expected"), CASES)
def test_validate(changes: dict[str, Any], expected: dict[tuple[str | int, ...], str]) -> None:
    assert_validate_errors(providers.model.provider, {**MINIMAL, **changes}, expected)
