"""What every trainer (xgboost, tensorflow, python) gets and gives back, and what every
trained model offers the evaluation and the endpoint: one `Predictor` interface.

The split hands over its parts as pandas frames of the split's feature columns (in the
split's `features` order), with the label column and the passthrough columns beside them.
A trainer sees only `TrainingData`; it writes its files under `workdir` and returns a
`Trained`. Loading goes through `providers.model.loading.load_predictor(card, model_path)`,
where the card is the JSON document (`card.json`) stored beside the model file: format,
features, label, task and classes, enough to load and use the model with no pickle.
"""

from __future__ import annotations

import enum
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

if TYPE_CHECKING:
    import numpy as np
    import pandas as pd


class Task(enum.Enum):
    BINARY = "binary"
    MULTICLASS = "multiclass"
    REGRESSION = "regression"

    @property
    def is_classification(self) -> bool:
        return self is not Task.REGRESSION


@dataclass(frozen=True)
class TrainingData:
    """The parts a model trains on. `train` and `valid` hold the feature columns and the
    label (as the split passed it through: strings stay strings); `valid` is None when the
    split has no valid part. `classes` are the label's classes in the order of the encoded
    indices (sorted), None for regression; `encoded` gives the label of a frame as those
    indices (or as floats for regression)."""

    train: pd.DataFrame
    valid: pd.DataFrame | None
    features: Sequence[str]
    label: str
    task: Task
    classes: Sequence[Any] | None

    def encoded(self, frame: pd.DataFrame) -> np.ndarray:
        """The label as class indices (int64), or as float64 for a regression; raises
        ValueError for a value outside `classes`."""
        import numpy as np
        import pandas as pd

        if self.classes is None:
            return frame[self.label].to_numpy(dtype=np.float64)
        codes = pd.Index(list(self.classes), dtype=object).get_indexer(frame[self.label])
        if (codes < 0).any():
            unknown = frame[self.label][codes < 0].iloc[0]
            raise ValueError(
                f"the label {unknown!r} is not one of the classes {list(self.classes)}"
            )
        return codes.astype(np.int64)


@dataclass(frozen=True)
class TrainingSettings:
    """The model's configuration as a trainer reads it (defaults applied)."""

    params: Mapping[str, Any]
    seed: int
    nthread: int | None = None
    rounds: int | None = None
    early_stopping_rounds: int | None = None
    epochs: int | None = None
    batch_size: int | None = None
    optimizer: str | None = None
    learning_rate: float | None = None
    loss: str | None = None
    layers: Sequence[Mapping[str, Any]] = ()
    """tensorflow layer blocks in order: {"type": "dense", "units": 64, ...}."""
    code: Callable[..., Any] | None = None
    """The injected function (`code = "file.py:fn"`), already imported."""
    vocabulary_sizes: Mapping[str, int] = field(default_factory=dict)
    """For the split's vocabulary-encoded columns: the number of indices (OOV included)."""
    progress: Callable[[str], None] = lambda message: None
    """Called once per round or epoch: `"round 40/200, valid logloss 0.3121"`."""


@dataclass(frozen=True)
class Trained:
    """A trained model: its file under the work directory, the stored format
    ("xgboost-json", "keras", "python"), the per-round/epoch history
    (`{"train-logloss": [...], "valid-logloss": [...]}`), the feature importance when the
    library reports one, extra files to store as artifacts (name -> path; TensorBoard logs
    as an archive, say), extra card entries needed to load it, and warnings."""

    path: Path
    format: str
    history: Mapping[str, Sequence[float]]
    feature_importance: Mapping[str, float] | None = None
    best_iteration: int | None = None
    files: Mapping[str, Path] = field(default_factory=dict)
    card: Mapping[str, Any] = field(default_factory=dict)
    warnings: Sequence[tuple[tuple[str | int, ...], str]] = ()
    """Things the user should know, each at an attribute path: `(("params", "max_dept"),
    'xgboost does not use the parameter "max_dept"')`."""


@dataclass(frozen=True)
class Predictions:
    """Predictions for a frame's rows: `values` (the decoded class, or the number for a
    regression), and for classifiers `probabilities`, one column per class in `classes`
    order."""

    values: np.ndarray
    probabilities: np.ndarray | None = None


class Predictor(Protocol):
    task: Task
    classes: Sequence[Any] | None
    features: Sequence[str]

    def predict(self, frame: pd.DataFrame) -> Predictions:
        """Predict the rows of a frame holding (at least) the feature columns."""
        ...
