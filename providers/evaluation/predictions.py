"""The raw predictions of the evaluated part, stored as a Parquet artifact for custom
evaluation: one row per row of the part, in its order.

Columns: `row` (the row's position in the part's file), `label` (the true value, as the
split stored it), `prediction` (the predicted class or value) and, for a classifier,
`probability_<class>` for each class in the model's order.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from mlform.sdk import import_optional
from providers.evaluation.scoring import Scored

if TYPE_CHECKING:
    import numpy as np
    import pyarrow as pa

ARTIFACT = "predictions"


def predictions_table(scored: Scored, rows: np.ndarray) -> pa.Table:
    arrow = import_optional("pyarrow", "storing predictions")
    columns = {
        "row": arrow.array(rows, type=arrow.int64()),
        "label": arrow.array(scored.y_true),
        "prediction": arrow.array(scored.predictions.values),
    }
    probabilities = scored.predictions.probabilities
    if probabilities is not None:
        for index, value in enumerate(scored.classes or ()):
            columns[f"probability_{value}"] = arrow.array(probabilities[:, index].astype("float64"))
    return arrow.table(columns)


def write_predictions(table: pa.Table, path: Path) -> str:
    """Write the table; the digest of its content (not of the file's bytes, which hold the
    writer's version), for the evaluation's id."""
    from providers.dataset.build import write_parquet
    from providers.dataset.canonical import content_digest

    write_parquet(table, path)
    return content_digest(table)
