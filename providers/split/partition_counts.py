"""Exact part sizes: the largest-remainder method, for all rows and for groups of rows.

Sizes come from exact fractions, never floats, so they never hang on a rounding error. Each
share is read as the nearest fraction with a denominator of at most a million, which is the
share as the user meant it (0.7 is 7/10, and 1/3, which arrives as 0.333...33, is a third),
and the shares are scaled to sum to exactly 1 (validate allows them to miss it by 1e-9). A count n then gives each part
floor(n * share) rows, and the rows left over go one each to the parts with the largest
remainders, ties to the earlier part in PART_NAMES order (train first). The sizes sum to n and
each is within one row of n * share: the largest-remainder (Hamilton) method.

Grouped splits (stratified, and the hybrid split's categories) cut every group within one
row of its exact share too, and still give the parts the largest-remainder sizes of all the
rows. Rounding each group on its own would not: ten classes of five rows split 0.9/0.1 would
each round their 0.5 test rows down and leave test empty. Choosing which groups round up is
a controlled rounding, solved as a small flow problem over groups of groups.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Sequence
from dataclasses import dataclass
from fractions import Fraction
from math import lcm

import numpy as np
from numpy.typing import NDArray

Counts = NDArray[np.int64]

DENOMINATOR = 10**6
"""The largest denominator a share is read with: any decimal of up to six places, and every
fraction a ratio is likely to be computed from, is read exactly."""


@dataclass(frozen=True)
class Shares:
    """The parts' shares as exact fractions `numerators[j] / denominator`, summing to 1."""

    numerators: tuple[int, ...]
    denominator: int

    @classmethod
    def of(cls, ratios: Sequence[float]) -> Shares:
        fractions = [Fraction(float(ratio)).limit_denominator(DENOMINATOR) for ratio in ratios]
        common = lcm(*(fraction.denominator for fraction in fractions))
        numerators = tuple(int(fraction * common) for fraction in fractions)
        return cls(numerators, sum(numerators))

    def quotas(self, total: int) -> tuple[list[int], list[int]]:
        """`total * share` of each part, as its floor and its remainder (in 1/denominator)."""
        products = [total * numerator for numerator in self.numerators]
        return (
            [product // self.denominator for product in products],
            [product % self.denominator for product in products],
        )


def largest_remainder(total: int, shares: Shares) -> Counts:
    """The size of each part when `total` rows (or categories) are cut by `shares`."""
    floors, remainders = shares.quotas(total)
    left = total - sum(floors)
    by_remainder = sorted(range(len(floors)), key=lambda part: (-remainders[part], part))
    for part in by_remainder[:left]:
        floors[part] += 1
    return np.array(floors, dtype=np.int64)


def group_counts(sizes: NDArray[np.int64], shares: Shares, order: NDArray[np.int64]) -> Counts:
    """The rows of each group in each part: a (groups, parts) table whose rows sum to
    `sizes`, whose entries are floor or ceiling of size * share, and whose columns sum to
    `largest_remainder(sizes.sum(), shares)`.

    Each group first gets the floor of its quotas; a group then still has `extra` rows, to
    place one each in parts where its quota has a fraction. Groups with the same extra and the
    same such parts are interchangeable, so a flow over those kinds (at most 17 with four
    parts) decides how many of each kind round up in each part, and the groups of a kind take
    them in `order` (a seeded shuffle of the groups), round-robin.
    """
    parts = len(shares.numerators)
    distinct, inverse = np.unique(sizes, return_inverse=True)
    quotas = [shares.quotas(int(size)) for size in distinct]
    floors = np.array([floor for floor, _ in quotas], dtype=np.int64).reshape(-1, parts)[inverse]
    fractional = np.array(
        [[remainder > 0 for remainder in remainders] for _, remainders in quotas], dtype=bool
    ).reshape(-1, parts)[inverse]
    extra = sizes - floors.sum(axis=1)
    kinds = (fractional.astype(np.int64) @ (1 << np.arange(parts))) * parts + extra
    placed = extra > 0
    kind_ids, members = np.unique(kinds[placed], return_counts=True)
    supply = [int(kind % parts) * int(count) for kind, count in zip(kind_ids, members, strict=True)]
    allowed = [[bool(int(kind) // parts >> part & 1) for part in range(parts)] for kind in kind_ids]

    total = int(sizes.sum())
    placed_floors = floors.sum(axis=0)
    wanted = largest_remainder(total, shares) - placed_floors
    flow = _transport(supply, members.tolist(), allowed, wanted.tolist(), exact=True)
    if flow is None:  # not seen in practice: settle for totals within one row of n * share
        ceilings = [-(-total * numerator // shares.denominator) for numerator in shares.numerators]
        limits = (np.array(ceilings, dtype=np.int64) - placed_floors).tolist()
        flow = _transport(supply, members.tolist(), allowed, limits, exact=False)
    if flow is None:  # pragma: no cover - the exact fractional quotas are a feasible flow
        raise AssertionError("no controlled rounding of the group sizes")

    counts = floors.copy()
    groups_in_order = order[placed[order]]
    kind_of = kinds[groups_in_order]
    for index, kind in enumerate(kind_ids):
        groups = groups_in_order[kind_of == kind]
        sequence = np.repeat(np.arange(parts), flow[index])
        np.add.at(counts, (groups[np.arange(sequence.size) % groups.size], sequence), 1)
    return counts


def _transport(
    supply: list[int],
    members: list[int],
    allowed: list[list[bool]],
    demand: list[int],
    exact: bool,
) -> list[list[int]] | None:
    """How many rows each kind of group puts in each part (at most one per group and part),
    placing every supplied row and meeting each part's demand (exactly, or as a limit); None
    when impossible. Edmonds-Karp on a graph of a few dozen nodes: source, kinds, parts, sink.
    """
    kinds, parts = len(supply), len(demand)
    if (exact and sum(supply) != sum(demand)) or min(demand, default=0) < 0:
        return None
    source, sink = 0, kinds + parts + 1
    capacity = [[0] * (sink + 1) for _ in range(sink + 1)]
    for kind in range(kinds):
        capacity[source][1 + kind] = supply[kind]
        for part in range(parts):
            if allowed[kind][part]:
                capacity[1 + kind][1 + kinds + part] = members[kind]
    for part in range(parts):
        capacity[1 + kinds + part][sink] = demand[part]
    residual = [row[:] for row in capacity]
    flowed = 0
    while True:
        parent = [-1] * (sink + 1)
        parent[source] = source
        queue = deque([source])
        while queue and parent[sink] < 0:
            node = queue.popleft()
            for following, room in enumerate(residual[node]):
                if room > 0 and parent[following] < 0:
                    parent[following] = node
                    queue.append(following)
        if parent[sink] < 0:
            break
        path, node = [], sink
        while node != source:
            path.append((parent[node], node))
            node = parent[node]
        amount = min(residual[start][end] for start, end in path)
        for start, end in path:
            residual[start][end] -= amount
            residual[end][start] += amount
        flowed += amount
    if flowed != sum(supply):
        return None
    return [
        [
            capacity[1 + kind][1 + kinds + part] - residual[1 + kind][1 + kinds + part]
            for part in range(parts)
        ]
        for kind in range(kinds)
    ]
