"""Key hashes: defined by their arithmetic (checked against a plain-Python rewrite and pinned
values), and the same for the same key whatever type the column stores it in."""

from __future__ import annotations

import datetime
import re
from collections.abc import Sequence

import numpy as np
import pyarrow as pa
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from providers.split.partition_hash import (
    INTEGER_KEY,
    TEXT_KEY,
    key_hashes,
    salt,
    shuffle_keys,
    unit_interval,
)

MASK = (1 << 64) - 1


def mix(word: int) -> int:
    """splitmix64's output function in Python integers."""
    word = (word + 0x9E3779B97F4A7C15) & MASK
    word = ((word ^ (word >> 30)) * 0xBF58476D1CE4E5B9) & MASK
    word = ((word ^ (word >> 27)) * 0x94D049BB133111EB) & MASK
    return word ^ (word >> 31)


def integer_hash(value: int, seed: int) -> int:
    return mix((value & MASK) ^ int(salt(seed, INTEGER_KEY)))


def text_hash(data: bytes, seed: int) -> int:
    hashed = mix(len(data) ^ int(salt(seed, TEXT_KEY)))
    for start in range(0, len(data), 8):
        hashed = mix(hashed ^ int.from_bytes(data[start : start + 8], "little"))
    return hashed


def is_integer_text(text: str) -> bool:
    """Whether `text` is how Python writes some int64."""
    return (
        re.fullmatch(r"-?[0-9]+", text) is not None
        and str(int(text)) == text
        and -(2**63) <= int(text) < 2**63
    )


def hashes(values: Sequence[object], kind: pa.DataType | None = None, seed: int = 0) -> list[int]:
    return key_hashes(pa.chunked_array([pa.array(values, type=kind)]), seed).tolist()


def test_pinned_values() -> None:
    # a change here moves every hash_by split's rows between parts: never change them
    assert hashes([0, 1, 42, -7]) == [
        2733053671779176942,
        5605437439604140453,
        10203757111039671189,
        169829561285555197,
    ]
    assert hashes(["alice", "", "customer-000017", "é"]) == [
        5439629155912442587,
        2458471761697892185,
        6024533515870619170,
        14767976128296647466,
    ]
    assert shuffle_keys(4, 42).tolist() == [
        15017947235484299485,
        9800809585314074192,
        356526039643040757,
        4411208065427266589,
    ]


@settings(max_examples=200, deadline=None)
@given(
    values=st.lists(st.integers(-(2**63), 2**63 - 1), min_size=1, max_size=20),
    seed=st.integers(0, 2**32),
)
def test_integers_match_the_reference(values: list[int], seed: int) -> None:
    assert hashes(values, pa.int64(), seed) == [integer_hash(value, seed) for value in values]


@settings(max_examples=100, deadline=None)
@given(
    values=st.lists(
        st.text(max_size=40)
        | st.integers().map(str)
        | st.from_regex(r"-?0*[0-9]{1,21}", fullmatch=True),
        min_size=1,
        max_size=20,
    ),
    seed=st.integers(0, 99),
)
def test_strings_match_the_reference(values: list[str], seed: int) -> None:
    expected = [
        integer_hash(int(value), seed)
        if is_integer_text(value)
        else text_hash(value.encode(), seed)
        for value in values
    ]
    assert hashes(values, pa.string(), seed) == expected


@pytest.mark.parametrize(
    "kind",
    [pa.int8(), pa.int16(), pa.int32(), pa.int64(), pa.uint8(), pa.uint32(), pa.uint64()],
)
def test_integer_keys_hash_by_value_whatever_the_width(kind: pa.DataType) -> None:
    assert hashes([0, 1, 7, 100], kind) == hashes([0, 1, 7, 100], pa.int64())


def test_a_key_keeps_its_hash_when_its_column_changes_type() -> None:
    as_integers = hashes([-12, 0, 3, 2**62], pa.int64())
    assert hashes([-12.0, 0.0, 3.0, 2.0**62], pa.float64()) == as_integers
    assert hashes(["-12", "0", "3", str(2**62)], pa.string()) == as_integers
    assert hashes(["-12", "0", "3", str(2**62)], pa.large_string()) == as_integers
    dictionary = pa.array(["-12", "0", "3", str(2**62)]).dictionary_encode()
    assert key_hashes(pa.chunked_array([dictionary]), 0).tolist() == as_integers
    # texts that are not the canonical form of an integer are hashed as text
    assert hashes(["007", "-0", "+3", "9223372036854775808"]) == [
        text_hash(text.encode(), 0) for text in ["007", "-0", "+3", "9223372036854775808"]
    ]
    assert hashes([2.5, 0.1], pa.float64()) == hashes(["2.5", "0.1"])
    assert hashes([2.5, 0.1], pa.float32()) == hashes(["2.5", "0.1"])
    assert hashes([True, False]) == hashes([1, 0])
    day = datetime.date(2024, 2, 29)
    assert hashes([day]) == hashes(["2024-02-29"])


def test_sliced_and_chunked_columns_hash_like_whole_ones() -> None:
    values = [f"key-{number}" * (number % 4) for number in range(50)]
    whole = hashes(values)
    chunked = pa.chunked_array([pa.array(values[:17]), pa.array(values[17:]).slice(0)])
    assert key_hashes(chunked, 0).tolist() == whole
    assert (
        key_hashes(pa.chunked_array([pa.array(values).slice(10, 30)]), 0).tolist() == whole[10:40]
    )


def test_the_seed_changes_every_hash() -> None:
    first, second = hashes(list(range(100)), seed=1), hashes(list(range(100)), seed=2)
    assert all(a != b for a, b in zip(first, second, strict=True))


def test_unit_interval_uses_the_top_53_bits() -> None:
    words = np.array([0, 2**11 - 1, 2**63, 2**64 - 1], dtype=np.uint64)
    assert unit_interval(words).tolist() == [0.0, 0.0, 0.5, 1 - 2.0**-53]


def test_shuffle_keys_are_distinct() -> None:
    keys = shuffle_keys(200_000, 7)
    assert np.unique(keys).size == keys.size


def test_lists_are_not_keys() -> None:
    with pytest.raises(TypeError, match="cannot be hashed"):
        key_hashes(pa.chunked_array([pa.array([[1], [2]])]), 0)
