"""Part sizes: the largest-remainder method on exact fractions, and the controlled rounding
that keeps every group within one row of its share while the totals stay exact."""

from __future__ import annotations

from fractions import Fraction

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from providers.split.partition_counts import Shares, group_counts, largest_remainder


def reference_sizes(total: int, ratios: list[float]) -> list[int]:
    """The largest-remainder method written out plainly, on the shares as fractions."""
    shares = [Fraction(ratio).limit_denominator(10**6) for ratio in ratios]
    quotas = [total * share / sum(shares) for share in shares]
    sizes = [int(quota) for quota in quotas]
    by_remainder = sorted(range(len(quotas)), key=lambda part: (sizes[part] - quotas[part], part))
    for part in by_remainder[: total - sum(sizes)]:
        sizes[part] += 1
    return sizes


@pytest.mark.parametrize(
    ("total", "ratios", "expected"),
    [
        pytest.param(10, [0.7, 0.1, 0.2], [7, 1, 2], id="exact"),
        pytest.param(569, [0.7, 0.1, 0.2], [398, 57, 114], id="breast-cancer-rows"),
        pytest.param(178, [0.7, 0.1, 0.2], [125, 18, 35], id="remainder-tie-goes-to-train"),
        pytest.param(2, [1 / 3, 1 / 3, 1 / 3], [1, 1, 0], id="thirds-ties-in-part-order"),
        pytest.param(3, [1 / 3, 1 / 3, 1 / 3], [1, 1, 1], id="thirds"),
        pytest.param(5, [0.9, 0.05, 0.05], [5, 0, 0], id="small-parts-round-to-none"),
        pytest.param(1, [1.0], [1], id="train-only"),
        pytest.param(1000, [0.7, 0.3 + 1e-10], [700, 300], id="sum-within-tolerance"),
        pytest.param(7, [0.25, 0.25, 0.25, 0.25], [2, 2, 2, 1], id="four-parts"),
    ],
)
def test_largest_remainder_sizes(total: int, ratios: list[float], expected: list[int]) -> None:
    assert largest_remainder(total, Shares.of(ratios)).tolist() == expected


def test_shares_are_read_as_the_fractions_meant() -> None:
    # 0.7 is not exactly 7/10 in binary, nor is 1/3 a third: as floats, 0.7 * 10 or
    # 21 * (1/3) may round either way
    assert Shares.of([0.7, 0.1, 0.2]) == Shares((7, 1, 2), 10)
    assert Shares.of([1 / 3, 1 / 3, 1 / 3]) == Shares((1, 1, 1), 3)
    assert Shares.of([1 / 9, 1 / 3, 7 / 18, 1 / 6]) == Shares((2, 6, 7, 3), 18)
    assert largest_remainder(21, Shares.of([2 / 3, 1 / 3])).tolist() == [14, 7]


def test_stratified_groups_keep_the_totals_of_all_rows() -> None:
    # wine's classes: 59, 71 and 48 rows; each class within one row of its share, and the
    # parts still get the 125, 18 and 35 rows of all 178
    shares = Shares.of([0.7, 0.1, 0.2])
    sizes = np.array([59, 71, 48])
    counts = group_counts(sizes, shares, np.arange(3))
    assert counts.sum(axis=0).tolist() == [125, 18, 35]
    assert counts.sum(axis=1).tolist() == [59, 71, 48]
    exact = sizes[:, np.newaxis] * np.array([0.7, 0.1, 0.2])
    assert (np.abs(counts - exact) < 1).all()


def test_small_groups_do_not_leave_a_part_empty() -> None:
    # ten classes of five rows at 0.9/0.1: each class's 0.5 test rows would round down on its
    # own; instead five classes give one row each, at random
    counts = group_counts(np.full(10, 5), Shares.of([0.9, 0.1]), np.arange(10)[::-1].copy())
    assert counts[:, 1].sum() == 5
    assert sorted(counts[:, 1].tolist()) == [0] * 5 + [1] * 5
    # the order (a seeded shuffle in a split) decides which: its first groups take the extra
    # rows of the first parts
    assert counts[:, 1].tolist() == [1, 1, 1, 1, 1, 0, 0, 0, 0, 0]


ratios = st.lists(st.integers(1, 12), min_size=1, max_size=4).map(
    lambda weights: [weight / sum(weights) for weight in weights]
)


@settings(max_examples=300, deadline=None)
@given(total=st.integers(0, 10_000), ratios=ratios)
def test_sizes_match_the_reference(total: int, ratios: list[float]) -> None:
    sizes = largest_remainder(total, Shares.of(ratios))
    assert sizes.tolist() == reference_sizes(total, ratios)
    assert sizes.sum() == total


@settings(max_examples=300, deadline=None)
@given(
    ratios=ratios,
    sizes=st.lists(st.integers(1, 40), min_size=1, max_size=30),
    seed=st.integers(0, 2**16),
)
def test_group_counts_round_each_group_and_keep_the_totals(
    ratios: list[float], sizes: list[int], seed: int
) -> None:
    shares = Shares.of(ratios)
    order = np.random.default_rng(seed).permutation(len(sizes))
    counts = group_counts(np.array(sizes, dtype=np.int64), shares, order)
    assert counts.sum(axis=1).tolist() == sizes
    assert counts.sum(axis=0).tolist() == reference_sizes(sum(sizes), ratios)
    for group, size in enumerate(sizes):
        for part, numerator in enumerate(shares.numerators):
            quota = Fraction(size * numerator, shares.denominator)
            assert quota - 1 < int(counts[group, part]) < quota + 1
