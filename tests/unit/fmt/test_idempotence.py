"""Formatting formatted text changes nothing, and formatting only ever changes whitespace."""

from __future__ import annotations

from hypothesis import given, settings

from mlform.fmt import format_source

from .strategies import respaced


def squeeze(text: str) -> str:
    return "".join(text.split())


@settings(max_examples=300, deadline=None)
@given(text=respaced())
def test_formatting_twice_is_formatting_once(text: str) -> None:
    once = format_source(text)
    assert format_source(once) == once


@settings(max_examples=300, deadline=None)
@given(text=respaced())
def test_formatting_changes_only_whitespace(text: str) -> None:
    assert squeeze(format_source(text)) == squeeze(text.removeprefix("\ufeff"))
