"""The split by listed categories: `categories = { train = ["north"], test = ["south"] }`
sends each value of `categorize_by` to the part that lists it, and the values nobody listed
to `unknown`."""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
from numpy.typing import NDArray

from mlform.sdk import quoted_choices
from providers.problems import Problem
from providers.split.partition_columns import Groups, groups_of, listed_parts
from providers.split.partition_cuts import Labels

_UNLISTED_SHOWN = 5


def by_listed_categories(
    column: pa.ChunkedArray,
    categorize_by: str,
    categories: dict[str, list[str]],
    unknown: str | None,
) -> tuple[tuple[str, ...], Labels]:
    """The parts categories names, and each row's part. Values are compared by their text,
    so `categories = { train = ["1"] }` matches 1 in a column of numbers."""
    parts = listed_parts(categories, "categories")
    if unknown is not None and unknown not in parts:
        raise Problem.at(
            ("unknown",),
            f'unknown names part "{unknown}", which categories does not list; use one of '
            f"{quoted_choices(parts)}",
        )
    groups = groups_of(column)
    listed = [(value, part) for part in parts for value in categories[part]]
    found = pc.index_in(
        groups.texts(), value_set=pa.array([value for value, _ in listed], type=pa.string())
    )
    part_of_listed = np.array([parts.index(part) for _, part in listed] + [-1], dtype=np.int8)
    part_of_group = part_of_listed[found.fill_null(len(listed)).to_numpy(zero_copy_only=False)]
    unlisted = np.flatnonzero(part_of_group < 0)
    if unlisted.size:
        if unknown is None:
            raise Problem.at(("categories",), _unlisted_message(groups, unlisted, categorize_by))
        part_of_group[unlisted] = parts.index(unknown)
    labels = part_of_group[groups.codes]
    sizes = np.bincount(labels, minlength=len(parts))
    for part, size in zip(parts, sizes, strict=True):
        if size == 0:
            listing = (
                f"none of its categories ({quoted_choices(categories[part], 'and')}) occurs in "
                f'column "{categorize_by}"'
                if categories[part]
                else "it lists no categories"
                + (" and every value is listed" if part == unknown else "")
            )
            raise Problem.at(
                ("categories", part),
                f'part "{part}" would be empty: {listing}; list categories that occur, or '
                "remove the part",
            )
    return parts, labels


def _unlisted_message(groups: Groups, unlisted: NDArray[np.int64], column: str) -> str:
    texts = groups.texts().take(pa.array(unlisted)).to_pylist()
    has_missing = None in texts
    values = [f'"{text}"' for text in texts if text is not None]
    described = ", ".join(values[:_UNLISTED_SHOWN])
    if len(values) > _UNLISTED_SHOWN:
        described += f" and {len(values) - _UNLISTED_SHOWN} more"
    if has_missing:
        described += (" and " if described else "") + "missing values"
    rows = int(groups.sizes[unlisted].sum())
    return (
        f'categories does not list every value of "{column}": {described} ({rows} rows) are '
        'in no part; list them under a part in categories, or set unknown = "PART" to send '
        "every unlisted value to that part"
    )
