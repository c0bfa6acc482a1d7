"""How many columns a piece of text occupies, counted as hclwrite counts them.

hclwrite measures alignment in grapheme clusters (Unicode UAX #29, via go-textseg). This is a
compact implementation of the extended grapheme cluster rules on top of `unicodedata`; the
property tables are approximated from general categories, which is exact for ASCII, letters
with combining marks, Hangul, flags and the common emoji sequences.
"""

from __future__ import annotations

import unicodedata
from functools import lru_cache

_CR, _LF, _CONTROL, _EXTEND, _ZWJ, _RI, _PREPEND, _SPACING = range(8)
_L, _V, _T, _LV, _LVT, _PICTO, _OTHER = range(8, 15)

_PREPEND_CHARS = frozenset(
    [0x600, 0x601, 0x602, 0x603, 0x604, 0x605, 0x6DD, 0x70F, 0x8E2, 0x110BD, 0x110CD]
)
_SPACING_EXTRA = frozenset([0xE33, 0xEB3])
_NOT_SPACING = frozenset([0x102B, 0x102C, 0x1038, 0x1062, 0x1063, 0x1064, 0x1067, 0x1068])
_PICTO_RANGES = (
    (0x00A9, 0x00A9),
    (0x00AE, 0x00AE),
    (0x203C, 0x203C),
    (0x2049, 0x2049),
    (0x2122, 0x2122),
    (0x2139, 0x2139),
    (0x2194, 0x2199),
    (0x21A9, 0x21AA),
    (0x231A, 0x231B),
    (0x2328, 0x2328),
    (0x2388, 0x2388),
    (0x23CF, 0x23CF),
    (0x23E9, 0x23F3),
    (0x23F8, 0x23FA),
    (0x24C2, 0x24C2),
    (0x25AA, 0x25AB),
    (0x25B6, 0x25B6),
    (0x25C0, 0x25C0),
    (0x25FB, 0x25FE),
    (0x2600, 0x27BF),
    (0x2934, 0x2935),
    (0x2B05, 0x2B07),
    (0x2B1B, 0x2B1C),
    (0x2B50, 0x2B50),
    (0x2B55, 0x2B55),
    (0x3030, 0x3030),
    (0x303D, 0x303D),
    (0x3297, 0x3297),
    (0x3299, 0x3299),
    (0x1F000, 0x1F0FF),
    (0x1F10D, 0x1F10F),
    (0x1F12F, 0x1F12F),
    (0x1F16C, 0x1F171),
    (0x1F17E, 0x1F17F),
    (0x1F18E, 0x1F18E),
    (0x1F191, 0x1F19A),
    (0x1F1AD, 0x1F1E5),
    (0x1F201, 0x1F20F),
    (0x1F21A, 0x1F21A),
    (0x1F22F, 0x1F22F),
    (0x1F232, 0x1F23A),
    (0x1F23C, 0x1F23F),
    (0x1F249, 0x1F3FA),
    (0x1F400, 0x1F53D),
    (0x1F546, 0x1F64F),
    (0x1F680, 0x1F6FF),
    (0x1F774, 0x1F77F),
    (0x1F7D5, 0x1F7FF),
    (0x1F80C, 0x1F80F),
    (0x1F848, 0x1F84F),
    (0x1F85A, 0x1F85F),
    (0x1F888, 0x1F88F),
    (0x1F8AE, 0x1F8FF),
    (0x1F90C, 0x1F93A),
    (0x1F93C, 0x1F945),
    (0x1F947, 0x1FAFF),
    (0x1FC00, 0x1FFFD),
)


@lru_cache(maxsize=4096)
def _property(ch: str) -> int:
    """The Grapheme_Cluster_Break property of one code point (approximated)."""
    cp = ord(ch)
    if cp < 0x7F:
        return _CR if cp == 0x0D else _LF if cp == 0x0A else _CONTROL if cp < 0x20 else _OTHER
    if cp == 0x200D:
        return _ZWJ
    if 0x1F1E6 <= cp <= 0x1F1FF:
        return _RI
    if 0x1F3FB <= cp <= 0x1F3FF or cp == 0x200C or 0xE0020 <= cp <= 0xE007F:
        return _EXTEND
    if cp in _PREPEND_CHARS:
        return _PREPEND
    hangul = _hangul(cp)
    if hangul is not None:
        return hangul
    category = unicodedata.category(ch)
    if category in ("Mn", "Me"):
        return _EXTEND
    if category == "Mc" or cp in _SPACING_EXTRA:
        return _EXTEND if cp in _NOT_SPACING else _SPACING
    if category in ("Cc", "Zl", "Zp") or (category == "Cf" and cp != 0x200C):
        return _CONTROL
    if any(low <= cp <= high for low, high in _PICTO_RANGES):
        return _PICTO
    return _OTHER


def _hangul(cp: int) -> int | None:
    if 0x1100 <= cp <= 0x115F or 0xA960 <= cp <= 0xA97C:
        return _L
    if 0x1160 <= cp <= 0x11A7 or 0xD7B0 <= cp <= 0xD7C6:
        return _V
    if 0x11A8 <= cp <= 0x11FF or 0xD7CB <= cp <= 0xD7FB:
        return _T
    if 0xAC00 <= cp <= 0xD7A3:
        return _LV if (cp - 0xAC00) % 28 == 0 else _LVT
    return None


def _breaks(prev: int, cur: int, picto_zwj: bool, odd_ri: bool) -> bool:
    """Whether a cluster boundary falls between code points of properties prev and cur."""
    if prev == _CR and cur == _LF:
        return False
    if prev in (_CR, _LF, _CONTROL) or cur in (_CR, _LF, _CONTROL):
        return True
    if prev == _L and cur in (_L, _V, _LV, _LVT):
        return False
    if prev in (_LV, _V) and cur in (_V, _T):
        return False
    if prev in (_LVT, _T) and cur == _T:
        return False
    if cur in (_EXTEND, _ZWJ, _SPACING) or prev == _PREPEND:
        return False
    if prev == _ZWJ and cur == _PICTO and picto_zwj:
        return False
    return not (prev == _RI and cur == _RI and odd_ri)


def columns(text: str) -> int:
    """The number of grapheme clusters in `text`."""
    if text.isascii():
        return len(text) - text.count("\r\n")
    count = 0
    prev = -1
    picto = False  # the text so far ends in Extended_Pictographic Extend*
    picto_zwj = False  # ... and then one ZWJ
    odd_ri = False  # an odd number of regional indicators just before?
    for ch in text:
        cur = _property(ch)
        if prev < 0 or _breaks(prev, cur, picto_zwj, odd_ri):
            count += 1
        picto_zwj = cur == _ZWJ and picto
        picto = cur == _PICTO or (cur == _EXTEND and picto)
        odd_ri = cur == _RI and not odd_ri
        prev = cur
    return count
