"""Training data for the tensorflow trainer's tests, from scikit-learn's bundled data sets (no
network), small enough that a few epochs take a second or two; also run as a script by the
determinism test, in a fresh process: `python keras_cases.py WORKDIR SEED`."""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pandas as pd

# This folder mirrors the package it tests, and pytest puts `tests/unit` on sys.path (for the
# `tests/unit/fmt` package), ahead of the editable install's finder: without the repository
# root first, `providers.model` would resolve to this folder as a namespace package.
ROOT = str(Path(__file__).resolve().parents[4])
if ROOT not in sys.path:
    sys.path.insert(0, ROOT)

from providers.model.training import Task, TrainingData, TrainingSettings  # noqa: E402

# A network with every kind of layer, dropout and batch normalisation included: the ones
# with randomness or state that could make training unrepeatable.
EVERY_LAYER = (
    {"type": "embedding", "columns": ["plan"], "output_dim": 3},
    {"type": "dense", "units": 16, "activation": "relu"},
    {"type": "batch_normalization"},
    {"type": "dropout", "rate": 0.2},
    {"type": "dense", "units": 8, "activation": "tanh"},
)


def _standardized(frame: pd.DataFrame) -> pd.DataFrame:
    return (frame - frame.mean()) / frame.std()


def _parts(
    frame: pd.DataFrame, valid_share: float | None
) -> tuple[pd.DataFrame, pd.DataFrame | None]:
    shuffled = frame.sample(frac=1.0, random_state=0).reset_index(drop=True)
    if valid_share is None:
        return shuffled, None
    cut = int(len(shuffled) * (1 - valid_share))
    return shuffled.iloc[:cut], shuffled.iloc[cut:]


def breast_cancer(valid_share: float | None = 0.3) -> TrainingData:
    """Binary, classes 0 and 1, 30 numeric features."""
    from sklearn.datasets import load_breast_cancer

    features, label = load_breast_cancer(return_X_y=True, as_frame=True)
    frame = _standardized(features).assign(malignant=label)
    train, valid = _parts(frame, valid_share)
    return TrainingData(train, valid, list(features.columns), "malignant", Task.BINARY, [0, 1])


def iris(valid_share: float | None = None) -> TrainingData:
    """Multiclass with string classes, 4 numeric features."""
    from sklearn.datasets import load_iris

    bunch = load_iris(as_frame=True)
    species = np.asarray(bunch.target_names)[bunch.target.to_numpy()]
    frame = _standardized(bunch.data).assign(species=species)
    classes = sorted(set(species))
    train, valid = _parts(frame, valid_share)
    return TrainingData(train, valid, list(bunch.data.columns), "species", Task.MULTICLASS, classes)


def diabetes(valid_share: float | None = 0.3) -> TrainingData:
    """Regression, 10 numeric features, a target in the hundreds."""
    from sklearn.datasets import load_diabetes

    features, target = load_diabetes(return_X_y=True, as_frame=True)
    frame = _standardized(features).assign(progression=target)
    train, valid = _parts(frame, valid_share)
    return TrainingData(train, valid, list(features.columns), "progression", Task.REGRESSION, None)


def plans(rows: int = 600) -> TrainingData:
    """Binary, decided by a vocabulary-encoded column (`plan`, 5 indices with 0 for unknown
    values) that only an embedding can read well, between two numeric features."""
    generator = np.random.default_rng(0)
    plan = generator.integers(0, 5, rows)
    frame = pd.DataFrame(
        {
            "tenure": generator.normal(size=rows),
            "plan": plan,
            "monthly": generator.normal(size=rows),
            "churned": np.isin(plan, [1, 3]).astype(int),
        }
    )
    train, valid = _parts(frame, 0.25)
    return TrainingData(train, valid, ["tenure", "plan", "monthly"], "churned", Task.BINARY, [0, 1])


def determinism_settings(seed: int) -> TrainingSettings:
    return TrainingSettings(
        params={},
        seed=seed,
        layers=EVERY_LAYER,
        epochs=3,
        batch_size=64,
        learning_rate=0.01,
        vocabulary_sizes={"plan": 5},
    )


def train_for_determinism(workdir: Path, seed: int) -> None:
    """Train `plans` with every kind of layer, and leave the weights and the predictions on
    the valid part beside the model as `weights.npz` and `predictions.npy`."""
    from providers.model.keras_runtime import import_keras
    from providers.model.keras_trainer import load_keras, train_keras

    keras, _ = import_keras()
    data = plans()
    trained = train_keras(data, determinism_settings(seed), workdir)
    card = {"task": "binary", "classes": [0, 1], "features": data.features, **trained.card}
    assert data.valid is not None
    predictions = load_keras(card, trained.path).predict(data.valid)
    np.save(workdir / "predictions.npy", predictions.probabilities)
    weights = keras.models.load_model(trained.path, compile=False).get_weights()
    np.savez(workdir / "weights.npz", *weights)


if __name__ == "__main__":
    train_for_determinism(Path(sys.argv[1]), int(sys.argv[2]))
