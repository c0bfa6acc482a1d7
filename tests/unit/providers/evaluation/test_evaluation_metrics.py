"""Every built-in metric, applied through the provider on scikit-learn's bundled data sets,
against the value scikit-learn computes from the same predictions."""

from __future__ import annotations

import math
from collections.abc import Callable

import numpy as np
import pytest
from evaluation_doubles import Harness
from sklearn import metrics as sk

CLASSIFICATION = ["accuracy", "precision", "recall", "f1", "auc", "logloss", "confusion_matrix"]
REGRESSION = ["rmse", "mae", "r2", "mape"]


def test_binary_metrics_match_scikit_learn(binary: Harness) -> None:
    outputs = binary.outputs(binary.config())
    test = binary.part("test")
    y = test["diagnosis"].to_numpy()
    predictions = binary.trained.predictor.predict(test)
    predicted, probabilities = predictions.values, predictions.probabilities
    assert probabilities is not None
    values = outputs["metrics"]
    assert list(values) == CLASSIFICATION  # the defaults for a classifier
    assert values["accuracy"] == pytest.approx(sk.accuracy_score(y, predicted), abs=0)
    assert values["precision"] == pytest.approx(sk.precision_score(y, predicted, pos_label=1))
    assert values["recall"] == pytest.approx(sk.recall_score(y, predicted, pos_label=1))
    assert values["f1"] == pytest.approx(sk.f1_score(y, predicted, pos_label=1))
    assert values["auc"] == pytest.approx(sk.roc_auc_score(y, probabilities[:, 1]))
    assert values["logloss"] == pytest.approx(sk.log_loss(y, probabilities))
    assert values["confusion_matrix"] == sk.confusion_matrix(y, predicted).tolist()
    assert 0.9 < values["auc"] <= 1.0  # a real model, not a degenerate one


def test_binary_positive_class_is_the_second_sorted_class(
    harness_for: Callable[..., Harness],
) -> None:
    harness = harness_for("binary_strings")
    outputs = harness.outputs(harness.config())
    test = harness.part("test")
    y = test["diagnosis"].to_numpy()
    predictions = harness.trained.predictor.predict(test)
    probabilities = predictions.probabilities
    assert probabilities is not None
    assert harness.trained.predictor.classes == ["benign", "malignant"]
    values = outputs["metrics"]
    for name, function in (
        ("precision", sk.precision_score),
        ("recall", sk.recall_score),
        ("f1", sk.f1_score),
    ):
        expected = function(y, predictions.values, pos_label="malignant")
        assert values[name] == pytest.approx(expected), name
        assert values[name] != pytest.approx(function(y, predictions.values, pos_label="benign"))
    assert values["auc"] == pytest.approx(sk.roc_auc_score(y == "malignant", probabilities[:, 1]))
    assert values["logloss"] == pytest.approx(
        sk.log_loss(y, probabilities, labels=["benign", "malignant"])
    )
    assert (
        values["confusion_matrix"]
        == sk.confusion_matrix(y, predictions.values, labels=["benign", "malignant"]).tolist()
    )


def test_multiclass_metrics_are_macro_averages(harness_for: Callable[..., Harness]) -> None:
    harness = harness_for("multiclass")
    outputs = harness.outputs(harness.config())
    test = harness.part("test")
    y = test["species"].to_numpy()
    predictions = harness.trained.predictor.predict(test)
    probabilities = predictions.probabilities
    classes = ["setosa", "versicolor", "virginica"]
    assert probabilities is not None and harness.trained.predictor.classes == classes
    values = outputs["metrics"]
    assert values["accuracy"] == pytest.approx(sk.accuracy_score(y, predictions.values))
    for name, function in (
        ("precision", sk.precision_score),
        ("recall", sk.recall_score),
        ("f1", sk.f1_score),
    ):
        expected = function(y, predictions.values, average="macro")
        assert values[name] == pytest.approx(expected), name
    assert values["auc"] == pytest.approx(
        sk.roc_auc_score(y, probabilities, multi_class="ovr", average="macro", labels=classes)
    )
    assert values["logloss"] == pytest.approx(sk.log_loss(y, probabilities, labels=classes))
    assert (
        values["confusion_matrix"]
        == sk.confusion_matrix(y, predictions.values, labels=classes).tolist()
    )
    assert len(values["confusion_matrix"]) == 3


def test_regression_metrics_match_scikit_learn(harness_for: Callable[..., Harness]) -> None:
    harness = harness_for("regression")
    outputs = harness.outputs(harness.config())
    test = harness.part("test")
    y = test["progression"].to_numpy()
    predicted = harness.trained.predictor.predict(test).values
    values = outputs["metrics"]
    assert list(values) == REGRESSION
    assert values["rmse"] == pytest.approx(math.sqrt(sk.mean_squared_error(y, predicted)))
    assert values["rmse"] == pytest.approx(float(np.sqrt(np.mean((y - predicted) ** 2))))
    assert values["mae"] == pytest.approx(sk.mean_absolute_error(y, predicted))
    assert values["r2"] == pytest.approx(sk.r2_score(y, predicted))
    assert values["mape"] == pytest.approx(sk.mean_absolute_percentage_error(y, predicted))
    assert values["mape"] == pytest.approx(float(np.mean(np.abs((y - predicted) / y))))
    assert 0.2 < values["r2"] < 0.8


def test_listed_metrics_are_the_ones_computed_in_their_order(binary: Harness) -> None:
    outputs = binary.outputs(binary.config(metrics=["logloss", "auc"]))
    assert list(outputs["metrics"]) == ["logloss", "auc"]


def test_a_classification_metric_on_a_regression_model_is_an_error_at_metrics(
    harness_for: Callable[..., Harness],
) -> None:
    harness = harness_for("regression")
    errors = harness.errors(harness.config(metrics=["rmse", "auc", "accuracy"]))
    assert list(errors) == [("metrics",)]
    assert "auc, accuracy do not apply to a regression model" in errors[("metrics",)]
    assert "rmse, mae, r2, mape" in errors[("metrics",)]


def test_a_regression_metric_on_a_classifier_is_an_error_at_metrics(binary: Harness) -> None:
    errors = binary.errors(binary.config(metrics=["rmse"]))
    assert "rmse does not apply to a classifier (binary)" in errors[("metrics",)]


def test_a_threshold_on_a_metric_of_the_other_task_is_an_error_at_its_metric(
    binary: Harness,
) -> None:
    from evaluation_doubles import threshold_block

    errors = binary.errors(binary.config(threshold=[threshold_block(metric="rmse", max=3)]))
    assert list(errors) == [("threshold", 0, "metric")]
    assert (
        'threshold on "rmse", which this evaluation does not compute'
        in errors[("threshold", 0, "metric")]
    )
