"""Small helpers that keep the wording of messages the same across providers."""

from __future__ import annotations

import difflib
from collections.abc import Iterable


def did_you_mean(name: str, choices: Iterable[str], otherwise: str = "") -> str:
    """`; did you mean "model"?` for the closest choice, or `otherwise` when none is close.

    Appended to a clause so that a typo is answered with the likely fix; pass
    `otherwise="."` when another sentence follows.
    """
    match = closest(name, choices)
    return f'; did you mean "{match}"?' if match is not None else otherwise


def closest(name: str, choices: Iterable[str]) -> str | None:
    """The choice `name` is most likely a typo of, or None.

    Typos are mostly one or two slips (a swapped, missing or extra letter), so the fewest
    edits wins, swaps counting as one; difflib's similarity breaks ties and catches the rest.
    """
    candidates = [choice for choice in choices if isinstance(choice, str)]
    if not candidates:
        return None
    limit = max(1, min(2, len(name) // 3))
    distances = {choice: edit_distance(name, choice) for choice in candidates}
    near = [choice for choice in candidates if distances[choice] <= limit]
    if near:
        return min(
            near,
            key=lambda c: (distances[c], -difflib.SequenceMatcher(None, name, c).ratio()),
        )
    matches = difflib.get_close_matches(name, candidates, n=1, cutoff=0.6)
    return matches[0] if matches else None


def edit_distance(a: str, b: str) -> int:
    """The optimal string alignment distance: insertions, deletions, substitutions and
    swaps of adjacent letters each count as one edit."""
    previous_row: list[int] = []
    row = list(range(len(b) + 1))
    for i in range(1, len(a) + 1):
        before, previous_row, row = previous_row, row, [i] + [0] * len(b)
        for j in range(1, len(b) + 1):
            cost = 0 if a[i - 1] == b[j - 1] else 1
            row[j] = min(previous_row[j] + 1, row[j - 1] + 1, previous_row[j - 1] + cost)
            if i > 1 and j > 1 and a[i - 1] == b[j - 2] and a[i - 2] == b[j - 1]:
                row[j] = min(row[j], before[j - 2] + 1)
    return row[len(b)]


def quoted_choices(choices: Iterable[str], conjunction: str = "or") -> str:
    """`"a", "b" or "c"`: the valid values of a setting, for a message."""
    items = [f'"{choice}"' for choice in choices]
    if len(items) <= 1:
        return "".join(items)
    return f"{', '.join(items[:-1])} {conjunction} {items[-1]}"
