"""Custom metrics: `metric "NAME" { function = "file.py:fn" }` injected from the configuration
directory, hashed with its file (drift, build key), and the user's mistakes reported at the
metric's `function` without a traceback."""

from __future__ import annotations

import textwrap
from collections.abc import Callable

import blake3
import numpy as np
import pytest
from evaluation_doubles import Harness, metric_block

METRICS_PY = textwrap.dedent(
    """
    import numpy as np

    from helpers import positive_rate  # a neighbour in the configuration directory


    def top_decile_lift(y_true, y_pred, frame):
        order = np.argsort(-np.asarray(y_pred), kind="stable")
        top = order[: max(1, len(order) // 10)]
        return float(np.asarray(y_true)[top].mean() / positive_rate(y_true))


    def mean_score(y_true, y_pred, frame):
        return float(np.mean(y_pred))


    def rows_of(y_true, y_pred, frame):
        assert len(frame) == len(y_true) == len(y_pred)
        assert "site" in frame.columns and "diagnosis" in frame.columns
        return len(frame)


    def undefined(y_true, y_pred, frame):
        return float("nan")


    def broken(y_true, y_pred, frame):
        return 1 / 0


    def text(y_true, y_pred, frame):
        return "high"
    """
)
HELPERS_PY = "def positive_rate(y):\n    return sum(y) / len(y)\n"


@pytest.fixture
def harness(binary: Harness) -> Harness:
    binary.write("metrics.py", METRICS_PY)
    binary.write("helpers.py", HELPERS_PY)
    return binary


def lift(y_true: np.ndarray, scores: np.ndarray) -> float:
    order = np.argsort(-scores, kind="stable")
    top = order[: max(1, len(order) // 10)]
    return float(y_true[top].mean() / y_true.mean())


def test_custom_metrics_are_computed_overall_and_per_slice(harness: Harness) -> None:
    config = harness.config(
        metrics=["auc", "lift"],
        slice_by=["site"],
        metric=[
            metric_block("lift", "metrics.py:top_decile_lift"),
            metric_block("mean_score", "metrics.py:mean_score"),
            metric_block("rows", "metrics.py:rows_of"),
        ],
    )
    outputs = harness.outputs(config)
    test = harness.part("test")
    probabilities = harness.trained.predictor.predict(test).probabilities
    assert probabilities is not None
    y = test["diagnosis"].to_numpy()
    metrics = outputs["metrics"]
    assert list(metrics) == ["auc", "lift", "mean_score", "rows"]
    assert metrics["lift"] == pytest.approx(lift(y, probabilities[:, 1]))
    # y_pred is the positive class's probability for a binary classifier
    assert metrics["mean_score"] == pytest.approx(float(probabilities[:, 1].mean()))
    assert metrics["rows"] == len(test)
    north = test["site"] == "north"
    assert outputs["slices"]["site=north"]["rows"] == int(north.sum())
    assert outputs["slices"]["site=north"]["lift"] == pytest.approx(
        lift(y[north.to_numpy()], probabilities[north.to_numpy(), 1])
    )


def test_y_pred_is_the_predicted_values_for_multiclass_and_regression(
    harness_for: Callable[..., Harness],
) -> None:
    code = "def first(y_true, y_pred, frame):\n    return float(len(set(map(str, y_pred))))\n"
    iris = harness_for("multiclass")
    iris.write("m.py", code)
    outputs = iris.outputs(iris.config(metric=[metric_block("distinct", "m.py:first")]))
    predicted = iris.trained.predictor.predict(iris.part("test")).values
    assert outputs["metrics"]["distinct"] == len(set(map(str, predicted)))
    assert set(map(str, predicted)) <= {"setosa", "versicolor", "virginica"}


def test_code_is_hashed_into_code_version_and_the_build_key(harness: Harness) -> None:
    config = harness.config(metric=[metric_block("lift", "metrics.py:top_decile_lift")])
    outputs = harness.outputs(config)
    digest = blake3.blake3(METRICS_PY.encode()).hexdigest()
    assert outputs["code_files"] == {"metrics.py": digest}
    assert len(outputs["code_version"]) == 64
    plan = harness.plan(config)
    assert plan.build_inputs is not None
    assert plan.build_inputs["code"] == {"metrics.py": digest}
    assert "scikit-learn" in plan.build_inputs["libraries"]
    assert plan.planned_outputs["code_version"] == outputs["code_version"]

    harness.write("metrics.py", METRICS_PY + "\n# tuned\n")
    changed = harness.plan(config)
    assert changed.build_inputs is not None
    assert changed.build_inputs["code"] != plan.build_inputs["code"]


def test_a_changed_file_is_drift(harness: Harness) -> None:
    config = harness.config(metric=[metric_block("lift", "metrics.py:top_decile_lift")])
    outputs = harness.outputs(config)
    unchanged = harness.read(config, outputs)
    assert unchanged.drift is None and unchanged.outputs == outputs

    harness.write("metrics.py", METRICS_PY.replace("// 10", "// 5"))
    read = harness.read(config, outputs)
    assert read.drift == "code changed: metrics.py"
    assert read.outputs["code_version"] != outputs["code_version"]

    (harness.config_dir / "metrics.py").unlink()
    assert harness.read(config, outputs).drift == "code changed: metrics.py (removed)"


def test_without_custom_metrics_nothing_is_read(binary: Harness) -> None:
    outputs = binary.outputs(binary.config())
    assert outputs["code_version"] is None and outputs["code_files"] is None
    assert binary.read(binary.config(), outputs).drift is None


@pytest.mark.parametrize(
    ("function", "expected"),
    [
        (
            "metrics.py:broken",
            'metric "custom": metrics.py:broken raised ZeroDivisionError: division by zero; '
            "fix the function",
        ),
        ("metrics.py:text", "metrics.py:text returned str; a metric function must return a number"),
        (
            "metrics.py:top_decile_lfit",
            '"top_decile_lfit" is not defined in the file; did you mean "top_decile_lift"?',
        ),
        ("metrics.py:np", '"np" is not a function in the file'),
        ("missing.py:fn", 'cannot read missing.py for metric "custom": no such file'),
        ("syntax.py:fn", "syntax.py could not be imported: SyntaxError: "),
        ("failing.py:fn", "failing.py could not be imported: RuntimeError: no database"),
    ],
)
def test_mistakes_in_user_code_are_errors_at_the_function(
    harness: Harness, function: str, expected: str
) -> None:
    harness.write("syntax.py", "def fn(:\n    pass\n")
    harness.write("failing.py", "raise RuntimeError('no database')\n")
    errors = harness.errors(harness.config(metric=[metric_block("custom", function)]))
    assert list(errors) == [("metric", 0, "function")]
    assert expected in errors[("metric", 0, "function")]
    assert "Traceback" not in errors[("metric", 0, "function")]


def test_a_failure_on_a_slice_names_the_slice(binary: Harness) -> None:
    binary.write(
        "m.py",
        "def picky(y_true, y_pred, frame):\n"
        "    if (frame['site'] == 'north').all():\n"
        "        raise ValueError('too few rows')\n"
        "    return 1.0\n",
    )
    config = binary.config(slice_by=["site"], metric=[metric_block("picky", "m.py:picky")])
    message = binary.errors(config)[("metric", 0, "function")]
    assert "m.py:picky raised ValueError: too few rows on slice site=north" in message


def test_an_undefined_custom_value_is_null(harness: Harness) -> None:
    config = harness.config(metric=[metric_block("nothing", "metrics.py:undefined")])
    assert harness.outputs(config)["metrics"]["nothing"] is None


def test_a_missing_file_at_plan_is_an_error_at_the_function(binary: Harness) -> None:
    plan = binary.plan(binary.config(metric=[metric_block("lift", "gone.py:lift")]))
    assert [(d.path, d.is_error) for d in plan.diagnostics] == [(("metric", 0, "function"), True)]
    assert plan.build_inputs is None
