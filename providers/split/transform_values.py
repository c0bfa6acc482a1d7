"""The column values a split's transform works on: the kinds of column it tells apart, their
conversion to numpy and Arrow arrays, and the stable hash behind hash_buckets and the
vocabulary's out-of-vocabulary indices.

Missing means null, and NaN in a floating column (as pandas and scikit-learn count it).
"""

from __future__ import annotations

import hashlib
import math
from enum import Enum
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

MISSING_TEXT = ""
"""The text a missing value is hashed as (by hash_buckets and out-of-vocabulary indices)."""


class ServingError(ValueError):
    """Rows a served transform cannot turn into features; the message is fit for the body of
    an HTTP 400 response: it names the row and the column at fault."""


class Kind(Enum):
    """What a column holds, as far as preprocessing cares."""

    FLOAT = "float"
    INTEGER = "integer"
    BOOL = "bool"
    STRING = "string"
    OTHER = "other"

    @property
    def numeric(self) -> bool:
        """Numbers (bools as 0/1): fill statistics, clip, log1p and scaling apply."""
        return self in (Kind.FLOAT, Kind.INTEGER, Kind.BOOL)

    @property
    def categorical(self) -> bool:
        """Values one_hot, vocabulary and hash_buckets can treat as categories."""
        return self in (Kind.INTEGER, Kind.BOOL, Kind.STRING)

    @property
    def noun(self) -> str:
        return {
            Kind.FLOAT: "numbers",
            Kind.INTEGER: "integers",
            Kind.BOOL: "booleans",
            Kind.STRING: "strings",
            Kind.OTHER: "values that are neither numbers nor strings",
        }[self]


class Role(Enum):
    """What becomes of a column: features, or kept beside them unchanged (fills aside)."""

    FEATURE = "feature"
    LABEL = "label"
    PASSTHROUGH = "passthrough"


def kind_of(data_type: pa.DataType) -> Kind:
    if pa.types.is_dictionary(data_type):
        data_type = data_type.value_type
    if pa.types.is_floating(data_type) or pa.types.is_decimal(data_type):
        return Kind.FLOAT
    if pa.types.is_integer(data_type):
        return Kind.INTEGER
    if pa.types.is_boolean(data_type):
        return Kind.BOOL
    if (
        pa.types.is_string(data_type)
        or pa.types.is_large_string(data_type)
        or pa.types.is_string_view(data_type)
    ):
        return Kind.STRING
    return Kind.OTHER


def arrow_values(column: pa.Array | pa.ChunkedArray, kind: Kind) -> pa.Array:
    """One contiguous array: dictionaries decoded, integers as int64, and NaN as null in a
    floating column, so that every missing value is a null."""
    array = column.combine_chunks() if isinstance(column, pa.ChunkedArray) else column
    if pa.types.is_dictionary(array.type):
        array = array.dictionary_decode()
    if kind is Kind.INTEGER and array.type != pa.int64():
        array = array.cast(pa.int64())
    if pa.types.is_floating(array.type) and array.null_count < len(array):
        nan = pc.is_nan(array)
        if pc.any(nan).as_py():
            array = pc.if_else(nan, pa.scalar(None, array.type), array)
    return array


def floats(column: pa.Array | pa.ChunkedArray, kind: Kind) -> np.ndarray:
    """The column as float64, missing values as NaN (bools as 0/1). The array may be
    read-only: transform it into new arrays."""
    data_type = column.type
    if pa.types.is_dictionary(data_type):
        column = arrow_values(column, kind)
        data_type = column.type
    if pa.types.is_decimal(data_type):
        # Python's float() rounds a Decimal correctly, as it does the number a client sends.
        return np.array(
            [math.nan if value is None else float(value) for value in column.to_pylist()],
            dtype=np.float64,
        )
    if data_type != pa.float64():
        # unsafe: an integer beyond 2**53 rounds to the nearest float, as float() does
        column = column.cast(pa.float64(), safe=False)
    result = column.to_numpy(zero_copy_only=False)
    return np.asarray(result, dtype=np.float64)


def missing_mask(column: pa.Array | pa.ChunkedArray) -> np.ndarray:
    """True where the value is null, or NaN in a floating column."""
    data_type = column.type
    if pa.types.is_dictionary(data_type):
        data_type = data_type.value_type
    nan_is_null = pa.types.is_floating(data_type)
    if column.null_count == 0 and not nan_is_null:
        return np.zeros(len(column), dtype=bool)
    mask = pc.is_null(column, nan_is_null=nan_is_null)
    return np.asarray(mask.to_numpy(zero_copy_only=False), dtype=bool)


def text_of(value: Any) -> str:
    """The text a category is named and hashed by: `true`/`false` for booleans (as HCL and
    JSON write them), the decimal digits of an integer, a string as it is."""
    if value is None:
        return MISSING_TEXT
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def bucket_of(value: Any, buckets: int) -> int:
    """A stable hash of the value's text into [0, buckets): the first 8 bytes of its blake2b
    digest as a little-endian integer, modulo buckets (Python's hash() is salted per process)."""
    # surrogatepass: a served string may hold a lone surrogate (JSON allows "\ud800"),
    # which strict UTF-8 refuses; every other string encodes to the same bytes either way
    data = text_of(value).encode("utf-8", "surrogatepass")
    digest = hashlib.blake2b(data, digest_size=8).digest()
    return int.from_bytes(digest, "little") % buckets


def hashed(array: pa.Array, buckets: int) -> np.ndarray:
    """bucket_of for every value of an array, each distinct value hashed once."""
    encoded = array.dictionary_encode()
    dictionary = encoded.dictionary.to_pylist()
    table = np.array(
        [bucket_of(value, buckets) for value in dictionary] + [bucket_of(None, buckets)],
        dtype=np.int64,
    )
    indices = encoded.indices.fill_null(len(dictionary))
    return table[np.asarray(indices.to_numpy(zero_copy_only=False), dtype=np.int64)]


_ARROW_TYPES = {
    np.dtype(np.float64): pa.float64(),
    np.dtype(np.int64): pa.int64(),
    np.dtype(np.uint8): pa.uint8(),
}


def to_arrow(values: np.ndarray) -> pa.Array:
    """A feature array as Arrow without a copy (pa.array() spends tens of microseconds
    looking for pandas types: too long for a served row)."""
    values = np.ascontiguousarray(values)
    data_type = _ARROW_TYPES[values.dtype]
    return pa.Array.from_buffers(data_type, len(values), [None, pa.py_buffer(values)])


def columns_of(blocks: list[np.ndarray]) -> list[pa.Array]:
    """The rows of feature blocks as Arrow arrays, in order, the blocks of each dtype in one
    buffer: for a few served rows, a buffer per feature costs more than the transform."""
    stacked = {}
    for dtype in {block.dtype for block in blocks}:
        same = np.concatenate([block for block in blocks if block.dtype == dtype])
        stacked[dtype] = to_arrow(same.reshape(-1))
    rows = len(blocks[0][0]) if blocks else 0
    used = dict.fromkeys(stacked, 0)
    columns = []
    for block in blocks:
        for _ in range(len(block)):
            columns.append(stacked[block.dtype].slice(used[block.dtype] * rows, rows))
            used[block.dtype] += 1
    return columns


def json_number(value: Any) -> int | float:
    """A Python int or float for a numpy scalar, so that JSON output is canonical."""
    if isinstance(value, bool | np.bool_):
        return int(value)
    if isinstance(value, int | np.integer):
        return int(value)
    return float(value)


def json_scalar(value: Any) -> Any:
    """A category or fill value as plain JSON: str, int, float, bool or None."""
    if value is None or isinstance(value, str | bool):
        return value
    if isinstance(value, np.bool_):
        return bool(value)
    return json_number(value)


class FitError(Exception):
    """A column that cannot be fitted as configured (no values to take a statistic of, a
    value log1p cannot take); the caller turns it into a Problem at the step's path."""
