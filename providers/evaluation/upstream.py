"""What an evaluation reads from the resources it depends on: the model, its split, the part
to score, and the model's card and file; and the part's labelled rows, scored by the model.

`ApplyRequest.upstream` holds the object (inputs and outputs) of every resource upstream by
id: the evaluation's `model` input is the model's id, the model's `split` input the split's.
The model's `card` output is the digest of its card (format, features, label, task,
classes), `model` the digest of its file; the split's `parts` map each part to the digest of
its Parquet file.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from mlform.sdk import ArtifactStore, MissingDependencyError, ProviderDiagnostic
from providers.common import PART_NAMES
from providers.evaluation.code import describe
from providers.evaluation.scoring import Scored
from providers.model.training import Predictor, Task
from providers.problems import Problem

if TYPE_CHECKING:
    import numpy as np
    import pandas as pd

HELD_OUT = ("test", "eval")
"""The parts an evaluation scores by default, in order of preference."""


@dataclass(frozen=True)
class Upstream:
    model: Mapping[str, Any]
    split: Mapping[str, Any]

    @property
    def parts(self) -> list[str]:
        parts = self.split.get("parts")
        names = list(parts) if isinstance(parts, Mapping) else []
        return sorted(names, key=lambda n: PART_NAMES.index(n) if n in PART_NAMES else 99)

    @property
    def early_stopping(self) -> bool:
        return self.model.get("early_stopping_rounds") is not None


def find_upstream(model_id: str, upstream: Mapping[str, Mapping[str, Any]]) -> Upstream | None:
    """The model and its split, when both are known (None at plan time before they are)."""
    model = upstream.get(model_id)
    if model is None:
        return None
    split = upstream.get(str(model.get("split")))
    return None if split is None else Upstream(model, split)


def require_upstream(model_id: str, upstream: Mapping[str, Mapping[str, Any]]) -> Upstream:
    found = find_upstream(model_id, upstream)
    if found is None:
        raise Problem.at(
            ("model",),
            f"the model (id {model_id}) or its split has no recorded result to evaluate; "
            "this is a bug in mlform, which should have applied them first",
        )
    return found


def choose_part(part: str | None, upstream: Upstream) -> tuple[str, list[ProviderDiagnostic]]:
    """The part to score and the warnings about it: `part`, else test, else eval.

    Scoring the part early stopping watched, or the part the model trained on, gives
    optimistic metrics: a warning, not an error (it may be what the user wants to see)."""
    parts = upstream.parts
    if part is None:
        chosen = next((name for name in HELD_OUT if name in parts), None)
        if chosen is None:
            raise Problem.at(
                ("part",),
                f"the model's split has no test or eval part to evaluate on (its parts: "
                f"{', '.join(parts)}); add one to the split's ratio, or set part",
            )
        part = chosen
    elif part not in parts:
        raise Problem.at(
            ("part",),
            f'the model\'s split has no "{part}" part (its parts: {", ".join(parts)}); set '
            f'part to one of them, or add "{part}" to the split\'s ratio',
        )
    warnings = []
    if part == "valid" and upstream.early_stopping:
        warnings.append(
            ProviderDiagnostic.warning(
                'part "valid" is the part early stopping watched while training the model, '
                "so its metrics are optimistic; evaluate on a held-out part (test or eval)",
                ("part",),
            )
        )
    elif part == "train":
        warnings.append(
            ProviderDiagnostic.warning(
                'part "train" is the part the model was trained on, so its metrics are '
                "optimistic; evaluate on a held-out part (test or eval)",
                ("part",),
            )
        )
    return part, warnings


@dataclass(frozen=True)
class Card:
    """The model's card: how to load it and what it predicts."""

    document: Mapping[str, Any]

    @property
    def label(self) -> str:
        return str(self.document["label"])

    @property
    def task(self) -> Task:
        return Task(self.document["task"])

    @property
    def classes(self) -> Sequence[Any] | None:
        classes = self.document.get("classes")
        return list(classes) if classes is not None else None

    @property
    def features(self) -> list[str]:
        return list(self.document.get("features") or ())


def read_card(upstream: Upstream, store: ArtifactStore) -> tuple[Card, Path]:
    """The model's card and the local path of its file."""
    card_digest, model_digest = upstream.model.get("card"), upstream.model.get("model")
    if not isinstance(card_digest, str) or not isinstance(model_digest, str):
        raise Problem.at(
            ("model",),
            "the model's result records no card or model file, so it cannot be loaded; "
            "replace it with a model provider that records them (mlform apply -replace=MODEL)",
        )
    try:
        document = json.loads(store.local_path(card_digest).read_text())
        card = Card(document)
        _ = card.label, card.task
    except (OSError, ValueError, KeyError, TypeError) as error:
        raise Problem.at(
            ("model",), f"the model's card cannot be read ({error}); replace the model"
        ) from None
    return card, store.local_path(model_digest)


def load_model(card: Card, path: Path, config_dir: Path) -> Predictor:
    """The model, loaded through the model provider (`providers.model.loading`); a python
    model's code may import its neighbours in the configuration directory."""
    from providers.model.loading import load_predictor

    return load_predictor(dict(card.document), path, code_dir=config_dir)


def read_part(upstream: Upstream, part: str, store: ArtifactStore) -> pd.DataFrame:
    from mlform.sdk import import_optional

    parquet = import_optional("pyarrow.parquet", "reading a split's part", package="pyarrow")
    digest = upstream.split["parts"][part]
    return parquet.read_table(str(store.local_path(digest))).to_pandas()


def labelled_rows(frame: Any, card: Card, part: str) -> tuple[Any, np.ndarray, int]:
    """The rows with a label, their positions in the part's file, and how many had none."""
    if card.label not in frame.columns:
        raise Problem.at(
            ("model",),
            f'part "{part}" has no column "{card.label}", the model\'s label; the split must '
            "pass the label through (declare it with label in the split)",
        )
    known = frame[card.label].notna().to_numpy()
    rows = known.nonzero()[0].astype("int64")
    dropped = len(frame) - len(rows)
    if dropped:
        frame = frame.loc[known].reset_index(drop=True)
    classes = card.classes
    if classes is not None:
        frame = _integral_labels(frame, card.label, classes)
        unseen = sorted(str(v) for v in set(frame[card.label].tolist()) - set(classes))
        if unseen:
            raise Problem.at(
                ("part",),
                f'the label "{card.label}" of part "{part}" holds values the model never saw '
                f"in training: {', '.join(unseen[:10])}; its classes are "
                f"{', '.join(str(c) for c in classes)}. Split so that train holds every class "
                "(stratify_by the label)",
            )
    return frame, rows, dropped


def _integral_labels(frame: Any, label: str, classes: Sequence[Any]) -> Any:
    """Integer classes stored as floats (a Parquet integer column with nulls reads as float)
    back as integers, so that labels and predictions compare as the same values."""
    integral = all(isinstance(c, int) and not isinstance(c, bool) for c in classes)
    column = frame[label]
    if integral and column.dtype.kind == "f" and bool((column % 1 == 0).all()):
        frame = frame.assign(**{label: column.astype("int64")})
    return frame


def score_part(frame: Any, card: Card, model_path: Path, part: str, config_dir: Path) -> Scored:
    from providers.model.errors import ModelError

    try:
        predictor = load_model(card, model_path, config_dir)
        predictions = predictor.predict(frame)
    except MissingDependencyError as error:
        raise Problem.at(("model",), str(error)) from None
    except ModelError as error:
        raise Problem.at(
            ("model",),
            f'the model cannot score part "{part}": {error}; replace the model '
            "(mlform apply -replace=MODEL)",
        ) from None
    except Exception as error:
        raise Problem.at(
            ("model",),
            f'the model could not predict part "{part}": {describe(error)}; this is a bug in '
            "the model provider, or its stored file is damaged (mlform apply -replace=MODEL)",
        ) from None
    return Scored(frame, frame[card.label].to_numpy(), predictions, card.task, card.classes)
