"""Configuration values as a provider sees them, and the helpers its checks read them with.

A resource's configuration reaches a provider as a dict: attribute name -> evaluated value,
already converted to the attribute's type, and nested block name -> list of `BlockValue`
(in every nesting mode; a single block is a list of at most one). Values may be `UNKNOWN`
(known only after apply) or carry a `Sensitive` mark. A validate check must skip what is
unknown and look through sensitive marks; `value_of` and `is_known` make that the easy way.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from mlform.language.values import UNKNOWN, contains_unknown, is_number, unmark


@dataclass(frozen=True)
class BlockValue:
    """One nested block: its labels (`("lift",)` for `metric "lift"`, `()` when unlabelled)
    and its configuration, shaped like a resource's."""

    labels: tuple[str, ...] = ()
    config: Mapping[str, Any] = field(default_factory=dict, hash=False)


def value_of(config: Mapping[str, Any], name: str) -> Any:
    """The attribute's value without sensitive marks; None when absent or null.

    An unknown value is returned as `UNKNOWN`, and a collection may hold unknowns: test
    with `is_known` before using it.
    """
    value, _ = unmark(config.get(name))
    return value


def is_known(value: Any) -> bool:
    """Whether a value holds no unknown anywhere (None counts as known: it is null)."""
    return not contains_unknown(value)


def is_set(value: Any) -> bool:
    """Whether a value is set, unknown values included: null and absent are not set."""
    return value is not None


def blocks_of(config: Mapping[str, Any], name: str) -> list[BlockValue]:
    """The nested blocks called `name`, in order; none when absent or not yet known."""
    value = config.get(name)
    if value is None or value is UNKNOWN or not isinstance(value, list):
        return []
    return [block for block in value if isinstance(block, BlockValue)]


def number_of(value: Any) -> int | float | None:
    """The value when it is a number, else None (unknown, null, or another type)."""
    return value if is_number(value) else None


def is_whole_number(value: Any) -> bool:
    return is_number(value) and float(value).is_integer()
