"""Building a model: read the split's parts, train with the type's trainer, write the card,
reload the stored model the way the evaluation and the endpoint will, and store its
predictions on every part.

Files (artifacts, by name): `model` (the native file), `card` (card.json), `history.json`
(history.json: each metric by round or epoch), `predictions.<part>` (Parquet), and what the
trainer adds (`tensorboard`: the TensorBoard logs as a tar archive, unpacked for
`tensorboard_dir`).
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from mlform.sdk import ArtifactStore, ProviderDiagnostic
from providers.common import PART_NAMES
from providers.model.card import make_card, model_id, write_card
from providers.model.code import CodeFile, function_of, import_code, imported_libraries, read_code
from providers.model.data import (
    SplitView,
    check_split,
    dataset_columns,
    find_split,
    read_part,
    training_data,
)
from providers.model.errors import ModelError
from providers.model.loading import load_predictor
from providers.model.predictions import ARTIFACT_PREFIX, predictions_table, write_predictions
from providers.model.settings import ModelSettings, type_libraries
from providers.model.training import Trained, TrainingData, TrainingSettings
from providers.problems import Problem

CARD_FILE = "card.json"
HISTORY_FILE = "history.json"
HISTORY_ARTIFACT = "history.json"
"""Not "history": that name is the output holding the history itself, and an output named
like an artifact must hold its digest."""
UNPACKED = {"tensorboard": "tensorboard_dir"}
"""Trainer files that are archives of a directory, and the output giving it unpacked."""


@dataclass(frozen=True)
class Built:
    outputs: dict[str, Any]
    files: dict[str, Path]
    warnings: list[ProviderDiagnostic] = field(default_factory=list)
    libraries: dict[str, str] = field(default_factory=dict)


def build(
    settings: ModelSettings,
    upstream: Mapping[str, Mapping[str, Any]],
    store: ArtifactStore,
    config_dir: Path,
    workdir: Path,
    progress: Callable[[str], None],
) -> Built:
    """Train and store; raises `Problem` for the user's mistakes."""
    split = find_split(settings.split, upstream)
    found = check_split(
        split,
        settings.label,
        settings.training.early_stopping_rounds is not None,
        dataset_columns(settings.split, upstream),
    )
    if found:
        raise Problem(found)
    code = read_code(settings.code, config_dir) if settings.code is not None else None
    data = training_data(store, split, settings.label, settings.task, settings.objective)
    training = replace(
        settings.training, vocabulary_sizes=split.vocabulary_sizes(), progress=progress
    )
    start = time.perf_counter()
    trained = train(settings.type, data, training, workdir, code)
    duration = time.perf_counter() - start

    card = make_card(data, trained)
    card_path = workdir / CARD_FILE
    write_card(card, card_path)
    history_path = workdir / HISTORY_FILE
    history_path.write_text(json.dumps(trained.history, sort_keys=True) + "\n")
    digests = {"model": _digest(trained.path), "card": _digest(card_path)}
    files = {"model": trained.path, "card": card_path, HISTORY_ARTIFACT: history_path}
    files.update(trained.files)
    predicted = predict_parts(card, trained.path, data, split, store, config_dir, workdir, progress)
    files.update({ARTIFACT_PREFIX + part: path for part, path in predicted.items()})

    outputs: dict[str, Any] = {
        "id": model_id(digests["model"], digests["card"]),
        "format": trained.format,
        "task": data.task.value,
        "features": list(data.features),
        "classes": card["classes"],
        "history": {name: list(values) for name, values in trained.history.items()},
        "feature_importance": dict(trained.feature_importance)
        if trained.feature_importance is not None
        else None,
        "best_iteration": trained.best_iteration,
        "code_version": code.digest if code is not None else None,
        "duration": round(duration, 3),
        "model": digests["model"],
        "card": digests["card"],
        "predictions": {part: _digest(path) for part, path in predicted.items()},
        "tensorboard_dir": None,
    }
    for name, output in UNPACKED.items():
        if name in trained.files:
            outputs[output] = str(store.unpacked(store.put(trained.files[name])))
    libraries = type_libraries(settings.type)
    if code is not None:
        libraries.update(imported_libraries(code))
    warnings = [ProviderDiagnostic.warning(message, path) for path, message in trained.warnings]
    return Built(outputs, files, warnings, libraries)


def train(
    model_type: str,
    data: TrainingData,
    settings: TrainingSettings,
    workdir: Path,
    code: CodeFile | None,
) -> Trained:
    """Dispatch to the type's trainer; tensorflow and xgboost are imported only here."""
    if model_type == "xgboost":
        from providers.model.xgboost_trainer import train_xgboost

        return train_xgboost(data, settings, workdir)
    if model_type == "tensorflow":
        from providers.model.keras_trainer import train_keras

        if code is not None:
            reference = code.reference
            module = import_code(reference.file, code.source, code.digest, code.path)
            function = function_of(
                module, reference.file, reference.function, "the function returning a Keras model"
            )
            settings = replace(settings, code=function)
        return train_keras(data, settings, workdir)
    if code is None:
        raise Problem.at(("type",), 'a python model needs code = "file.py:function"')
    from providers.model.python_model import train_python

    return train_python(data, settings, workdir, code)


def predict_parts(
    card: Mapping[str, Any],
    model_path: Path,
    data: TrainingData,
    split: SplitView,
    store: ArtifactStore,
    config_dir: Path,
    workdir: Path,
    progress: Callable[[str], None],
) -> dict[str, Path]:
    """Predict every part with the stored model, loaded as any user of it will load it."""
    try:
        predictor = load_predictor(card, model_path, code_dir=config_dir)
    except ModelError as error:
        raise Problem.at(
            _blamed(card), f"the trained model cannot be loaded back: {error}"
        ) from None
    ordered = sorted(split.parts, key=lambda p: PART_NAMES.index(p) if p in PART_NAMES else 99)
    written = {}
    for part in ordered:
        progress(f"predicting the {part} part")
        known = {"train": data.train, "valid": data.valid}
        frame = known.get(part)
        if frame is None:
            frame = read_part(store, split, part, data.features, data.label)
        try:
            predictions = predictor.predict(frame)
        except ModelError as error:
            raise Problem.at(
                _blamed(card), f"the model cannot predict the {part} part: {error}"
            ) from None
        path = workdir / f"predictions.{part}.parquet"
        write_predictions(predictions_table(frame[data.label], predictions, data.classes), path)
        written[part] = path
    return written


def _blamed(card: Mapping[str, Any]) -> tuple[str, ...]:
    """Where a failure to reload or predict points: the code for a python model (its load
    or predict failed), else the model as a whole."""
    return ("code",) if card.get("format") == "python" else ()


def _digest(path: Path) -> str:
    from providers.dataset.fingerprint import file_digest

    return file_digest(path)
