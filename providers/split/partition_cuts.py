"""Cutting rows laid out in order into parts of given sizes, by selection where it can and by
one stable sort where it must."""

from __future__ import annotations

from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
from numpy.typing import NDArray

from providers.split.partition_columns import Groups, groups_of

Labels = NDArray[np.int8]
"""The position in the split's parts of each row's part."""


def cut_sorted(values: NDArray[Any], totals: NDArray[np.int64]) -> Labels:
    """Labels for the rows as if stably sorted by `values` and cut into `totals` rows, found
    by selection rather than sorting (linear, not n log n): a row is after a cut when its value
    is above the value at the cut, or equal to it and late enough in the table."""
    cuts = np.cumsum(totals)[:-1]
    at_cuts = np.partition(values, cuts)[cuts]
    labels = np.zeros(values.size, dtype=np.int8)
    for cut, value in zip(cuts, at_cuts, strict=True):
        labels += values > value
        equal = np.flatnonzero(values == value)
        before = int(cut) - int(np.count_nonzero(values < value))
        labels[equal[before:]] += 1
    return labels


def cut_groups(order: NDArray[np.int64], groups: Groups, counts: NDArray[np.int64]) -> Labels:
    """Labels for the rows taken in `order` within each group: the first counts[g, 0] rows of
    group g go to the first part, the next counts[g, 1] to the second, and so on."""
    order = order[np.argsort(groups.small_codes()[order], kind="stable")]
    group = groups.codes[order]
    starts = np.cumsum(groups.sizes) - groups.sizes
    rank = np.arange(order.size) - starts[group]
    bounds = np.cumsum(counts, axis=1)
    in_order = np.zeros(order.size, dtype=np.int8)
    for part in range(counts.shape[1] - 1):
        in_order += rank >= bounds[group, part]
    labels = np.empty(order.size, dtype=np.int8)
    labels[order] = in_order
    return labels


def cut_in_index_order(column: pa.ChunkedArray, totals: NDArray[np.int64]) -> Labels:
    """Labels for the rows from oldest to newest by a complete column, ties in table order."""
    if is_numeric(column.type):
        return cut_sorted(numbers(column), totals)
    # the rank of each row's value among the distinct values: far fewer to sort than rows
    return cut_sorted(groups_of(column).codes, totals)


def index_order(column: pa.ChunkedArray) -> NDArray[np.int64]:
    """The rows from oldest to newest by a complete column; ties keep their order."""
    if pa.types.is_dictionary(column.type):
        column = column.cast(column.type.value_type)
    order = pc.sort_indices(column)  # stable, ascending
    return np.asarray(order.to_numpy(zero_copy_only=False), dtype=np.int64)


def is_numeric(kind: pa.DataType) -> bool:
    """Whether numpy orders the column's values as Arrow does (numbers, dates, timestamps,
    durations and booleans); other types are sorted by Arrow."""
    return bool(
        pa.types.is_integer(kind)
        or pa.types.is_floating(kind)
        or pa.types.is_boolean(kind)
        or pa.types.is_timestamp(kind)
        or pa.types.is_date(kind)
        or pa.types.is_duration(kind)
    )


def numbers(column: pa.ChunkedArray) -> NDArray[Any]:
    """A numeric column as numpy numbers in the same order (times as integers: numpy selects
    among those faster)."""
    values = column.to_numpy()
    if values.dtype.kind in "mM":
        return values.view(np.int64)
    return values.view(np.uint8) if values.dtype.kind == "b" else values
