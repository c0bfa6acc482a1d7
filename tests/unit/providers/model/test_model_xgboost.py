"""Training xgboost models through the provider's apply: binary, multiclass with text labels,
regression, early stopping, repeatability, and the user's mistakes as diagnostics."""

from __future__ import annotations

import json
import warnings
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
from model_cases import Harness, accuracy, bundled

from providers.model.errors import FeatureError
from providers.model.loading import load_predictor

FAST = {"max_depth": 3, "eta": 0.3}


@pytest.fixture
def harness(tmp_path: Path) -> Harness:
    return Harness(tmp_path)


def binary_split(harness: Harness, **options: Any) -> str:
    """breast_cancer, with its 0/1 `target` passed through as a feature (no split label)."""
    frame, features = bundled("breast_cancer")
    return harness.split(frame, [*features, "target"], **options)


def iris_split(harness: Harness) -> str:
    """iris with text classes: `species` is passed through, left out of the features."""
    frame, features = bundled("iris")
    names = np.array(["setosa", "versicolor", "virginica"])
    frame = frame.assign(species=names[frame.pop("target").to_numpy()])
    return harness.split(frame, features, label="species")


def model(split: str, label: str = "target", **config: Any) -> dict[str, Any]:
    return {
        "type": "xgboost",
        "split": split,
        "label": label,
        "rounds": 20,
        "nthread": 1,
        "params": dict(FAST),
        **config,
    }


def test_a_binary_model_drops_its_label_from_the_features(harness: Harness) -> None:
    outputs = harness.built(model(binary_split(harness)))
    assert outputs["format"] == "xgboost-json" and outputs["task"] == "binary"
    assert outputs["classes"] == [0, 1]
    assert "target" not in outputs["features"] and len(outputs["features"]) == 30
    assert set(outputs["history"]) == {"train-logloss", "valid-logloss"}
    assert len(outputs["history"]["valid-logloss"]) == 20
    assert set(outputs["feature_importance"]) == set(outputs["features"])
    assert outputs["best_iteration"] is None and outputs["code_version"] is None
    assert outputs["duration"] > 0
    assert set(outputs["predictions"]) == {"train", "valid", "test"}
    test = harness.predictions(outputs, "test")
    assert list(test.columns) == ["label", "prediction", "probability_0", "probability_1"]
    assert accuracy(test) > 0.9
    assert np.allclose(test["probability_0"] + test["probability_1"], 1.0)
    card = json.loads(harness.artifact(outputs, "card").read_text())
    assert card["format"] == "xgboost-json" and card["label"] == "target"
    assert card["objective"] == "binary:logistic" and card["features"] == outputs["features"]
    saved = json.loads(harness.artifact(outputs, "model").read_text())
    assert saved["learner"]["feature_names"] == outputs["features"]
    assert harness.progress[0] == "round 1/20, valid-logloss " + harness.progress[0].split()[-1]
    assert harness.progress[19].startswith("round 20/20, valid-logloss")


def test_the_same_inputs_and_seed_give_the_same_trees_and_id(harness: Harness) -> None:
    split = binary_split(harness)
    config = model(split, seed=7, params={**FAST, "subsample": 0.7, "colsample_bytree": 0.5})
    first, second = harness.built(config), harness.built(config)
    assert first["id"] == second["id"] and first["model"] == second["model"]
    assert first["card"] == second["card"] and first["predictions"] == second["predictions"]
    assert (
        harness.artifact(first, "model").read_bytes()
        == harness.artifact(second, "model").read_bytes()
    )
    pd.testing.assert_frame_equal(
        harness.predictions(first, "test"), harness.predictions(second, "test")
    )
    other = harness.built({**config, "seed": 8})
    assert other["id"] != first["id"]


def test_text_classes_are_encoded_for_training_and_decoded_in_predictions(
    harness: Harness,
) -> None:
    outputs = harness.built(model(iris_split(harness), label="species"))
    assert outputs["task"] == "multiclass"
    assert outputs["classes"] == ["setosa", "versicolor", "virginica"]
    assert set(outputs["history"]) == {"train-mlogloss", "valid-mlogloss"}
    test = harness.predictions(outputs, "test")
    assert set(test["prediction"]) <= {"setosa", "versicolor", "virginica"}
    assert accuracy(test) > 0.85
    probabilities = test[[f"probability_{name}" for name in outputs["classes"]]]
    assert np.allclose(probabilities.sum(axis=1), 1.0)
    card = json.loads(harness.artifact(outputs, "card").read_text())
    assert card["objective"] == "multi:softprob"
    saved = json.loads(harness.artifact(outputs, "model").read_text())
    assert saved["learner"]["learner_model_param"]["num_class"] == "3"


def test_a_numeric_label_with_many_values_is_a_regression(harness: Harness) -> None:
    frame, features = bundled("diabetes")
    outputs = harness.built(model(harness.split(frame, features)))
    assert outputs["task"] == "regression" and outputs["classes"] is None
    assert set(outputs["history"]) == {"train-rmse", "valid-rmse"}
    test = harness.predictions(outputs, "test")
    assert list(test.columns) == ["label", "prediction"]
    assert test["prediction"].dtype == np.float64
    assert np.corrcoef(test["label"], test["prediction"])[0, 1] > 0.4


def test_integer_classes_with_a_multiclass_objective(harness: Harness) -> None:
    frame, features = bundled("wine")
    split = harness.split(frame, features)
    outputs = harness.built(model(split, params={**FAST, "objective": "multi:softmax"}))
    assert outputs["task"] == "multiclass" and outputs["classes"] == [0, 1, 2]
    test = harness.predictions(outputs, "test")
    assert test["prediction"].dtype == np.int64 and accuracy(test) > 0.8
    # softmax gives classes only: the probabilities come from the margins
    assert np.allclose(test[["probability_0", "probability_1", "probability_2"]].sum(axis=1), 1)


def test_early_stopping_keeps_the_best_round(harness: Harness) -> None:
    split = binary_split(harness)
    config = model(split, rounds=500, early_stopping_rounds=5, params={"max_depth": 4, "eta": 0.5})
    outputs = harness.built(config)
    best = outputs["best_iteration"]
    assert best is not None and best + 5 < 500
    assert len(outputs["history"]["valid-logloss"]) == best + 6  # stopped 5 rounds after it
    saved = json.loads(harness.artifact(outputs, "model").read_text())
    trees = saved["learner"]["gradient_booster"]["model"]["trees"]
    assert len(trees) == best + 1
    assert any(line.startswith(f"round {best + 6}/500") for line in harness.progress)


def test_early_stopping_needs_a_valid_part(harness: Harness) -> None:
    split = binary_split(harness, ratio={"train": 0.8, "test": 0.2})
    config = model(split, early_stopping_rounds=5)
    errors = harness.errors(config)
    assert "this split has none" in errors[("early_stopping_rounds",)]
    planned = harness.plan(config)
    assert [d.path for d in planned.diagnostics if d.is_error] == [("early_stopping_rounds",)]


def test_a_label_the_split_does_not_have(harness: Harness) -> None:
    errors = harness.errors(model(binary_split(harness), label="targt"))
    assert 'the label "targt" is not a column' in errors[("label",)]
    assert 'did you mean "target"?' in errors[("label",)]


def test_a_label_the_split_transformed(harness: Harness) -> None:
    frame, features = bundled("diabetes")
    split = harness.split(
        frame, [*features, "target"], statistics={"target": {"transform": "standardize"}}
    )
    errors = harness.errors(model(split))
    assert "is transformed by the split (transform standardize)" in errors[("label",)]
    assert [d.path for d in harness.plan(model(split)).diagnostics] == [("label",)]


def test_a_binary_objective_on_three_classes(harness: Harness) -> None:
    split = iris_split(harness)
    config = model(split, label="species", params={"objective": "binary:logistic"})
    errors = harness.errors(config)
    assert "has 3 classes" in errors[("params", "objective")]


def test_a_regression_on_text_labels(harness: Harness) -> None:
    split = iris_split(harness)
    errors = harness.errors(model(split, label="species", task="regression"))
    assert "a regression cannot predict" in errors[("label",)]


def test_a_parameter_xgboost_refuses_is_an_error_at_it(harness: Harness) -> None:
    errors = harness.errors(model(binary_split(harness), params={"max_depth": -3}))
    assert "xgboost refused the parameters" in errors[("params", "max_depth")]
    assert "[" not in errors[("params", "max_depth")]  # no log prefix from xgboost's C++ side


def test_a_parameter_xgboost_ignores_is_a_warning(harness: Harness) -> None:
    config = model(binary_split(harness), params={"max_dept": 3, "learning_rate": 0.3})
    with warnings.catch_warnings(record=True) as printed:
        warnings.simplefilter("always")
        response = harness.apply(config)
    found = {d.path: d.message for d in response.diagnostics}
    assert not any(d.is_error for d in response.diagnostics)
    assert list(found) == [("params", "max_dept")]  # learning_rate: an alias xgboost takes
    assert 'did you mean "max_depth"?' in found[("params", "max_dept")]
    assert not [w for w in printed if "not used" in str(w.message)]  # not on stderr too


def test_the_stored_model_loads_and_predicts_any_frame_with_its_features(
    harness: Harness,
) -> None:
    outputs = harness.built(model(iris_split(harness), label="species"))
    card = json.loads(harness.artifact(outputs, "card").read_text())
    predictor = load_predictor(card, harness.artifact(outputs, "model"))
    frame, features = bundled("iris")
    shuffled = frame[list(reversed(features))].assign(extra="ignored")
    predictions = predictor.predict(shuffled)
    assert predictions.probabilities is not None and predictions.probabilities.shape == (150, 3)
    assert set(predictions.values) == {"setosa", "versicolor", "virginica"}
    assert len(predictor.predict(shuffled.iloc[:0]).values) == 0
    with pytest.raises(FeatureError, match="sepal length"):
        predictor.predict(frame.drop(columns=["sepal length (cm)"]))
