"""Served rows to the model's feature matrix, a few rows at a time, without numpy per value.

The split's fitted transform works column by column on numpy arrays: right for a part of a
million rows, but a one-row request then costs a numpy call per step per column, several
hundred microseconds in all. This module compiles each fitted column into a plain Python
function of one value, from the column's own fitted parameters, and gives up (`Fallback`)
on anything but the usual case: a value of an unexpected type, a value log1p cannot take, a
missing value in a drop_rows column, a step it does not know. The caller then runs the rows
through the transform itself, which either gives the features or raises the `ServingError`
that names the problem. `RowPlan.check` (run on probe rows when a version is loaded, and in
the tests on random rows) compares the two bit for bit: a plan that disagrees is not used.
"""

from __future__ import annotations

import bisect
import math
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from providers.split.transform import FittedTransform
from providers.split.transform_categorical import HashBuckets, OneHot, Vocabulary
from providers.split.transform_column import FittedColumn
from providers.split.transform_numeric import Bucketize, Normalize, Numbers, Standardize
from providers.split.transform_values import Kind, bucket_of

Step = Callable[[Any, list[float]], None]
"""Appends one column's features for one value to a row's list."""

NAN = math.nan


class Fallback(Exception):
    """The compiled plan cannot take this value: let the transform decide."""


class RowPlan:
    """The feature columns' compiled steps, in the transform's order, and the permutation
    that puts the transform's features in the model's order (None when they agree)."""

    def __init__(self, steps: Sequence[tuple[str, Step]], order: Sequence[int] | None):
        self.steps = tuple(steps)
        self.order = None if order is None else np.asarray(order, dtype=np.intp)

    @classmethod
    def compile(cls, transform: FittedTransform, model_features: Sequence[str]) -> RowPlan | None:
        """The plan, or None when a column has a step this module does not know."""
        steps = []
        for column in transform.columns:
            if not column.feature:
                continue
            step = _compile(column)
            if step is None:
                return None
            steps.append((column.name, step))
        return cls(steps, feature_order(transform.features, model_features))

    def matrix(self, rows: Sequence[dict[str, Any]], dtype: type = np.float64) -> np.ndarray:
        """The features of rows whose columns were checked (none unknown), computed in
        float64 as the transform does, then cast (float32 rounds as numpy casts)."""
        table = []
        for row in rows:
            features: list[float] = []
            for name, step in self.steps:
                step(row.get(name), features)
            table.append(features)
        matrix: np.ndarray = np.array(table, dtype=dtype)
        return matrix if self.order is None else matrix[:, self.order]


def feature_order(features: Sequence[str], model_features: Sequence[str]) -> list[int] | None:
    """Where each of the model's features is among the transform's; None when in place.
    Raises ValueError when the model wants a feature the transform does not make."""
    if list(features) == list(model_features):
        return None
    position = {name: index for index, name in enumerate(features)}
    missing = [name for name in model_features if name not in position]
    if missing:
        raise ValueError(
            f"the model was trained on features the transform does not make: "
            f"{', '.join(missing[:10])}; apply the model again on this split"
        )
    return [position[name] for name in model_features]


def _compile(column: FittedColumn) -> Step | None:
    encoder = column.encoder
    if type(encoder) in (Numbers, Standardize, Normalize, Bucketize):
        return _numbers(column)
    if type(encoder) in (OneHot, Vocabulary, HashBuckets) and column.kind.categorical:
        return _categories(column)
    return None


def _numbers(column: FittedColumn) -> Step | None:
    to_number = _BOOL_NUMBER if column.kind is Kind.BOOL else _NUMBER
    fill = column.fill
    drops = fill is not None and fill.method == "drop_rows"
    fill_value: float | None = None
    if fill is not None and not drops:
        if type(fill.value) not in (int, float):
            return None
        fill_value = float(fill.value)
    low = high = None
    if column.clip is not None:
        low, high = column.clip.minimum, column.clip.maximum
        low = None if low is None else float(low)
        high = None if high is None else float(high)
    log1p = column.log1p
    encode = _number_encoder(column.encoder)

    def step(value: Any, features: list[float]) -> None:
        x = to_number(value)
        if x != x:
            if drops:
                raise Fallback
            if fill_value is not None:
                x = fill_value
        if x == x:
            if low is not None and x < low:
                x = low
            if high is not None and x > high:
                x = high
        if log1p:
            if x <= -1.0:
                raise Fallback
            x = float(np.log1p(x))
        features.append(encode(x))

    return step


def _number(value: Any) -> float:
    kind = type(value)
    if kind is float:
        return float(value)
    if kind is int:
        try:
            return float(value)
        except OverflowError:
            raise Fallback from None
    if value is None:
        return NAN
    raise Fallback


def _bool_number(value: Any) -> float:
    if value is None:
        return NAN
    if type(value) in (bool, int, float) and value in (0, 1):
        return float(value)
    raise Fallback


_NUMBER = _number
_BOOL_NUMBER = _bool_number


def _number_encoder(encoder: Any) -> Callable[[float], float]:
    if type(encoder) is Standardize:
        mean, scale = encoder.mean, encoder.std if encoder.std > 0 else 1.0
        return lambda x: (x - mean) / scale
    if type(encoder) is Normalize:
        low = encoder.minimum
        span = encoder.maximum - encoder.minimum
        span = span if span > 0 else 1.0
        return lambda x: (x - low) / span
    if type(encoder) is Bucketize:
        edges = [float(edge) for edge in encoder.boundaries]
        missing = float(encoder.missing_bucket)
        return lambda x: float(bisect.bisect_right(edges, x)) if x == x else missing
    return lambda x: x


def _categories(column: FittedColumn) -> Step | None:
    to_category = _CATEGORIES[column.kind]
    fill = column.fill
    drops = fill is not None and fill.method == "drop_rows"
    filled = fill is not None and not drops
    fill_value = fill.value if fill is not None else None
    encoder = column.encoder

    if type(encoder) is OneHot:
        index = {value: code for code, value in enumerate(encoder.categories)}
        width = len(encoder.categories) + encoder.missing + encoder.other
        unseen = len(encoder.categories) + encoder.missing if encoder.other else -1
        missing_code = len(encoder.categories) if encoder.missing else unseen
        zeros = [0.0] * width

        def one_hot(value: Any, features: list[float]) -> None:
            category = to_category(value)
            if category is None:
                if drops:
                    raise Fallback
                if filled:
                    category = fill_value
            code = missing_code if category is None else index.get(category, unseen)
            start = len(features)
            features += zeros
            if code >= 0:
                features[start + code] = 1.0

        return one_hot

    if type(encoder) is Vocabulary:
        known = {value: code for code, value in enumerate(encoder.values)}
        size, oov = len(encoder.values), encoder.num_oov_buckets

        def vocabulary(value: Any, features: list[float]) -> None:
            category = to_category(value)
            if category is None:
                if drops:
                    raise Fallback
                if filled:
                    category = fill_value
            code = known.get(category)
            if code is None:
                code = -1 if oov == 0 else size + bucket_of(category, oov)
            features.append(float(code))

        return vocabulary

    if type(encoder) is HashBuckets:
        buckets = encoder.buckets

        def hashed(value: Any, features: list[float]) -> None:
            category = to_category(value)
            if category is None:
                if drops:
                    raise Fallback
                if filled:
                    category = fill_value
            features.append(float(bucket_of(category, buckets)))

        return hashed
    return None


def _string_category(value: Any) -> Any:
    if type(value) is str or value is None:
        return value
    if type(value) is float and value != value:
        return None
    raise Fallback


def _bool_category(value: Any) -> Any:
    if type(value) is bool or value is None:
        return value
    if type(value) is float and value != value:
        return None
    if type(value) in (int, float) and value in (0, 1):
        return bool(value)
    raise Fallback


def _integer_category(value: Any) -> Any:
    kind = type(value)
    if kind is int or value is None:
        return value
    if kind is float:
        if value != value:
            return None
        if value.is_integer():
            return int(value)
    raise Fallback


_CATEGORIES: dict[Kind, Callable[[Any], Any]] = {
    Kind.STRING: _string_category,
    Kind.BOOL: _bool_category,
    Kind.INTEGER: _integer_category,
}
