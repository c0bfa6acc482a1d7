"""Properties of `assign_parts` over generated tables: every row in exactly one part, and the
sizes of the counted strategies are the largest-remainder counts of all rows."""

from __future__ import annotations

from fractions import Fraction
from typing import Any

import numpy as np
import pyarrow as pa
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from providers.common import PART_NAMES
from providers.problems import Problem
from providers.split.partition import PartitionSettings, assign_parts


def largest_remainder_counts(total: int, ratio: dict[str, float]) -> dict[str, int]:
    """The method as documented, on exact decimals, independently of the implementation."""
    shares = {part: Fraction(share).limit_denominator(10**6) for part, share in ratio.items()}
    whole = sum(shares.values())
    quotas = {part: total * share / whole for part, share in shares.items()}
    sizes = {part: int(quota) for part, quota in quotas.items()}
    ranked = sorted(quotas, key=lambda part: (sizes[part] - quotas[part], PART_NAMES.index(part)))
    for part in ranked[: total - sum(sizes.values())]:
        sizes[part] += 1
    return sizes


@st.composite
def ratios(draw: st.DrawFn) -> dict[str, float]:
    others = draw(st.lists(st.sampled_from(PART_NAMES[1:]), unique=True, max_size=3))
    weights = draw(st.lists(st.integers(1, 10), min_size=len(others) + 1, max_size=len(others) + 1))
    return {
        part: weight / sum(weights)
        for part, weight in zip(("train", *others), weights, strict=True)
    }


@st.composite
def tables(draw: st.DrawFn) -> pa.Table:
    rows = draw(st.integers(1, 120))
    integers = st.lists(st.integers(0, 15), min_size=rows, max_size=rows)
    day, group = draw(integers), draw(integers)
    return pa.table(
        {
            "day": pa.array(day, pa.int32()),
            "day_text": pa.array([f"{value:03d}" for value in day]),
            "group": pa.array([f"g{value % 5}" for value in group]),
            "key": pa.array([value * 7919 for value in group]),
        }
    )


COUNTED = [
    {},
    {"index_by": "day"},
    {"index_by": "day_text"},
    {"stratify_by": "group"},
    {"categorize_by": "group", "index_by": "day"},
]


def settings_of(ratio: dict[str, float] | None, seed: int, **strategy: Any) -> PartitionSettings:
    options: dict[str, Any] = dict.fromkeys(
        ("index_by", "categorize_by", "categories", "unknown", "hash_by", "stratify_by")
    )
    options.update(ratio=ratio, seed=seed, **strategy)
    return PartitionSettings(**options)


def assigned(table: pa.Table, settings: PartitionSettings) -> dict[str, list[int]] | None:
    try:
        parts = assign_parts(table, settings)
    except Problem as problem:
        [diagnostic] = problem.diagnostics
        assert diagnostic.message.startswith("part ")
        assert "would be empty" in diagnostic.message
        return None
    everything = np.concatenate(list(parts.values()))
    assert np.array_equal(np.sort(everything), np.arange(table.num_rows))
    assert list(parts) == [part for part in PART_NAMES if part in parts]
    return {part: rows.tolist() for part, rows in parts.items()}


@settings(max_examples=150, deadline=None)
@given(table=tables(), ratio=ratios(), seed=st.integers(0, 2**32), which=st.integers(0, 4))
def test_counted_strategies_give_the_largest_remainder_sizes(
    table: pa.Table, ratio: dict[str, float], seed: int, which: int
) -> None:
    expected = largest_remainder_counts(table.num_rows, ratio)
    parts = assigned(table, settings_of(ratio, seed, **COUNTED[which]))
    if 0 in expected.values():
        assert parts is None
    else:
        assert parts is not None
        assert {part: len(rows) for part, rows in parts.items()} == expected


@settings(max_examples=100, deadline=None)
@given(table=tables(), ratio=ratios(), seed=st.integers(0, 2**32))
def test_index_by_numbers_and_by_text_agree(
    table: pa.Table, ratio: dict[str, float], seed: int
) -> None:
    # numbers are cut by selection among themselves, text by selection among the ranks of its
    # distinct values, and the hybrid split sorts either with Arrow: the same rows every way
    by_number = assigned(table, settings_of(ratio, seed, index_by="day"))
    assert by_number == assigned(table, settings_of(ratio, seed, index_by="day_text"))
    hybrid = {"categorize_by": "group", "index_by": "day"}
    by_number = assigned(table, settings_of(ratio, seed, **hybrid))
    hybrid["index_by"] = "day_text"
    assert by_number == assigned(table, settings_of(ratio, seed, **hybrid))


@settings(max_examples=100, deadline=None)
@given(table=tables(), ratio=ratios(), seed=st.integers(0, 2**32))
def test_stratified_classes_within_one_row(
    table: pa.Table, ratio: dict[str, float], seed: int
) -> None:
    parts = assigned(table, settings_of(ratio, seed, stratify_by="group"))
    if parts is None:
        return
    groups = np.array(table["group"].to_pylist())
    for part, rows in parts.items():
        for group in set(groups):
            size = int((groups == group).sum())
            count = int((groups[rows] == group).sum())
            assert abs(count - size * ratio[part]) < 1 + 1e-9  # floats: 21 / 3 may be 6.99..


@pytest.mark.parametrize(
    "strategy",
    [
        {"categorize_by": "group"},
        {"hash_by": "key"},
    ],
)
@settings(max_examples=60, deadline=None)
@given(table=tables(), ratio=ratios(), seed=st.integers(0, 2**32))
def test_whole_groups_and_keys_stay_together(
    strategy: dict[str, str], table: pa.Table, ratio: dict[str, float], seed: int
) -> None:
    parts = assigned(table, settings_of(ratio, seed, **strategy))
    if parts is None:
        return
    column = table[next(iter(strategy.values()))].to_pylist()
    part_of: dict[Any, str] = {}
    for part, rows in parts.items():
        for row in rows:
            assert part_of.setdefault(column[row], part) == part


@settings(max_examples=60, deadline=None)
@given(table=tables(), seed=st.integers(0, 2**32), listed=st.sets(st.integers(0, 4)))
def test_listed_categories_place_every_row(table: pa.Table, seed: int, listed: set[int]) -> None:
    settings = settings_of(
        None,
        seed,
        categorize_by="group",
        categories={"train": [f"g{value}" for value in sorted(listed)], "test": []},
        unknown="test",
    )
    parts = assigned(table, settings)
    groups = table["group"].to_pylist()
    if parts is None:  # train or test got no rows
        assert {group in {f"g{value}" for value in listed} for group in groups} != {True, False}
        return
    assert all((groups[row] in {f"g{v}" for v in listed}) for row in parts["train"])
