"""Loading any stored model to predict: the one way the evaluation, the endpoint and the
model provider itself (for the predictions it stores) turn a card and a model file into a
`Predictor`.

The card (the model's "card" artifact, JSON) says which loader reads the file:
`"xgboost-json"`, `"keras"` (tensorflow, imported only here, when such a model is loaded) or
`"python"` (the injected code kept in the card). Every loader returns a `Predictor`:
`predict(frame)` takes rows holding at least the card's `features` (other columns are
ignored) and returns `Predictions`: the decoded class or the number, and for a classifier
the probability of each class in the card's `classes` order.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from mlform.sdk import MissingDependencyError
from providers.model.errors import ModelLoadError
from providers.model.training import Predictor, Task

FORMATS = ("xgboost-json", "keras", "python")


def load_predictor(
    card: Mapping[str, Any], model_path: Path, *, code_dir: Path | None = None
) -> Predictor:
    """The model stored at `model_path`, described by `card`.

    `code_dir`: for a python model, the directory its code file came from (the
    configuration directory), so that helper modules beside it can be imported; without it
    the model loads from the code kept in the card alone.

    Raises `ModelLoadError` when the card is not one mlform wrote or the file cannot be
    loaded, and `MissingDependencyError` when the format's library is not installed.
    """
    check_card(card)
    model_format = card["format"]
    if not Path(model_path).is_file():
        raise ModelLoadError(f"the model file {model_path} does not exist")
    try:
        if model_format == "xgboost-json":
            from providers.model.xgboost_predictor import load_xgboost

            return load_xgboost(card, Path(model_path))
        if model_format == "keras":
            from providers.model.keras_trainer import load_keras

            return load_keras(card, Path(model_path))
        from providers.model.python_model import load_python

        return load_python(card, Path(model_path), code_dir)
    except (ModelLoadError, MissingDependencyError):
        raise
    except Exception as error:
        raise ModelLoadError(
            f"the {model_format} model in {model_path} cannot be loaded: "
            f"{type(error).__name__}: {error}"
        ) from error


def check_card(card: Mapping[str, Any]) -> None:
    """Raises `ModelLoadError` unless the card has what every loader needs."""
    model_format = card.get("format")
    if model_format not in FORMATS:
        raise ModelLoadError(
            f'the model card names the format "{model_format}", which this version of mlform '
            f"cannot load (it loads {', '.join(FORMATS)}); upgrade mlform"
        )
    try:
        Task(card.get("task"))
    except ValueError:
        raise ModelLoadError(f"the model card has no valid task ({card.get('task')!r})") from None
    features = card.get("features")
    if not isinstance(features, list) or not all(isinstance(name, str) for name in features):
        raise ModelLoadError("the model card lists no features")
