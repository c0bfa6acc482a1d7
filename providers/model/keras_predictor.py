"""A saved tensorflow model, loaded to predict: the `.keras` file and its card.

The card (format, features, task, classes and the `keras_inputs` that `train_keras` added)
says how to feed the network and how to read its output back into classes or numbers.
tensorflow is imported by `load_keras`, never at module import.
"""

from __future__ import annotations

import tempfile
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from providers.model.keras_inputs import NetworkInputs
from providers.model.keras_runtime import import_keras
from providers.model.training import Predictions, Task

if TYPE_CHECKING:
    import numpy as np
    import pandas as pd

# Rows per call of the network: large frames go through in chunks, each an eager call (no
# tf.function to trace for a one-row request at an endpoint).
CHUNK_ROWS = 8192


def load_keras(card: Mapping[str, Any], path: Path) -> KerasPredictor:
    """The model saved at `path` (a `.keras` file, possibly stored without the extension,
    as the artifact store keeps files by digest) as a `Predictor`, described by `card`."""
    keras, _ = import_keras()
    if path.suffix == ".keras":
        model = keras.models.load_model(path, compile=False)
    else:  # Keras picks the format by the extension: show it the file under a .keras name
        with tempfile.TemporaryDirectory(prefix="mlform-keras-") as scratch:
            named = Path(scratch) / "model.keras"
            named.symlink_to(path.resolve())
            model = keras.models.load_model(named, compile=False)
    classes = card.get("classes")
    return KerasPredictor(
        model=model,
        task=Task(card["task"]),
        classes=list(classes) if classes is not None else None,
        features=list(card["features"]),
        inputs=NetworkInputs.from_card(card),
    )


class KerasPredictor:
    """Predicts with a Keras network: decoded classes and their probabilities, or numbers."""

    def __init__(
        self,
        model: Any,
        task: Task,
        classes: Sequence[Any] | None,
        features: Sequence[str],
        inputs: NetworkInputs,
    ):
        self.model = model
        self.task = task
        self.classes = classes
        self.features = features
        self.inputs = inputs

    def predict(self, frame: pd.DataFrame) -> Predictions:
        import numpy as np

        output = self.outputs(frame)
        if self.task is Task.REGRESSION:
            return Predictions(values=output[:, 0])
        if output.shape[1] == 1:  # one sigmoid unit: the probability of classes[1]
            probabilities = np.column_stack([1.0 - output[:, 0], output[:, 0]])
        else:
            probabilities = output
        classes = np.asarray(list(self.classes or ()))
        return Predictions(
            values=classes[np.argmax(probabilities, axis=1)], probabilities=probabilities
        )

    def outputs(self, frame: pd.DataFrame) -> np.ndarray:
        """The network's raw output for the rows of `frame`, as float64 (rows x units)."""
        import numpy as np

        arrays = self.inputs.arrays(frame)
        chunks = []
        for start in range(0, max(len(frame), 1), CHUNK_ROWS):
            chunk = _rows(arrays, start, start + CHUNK_ROWS)
            chunks.append(self.model(chunk, training=False).numpy().astype(np.float64))
        return np.concatenate(chunks)


def _rows(arrays: np.ndarray | dict[str, np.ndarray], start: int, stop: int) -> Any:
    if isinstance(arrays, dict):
        return {name: values[start:stop] for name, values in arrays.items()}
    return arrays[start:stop]
