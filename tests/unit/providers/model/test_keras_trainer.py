"""The tensorflow trainer on small real data: each task, embeddings, injected build_model,
early stopping, history, progress, TensorBoard logs, and the saved model loaded back."""

from __future__ import annotations

import importlib.util
import json
import re
import tarfile
import zipfile
from dataclasses import replace
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from keras_cases import breast_cancer, diabetes, iris, plans

from providers.model.keras_runtime import import_keras
from providers.model.keras_trainer import load_keras, train_keras
from providers.model.training import Trained, TrainingData, TrainingSettings

pytestmark = pytest.mark.skipif(
    importlib.util.find_spec("tensorflow") is None, reason="tensorflow is not installed"
)


def card_of(data: TrainingData, trained: Trained) -> dict[str, Any]:
    """The card the model provider writes: its own entries, and the trainer's."""
    classes = list(data.classes) if data.classes is not None else None
    return {
        "format": trained.format,
        "features": list(data.features),
        "label": data.label,
        "task": data.task.value,
        "classes": classes,
        **trained.card,
    }


def train(data: TrainingData, workdir: Path, **settings: Any) -> tuple[Trained, Any, list[str]]:
    """Train with these settings (seed 0), and return the result, the loaded predictor and
    the progress messages."""
    messages: list[str] = []
    settings = {"params": {}, "seed": 0, **settings}
    trained = train_keras(data, TrainingSettings(progress=messages.append, **settings), workdir)
    return trained, load_keras(card_of(data, trained), trained.path), messages


def binary_crossentropy(labels: np.ndarray, probabilities: np.ndarray) -> float:
    p = np.clip(probabilities, 1e-7, 1 - 1e-7)
    return float(-np.mean(labels * np.log(p) + (1 - labels) * np.log(1 - p)))


@pytest.fixture(scope="module")
def stopped(tmp_path_factory: pytest.TempPathFactory) -> tuple[Trained, Any, list[str]]:
    """A binary model whose valid loss turns up well before its 40 epochs, with patience 2."""
    return train(
        breast_cancer(),
        tmp_path_factory.mktemp("binary"),
        layers=[{"type": "dense", "units": 32, "activation": "relu"}],
        epochs=40,
        learning_rate=0.05,
        early_stopping_rounds=2,
    )


def test_binary_predictions_are_classes_with_two_probability_columns(stopped: Any) -> None:
    trained, predictor, _ = stopped
    data = breast_cancer()
    assert data.valid is not None
    predictions = predictor.predict(data.valid)
    assert trained.format == "keras" and trained.path.name == "model.keras"
    assert predictions.probabilities.shape == (len(data.valid), 2)
    np.testing.assert_allclose(predictions.probabilities.sum(axis=1), 1.0, rtol=1e-6)
    assert set(predictions.values) <= {0, 1}
    expected = np.where(predictions.probabilities[:, 1] > 0.5, 1, 0)
    np.testing.assert_array_equal(predictions.values, expected)
    assert (predictions.values == data.encoded(data.valid)).mean() > 0.9
    nothing = predictor.predict(data.valid.iloc[:0])
    assert nothing.values.shape == (0,) and nothing.probabilities.shape == (0, 2)


def test_early_stopping_restores_the_best_epoch(stopped: Any) -> None:
    trained, predictor, _ = stopped
    valid_loss = trained.history["valid-loss"]
    assert len(valid_loss) < 40, "the valid loss never turned up: no stopping to test"
    assert trained.best_iteration == int(np.argmin(valid_loss))
    assert len(valid_loss) == trained.best_iteration + 3  # patience 2
    data = breast_cancer()
    assert data.valid is not None
    # The saved model is the best epoch's, not the last one's.
    loss = binary_crossentropy(
        data.encoded(data.valid), predictor.predict(data.valid).probabilities[:, 1]
    )
    assert loss == pytest.approx(min(valid_loss), rel=1e-4)
    assert loss != pytest.approx(valid_loss[-1], rel=1e-4)


def test_history_names_each_metric_by_part_and_progress_reports_each_epoch(
    stopped: Any,
) -> None:
    trained, _, messages = stopped
    assert set(trained.history) == {
        f"{part}-{metric}" for part in ("train", "valid") for metric in ("loss", "auc", "accuracy")
    }
    epochs = len(trained.history["train-loss"])
    assert all(len(values) == epochs for values in trained.history.values())
    assert len(messages) == epochs
    assert re.fullmatch(r"epoch 1/40, valid-loss \d+\.\d{4}", messages[0])
    assert messages[-1].startswith(f"epoch {epochs}/40, ")


def test_tensorboard_logs_are_archived_in_a_fixed_order(stopped: Any, tmp_path: Path) -> None:
    trained, _, _ = stopped
    archive = trained.files["tensorboard"]
    assert archive.name == "tensorboard.tar"
    with tarfile.open(archive) as tar:
        members = tar.getmembers()
        tar.extractall(tmp_path, filter="data")
    names = [member.name for member in members]
    assert names == sorted(names)
    assert {member.mtime for member in members} == {0}
    for part in ("train", "validation"):
        assert any(re.fullmatch(rf"{part}/events\.out\.tfevents\..+", name) for name in names)
    from tensorboard.backend.event_processing.event_accumulator import EventAccumulator

    events = EventAccumulator(str(tmp_path / "validation"), size_guidance={"tensors": 0})
    events.Reload()
    epochs = len(trained.history["valid-loss"])
    assert len(events.Tensors("epoch_loss")) == epochs


def test_multiclass_decodes_string_classes_and_trains_without_a_valid_part(
    tmp_path: Path,
) -> None:
    data = iris()
    trained, predictor, messages = train(
        data,
        tmp_path,
        layers=[{"type": "dense", "units": 16, "activation": "relu"}],
        epochs=10,
        learning_rate=0.05,
        optimizer="rmsprop",
    )
    predictions = predictor.predict(data.train)
    assert predictions.probabilities.shape == (150, 3)
    np.testing.assert_allclose(predictions.probabilities.sum(axis=1), 1.0, rtol=1e-5)
    assert set(predictions.values) <= {"setosa", "versicolor", "virginica"}
    assert (predictions.values == data.train["species"].to_numpy()).mean() > 0.85
    assert set(trained.history) == {"train-loss", "train-accuracy"}
    assert re.fullmatch(r"epoch 10/10, train-loss \d+\.\d{4}", messages[-1])


def test_regression_predicts_numbers_with_the_loss_it_is_given(tmp_path: Path) -> None:
    data = diabetes()
    trained, predictor, _ = train(
        data,
        tmp_path,
        layers=[{"type": "dense", "units": 16, "activation": "relu"}],
        epochs=5,
        learning_rate=0.5,
        loss="mae",
    )
    assert data.valid is not None
    predictions = predictor.predict(data.valid)
    assert predictions.probabilities is None
    assert predictions.values.dtype == np.float64
    assert predictions.values.shape == (len(data.valid),)
    error = np.abs(predictions.values - data.encoded(data.valid)).mean()
    assert error == pytest.approx(trained.history["valid-loss"][-1], rel=1e-4)
    assert error < np.abs(data.encoded(data.valid) - data.encoded(data.train).mean()).mean()


def test_an_embedding_reads_a_vocabulary_column(tmp_path: Path) -> None:
    data = plans()
    trained, predictor, _ = train(
        data,
        tmp_path,
        layers=[
            {"type": "dense", "units": 8, "activation": "relu"},
            {"type": "embedding", "columns": ["plan"], "output_dim": 4},
        ],
        epochs=10,
        batch_size=128,
        learning_rate=0.05,
        vocabulary_sizes={"plan": 5},
    )
    assert trained.card == {
        "keras_inputs": {"numeric": ["tenure", "monthly"], "embedded": ["plan"]}
    }
    assert data.valid is not None
    predictions = predictor.predict(data.valid)
    assert (predictions.values == data.encoded(data.valid)).mean() > 0.95
    embeddings = [layer for layer in predictor.model.layers if "embedding" in layer.name]
    assert [layer.input_dim for layer in embeddings] == [5]


def test_build_model_gets_the_documented_arguments_and_is_compiled(tmp_path: Path) -> None:
    keras, _ = import_keras()
    calls = []

    def build_model(input_dim: int, task: str, classes: list[Any] | None, params: dict) -> Any:
        calls.append((input_dim, task, classes, params))
        return keras.Sequential(  # no Input: built by the trainer
            [
                keras.layers.Dense(params["hidden"], activation="relu"),
                keras.layers.Dense(1, activation="sigmoid"),
            ]
        )

    data = breast_cancer()
    trained, predictor, _ = train(
        replace(data, valid=None),
        tmp_path,
        code=build_model,
        params={"hidden": 8},
        epochs=3,
        optimizer="sgd",
        learning_rate=0.1,
    )
    assert calls == [(30, "binary", [0, 1], {"hidden": 8})]
    with zipfile.ZipFile(trained.path) as saved:
        optimizer = json.loads(saved.read("config.json"))["compile_config"]["optimizer"]
    assert optimizer["class_name"] == "SGD"
    assert optimizer["config"]["learning_rate"] == pytest.approx(0.1)
    assert "train-auc" in trained.history
    assert predictor.predict(data.train).probabilities.shape == (len(data.train), 2)


def test_a_compiled_build_model_refuses_settings_it_would_ignore(tmp_path: Path) -> None:
    from providers.problems import Problem

    keras, _ = import_keras()

    def build_model(input_dim: int, task: str, classes: Any, params: dict) -> Any:
        model = keras.Sequential([keras.Input((input_dim,)), keras.layers.Dense(1)])
        model.compile(optimizer="adam", loss="mse")
        return model

    with pytest.raises(Problem) as raised:
        train(diabetes(), tmp_path, code=build_model, learning_rate=0.1, epochs=1)
    assert raised.value.diagnostics[0].path == ("learning_rate",)
