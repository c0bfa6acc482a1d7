"""`type = "python"`: the user's train, save and load, their mistakes reported at `code`
without a traceback, and a change to the code seen as drift and in the build key."""

from __future__ import annotations

import json
import textwrap
from pathlib import Path
from typing import Any

import blake3
import numpy as np
import pytest
from model_cases import Harness, accuracy, bundled

from providers.model.errors import ModelLoadError
from providers.model.loading import load_predictor

# A scikit-learn classifier kept as JSON by save(): no pickle.
LOGISTIC = """\
import json

import numpy as np
from sklearn.linear_model import LogisticRegression


class Model:
    def __init__(self, regression):
        self.regression = regression
        self.classes_ = regression.classes_

    def predict(self, frame):
        return self.regression.predict(frame.to_numpy())

    def predict_proba(self, frame):
        return self.regression.predict_proba(frame.to_numpy())


def train(train, valid, params, seed):
    features = train.drop(columns=[params["label"]])
    regression = LogisticRegression(max_iter=params["max_iter"], random_state=seed)
    regression.fit(features.to_numpy(), train[params["label"]].to_numpy())
    return Model(regression)


def save(model, path):
    regression = model.regression
    path.write_text(json.dumps({
        "coef": regression.coef_.tolist(),
        "intercept": regression.intercept_.tolist(),
        "classes": regression.classes_.tolist(),
    }))


def load(path):
    document = json.loads(path.read_text())
    regression = LogisticRegression()
    regression.coef_ = np.array(document["coef"])
    regression.intercept_ = np.array(document["intercept"])
    regression.classes_ = np.array(document["classes"])
    return Model(regression)
"""


@pytest.fixture
def harness(tmp_path: Path) -> Harness:
    return Harness(tmp_path)


def iris_split(harness: Harness) -> str:
    frame, features = bundled("iris")
    names = np.array(["setosa", "versicolor", "virginica"])
    frame = frame.assign(species=names[frame.pop("target").to_numpy()])
    return harness.split(frame, features, label="species")


def model(split: str, code: str = "train.py:train", **config: Any) -> dict[str, Any]:
    return {
        "type": "python",
        "split": split,
        "label": "species",
        "code": code,
        "params": {"label": "species", "max_iter": 500},
        **config,
    }


def test_injected_code_trains_saves_and_loads_a_model(harness: Harness) -> None:
    path = harness.write_code("train.py", LOGISTIC)
    outputs = harness.built(model(iris_split(harness)))
    assert outputs["format"] == "python" and outputs["task"] == "multiclass"
    assert outputs["classes"] == ["setosa", "versicolor", "virginica"]
    assert outputs["code_version"] == blake3.blake3(path.read_bytes()).hexdigest()
    assert outputs["history"] == {} and outputs["feature_importance"] is None
    test = harness.predictions(outputs, "test")
    assert accuracy(test) > 0.85
    assert np.allclose(test.filter(like="probability_").sum(axis=1), 1.0)
    saved = json.loads(harness.artifact(outputs, "model").read_text())
    assert set(saved) == {"coef", "intercept", "classes"}
    card = json.loads(harness.artifact(outputs, "card").read_text())
    assert card["code"]["source"] == LOGISTIC and card["code"]["function"] == "train"
    # the card is enough: the model loads with the configuration directory gone
    path.unlink()
    predictor = load_predictor(card, harness.artifact(outputs, "model"))
    frame, features = bundled("iris")
    predicted = predictor.predict(frame[features])
    assert set(predicted.values) == {"setosa", "versicolor", "virginica"}


def test_the_same_code_gives_the_same_id(harness: Harness) -> None:
    harness.write_code("train.py", LOGISTIC)
    split = iris_split(harness)
    assert harness.built(model(split))["id"] == harness.built(model(split))["id"]


def test_train_receives_the_features_then_the_label(harness: Harness) -> None:
    harness.write_code(
        "train.py",
        LOGISTIC.replace(
            "def train(train, valid, params, seed):\n",
            "def train(train, valid, params, seed):\n"
            "    assert list(train.columns)[-1] == 'species', list(train.columns)\n"
            "    assert list(valid.columns) == list(train.columns)\n"
            "    assert len(train.columns) == 5 and seed == 3\n",
        ),
    )
    harness.built(model(iris_split(harness), seed=3))


def failing(body: str) -> str:
    return LOGISTIC + "\n\n" + textwrap.dedent(body)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        pytest.param(
            "def train(:\n",
            "train.py cannot be imported: SyntaxError: invalid syntax (line 1)",
            id="syntax-error",
        ),
        pytest.param(
            "import not_a_module_anywhere\n",
            "train.py cannot be imported: ModuleNotFoundError: No module named "
            "'not_a_module_anywhere' (line 1)",
            id="import-error",
        ),
        pytest.param(
            failing(
                """
                def broken(train, valid, params, seed):
                    raise ValueError("the data is wrong")
                """
            ),
            "train.py:broken failed: ValueError: the data is wrong (line {last})",
            id="exception-in-train",
        ),
        pytest.param(
            failing(
                """
                def broken(train, valid, params, seed):
                    return None
                """
            ),
            "train.py:broken returned None, not a model",
            id="returns-none",
        ),
        pytest.param(
            failing(
                """
                def broken(train, valid, params, seed):
                    return train(train, valid, params, seed)
                """
            ),
            "train.py:broken failed: TypeError: 'DataFrame' object is not callable (line {last})",
            id="exception-deeper",
        ),
        pytest.param(
            LOGISTIC.replace("def save(", "def keep("),
            "train.py defines no function save (it defines Model, keep, load, train): save("
            "model, path) writes the trained model to one file",
            id="no-save",
        ),
        pytest.param(
            LOGISTIC.replace("path.write_text(", "print("),
            "train.py:save(model, path) wrote nothing at path",
            id="save-writes-nothing",
        ),
    ],
)
def test_mistakes_in_the_code_are_errors_at_code(
    harness: Harness, text: str, expected: str
) -> None:
    harness.write_code("train.py", text)
    expected = expected.format(last=len(text.rstrip().splitlines()))  # the line that failed
    function = "broken" if "def broken" in text else "train"
    errors = harness.errors(model(iris_split(harness), code=f"train.py:{function}"))
    assert errors[("code",)].startswith(expected), errors
    assert "Traceback" not in errors[("code",)]


def test_a_missing_code_file_is_an_error_at_plan(harness: Harness) -> None:
    planned = harness.plan(model(iris_split(harness)))
    assert [d.path for d in planned.diagnostics] == [("code",)]
    assert "train.py does not exist" in planned.diagnostics[0].message


def test_a_changed_code_file_is_drift_and_a_new_build_key(harness: Harness) -> None:
    path = harness.write_code("train.py", LOGISTIC)
    config = model(iris_split(harness))
    outputs = harness.built(config)
    planned = harness.plan(config)
    assert planned.build_inputs is not None
    assert planned.build_inputs["code"] == outputs["code_version"]
    assert planned.planned_outputs["code_version"] == outputs["code_version"]
    assert "scikit-learn" in planned.build_inputs["libraries"]  # imported by the code
    assert "xgboost" not in planned.build_inputs["libraries"]
    assert harness.read(config, outputs).drift is None

    path.write_text(LOGISTIC + "\n# a comment\n")
    response = harness.read(config, outputs)
    assert response.drift == "code changed: train.py"
    assert response.outputs["code_version"] == blake3.blake3(path.read_bytes()).hexdigest()
    replanned = harness.plan(config)
    assert replanned.build_inputs is not None
    assert replanned.build_inputs["code"] != planned.build_inputs["code"]

    path.unlink()
    assert harness.read(config, outputs).drift == "code changed: train.py (the file is gone)"


def test_a_card_without_code_does_not_load(harness: Harness, tmp_path: Path) -> None:
    card = {"format": "python", "task": "binary", "features": ["a"], "classes": [0, 1]}
    model_file = tmp_path / "model"
    model_file.write_text("{}")
    with pytest.raises(ModelLoadError, match="holds no code"):
        load_predictor(card, model_file)
    with pytest.raises(ModelLoadError, match='format "pickle"'):
        load_predictor({**card, "format": "pickle"}, model_file)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        pytest.param("def train(:\n", "train.py cannot be imported: SyntaxError", id="syntax"),
        pytest.param(
            LOGISTIC.replace("def load(", "def read("),
            "train.py defines no function load",
            id="no-load",
        ),
    ],
)
def test_a_plan_finds_what_the_code_lacks_without_running_it(
    harness: Harness, text: str, expected: str
) -> None:
    harness.write_code("train.py", text)
    planned = harness.plan(model(iris_split(harness)))
    assert [(d.path, d.message[: len(expected)]) for d in planned.diagnostics] == [
        (("code",), expected)
    ]


def test_a_plan_accepts_functions_bound_by_assignment_or_import(harness: Harness) -> None:
    harness.write_code(
        "train.py",
        LOGISTIC.replace("def train(", "def fit(").replace("def load(", "def read(")
        + "\ntrain = fit\nfrom json import load\n",
    )
    assert not harness.plan(model(iris_split(harness))).diagnostics
