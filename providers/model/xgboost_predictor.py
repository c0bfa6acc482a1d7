"""A saved xgboost model, loaded to predict: its JSON file and its card.

Predicts with `inplace_predict` on the float32 feature matrix (no DMatrix to build, safe to
call from several threads). Classifiers trained with an objective that outputs probabilities
(`binary:logistic`, `multi:softprob`) return them as xgboost gives them; the others
(`binary:logitraw`, `binary:hinge`, `multi:softmax`) are read as margins and turned into
probabilities with the logistic or softmax function, so every classifier has both the class
and its probabilities.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from mlform.sdk import import_optional
from providers.model.frames import feature_matrix
from providers.model.labels import class_array
from providers.model.training import Predictions, Task

if TYPE_CHECKING:
    import numpy as np
    import pandas as pd

PROBABILITY_OBJECTIVES = ("binary:logistic", "multi:softprob")


def load_xgboost(card: Mapping[str, Any], path: Path) -> XGBoostPredictor:
    xgb = import_optional("xgboost", "loading an xgboost model")
    booster = xgb.Booster()
    # from the bytes: a stored artifact has no .json suffix for xgboost to tell the format by
    booster.load_model(bytearray(Path(path).read_bytes()))
    classes = card.get("classes")
    return XGBoostPredictor(
        booster=booster,
        task=Task(card["task"]),
        classes=list(classes) if classes is not None else None,
        features=[str(feature) for feature in card["features"]],
        objective=str(card.get("objective") or ""),
    )


class XGBoostPredictor:
    def __init__(
        self,
        booster: Any,
        task: Task,
        classes: Sequence[Any] | None,
        features: Sequence[str],
        objective: str,
    ):
        self.booster = booster
        self.task = task
        self.classes = classes
        self.features = features
        self.objective = objective

    def predict(self, frame: pd.DataFrame) -> Predictions:
        import numpy as np

        output = self.outputs(feature_matrix(frame, self.features))
        if self.task is Task.REGRESSION:
            return Predictions(values=output.astype(np.float64, copy=False))
        if self.task is Task.BINARY:
            positive = output if self.objective == "binary:logistic" else _sigmoid(output)
            probabilities = np.column_stack([1.0 - positive, positive])
        else:
            shaped = output.reshape(len(frame), len(self.classes or ()))
            probabilities = shaped if self.objective == "multi:softprob" else _softmax(shaped)
        values = class_array(self.classes or ())[np.argmax(probabilities, axis=1)]
        return Predictions(values=values, probabilities=probabilities)

    def outputs(self, matrix: np.ndarray) -> np.ndarray:
        """xgboost's output: probabilities for the objectives that give them, else margins."""
        import numpy as np

        if len(matrix) == 0:
            width = len(self.classes or ()) if self.task is Task.MULTICLASS else 1
            return np.zeros((0, width) if width > 1 else 0, dtype=np.float32)
        if self.task.is_classification and self.objective not in PROBABILITY_OBJECTIVES:
            return np.asarray(self.booster.inplace_predict(matrix, predict_type="margin"))
        return np.asarray(self.booster.inplace_predict(matrix))


def _sigmoid(margin: np.ndarray) -> np.ndarray:
    import numpy as np

    return np.asarray(1.0 / (1.0 + np.exp(-margin.astype(np.float64))))


def _softmax(margin: np.ndarray) -> np.ndarray:
    import numpy as np

    shifted = margin.astype(np.float64) - margin.max(axis=1, keepdims=True)
    exponentials = np.exp(shifted)
    return np.asarray(exponentials / exponentials.sum(axis=1, keepdims=True))
