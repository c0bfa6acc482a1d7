"""Metrics per slice: the rows sharing one value of a `slice_by` column.

Slices are named "column=value" (`"plan=basic"`, `"tier=2"`, `"region=null"` for missing
values), in the order of the columns listed, then of the values sorted; every metric is
computed on each, and a metric undefined on a slice (auc when it holds a single class) is
None there. A column the split one-hot encoded is sliced by its original categories,
recovered from its features.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from mlform.sdk import did_you_mean
from providers.evaluation.code import MetricFunction
from providers.evaluation.scoring import MetricValue, Scored, compute
from providers.evaluation.settings import CustomMetric
from providers.problems import Problem

if TYPE_CHECKING:
    import pandas as pd

MISSING = "__missing__"
OTHER = "__other__"
"""The split's one-hot feature names for missing values and for categories it did not keep
(`plan=__missing__`, `plan=__other__`)."""

MANY_VALUES = 100
"""A slice column with more values than this is likely an identifier: a warning says so."""


@dataclass(frozen=True)
class Slice:
    name: str
    rows: int
    metrics: dict[str, MetricValue]


def check_columns(slice_by: Sequence[str], frame: pd.DataFrame) -> None:
    """Raise `Problem` at `slice_by` for each column the part cannot be sliced by."""
    columns = [str(c) for c in frame.columns]
    missing = [(i, c) for i, c in enumerate(slice_by) if slice_series(frame, c) is None]
    if not missing:
        return
    from mlform.sdk import ProviderDiagnostic

    raise Problem(
        [
            ProviderDiagnostic.error(
                f'slice_by names column "{column}", which the evaluated part does not have'
                f"{did_you_mean(column, columns, otherwise='.')} Its columns are: "
                f"{', '.join(columns)}. A column the split encodes as numbers (vocabulary, "
                "hash_buckets, bucketize) is not stored as it was; slice by a column the "
                "split passes through or one-hot encodes.",
                ("slice_by", index),
            )
            for index, column in missing
        ]
    )


def slice_series(frame: pd.DataFrame, column: str) -> pd.Series | None:
    """The values of a slice column: the column itself, or its raw values recovered from its
    one-hot features (`plan=basic`, `plan=pro`, ...: the category whose feature is 1;
    `__missing__` is null). None when the part has neither."""
    if column in frame.columns:
        return frame[column]
    prefix = f"{column}="
    features = [c for c in frame.columns if isinstance(c, str) and c.startswith(prefix)]
    if not features:
        return None
    import pandas as pd

    categories = [name[len(prefix) :] for name in features]
    hot = frame[features].to_numpy() > 0
    values: list[Any] = []
    for row in hot:
        found = row.nonzero()[0]
        category = categories[found[0]] if len(found) else OTHER
        values.append(None if category == MISSING else category)
    return pd.Series(values, index=frame.index, dtype=object, name=column)


def compute_slices(
    scored: Scored,
    slice_by: Sequence[str],
    builtin: Sequence[str],
    custom: Mapping[str, tuple[CustomMetric, MetricFunction]],
) -> list[Slice]:
    found = []
    for column in slice_by:
        values = slice_series(scored.frame, column)
        assert values is not None, column  # checked by check_columns
        missing = values.isna().to_numpy()
        present = sorted(set(values[~missing].tolist()), key=_order)
        groups = [(value, (values == value).to_numpy() & ~missing) for value in present]
        if missing.any():
            groups.append((None, missing))
        for value, mask in groups:
            name = f"{column}={slice_value(value)}"
            part = scored.subset(mask)
            metrics = compute(part, builtin, custom, where=f"on slice {name}")
            found.append(Slice(name, part.rows, metrics))
    return found


def many_values(scored: Scored, slice_by: Sequence[str]) -> list[tuple[int, str, int]]:
    """The slice columns with more than `MANY_VALUES` values: (index, column, count)."""
    counts = [
        (index, column, int(values.nunique(dropna=False)))
        for index, column in enumerate(slice_by)
        if (values := slice_series(scored.frame, column)) is not None
    ]
    return [(i, c, n) for i, c, n in counts if n > MANY_VALUES]


def slice_value(value: Any) -> str:
    """A value as it appears in a slice's name."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _order(value: Any) -> tuple[int, Any]:
    """Numbers in numeric order, then everything else by its text."""
    if isinstance(value, int | float) and not isinstance(value, bool):
        return (0, value)
    return (1, str(value))
