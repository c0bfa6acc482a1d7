"""Stable 64-bit hashes, for hash_by keys and for seeded shuffles.

Every hash here is defined by its arithmetic alone (splitmix64's finaliser on unsigned 64-bit
words, which numpy computes with wrap-around), so it is the same on every run, machine,
Python, numpy and pyarrow version: never Python's salted `hash()`, never numpy's random
streams, which NEP 19 lets change between versions.

A key is hashed by its value, not by how the column happens to store it, so the same key
lands in the same part when the column's type changes as rows are added:

- integers, of any width and signedness, and booleans (as 0 and 1) by their value; floats
  with a whole value (3.0) and strings that are the decimal text of an int64 ("3", "-12")
  hash as that integer;
- other strings by their UTF-8 bytes; other floats by their shortest text ("0.1"), as are
  dates, timestamps and decimals (pyarrow's text of the value).
"""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
from numpy.lib.stride_tricks import sliding_window_view
from numpy.typing import NDArray

Hashes = NDArray[np.uint64]

_GAMMA = np.uint64(0x9E3779B97F4A7C15)
_MULTIPLIERS = (np.uint64(0xBF58476D1CE4E5B9), np.uint64(0x94D049BB133111EB))
_SHIFTS = (np.uint64(30), np.uint64(27), np.uint64(31))
_MASK64 = (1 << 64) - 1

# Domains keep the hash of one kind of value apart from the others with the same seed.
SHUFFLE, INTEGER_KEY, TEXT_KEY = 0x5348554646, 0x494E54, 0x54455854

_INTEGER_TEXT = r"^(0|-?[1-9][0-9]{0,18})$"
_INT64_LIMITS = {19: "9223372036854775807", 20: "-9223372036854775808"}


def mix64(values: NDArray[np.uint64]) -> Hashes:
    """splitmix64's output function: a bijection of 64-bit words that scatters every bit."""
    mixed = values + _GAMMA
    mixed ^= mixed >> _SHIFTS[0]
    mixed *= _MULTIPLIERS[0]
    mixed ^= mixed >> _SHIFTS[1]
    mixed *= _MULTIPLIERS[1]
    mixed ^= mixed >> _SHIFTS[2]
    return mixed


def salt(seed: int, domain: int) -> np.uint64:
    """A 64-bit word drawn from the seed, different for each domain."""
    word = np.array([(seed * 0x100000001B3 + domain) & _MASK64], dtype=np.uint64)
    return np.uint64(mix64(mix64(word))[0])


def shuffle_keys(count: int, seed: int) -> Hashes:
    """Random-looking keys for positions 0..count-1: sorting by them is a seeded shuffle."""
    return mix64(np.arange(count, dtype=np.uint64) + salt(seed, SHUFFLE))


def unit_interval(hashes: Hashes) -> NDArray[np.float64]:
    """Hashes as numbers in [0, 1): their top 53 bits, exactly."""
    return (hashes >> np.uint64(11)).astype(np.float64) * 2.0**-53


def key_hashes(column: pa.ChunkedArray, seed: int) -> Hashes:
    """The hash of each row's key; the column must hold no nulls. Raises TypeError for
    values that are not a key (lists, structs)."""
    values = column.combine_chunks() if column.num_chunks != 1 else column.chunk(0)
    kind = values.type
    if pa.types.is_dictionary(kind):
        values, kind = values.cast(kind.value_type), kind.value_type
    if pa.types.is_integer(kind) or pa.types.is_boolean(kind):
        return _integer_hashes(_integers(values), seed)
    if pa.types.is_floating(kind):
        return _float_hashes(values, seed)
    if not (pa.types.is_string(kind) or pa.types.is_large_string(kind)) and not (
        pa.types.is_binary(kind) or pa.types.is_large_binary(kind)
    ):
        try:
            values = values.cast(pa.string())
        except (pa.ArrowInvalid, pa.ArrowNotImplementedError) as error:
            raise TypeError(f"values of type {kind} cannot be hashed as keys") from error
    return _string_hashes(values, seed)


def _integers(values: pa.Array) -> NDArray[np.uint64]:
    if values.type == pa.uint64():
        return values.to_numpy(zero_copy_only=False).astype(np.uint64)
    return values.cast(pa.int64()).to_numpy(zero_copy_only=False).astype(np.int64).view(np.uint64)


def _integer_hashes(integers: NDArray[np.uint64], seed: int) -> Hashes:
    return mix64(integers ^ salt(seed, INTEGER_KEY))


def _float_hashes(values: pa.Array, seed: int) -> Hashes:
    numbers = values.cast(pa.float64()).to_numpy(zero_copy_only=False)
    with np.errstate(invalid="ignore"):
        whole = np.isfinite(numbers) & (numbers == np.floor(numbers)) & (np.abs(numbers) < 2.0**63)
    hashes = np.empty(len(numbers), dtype=np.uint64)
    hashes[whole] = _integer_hashes(numbers[whole].astype(np.int64).view(np.uint64), seed)
    fractional = np.flatnonzero(~whole)
    if fractional.size:
        texts = values.take(pa.array(fractional)).cast(pa.string())
        hashes[fractional] = _text_hashes(texts, seed)
    return hashes


def _string_hashes(texts: pa.Array, seed: int) -> Hashes:
    """Hashes of strings or bytes: decimal integers as integers, the rest as bytes (per row:
    vectorised hashing beats finding the distinct values first)."""
    hashes = np.empty(len(texts), dtype=np.uint64)
    is_integer = np.zeros(len(texts), dtype=bool)
    if pa.types.is_string(texts.type) or pa.types.is_large_string(texts.type):
        is_integer = _integer_texts(texts)
    integers = np.flatnonzero(is_integer)
    if integers.size:
        parsed = texts.take(pa.array(integers)).cast(pa.int64())
        hashes[integers] = _integer_hashes(_integers(parsed), seed)
    others = np.flatnonzero(~is_integer)
    if others.size:
        hashes[others] = _text_hashes(texts.take(pa.array(others)), seed)
    return hashes


def _integer_texts(texts: pa.Array) -> NDArray[np.bool_]:
    """Which strings are the canonical decimal text of an int64 (no sign on 0, no leading
    zeros); strings of the limits' length compare as numbers when compared as text."""
    matches = pc.match_substring_regex(texts, _INTEGER_TEXT)
    lengths = pc.utf8_length(texts)
    for length, limit in _INT64_LIMITS.items():
        too_large = pc.and_(pc.equal(lengths, length), pc.greater(texts, limit))
        matches = pc.and_(matches, pc.invert(too_large))
    return matches.to_numpy(zero_copy_only=False).astype(bool)


def _text_hashes(texts: pa.Array, seed: int) -> Hashes:
    """Hashes of byte strings, eight bytes at a time, vectorised across the strings: the
    length, then each little-endian word (zero-padded at the end) is folded in with mix64."""
    binary = texts.cast(pa.large_binary())
    offsets_buffer, data_buffer = binary.buffers()[1:3]
    offsets = np.frombuffer(offsets_buffer, dtype=np.int64)[
        binary.offset : binary.offset + len(binary) + 1
    ]
    data = np.frombuffer(data_buffer, dtype=np.uint8) if data_buffer else np.empty(0, np.uint8)
    windows = sliding_window_view(np.concatenate([data, np.zeros(8, np.uint8)]), 8)
    starts, lengths = offsets[:-1], np.diff(offsets)
    hashes = mix64(lengths.astype(np.uint64) ^ salt(seed, TEXT_KEY))
    active = np.flatnonzero(lengths > 0)
    done = 0
    while active.size:
        words = windows[starts[active] + done].view("<u8").ravel().astype(np.uint64)
        remaining = lengths[active] - done
        short = remaining < 8
        if short.any():
            bits = (8 * remaining[short]).astype(np.uint64)
            words[short] &= (np.uint64(1) << bits) - np.uint64(1)
        hashes[active] = mix64(hashes[active] ^ words)
        done += 8
        active = active[lengths[active] > done]
    return hashes
