"""Training a `type = "tensorflow"` model: a Keras network from layer blocks or from the
user's `build_model`, trained on the split's train part and watched on its valid part.

Repeatable by construction: seeded generators, deterministic kernels, a fixed thread count
(`nthread`, default 1), batches shuffled by a seeded `tf.data` shuffle, layers named after
their blocks, and the `.keras` file rewritten without the time it was saved, so that the
same inputs and seed give the same weights and the same bytes. tensorflow is imported inside
`train_keras` only: importing this module costs nothing.
"""

from __future__ import annotations

import shutil
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from providers.model.keras_files import normalize_keras_file, pack_directory
from providers.model.keras_inputs import NetworkInputs
from providers.model.keras_network import (
    build_declared,
    build_from_code,
    check_embeddings,
    compile_model,
    network_inputs,
)
from providers.model.keras_predictor import load_keras
from providers.model.keras_runtime import (
    import_keras,
    make_deterministic,
    numpy_copy_warnings_ignored,
)
from providers.model.training import Trained, TrainingData, TrainingSettings
from providers.problems import Problem

__all__ = ["load_keras", "train_keras"]

DEFAULT_EPOCHS = 10
DEFAULT_BATCH_SIZE = 32
MODEL_FILE = "model.keras"
TENSORBOARD_DIRECTORY = "tensorboard"
TENSORBOARD_ARCHIVE = "tensorboard.tar"


def train_keras(data: TrainingData, settings: TrainingSettings, workdir: Path) -> Trained:
    """Train the network on `data.train`, and return it saved as `workdir/model.keras`.

    With layer blocks the network is built from them (see `keras_network`); with code,
    `settings.code` is the user's function, called as
    `build_model(input_dim: int, task: str, classes: list | None, params: dict)`: `input_dim`
    is the number of features (one float32 input vector, in `data.features` order), `task`
    "binary", "multiclass" or "regression", `classes` the label's classes in the order of
    their indices (None for a regression), `params` the model's `params`. It returns a Keras
    model whose output is 1 sigmoid unit (binary; or 2 softmax units), one softmax unit per
    class (multiclass) or 1 linear unit (regression), compiled or not: an uncompiled model is
    compiled with `optimizer`, `learning_rate` and `loss`.

    Raises `Problem` for the user's mistakes: early stopping without a valid part, missing
    values in the features, an embedding of an unknown column, a bad `build_model`.
    """
    if settings.early_stopping_rounds is not None and data.valid is None:
        raise Problem.at(
            ("early_stopping_rounds",),
            "early stopping watches the split's valid part, and this split has none; add a "
            "valid part to the split, or remove early_stopping_rounds",
        )
    if settings.code is not None:
        inputs = NetworkInputs.single_vector(data.features)
    else:
        inputs = network_inputs(data, settings.layers)
    _check_complete(data, inputs)
    embeddings = check_embeddings(data, settings) if settings.code is None else {}
    keras, tf = import_keras()
    make_deterministic(settings.seed, settings.nthread)
    if settings.code is not None:
        model = build_from_code(keras, data, settings)
    else:
        model = build_declared(keras, data, settings, inputs, embeddings)
    compile_model(keras, model, data, settings)

    epochs = int(settings.epochs or DEFAULT_EPOCHS)
    batch_size = int(settings.batch_size or DEFAULT_BATCH_SIZE)
    train = (
        tf.data.Dataset.from_tensor_slices((inputs.arrays(data.train), data.encoded(data.train)))
        .shuffle(len(data.train), seed=int(settings.seed), reshuffle_each_iteration=True)
        .batch(batch_size)
    )
    valid = None
    if data.valid is not None:
        valid = tf.data.Dataset.from_tensor_slices(
            (inputs.arrays(data.valid), data.encoded(data.valid))
        ).batch(batch_size)
    logs = workdir / TENSORBOARD_DIRECTORY
    shutil.rmtree(logs, ignore_errors=True)  # an earlier attempt's events are not this one's
    callbacks: list[Any] = [
        keras.callbacks.TensorBoard(log_dir=str(logs), profile_batch=0),
        _progress_callback(keras, settings, epochs),
    ]
    stopping = None
    if settings.early_stopping_rounds is not None:
        stopping = keras.callbacks.EarlyStopping(
            monitor="val_loss",
            patience=int(settings.early_stopping_rounds),
            restore_best_weights=True,
        )
        callbacks.append(stopping)
    with numpy_copy_warnings_ignored():
        history = model.fit(
            train,
            validation_data=valid,
            epochs=epochs,
            callbacks=callbacks,
            shuffle=False,
            verbose=0,
        )
        path = workdir / MODEL_FILE
        model.save(path)
    normalize_keras_file(path)
    logs.mkdir(parents=True, exist_ok=True)
    archive = pack_directory(logs, workdir / TENSORBOARD_ARCHIVE)
    return Trained(
        path=path,
        format="keras",
        history=history_by_part(history.history),
        best_iteration=int(stopping.best_epoch) if stopping is not None else None,
        files={"tensorboard": archive},
        card=inputs.card(),
        warnings=_unused_params(settings),
    )


def _unused_params(settings: TrainingSettings) -> tuple[tuple[tuple[str | int, ...], str], ...]:
    if settings.code is not None or not settings.params:
        return ()
    return (
        (
            ("params",),
            "params are passed to build_model only, and this network is declared in layer "
            "blocks: they are unused; remove them",
        ),
    )


def _check_complete(data: TrainingData, inputs: NetworkInputs) -> None:
    for part, frame in (("train", data.train), ("valid", data.valid)):
        if frame is None:
            continue
        missing = inputs.columns_with_missing_values(frame)
        if missing:
            raise Problem.at(
                (),
                f"the split's {part} part has missing values in {', '.join(missing)}; a "
                "tensorflow model cannot train on them: impute them in the split's "
                "preprocessing, or leave those columns out",
            )


def history_by_part(history: Mapping[str, Sequence[float]]) -> dict[str, list[float]]:
    """Keras's history (`loss`, `val_loss`, `auc`, ...) named like xgboost's: `train-loss`,
    `valid-loss`, `train-auc`."""
    named = {}
    for key, values in history.items():
        part, metric = ("valid", key[4:]) if key.startswith("val_") else ("train", key)
        named[f"{part}-{metric}"] = [float(value) for value in values]
    return named


def _progress_callback(keras: Any, settings: TrainingSettings, epochs: int) -> Any:
    class Progress(keras.callbacks.Callback):
        def on_epoch_end(self, epoch: int, logs: Mapping[str, float] | None = None) -> None:
            logs = logs or {}
            if "val_loss" in logs:
                metric = f", valid-loss {logs['val_loss']:.4f}"
            elif "loss" in logs:
                metric = f", train-loss {logs['loss']:.4f}"
            else:
                metric = ""
            settings.progress(f"epoch {epoch + 1}/{epochs}{metric}")

    return Progress()
