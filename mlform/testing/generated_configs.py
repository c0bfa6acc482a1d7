"""Hypothesis strategies for configurations that fit a schema: typed values, some unknown,
some sensitive, nested blocks included. Used by the conformance suite to show that validate
never raises; imports hypothesis, so only tests import this module."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from hypothesis import strategies as st

from mlform.language.types import (
    AnyType,
    ListType,
    MapType,
    ObjectType,
    Primitive,
    TupleType,
    TypeConstraint,
)
from mlform.language.values import UNKNOWN, Sensitive
from mlform.sdk import BlockSchema, BlockValue, Nesting, ResourceRef, ResourceSchema

_WORD = re.compile(r"[A-Za-z_][A-Za-z0-9_.:]*")


def configs(
    schema: ResourceSchema, minimal: Mapping[str, Any]
) -> st.SearchStrategy[dict[str, Any]]:
    """Configurations for `schema`: generated ones, and the minimal one with parts replaced."""
    words = sorted(_vocabulary(schema.block, minimal))
    generated = _block_config(schema.block, words)
    return st.one_of(generated, generated.map(lambda config: {**minimal, **config}))


def _vocabulary(block: BlockSchema, config: Mapping[str, Any]) -> set[str]:
    """Strings likely to exercise checks: those of the minimal config and the words of the
    schema's descriptions, where the valid values of settings are listed."""
    words: set[str] = set()
    for attribute in block.attributes:
        words.add(attribute.name)
        words.update(_WORD.findall(attribute.description))
    for nested in block.blocks:
        words.update(_vocabulary(nested.block, {}))
        words.update(_WORD.findall(nested.description))
    words.update(_strings(config))
    return words


def _strings(value: Any) -> set[str]:
    if isinstance(value, str):
        return {value}
    if isinstance(value, BlockValue):
        return set(value.labels) | _strings(dict(value.config))
    if isinstance(value, Mapping):
        return set(value) | set().union(*(_strings(v) for v in value.values()))
    if isinstance(value, list):
        return set().union(*(_strings(v) for v in value))
    return set()


def _block_config(block: BlockSchema, words: list[str]) -> st.SearchStrategy[dict[str, Any]]:
    optional: dict[str, st.SearchStrategy[Any]] = {
        attribute.name: _marked(_values(attribute.type, words)) for attribute in block.inputs
    }
    for nested in block.blocks:
        label = _string(words)
        item = st.builds(
            BlockValue,
            labels=st.tuples(*[label for _ in nested.labels]),
            config=_block_config(nested.block, words),
        )
        most = 1 if nested.nesting is Nesting.SINGLE else 3
        optional[nested.name] = st.lists(item, max_size=most)
    return st.fixed_dictionaries({}, optional=optional)


def _marked(values: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    return st.one_of(values, values, values.map(Sensitive), st.just(UNKNOWN), st.none())


def _string(words: list[str]) -> st.SearchStrategy[str]:
    return st.one_of(st.sampled_from(words), st.text(max_size=6)) if words else st.text(max_size=6)


def _values(type_: TypeConstraint, words: list[str]) -> st.SearchStrategy[Any]:
    numbers = st.one_of(
        st.integers(-3, 70000),
        st.floats(-10, 10, allow_nan=False),
        st.sampled_from([0, 1, 0.5, 1e-12, 2]),
    )
    if isinstance(type_, ResourceRef):
        return st.text("0123456789abcdef", min_size=1, max_size=8)
    if isinstance(type_, Primitive):
        if type_.name == "number":
            return numbers
        if type_.name == "bool":
            return st.booleans()
        return _string(words)
    if isinstance(type_, ListType):
        return st.lists(_marked(_values(type_.element, words)), max_size=4)
    if isinstance(type_, MapType):
        return st.dictionaries(_string(words), _marked(_values(type_.element, words)), max_size=4)
    if isinstance(type_, TupleType):
        return st.tuples(*[_values(t, words) for t in type_.elements]).map(list)
    if isinstance(type_, ObjectType):
        required = {
            name: _values(t, words)
            for name, t in type_.attributes.items()
            if name not in type_.optional
        }
        optional = {
            name: _marked(_values(t, words))
            for name, t in type_.attributes.items()
            if name in type_.optional
        }
        return st.fixed_dictionaries(required, optional=optional)
    if isinstance(type_, AnyType):
        scalar = st.one_of(numbers, _string(words), st.booleans())
        return st.one_of(scalar, st.lists(scalar, max_size=3))
    return st.none()
