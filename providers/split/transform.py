"""A split's preprocessing: decided from the configuration, fitted on the train part only,
applied to every part and to served rows alike, and stored as JSON (no pickle).

Each column's steps compose in one order: fill, clip, log1p, then one encoding (standardize,
normalize, bucketize, one_hot, vocabulary or hash_buckets). Rows with a missing value in a
`drop_rows` column are removed first, so they shape no statistic. A served row gets exactly
the features the same row gets in a part, but for ffill and bfill: served rows are
independent, so each of their missing values takes the fallback fitted on train (see
`transform_fill`).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from functools import cached_property
from typing import Any

import numpy as np
import pyarrow as pa

from mlform.sdk import did_you_mean, quoted_choices
from providers.problems import Problem
from providers.split.transform_column import FittedColumn
from providers.split.transform_spec import ColumnSpec, decide_columns
from providers.split.transform_values import ServingError, columns_of, missing_mask, to_arrow

__all__ = ["FittedTransform", "ServingError", "TransformPlan", "fit_transform_spec"]

FORMAT = "mlform.transform/1"


def fit_transform_spec(
    config: Mapping[str, Any], schema: pa.Schema, label: str | None
) -> TransformPlan:
    """The steps of every column of `schema` (the dataset after `where`), from the split's
    preprocessing blocks and `defaults`; raises a Problem listing every misconfigured
    column (not in the dataset, a step its type cannot take, the label transformed)."""
    columns, dropped = decide_columns(config, schema, label)
    return TransformPlan(tuple(columns), dropped, label)


@dataclass(frozen=True)
class TransformPlan:
    """The preprocessing decided, not yet fitted. `dropped`: the columns left out of the
    features that nothing names (strings, dates and the like), to warn about."""

    columns: tuple[ColumnSpec, ...]
    dropped: list[str]
    label: str | None = None

    def fit(self, train: pa.Table) -> FittedTransform:
        """Fits every column's steps on the train part; raises a Problem for every column
        that cannot be fitted as configured, pointing at the step at fault."""
        keep = _kept_rows(train, [s.name for s in self.columns if _drops_rows(s)])
        if keep is not None:
            train = train.filter(pa.array(keep))
        fitted, problems = [], []
        for spec in self.columns:
            try:
                fitted.append(FittedColumn.fit(spec, train.column(spec.name)))
            except Problem as problem:
                problems += problem.diagnostics
        if problems:
            raise Problem(problems)
        transform = FittedTransform(tuple(fitted), self.label)
        _check_feature_names(self.columns, transform.columns)
        return transform


@dataclass(frozen=True)
class FittedTransform:
    """The fitted preprocessing: everything it needs is in `to_json()`."""

    columns: tuple[FittedColumn, ...]
    label: str | None = None

    @cached_property
    def features(self) -> list[str]:
        """The output feature names, in order: each input column's features in place."""
        return [name for column in self.columns for name in column.features()]

    @cached_property
    def passthrough(self) -> list[str]:
        """The input columns that are not features under their own name (the label, columns
        left out, columns encoded into `column=value` features), to store beside them."""
        features = set(self.features)
        return [column.name for column in self.columns if column.name not in features]

    @cached_property
    def statistics(self) -> dict[str, dict[str, Any]]:
        """The fitted parameters of every column that has steps, for `mlform state show`."""
        found = {column.name: column.statistics() for column in self.columns}
        return {name: statistics for name, statistics in found.items() if statistics}

    def to_json(self) -> dict[str, Any]:
        """The whole transform as JSON values; json.dumps(sort_keys=True) of it gives the
        same bytes for the same fit."""
        return {
            "format": FORMAT,
            "label": self.label,
            "columns": [column.to_json() for column in self.columns],
            "features": self.features,
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> FittedTransform:
        if data.get("format") != FORMAT:
            raise ValueError(
                f"not a fitted transform in format {FORMAT}: {data.get('format')!r}; it was "
                "written by another version of mlform: apply the split again"
            )
        transform = cls(tuple(FittedColumn.from_json(c) for c in data["columns"]), data["label"])
        if transform.features != data["features"]:
            raise ValueError("the fitted transform is damaged: its features do not match")
        return transform

    def apply(
        self, table: pa.Table, *, passthrough: bool = False
    ) -> tuple[pa.Table, np.ndarray | None]:
        """The features of a part, and the rows kept (None when drop_rows dropped none).

        The table holds the kept rows only; with `passthrough`, the passthrough columns
        follow the features, their fills applied, so that the label a fill completes is
        stored filled.
        """
        missing = [c.name for c in self.columns if c.name not in table.column_names]
        if missing:
            raise ValueError(
                f"the table has no column {quoted_choices(missing, 'and')}, which the "
                "transform was fitted with"
            )
        keep = _kept_rows(table, [c.name for c in self.columns if c.drops_rows])
        names = [c.name for c in self.columns if c.feature or passthrough]
        part = table.select(names)
        if keep is not None:
            part = part.filter(pa.array(keep))
        arrays: list[pa.Array | pa.ChunkedArray] = []
        for column in self.columns:
            if column.feature:
                arrays += map(to_arrow, column.apply(part.column(column.name)))
        features = list(self.features)
        if passthrough:
            others = set(self.passthrough)
            kept = [c for c in self.columns if c.name in others]
            arrays += [c.passthrough(part.column(c.name)) for c in kept]
            features += [c.name for c in kept]
        return pa.Table.from_arrays(arrays, names=features), keep

    def apply_rows(self, rows: list[dict[str, Any]]) -> pa.Table:
        """The features of served rows: JSON values by column, a missing key or None being
        a missing value. Raises ServingError for a row that is not an object, a column the
        dataset does not have, a value of the wrong type, or a missing value in a
        drop_rows column."""
        known = self._names
        for row, given in enumerate(rows):
            if not isinstance(given, Mapping):
                raise ServingError(f"row {row} is not an object of column values")
            for name in given:
                if name not in known:
                    hint = did_you_mean(str(name), known, otherwise="")
                    raise ServingError(
                        f'row {row}: unknown column "{name}"{hint}; send the dataset\'s '
                        "columns (the label is not needed)"
                    )
        if not rows:
            return self._empty()
        blocks = [
            column.apply_values([row.get(column.name) for row in rows])
            for column in self._feature_columns
        ]
        return pa.Table.from_arrays(columns_of(blocks), names=self.features)

    @cached_property
    def _names(self) -> dict[str, None]:
        """The input columns, in order (for did-you-mean) and hashed (for membership)."""
        return dict.fromkeys(column.name for column in self.columns)

    @cached_property
    def _feature_columns(self) -> tuple[FittedColumn, ...]:
        return tuple(column for column in self.columns if column.feature)

    def _empty(self) -> pa.Table:
        fields = [
            pa.field(name, pa.from_numpy_dtype(column.dtype))
            for column in self.columns
            for name in column.features()
        ]
        return pa.schema(fields).empty_table()


def _drops_rows(spec: ColumnSpec) -> bool:
    return spec.fill is not None and spec.fill.setting("method") == "drop_rows"


def _kept_rows(table: pa.Table, columns: list[str]) -> np.ndarray | None:
    """The rows with a value in every one of `columns`; None when that is all of them."""
    if not columns:
        return None
    missing = np.zeros(table.num_rows, dtype=bool)
    for name in columns:
        missing |= missing_mask(table.column(name))
    return ~missing if missing.any() else None


def _check_feature_names(specs: tuple[ColumnSpec, ...], columns: tuple[FittedColumn, ...]) -> None:
    """Two columns giving a feature the same name (`plan=basic` from one_hot, and a column
    called that) would make the features ambiguous."""
    owner: dict[str, str] = {}
    for spec, column in zip(specs, columns, strict=True):
        for name in column.features():
            if name in owner:
                path = spec.encoding.path if spec.encoding is not None else ()
                raise Problem.at(
                    path,
                    f'columns "{owner[name]}" and "{column.name}" both give a feature named '
                    f'"{name}"; rename one of them in the dataset',
                )
            owner[name] = column.name
