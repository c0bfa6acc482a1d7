"""Which part of a split each row of its dataset goes to.

`assign_parts` turns a table and a split's settings into the row indices of each part, by one
of the strategies validate allows: a seeded shuffle (ratio alone), the order of a column
(index_by), whole categories (categorize_by, with a ratio or with listed categories), the
hybrid of the two (each category cut in index order), a hash of a key (hash_by) or strata
(stratify_by). Everything is vectorised over the rows, so a million rows take a fraction of
a second. Sizes are exact (largest remainder, see `partition_counts`) and shuffles and
hashes are seeded and stable across machines and library versions (see `partition_hash`).

A mistake in the data that the configuration could not reveal (a column the dataset lacks,
missing keys, an empty part, categories nobody listed) raises `Problem`, pointing at the
attribute at fault.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
import pyarrow as pa
from numpy.typing import NDArray

from mlform.sdk import value_of
from providers.problems import Problem
from providers.split.partition_categories import by_listed_categories
from providers.split.partition_columns import (
    Groups,
    check_complete,
    column_of,
    groups_of,
    listed_parts,
)
from providers.split.partition_counts import Shares, group_counts, largest_remainder
from providers.split.partition_cuts import (
    Labels,
    cut_groups,
    cut_in_index_order,
    cut_sorted,
    index_order,
)
from providers.split.partition_hash import key_hashes, shuffle_keys, unit_interval

STRATEGIES = ("index_by", "categorize_by", "hash_by", "stratify_by")
"""The attributes that name a column, checked before any work is done."""


@dataclass(frozen=True)
class PartitionSettings:
    """The attributes of a split that decide its parts."""

    ratio: dict[str, float] | None
    seed: int
    index_by: str | None
    categorize_by: str | None
    categories: dict[str, list[str]] | None
    unknown: str | None
    hash_by: str | None
    stratify_by: str | None

    @classmethod
    def from_config(cls, config: Mapping[str, Any]) -> PartitionSettings:
        """The settings of a validated, fully known split configuration."""
        ratio = value_of(config, "ratio")
        categories = value_of(config, "categories")
        seed = value_of(config, "seed")
        return cls(
            ratio=None if ratio is None else {part: float(share) for part, share in ratio.items()},
            seed=0 if seed is None else int(seed),
            index_by=value_of(config, "index_by"),
            categorize_by=value_of(config, "categorize_by"),
            categories=None
            if categories is None
            else {part: [str(value) for value in values] for part, values in categories.items()},
            unknown=value_of(config, "unknown"),
            hash_by=value_of(config, "hash_by"),
            stratify_by=value_of(config, "stratify_by"),
        )


def assign_parts(table: pa.Table, settings: PartitionSettings) -> dict[str, NDArray[np.int64]]:
    """The sorted row indices of each part, in PART_NAMES order: every row in exactly one."""
    chosen = [attribute for attribute in STRATEGIES if getattr(settings, attribute) is not None]
    if len(chosen) > 1 and set(chosen) != {"index_by", "categorize_by"}:
        raise Problem.at(
            (chosen[1],),
            f"{chosen[0]} and {chosen[1]} cannot be used together; remove one of them",
        )
    for attribute in chosen:
        column_of(table, getattr(settings, attribute), attribute)
    if table.num_rows == 0:
        raise Problem.at((), "the dataset has no rows to split; check its source and where")
    if settings.categories is not None:
        if settings.categorize_by is None:
            raise Problem.at(("categories",), "categories needs categorize_by")
        if settings.index_by is not None:
            raise Problem.at(
                ("index_by",),
                "index_by has no effect with categories, which choose the part of each "
                "category; remove index_by, or replace categories by a ratio to cut each "
                "category in index order",
            )
        parts, labels = by_listed_categories(
            table.column(settings.categorize_by),
            settings.categorize_by,
            settings.categories,
            settings.unknown,
        )
    else:
        parts = listed_parts(settings.ratio, "ratio")
        labels = _by_ratio(table, parts, settings)
    return {
        part: np.flatnonzero(labels == position).astype(np.int64, copy=False)
        for position, part in enumerate(parts)
    }


def _by_ratio(table: pa.Table, parts: tuple[str, ...], settings: PartitionSettings) -> Labels:
    assert settings.ratio is not None
    shares = Shares.of([settings.ratio[part] for part in parts])
    if settings.hash_by is not None:
        return _by_hash(table, parts, shares, settings)
    if settings.categorize_by is not None and settings.index_by is None:
        return _by_category_ratio(table, parts, shares, settings)
    index = None
    if settings.index_by is not None:
        index = _complete(table, settings.index_by, "index_by", "a place in the order")
    totals = largest_remainder(table.num_rows, shares)
    _check_sizes(
        parts, settings, totals, f"its share, {{share}} of {table.num_rows} rows, rounds to none"
    )
    if settings.categorize_by is not None:  # the hybrid split: each category by index
        assert index is not None
        groups = groups_of(table.column(settings.categorize_by))
        return _cut_groups_by_ratio(index_order(index), groups, shares, settings.seed)
    if settings.stratify_by is not None:
        groups = groups_of(table.column(settings.stratify_by))
        shuffled = np.argsort(shuffle_keys(table.num_rows, settings.seed))  # keys are distinct
        return _cut_groups_by_ratio(shuffled, groups, shares, settings.seed)
    if index is not None:
        return cut_in_index_order(index, totals)
    return cut_sorted(shuffle_keys(table.num_rows, settings.seed), totals)


def _cut_groups_by_ratio(
    order: NDArray[np.int64], groups: Groups, shares: Shares, seed: int
) -> Labels:
    """Each group (class, or category) cut by ratio in `order` (shuffled, or by index); which
    groups round up where rounding is needed is drawn with the seed."""
    group_order = np.argsort(shuffle_keys(groups.count, seed))
    return cut_groups(order, groups, group_counts(groups.sizes, shares, group_order))


def _by_category_ratio(
    table: pa.Table, parts: tuple[str, ...], shares: Shares, settings: PartitionSettings
) -> Labels:
    """Whole categories to parts: the distinct values, shuffled, cut by ratio."""
    assert settings.categorize_by is not None
    groups = groups_of(table.column(settings.categorize_by))
    totals = largest_remainder(groups.count, shares)
    _check_sizes(
        parts,
        settings,
        totals,
        f"its share, {{share}} of the {groups.count} distinct values of "
        f'"{settings.categorize_by}", rounds to none (the rows of a value go to one part)',
        remedy="or categorize by a column with more values",
    )
    shuffled = np.argsort(shuffle_keys(groups.count, settings.seed))
    part_of_group = np.empty(groups.count, dtype=np.int8)
    part_of_group[shuffled] = np.repeat(np.arange(len(parts), dtype=np.int8), totals)
    return part_of_group[groups.codes]


def _by_hash(
    table: pa.Table, parts: tuple[str, ...], shares: Shares, settings: PartitionSettings
) -> Labels:
    """Each row by the hash of its key mapped to [0, 1), cut at the cumulative shares."""
    assert settings.hash_by is not None
    column = _complete(table, settings.hash_by, "hash_by", "a key")
    try:
        hashes = key_hashes(column, settings.seed)
    except TypeError as error:
        raise Problem.at(
            ("hash_by",),
            f'hash_by column "{settings.hash_by}" holds {column.type} values, which cannot be '
            "hashed: use a column of numbers or strings",
        ) from error
    cumulative = np.cumsum(shares.numerators[:-1]) / shares.denominator
    labels = np.searchsorted(cumulative, unit_interval(hashes), side="right").astype(np.int8)
    _check_sizes(
        parts,
        settings,
        np.bincount(labels, minlength=len(parts)),
        f'no key of "{settings.hash_by}" in {table.num_rows} rows hashes into its share {{share}}',
        remedy="or change seed",
    )
    return labels


def _complete(table: pa.Table, name: str, attribute: str, purpose: str) -> pa.ChunkedArray:
    column = table.column(name)
    check_complete(column, name, attribute, purpose)
    return column


def _check_sizes(
    parts: tuple[str, ...],
    settings: PartitionSettings,
    sizes: NDArray[np.int64],
    reason: str,
    remedy: str = "or split more rows",
) -> None:
    """An error for the first empty part; `reason` says why, with `{share}` for its ratio."""
    assert settings.ratio is not None
    for part, size in zip(parts, sizes, strict=True):
        if size == 0:
            share = f"{settings.ratio[part]:g}"
            raise Problem.at(
                ("ratio", part),
                f'part "{part}" would be empty: {reason.replace("{share}", share)}; raise its '
                f"ratio, remove it from ratio, {remedy}",
            )
