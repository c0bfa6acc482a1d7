"""The split a model trains on, as its upstream object describes it, and its parts as frames.

The split's object (`ApplyRequest.upstream[split id]`) gives `parts` (part name -> digest of
a stored Parquet file), `features` (the feature columns in order: each part file holds them
first, then the columns passed through, such as the label), `statistics` (what the fitted
transform did to each input column) and its input `label`. The model's features are the
split's without the model's label: a numeric label the split passed through as a feature is
still never a feature of the model.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from mlform.sdk import ArtifactStore, ProviderDiagnostic, did_you_mean, import_optional
from providers.model.labels import LABEL, resolve_task
from providers.model.training import TrainingData
from providers.problems import Problem

if TYPE_CHECKING:
    import pandas as pd

SPLIT = ("split",)
EARLY_STOPPING = ("early_stopping_rounds",)


@dataclass(frozen=True)
class SplitView:
    """What a model reads of its split's object."""

    parts: Mapping[str, str]
    features: tuple[str, ...]
    statistics: Mapping[str, Mapping[str, Any]]
    label: str | None

    @classmethod
    def of(cls, split: Mapping[str, Any]) -> SplitView:
        parts = split.get("parts")
        features = split.get("features")
        statistics = split.get("statistics")
        label = split.get("label")
        if not isinstance(parts, Mapping) or "train" not in parts or not isinstance(features, list):
            raise Problem.at(
                SPLIT,
                "the split records no stored parts or features, so there is nothing to train "
                "on; replace the split (mlform apply -replace=split.NAME)",
            )
        return cls(
            parts={str(name): str(digest) for name, digest in parts.items()},
            features=tuple(str(feature) for feature in features),
            statistics=statistics if isinstance(statistics, Mapping) else {},
            label=label if isinstance(label, str) else None,
        )

    def model_features(self, label: str) -> list[str]:
        return [feature for feature in self.features if feature != label]

    def vocabulary_sizes(self) -> dict[str, int]:
        """For vocabulary-encoded columns: the number of indices, out-of-vocabulary included."""
        sizes = {}
        for column, statistics in self.statistics.items():
            indices = statistics.get("indices") if isinstance(statistics, Mapping) else None
            if isinstance(indices, int):
                sizes[column] = indices
        return sizes


def find_split(split_id: Any, upstream: Mapping[str, Mapping[str, Any]]) -> SplitView:
    split = upstream.get(str(split_id))
    if split is None:
        raise Problem.at(
            SPLIT,
            f"the split (id {split_id}) has no recorded result to train on; this is a bug in "
            "mlform, which should have applied it first",
        )
    return SplitView.of(split)


def check_split(
    split: SplitView, label: str, early_stopping: bool, dataset_columns: Sequence[str] | None
) -> list[ProviderDiagnostic]:
    """What can be told from the split's recorded outputs, before reading a part: early
    stopping without a valid part, and a label the split transformed or does not have."""
    found = []
    if early_stopping and "valid" not in split.parts:
        found.append(
            ProviderDiagnostic.error(
                "early stopping watches the split's valid part, and this split has none (its "
                f"parts: {', '.join(split.parts)}); add valid to the split's ratio, or remove "
                "early_stopping_rounds",
                EARLY_STOPPING,
            )
        )
    transformed = split.statistics.get(label)
    if transformed:
        steps = ", ".join(f"{name} {value}" for name, value in transformed.items())
        found.append(
            ProviderDiagnostic.error(
                f'the label "{label}" is transformed by the split ({steps}); a label must reach '
                f'the model unchanged: declare label = "{label}" in the split, and name it in '
                "none of its preprocessing blocks",
                LABEL,
            )
        )
    elif dataset_columns is not None and label not in dataset_columns:
        found.append(ProviderDiagnostic.error(not_a_column(label, dataset_columns), LABEL))
    return found


def known_split_problems(
    split_id: str, label: str, early_stopping: bool, upstream: Mapping[str, Mapping[str, Any]]
) -> list[ProviderDiagnostic]:
    """`check_split` when the split's result is known (at plan time, when it is built and
    unchanged), else nothing."""
    split = upstream.get(split_id)
    if split is None:
        return []
    try:
        view = SplitView.of(split)
    except Problem:
        return []
    return check_split(view, label, early_stopping, dataset_columns(split_id, upstream))


def dataset_columns(split_id: str, upstream: Mapping[str, Mapping[str, Any]]) -> list[str] | None:
    """The columns of the split's dataset, from its recorded schema, when known."""
    split = upstream.get(split_id) or {}
    dataset = upstream.get(str(split.get("dataset"))) or {}
    schema = dataset.get("schema")
    if not isinstance(schema, list):
        return None
    return [str(column["name"]) for column in schema if isinstance(column, Mapping)]


def not_a_column(label: str, columns: Sequence[str]) -> str:
    return (
        f'the label "{label}" is not a column of the split\'s data'
        f"{did_you_mean(label, columns, otherwise='.')} Its columns: {', '.join(columns)}"
    )


def read_part(
    store: ArtifactStore, split: SplitView, part: str, features: Sequence[str], label: str
) -> pd.DataFrame:
    """The features and the label of a stored part, as a frame (in that column order)."""
    parquet = import_optional("pyarrow.parquet", "reading a split's part", package="pyarrow")
    path = store.local_path(split.parts[part])
    present = parquet.read_schema(str(path)).names
    if label not in present:
        raise Problem.at(LABEL, not_a_column(label, present))
    missing = [column for column in features if column not in present]
    if missing:
        raise Problem.at(
            SPLIT,
            f"the split's {part} part lacks its feature columns {', '.join(missing)}; the "
            "stored part is damaged: replace the split (mlform apply -replace=split.NAME)",
        )
    table = parquet.read_table(str(path), columns=[*features, label])
    return table.to_pandas(split_blocks=True, self_destruct=True)


def training_data(
    store: ArtifactStore,
    split: SplitView,
    label: str,
    declared_task: str | None,
    objective: str | None,
) -> TrainingData:
    """The train and valid parts, with the task and classes their labels give."""
    features = split.model_features(label)
    train = read_part(store, split, "train", features, label)
    valid = read_part(store, split, "valid", features, label) if "valid" in split.parts else None
    labels = [train[label]] + ([valid[label]] if valid is not None else [])
    task, classes = resolve_task(label, labels, declared_task, objective)
    return TrainingData(
        train=train, valid=valid, features=features, label=label, task=task, classes=classes
    )
