"""Date and time functions on RFC 3339 timestamps ("2024-01-02T15:04:05Z").

There is deliberately no timestamp() (nor plantimestamp()): the current time would make
every plan different."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, timezone
from fractions import Fraction
from typing import Any

from mlform.language.functions._common import FunctionContext, fail, function, str_arg

_RFC3339 = re.compile(
    r"([0-9]{4})-([0-9]{2})-([0-9]{2})T([0-9]{2}):([0-9]{2}):([0-9]{2})(\.[0-9]+)?"
    r"(Z|[+-][0-9]{2}:[0-9]{2})"
)
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_NS = 1_000_000_000

_MONTHS = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
]
_WEEKDAYS = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]


@dataclass(frozen=True)
class _Time:
    local: datetime  # aware, in the timestamp's own offset, whole seconds
    nanos: int  # the fraction of a second

    @property
    def offset_seconds(self) -> int:
        delta = self.local.utcoffset()
        return int(delta.total_seconds()) if delta is not None else 0

    def instant(self) -> int:
        """Nanoseconds since the Unix epoch."""
        seconds = (self.local - _EPOCH) // timedelta(seconds=1)
        return seconds * _NS + self.nanos


def _parse(fn: str, index: int, value: Any) -> _Time:
    text = str_arg(fn, index, value)
    match = _RFC3339.fullmatch(text)
    if match is None:
        raise fail(
            fn,
            f"argument {index + 1} is not a valid RFC 3339 timestamp "
            '(like "2024-01-02T15:04:05Z" or "2024-01-02T15:04:05+01:00")',
            index,
        )
    year, month, day, hour, minute, second = (int(g) for g in match.groups()[:6])
    fraction, zone = match.group(7), match.group(8)
    if zone == "Z":
        offset = 0
    else:
        hours, minutes = int(zone[1:3]), int(zone[4:6])
        if hours > 23 or minutes > 59:
            raise fail(fn, f"argument {index + 1} has an invalid UTC offset", index)
        offset = (hours * 60 + minutes) * 60 * (-1 if zone[0] == "-" else 1)
    try:
        local = datetime(
            year, month, day, hour, minute, second, tzinfo=timezone(timedelta(seconds=offset))
        )
    except ValueError as exc:
        raise fail(fn, f"argument {index + 1} is not a valid date and time: {exc}", index) from None
    nanos = int(fraction[1:10].ljust(9, "0")) if fraction else 0
    return _Time(local, nanos)


def _offset(offset_seconds: int, colon: bool) -> str:
    sign = "-" if offset_seconds < 0 else "+"
    minutes = abs(offset_seconds) // 60
    separator = ":" if colon else ""
    return f"{sign}{minutes // 60:02d}{separator}{minutes % 60:02d}"


def _rfc3339(local: datetime) -> str:
    delta = local.utcoffset()
    offset = int(delta.total_seconds()) if delta is not None else 0
    zone = "Z" if offset == 0 else _offset(offset, colon=True)
    return (
        f"{local.year:04d}-{local.month:02d}-{local.day:02d}"
        f"T{local.hour:02d}:{local.minute:02d}:{local.second:02d}{zone}"
    )


def _tokens(spec: str) -> list[str]:
    """The format split as Terraform splits it: quoted literals, runs of one letter, and
    other literal text."""
    out: list[str] = []
    i, n = 0, len(spec)
    while i < n:
        ch = spec[i]
        if ch == "'":
            if i + 1 < n and spec[i + 1] == "'":
                out.append("''")
                i += 2
                continue
            j = i + 1
            while j < n:
                if spec[j] == "'":
                    if j + 1 < n and spec[j + 1] == "'":
                        j += 2
                        continue
                    break
                j += 1
            out.append(spec[i : j + 1])
            i = j + 1
        elif ch.isascii() and ch.isalpha():
            j = i
            while j < n and spec[j] == ch:
                j += 1
            out.append(spec[i:j])
            i = j
        else:
            j = i
            while j < n and spec[j] != "'" and not (spec[j].isascii() and spec[j].isalpha()):
                j += 1
            out.append(spec[i:j])
            i = j
    return out


def _verb(token: str, t: _Time) -> str:
    letter, size = token[0], len(token)
    local = t.local

    def number(value: int, *, what: str, short: str) -> str:
        if size == 1:
            return str(value)
        if size == 2:
            return f"{value:02d}"
        raise ValueError(
            f'invalid date format verb "{token}": {what} must be "{short}" or "{short * 2}"'
        )

    if letter == "Y":
        if size == 2:
            return f"{local.year % 100:02d}"
        if size == 4:
            return f"{local.year:04d}"
        raise ValueError(f'invalid date format verb "{token}": year must be "YY" or "YYYY"')
    if letter == "M":
        if size <= 2:
            return number(local.month, what="month", short="M")
        if size in (3, 4):
            name = _MONTHS[local.month - 1]
            return name[:3] if size == 3 else name
        raise ValueError(
            f'invalid date format verb "{token}": month must be "M", "MM", "MMM" or "MMMM"'
        )
    if letter == "D":
        return number(local.day, what="day of month", short="D")
    if letter == "E":
        name = _WEEKDAYS[local.weekday()]
        if size == 3:
            return name[:3]
        if size == 4:
            return name
        raise ValueError(f'invalid date format verb "{token}": day of week must be "EEE" or "EEEE"')
    if letter == "h":
        return number(local.hour, what="24-hour", short="h")
    if letter == "H":
        return number(local.hour % 12 or 12, what="12-hour", short="H")
    if letter in "Aa":
        if size != 2:
            raise ValueError(f'invalid date format verb "{token}": must be "{letter * 2}"')
        marker = "AM" if local.hour < 12 else "PM"
        return marker if letter == "A" else marker.lower()
    if letter == "m":
        return number(local.minute, what="minute", short="m")
    if letter == "s":
        return number(local.second, what="second", short="s")
    if letter == "Z":
        offset = t.offset_seconds
        if size == 1:
            return "Z" if offset == 0 else _offset(offset, colon=True)
        if size == 3:
            return "UTC" if offset == 0 else _offset(offset, colon=False)
        if size == 4:
            return _offset(offset, colon=False)
        if size == 5:
            return _offset(offset, colon=True)
        raise ValueError(
            f'invalid date format verb "{token}": timezone must be Z, ZZZ, ZZZZ or ZZZZZ'
        )
    raise ValueError(f'invalid date format verb "{token}"')


@function(
    "formatdate",
    2,
    2,
    "formatdate(spec, timestamp)",
    "Formats an RFC 3339 timestamp: YYYY YY MMMM MMM MM M DD D EEEE EEE hh h HH H AA aa "
    "mm m ss s ZZZZZ ZZZZ ZZZ Z, with 'quoted' literal text.",
)
def _formatdate(ctx: FunctionContext, spec: Any, timestamp: Any) -> str:
    layout = str_arg("formatdate", 0, spec)
    t = _parse("formatdate", 1, timestamp)
    out: list[str] = []
    for token in _tokens(layout):
        if token.startswith("'"):
            if len(token) == 1 or not token.endswith("'"):
                raise fail("formatdate", "argument 1 has an unterminated literal '", 0)
            out.append("'" if token == "''" else token[1:-1].replace("''", "'"))
        elif token[0].isascii() and token[0].isalpha():
            try:
                out.append(_verb(token, t))
            except ValueError as exc:
                raise fail("formatdate", f"argument 1: {exc}", 0) from None
        else:
            out.append(token)
    return "".join(out)


_UNITS = {
    "ns": 1,
    "us": 1_000,
    "\u00b5s": 1_000,
    "\u03bcs": 1_000,
    "ms": 1_000_000,
    "s": _NS,
    "m": 60 * _NS,
    "h": 3600 * _NS,
}
_DURATION_PART = re.compile(r"([0-9]*)(?:\.([0-9]*))?([^0-9.]*)")


def parse_duration(text: str) -> int | None:
    """Go's time.ParseDuration ("1h30m", "-1.5s", "300ms"), in nanoseconds; None if invalid."""
    negative = text.startswith("-")
    body = text[1:] if text[:1] in "+-" else text
    if body == "0":
        return 0
    if not body:
        return None
    total = Fraction(0)
    position = 0
    while position < len(body):
        match = _DURATION_PART.match(body, position)
        if match is None or match.end() == position:
            return None
        whole, frac, unit = match.group(1), match.group(2), match.group(3)
        if not whole and not frac:
            return None
        if unit not in _UNITS:
            return None
        value = Fraction(int(whole or "0"))
        if frac:
            value += Fraction(int(frac), 10 ** len(frac))
        total += value * _UNITS[unit]
        position = match.end()
    nanos = int(total)
    if nanos > 2**63 - 1:
        return None
    return -nanos if negative else nanos


@function(
    "timeadd",
    2,
    2,
    "timeadd(timestamp, duration)",
    'Adds a duration ("1h30m", "-10s", "1.5h"; units ns us ms s m h) to an RFC 3339 timestamp.',
)
def _timeadd(ctx: FunctionContext, timestamp: Any, duration: Any) -> str:
    t = _parse("timeadd", 0, timestamp)
    text = str_arg("timeadd", 1, duration)
    if len(text) > 200 or (nanos := parse_duration(text)) is None:
        raise fail(
            "timeadd",
            'argument 2 is not a valid duration (like "1h30m", "-10s" or "1.5h")',
            1,
        )
    seconds = (t.nanos + nanos) // _NS
    try:
        result = t.local + timedelta(seconds=seconds)
    except OverflowError:
        raise fail("timeadd", "the result is outside the years 1 to 9999") from None
    return _rfc3339(result)


@function(
    "timecmp",
    2,
    2,
    "timecmp(timestamp_a, timestamp_b)",
    "-1, 0 or 1 as the first RFC 3339 timestamp is before, at or after the second.",
)
def _timecmp(ctx: FunctionContext, a: Any, b: Any) -> int:
    first = _parse("timecmp", 0, a).instant()
    second = _parse("timecmp", 1, b).instant()
    return (first > second) - (first < second)
