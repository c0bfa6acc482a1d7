"""A model's raw predictions on every part of its split, stored as Parquet artifacts
(`predictions.train`, `predictions.valid`, ...) for custom evaluation.

One row per row of the part, in its order. Columns: `label` (the true value, as the split
stored it), `prediction` (the predicted class, decoded, or the number) and, for a
classifier, `probability_<class>` for each class in the card's order: the same columns as an
evaluation's own predictions, without its `row`.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from mlform.sdk import import_optional
from providers.model.training import Predictions

if TYPE_CHECKING:
    import pyarrow as pa

ARTIFACT_PREFIX = "predictions."


def predictions_table(
    label: Any, predictions: Predictions, classes: Sequence[Any] | None
) -> pa.Table:
    """The table of one part: `label` is the part's label column (array-like)."""
    arrow = import_optional("pyarrow", "storing predictions")
    columns = {
        "label": arrow.array(label),
        "prediction": arrow.array(predictions.values),
    }
    if predictions.probabilities is not None:
        for index, value in enumerate(classes or ()):
            columns[f"probability_{value}"] = arrow.array(
                predictions.probabilities[:, index].astype("float64")
            )
    return arrow.table(columns)


def write_predictions(table: pa.Table, path: Path) -> None:
    """Written with lz4 rather than the datasets' zstd: predictions are mostly incompressible
    floats, written for every part at every training, and lz4 writes them three times faster."""
    from providers.dataset.build import PARQUET_OPTIONS

    parquet = import_optional("pyarrow.parquet", "storing predictions", package="pyarrow")
    parquet.write_table(table, str(path), **{**PARQUET_OPTIONS, "compression": "lz4"})
