"""Column counting in grapheme clusters, as go-textseg counts them for hclwrite's alignment."""

from __future__ import annotations

import pytest

from mlform.fmt.width import columns


@pytest.mark.parametrize(
    ("text", "width"),
    [
        ("", 0),
        ("abc = 1", 7),
        ("a\r\nb", 3),
        ("café", 4),
        ("cafe\u0301", 4),  # e + combining acute accent
        ("𝒜", 1),  # outside the basic multilingual plane
        ("🇬🇧🇫🇷", 2),  # regional indicator pairs
        ("🇬🇧🇫", 2),  # an unpaired indicator stands alone
        ("👍🏽", 1),  # emoji with a skin-tone modifier
        ("👨\u200d👩\u200d👧", 1),  # zero-width-joiner family
        ("한국어", 3),  # precomposed Hangul syllables
        ("\u1100\u1161\u11a8", 1),  # a conjoining jamo sequence
        ("数据集", 3),
        ("नमस्ते", 4),  # Devanagari: Unicode 13 rules, so no conjunct across the virama
        ("กำ", 1),  # Thai sara am is a spacing mark
        ("\u0600a", 1),  # a prepended concatenation mark
        ("🏳️\u200d🌈", 1),  # flag + variation selector + ZWJ sequence
        ("1️⃣", 1),  # keycap
        ("a\u200db", 2),  # a ZWJ between letters joins nothing
    ],
)
def test_columns(text: str, width: int) -> None:
    assert columns(text) == width
