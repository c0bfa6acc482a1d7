"""`type = "python"`: injected code trains the model, saves it and loads it back.

The file named by `code = "train.py:train"` defines three functions:

    def train(train: pandas.DataFrame, valid: pandas.DataFrame | None, params: dict, seed: int):
        ...  # returns a model
    def save(model, path: pathlib.Path) -> None:
        ...  # writes the model to one file at `path`, in a format of the user's choosing
    def load(path: pathlib.Path):
        ...  # reads it back

`train` and `valid` hold the model's feature columns (the split's features, in order, without
the label) and then the label column, as the split passed it through (text stays text);
`valid` is None when the split has no valid part. The model has `predict(frame)`, returning
one prediction per row (the class itself for a classifier, a number for a regression), and
for a classifier optionally `predict_proba(frame)`, one column per class in sorted order (or
in the order of its `classes_`); `frame` holds the feature columns only. No pickle is
needed: the format is what `save` writes.

The card keeps the file's source, so a model loads anywhere without the configuration
directory; given one (`code_dir`), helper modules beside the file can be imported too.
"""

from __future__ import annotations

import contextlib
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from providers.model.code import (
    CodeFile,
    call_user,
    describe_failure,
    function_of,
    import_code,
)
from providers.model.errors import FeatureError, ModelLoadError, PredictionError
from providers.model.labels import class_array
from providers.model.training import Predictions, Task, Trained, TrainingData, TrainingSettings
from providers.problems import Problem

if TYPE_CHECKING:
    import numpy as np
    import pandas as pd

FORMAT = "python"
MODEL_FILE = "model"
INTERFACE = {
    "save": "save(model, path) writes the trained model to one file",
    "load": "load(path) reads the saved model back",
}


def train_python(
    data: TrainingData, settings: TrainingSettings, workdir: Path, code: CodeFile
) -> Trained:
    """Run the user's `train`, then `save`; raises `Problem` at `code` when their code fails
    or breaks the interface."""
    reference = code.reference
    module = import_code(reference.file, code.source, code.digest, code.path)
    train = function_of(module, reference.file, reference.function, "the function that trains")
    save = function_of(module, reference.file, "save", INTERFACE["save"])
    function_of(module, reference.file, "load", INTERFACE["load"])
    # shallow copies: pandas copies on write, so the user's edits do not reach ours
    train_frame = data.train.copy(deep=False)
    valid_frame = data.valid.copy(deep=False) if data.valid is not None else None
    settings.progress(f"training ({reference})")
    model = call_user(
        reference.file,
        reference.function,
        lambda: train(train_frame, valid_frame, dict(settings.params), settings.seed),
        code.path,
    )
    if model is None or not callable(getattr(model, "predict", None)):
        returned = "None" if model is None else f"a {type(model).__name__}"
        raise Problem.at(
            ("code",),
            f"{reference} returned {returned}, not a model: return an object with a "
            "predict(frame) method",
        )
    path = workdir / MODEL_FILE
    call_user(reference.file, "save", lambda: save(model, path), code.path)
    if not path.is_file():
        wrote = "a directory" if path.is_dir() else "nothing"
        raise Problem.at(
            ("code",),
            f"{reference.file}:save(model, path) wrote {wrote} at path; it must write the "
            "model to one file at exactly that path",
        )
    return Trained(path=path, format=FORMAT, history={}, card={"code": code_card(code)})


def code_card(code: CodeFile) -> dict[str, str]:
    """What the card keeps of the code: enough to load the model with no configuration."""
    return {
        "file": code.reference.file,
        "function": code.reference.function,
        "version": code.digest,
        "source": code.text,
    }


def load_python(
    card: Mapping[str, Any], path: Path, code_dir: Path | None = None
) -> PythonPredictor:
    """The model saved at `path`, loaded by the `load` function of the code in the card."""
    code = card.get("code")
    if not isinstance(code, Mapping) or not isinstance(code.get("source"), str):
        raise ModelLoadError("the model's card holds no code to load it with; replace the model")
    file = str(code["file"])
    origin = (code_dir / file).resolve() if code_dir is not None else None
    try:
        module = import_code(file, code["source"], str(code["version"]), origin)
        load = function_of(module, file, "load", INTERFACE["load"])
        model = call_user(file, "load", lambda: load(path), origin)
    except Problem as problem:
        raise ModelLoadError(str(problem)) from None
    classes = card.get("classes")
    return PythonPredictor(
        model=model,
        file=file,
        filename=str(getattr(module, "__file__", file)),
        task=Task(card["task"]),
        classes=list(classes) if classes is not None else None,
        features=[str(feature) for feature in card["features"]],
    )


class PythonPredictor:
    def __init__(
        self,
        model: Any,
        file: str,
        filename: str,
        task: Task,
        classes: Sequence[Any] | None,
        features: Sequence[str],
    ):
        self.model = model
        self.file = file
        self.filename = filename  # as the code was compiled: for the line of a failure
        self.task = task
        self.classes = classes
        self.features = features

    def predict(self, frame: pd.DataFrame) -> Predictions:
        import numpy as np

        missing = [name for name in self.features if name not in frame.columns]
        if missing:
            raise FeatureError(f"the rows lack the feature columns {', '.join(missing)}")
        rows = frame[list(self.features)]
        values = self._call("predict", rows)
        if self.task is Task.REGRESSION:
            return Predictions(values=values.astype(np.float64))
        probabilities = None
        if callable(getattr(self.model, "predict_proba", None)):
            probabilities = self._probabilities(self._call("predict_proba", rows))
        classes = class_array(self.classes or ())
        if values.dtype != classes.dtype and classes.dtype != object:
            with contextlib.suppress(TypeError, ValueError):  # keep what the model gave
                values = values.astype(classes.dtype)
        return Predictions(values=values, probabilities=probabilities)

    def _call(self, method: str, rows: pd.DataFrame) -> np.ndarray:
        import numpy as np

        try:
            result = np.asarray(getattr(self.model, method)(rows))
        except Exception as error:
            raise PredictionError(
                f"{self.file}: the model's {method} failed: {describe_failure(error, self.filename)}"
            ) from None
        if len(result) != len(rows):
            raise PredictionError(
                f"{self.file}: the model's {method} returned {len(result)} rows for "
                f"{len(rows)}; it must return one per row"
            )
        return result

    def _probabilities(self, output: np.ndarray) -> np.ndarray:
        """The columns of predict_proba in the card's class order."""
        import numpy as np

        classes = list(self.classes or ())
        output = output.astype(np.float64).reshape(len(output), -1)
        own = getattr(self.model, "classes_", None)
        if own is not None and len(own) == output.shape[1]:
            index = {_plain(value): position for position, value in enumerate(own)}
            if all(value in index for value in classes):
                return output[:, [index[value] for value in classes]]
        if output.shape[1] != len(classes):
            raise PredictionError(
                f"{self.file}: the model's predict_proba returned {output.shape[1]} columns "
                f"for {len(classes)} classes; return one column per class, in sorted order"
            )
        return output


def _plain(value: Any) -> Any:
    item = getattr(value, "item", None)
    return item() if callable(item) else value
