"""The task and the classes a label gives, case by case, and what a plan may import."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from typing import Any

import numpy as np
import pandas as pd
import pytest
from model_cases import ROOT

from providers.model.labels import class_array, resolve_task
from providers.model.training import Task, TrainingData
from providers.problems import Problem

CASES = [
    (["b", "a", "b"], None, None, Task.BINARY, ["a", "b"]),
    (["b", "a", "c"], None, None, Task.MULTICLASS, ["a", "b", "c"]),
    ([True, False], None, None, Task.BINARY, [False, True]),
    ([0, 1, 1], None, None, Task.BINARY, [0, 1]),
    ([2, 1, 2], None, None, Task.BINARY, [1, 2]),
    ([0.0, 1.0], None, None, Task.BINARY, [0, 1]),
    ([0, 1, 2], None, None, Task.REGRESSION, None),
    ([0.5, 1.5], None, None, Task.REGRESSION, None),
    ([0, 1, 2], None, "multi:softprob", Task.MULTICLASS, [0, 1, 2]),
    ([0, 1], None, "multi:softmax", Task.MULTICLASS, [0, 1]),
    ([0, 1], None, "reg:squarederror", Task.REGRESSION, None),
    ([0, 1, 1], None, "count:poisson", Task.REGRESSION, None),
    ([0, 1, 2], "classification", None, Task.MULTICLASS, [0, 1, 2]),
    ([3, 7], "classification", None, Task.BINARY, [3, 7]),
    ([0, 1], "regression", None, Task.REGRESSION, None),
    (["x", "y", "x"], "binary", "binary:logistic", Task.BINARY, ["x", "y"]),
]


@pytest.mark.parametrize(("values", "declared", "objective", "task", "classes"), CASES)
def test_the_task_and_classes_of_a_label(
    values: list[Any], declared: str | None, objective: str | None, task: Task, classes: Any
) -> None:
    assert resolve_task("y", [pd.Series(values)], declared, objective) == (task, classes)


def test_classes_come_from_the_train_and_valid_parts() -> None:
    found = resolve_task("y", [pd.Series(["a", "b"]), pd.Series(["c"])], None, None)
    assert found == (Task.MULTICLASS, ["a", "b", "c"])


@pytest.mark.parametrize(
    ("values", "declared", "objective", "path", "message"),
    [
        ([0, None, 1], None, None, ("label",), '1 of 3 rows have no value in the label "y"'),
        (["a", "a"], None, None, ("label",), "has only one value ('a')"),
        (["a", "b"], "regression", None, ("label",), "a regression cannot predict"),
        ([0, 1], "regression", "binary:logistic", ("task",), "contradicts the objective"),
        ([0, 1, 2], None, "binary:logistic", ("params", "objective"), "has 3 classes"),
        ([0, 1, 2], "binary", None, ("task",), "has 3 classes"),
    ],
)
def test_labels_that_do_not_fit(
    values: list[Any],
    declared: str | None,
    objective: str | None,
    path: tuple[str, ...],
    message: str,
) -> None:
    with pytest.raises(Problem) as raised:
        resolve_task("y", [pd.Series(values)], declared, objective)
    [diagnostic] = raised.value.diagnostics
    assert diagnostic.path == path and message in diagnostic.message


def test_labels_are_encoded_as_the_index_of_their_class() -> None:
    frame = pd.DataFrame({"x": [1.0, 2.0, 3.0], "y": [2, 1, 2]})
    data = TrainingData(frame, None, ["x"], "y", Task.BINARY, [1, 2])
    assert data.encoded(frame).tolist() == [1, 0, 1]
    with pytest.raises(ValueError, match="not one of the classes"):
        data.encoded(frame.assign(y=[1, 2, 5]))
    regression = TrainingData(frame, None, ["x"], "y", Task.REGRESSION, None)
    assert regression.encoded(frame).dtype == np.float64


def test_decoded_classes_keep_the_type_of_the_label() -> None:
    assert class_array([0, 1]).dtype == np.int64
    assert class_array([False, True]).dtype == np.bool_
    assert class_array([0.5, 2]).dtype == np.float64
    assert class_array(["a", "b"]).dtype == object


def test_planning_a_model_imports_no_heavy_library(tmp_path: Any) -> None:
    (tmp_path / "train.py").write_text(
        "import sklearn\n\ndef train(a, b, c, d):\n    pass\n\nsave = load = train\n"
    )
    code = textwrap.dedent(
        f"""
        import sys
        from pathlib import Path
        sys.path.insert(0, {ROOT!r})
        import providers.model
        from mlform.sdk import PlanRequest, ReadRequest
        for config in (
            {{"type": "xgboost", "split": "s", "label": "y", "params": {{"max_depth": 3}}}},
            {{"type": "python", "split": "s", "label": "y", "code": "train.py:train"}},
            {{"type": "tensorflow", "split": "s", "label": "y", "code": "train.py:train"}},
        ):
            response = providers.model.provider.plan(
                PlanRequest("model.m", None, None, config, config_dir=Path({str(tmp_path)!r}))
            )
            assert response.build_inputs is not None, response
            providers.model.provider.read(
                ReadRequest("model.m", config, {{"code_version": "0"}}, config_dir=Path({str(tmp_path)!r}))
            )
        heavy = [m for m in ("xgboost", "tensorflow", "keras", "pandas", "numpy", "sklearn") if m in sys.modules]
        assert not heavy, heavy
        """
    )
    subprocess.run([sys.executable, "-c", code], check=True)
