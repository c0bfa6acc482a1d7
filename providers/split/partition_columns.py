"""The columns a split's strategy works on: the named column (or a did-you-mean), checked for
missing values, its rows grouped by value; and the parts a ratio or categories names."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
from numpy.typing import NDArray

from mlform.sdk import did_you_mean, quoted_choices
from providers.common import PART_NAMES
from providers.problems import Problem

_COLUMNS_SHOWN = 12


@dataclass(frozen=True)
class Groups:
    """The rows grouped by a column's value: `codes[row]` is the row's group, groups being
    numbered in the order of their values (missing last), so the numbering does not depend on
    the order of the rows."""

    codes: NDArray[np.int64]
    sizes: NDArray[np.int64]
    values: pa.Array
    """The value of each group."""

    @property
    def count(self) -> int:
        return int(self.sizes.size)

    def small_codes(self) -> NDArray[np.signedinteger[Any]]:
        """The codes in the narrowest type, for numpy's radix sort of 16-bit integers."""
        return self.codes.astype(np.int16) if self.count <= 2**15 else self.codes

    def texts(self) -> pa.Array:
        """Each group's value as text, to compare with the strings of a configuration (null
        for the group of missing values)."""
        if pa.types.is_string(self.values.type):
            return self.values
        return self.values.cast(pa.string())


def groups_of(column: pa.ChunkedArray) -> Groups:
    """The rows grouped by value; missing values (null) form a group of their own."""
    values = column.combine_chunks() if column.num_chunks != 1 else column.chunk(0)
    if pa.types.is_dictionary(values.type):
        values = values.cast(values.type.value_type)
    encoded = pc.dictionary_encode(values, null_encoding="encode")
    distinct = encoded.dictionary
    ranked = pc.sort_indices(distinct)  # missing last
    code_of = np.empty(len(distinct), dtype=np.int64)
    code_of[ranked.to_numpy(zero_copy_only=False)] = np.arange(len(distinct))
    codes = code_of[encoded.indices.to_numpy(zero_copy_only=False)]
    sizes = np.bincount(codes, minlength=len(distinct)).astype(np.int64)
    return Groups(codes, sizes, distinct.take(ranked))


def column_of(table: pa.Table, name: str, attribute: str) -> pa.ChunkedArray:
    """The column `attribute` names, or a Problem saying which columns there are."""
    if name in table.column_names:
        return table.column(name)
    columns = table.column_names
    hint = did_you_mean(name, columns)
    if not hint:
        shown = quoted_choices(columns[:_COLUMNS_SHOWN], "and")
        more = len(columns) - _COLUMNS_SHOWN
        hint = f"; its columns are {shown}" + (f" and {more} more" if more > 0 else "")
    raise Problem.at(
        (attribute,), f'{attribute} names column "{name}", which the dataset does not have{hint}'
    )


def check_complete(column: pa.ChunkedArray, name: str, attribute: str, purpose: str) -> None:
    """A Problem when the column has missing values (null, or NaN in a float column)."""
    missing = column.null_count
    if pa.types.is_floating(column.type):
        missing += pc.sum(pc.is_nan(column)).as_py() or 0
    if missing:
        raise Problem.at(
            (attribute,),
            f'{attribute} column "{name}" has {missing} missing value'
            f"{'s' if missing != 1 else ''} (of {len(column)} rows), and every row needs "
            f"{purpose}: fill them in the dataset, or leave those rows out with "
            f'where = "{name} IS NOT NULL"',
        )


def listed_parts(parts: Mapping[str, Any] | None, attribute: str) -> tuple[str, ...]:
    """The parts a ratio or categories names, in PART_NAMES order."""
    if not parts:
        raise Problem.at(
            (),
            "a split needs ratio, such as ratio = { train = 0.8, test = 0.2 } "
            "(or categories, with categorize_by)",
        )
    for name in parts:
        if name not in PART_NAMES:
            raise Problem.at(
                (attribute, name),
                f'unknown part "{name}" in {attribute}{did_you_mean(name, PART_NAMES, ".")} '
                f"A split's parts are {quoted_choices(PART_NAMES)}.",
            )
    return tuple(name for name in PART_NAMES if name in parts)
