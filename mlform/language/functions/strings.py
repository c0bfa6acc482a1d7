"""String functions: case, trimming, splitting and joining, substrings, regular expressions
(Go/RE2 syntax, translated to Python's `re` where the two differ), and `format`."""

from __future__ import annotations

import math
import re
import warnings
from decimal import ROUND_HALF_EVEN, Context, Decimal
from typing import Any

from mlform.language.functions._common import (
    FunctionContext,
    FunctionError,
    Number,
    describe,
    fail,
    function,
    graphemes,
    int_arg,
    list_arg,
    str_arg,
    to_bool,
    to_number,
    to_string,
)
from mlform.language.values import is_number

MAX_PAD = 100_000  # widths, precisions and indents beyond this are surely mistakes


# --- case -----------------------------------------------------------------------------------


def _map_runes(text: str, upper: bool) -> str:
    # Go maps rune by rune: "ß" stays "ß" where Python would give "SS".
    if text.isascii():
        return text.upper() if upper else text.lower()
    out = []
    for ch in text:
        mapped = ch.upper() if upper else ch.lower()
        out.append(mapped if len(mapped) == 1 else ch)
    return "".join(out)


@function("upper", 1, 1, "upper(string)", "Converts all letters in the string to uppercase.")
def _upper(ctx: FunctionContext, text: Any) -> str:
    return _map_runes(str_arg("upper", 0, text), upper=True)


@function("lower", 1, 1, "lower(string)", "Converts all letters in the string to lowercase.")
def _lower(ctx: FunctionContext, text: Any) -> str:
    return _map_runes(str_arg("lower", 0, text), upper=False)


def _is_separator(ch: str) -> bool:
    if ch <= "\x7f":
        return not (ch.isalnum() or ch == "_")
    if ch.isalpha() or ch.isdigit():
        return False
    return ch in _UNICODE_SPACE


@function(
    "title",
    1,
    1,
    "title(string)",
    "Converts the first letter of each word to uppercase (other letters are unchanged).",
)
def _title(ctx: FunctionContext, text: Any) -> str:
    source = str_arg("title", 0, text)
    out = []
    previous = " "
    for ch in source:
        if _is_separator(previous):
            mapped = ch.title()
            out.append(mapped if len(mapped) == 1 else ch)
        else:
            out.append(ch)
        previous = ch
    return "".join(out)


# --- trimming -------------------------------------------------------------------------------

# Go's unicode.IsSpace: Python's str.isspace also counts \x1c-\x1f, which Go does not.
_UNICODE_SPACE = (
    "\t\n\v\f\r \x85\xa0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008"
    "\u2009\u200a\u2028\u2029\u202f\u205f\u3000"
)


@function(
    "trimspace",
    1,
    1,
    "trimspace(string)",
    "Removes whitespace (spaces, tabs, newlines, ...) from both ends of the string.",
)
def _trimspace(ctx: FunctionContext, text: Any) -> str:
    return str_arg("trimspace", 0, text).strip(_UNICODE_SPACE)


@function(
    "trim",
    2,
    2,
    "trim(string, characters)",
    "Removes every character found in `characters` from both ends of the string.",
)
def _trim(ctx: FunctionContext, text: Any, characters: Any) -> str:
    source = str_arg("trim", 0, text)
    cutset = str_arg("trim", 1, characters)
    return source.strip(cutset) if cutset else source


@function(
    "trimprefix", 2, 2, "trimprefix(string, prefix)", "Removes `prefix` from the start, if present."
)
def _trimprefix(ctx: FunctionContext, text: Any, prefix: Any) -> str:
    return str_arg("trimprefix", 0, text).removeprefix(str_arg("trimprefix", 1, prefix))


@function(
    "trimsuffix", 2, 2, "trimsuffix(string, suffix)", "Removes `suffix` from the end, if present."
)
def _trimsuffix(ctx: FunctionContext, text: Any, suffix: Any) -> str:
    return str_arg("trimsuffix", 0, text).removesuffix(str_arg("trimsuffix", 1, suffix))


@function("chomp", 1, 1, "chomp(string)", "Removes newline characters at the end of the string.")
def _chomp(ctx: FunctionContext, text: Any) -> str:
    return str_arg("chomp", 0, text).rstrip("\r\n")


@function(
    "indent",
    2,
    2,
    "indent(spaces, string)",
    "Adds `spaces` spaces at the start of every line but the first.",
)
def _indent(ctx: FunctionContext, spaces: Any, text: Any) -> str:
    count = int_arg("indent", 0, spaces)
    source = str_arg("indent", 1, text)
    if count < 0:
        raise fail("indent", "argument 1 must not be negative", 0)
    if count > MAX_PAD:
        raise fail("indent", f"argument 1 must be at most {MAX_PAD}", 0)
    return source.replace("\n", "\n" + " " * count)


# --- searching ------------------------------------------------------------------------------


@function(
    "startswith", 2, 2, "startswith(string, prefix)", "Whether the string begins with `prefix`."
)
def _startswith(ctx: FunctionContext, text: Any, prefix: Any) -> bool:
    return str_arg("startswith", 0, text).startswith(str_arg("startswith", 1, prefix))


@function("endswith", 2, 2, "endswith(string, suffix)", "Whether the string ends with `suffix`.")
def _endswith(ctx: FunctionContext, text: Any, suffix: Any) -> bool:
    return str_arg("endswith", 0, text).endswith(str_arg("endswith", 1, suffix))


@function(
    "strcontains",
    2,
    2,
    "strcontains(string, substr)",
    "Whether `substr` occurs within the string.",
)
def _strcontains(ctx: FunctionContext, text: Any, sub: Any) -> bool:
    return str_arg("strcontains", 1, sub) in str_arg("strcontains", 0, text)


# --- splitting and joining ------------------------------------------------------------------


@function(
    "split",
    2,
    2,
    "split(separator, string)",
    "Divides the string at each occurrence of `separator`; returns a list of strings.",
)
def _split(ctx: FunctionContext, separator: Any, text: Any) -> list[str]:
    sep = str_arg("split", 0, separator)
    source = str_arg("split", 1, text)
    if sep == "":
        return list(source)
    return source.split(sep)


@function(
    "join",
    2,
    None,
    "join(separator, list, ...)",
    "Concatenates the elements of one or more lists of strings, with `separator` between.",
)
def _join(ctx: FunctionContext, separator: Any, *lists: Any) -> str:
    sep = str_arg("join", 0, separator)
    items: list[str] = []
    for offset, value in enumerate(lists):
        index = offset + 1
        elements = list_arg("join", index, value, "a list of strings")
        for position, element in enumerate(elements):
            if element is None:
                raise fail(
                    "join",
                    f"element {position} of argument {index + 1} is null; "
                    "cannot concatenate null values",
                    index,
                )
            text = to_string(element)
            if text is None:
                raise fail(
                    "join",
                    f"argument {index + 1} must be a list of strings, "
                    f"but element {position} is {describe(element)}",
                    index,
                )
            items.append(text)
    return sep.join(items)


@function("strrev", 1, 1, "strrev(string)", "Reverses the characters of the string.")
def _strrev(ctx: FunctionContext, text: Any) -> str:
    return "".join(reversed(graphemes(str_arg("strrev", 0, text))))


@function(
    "substr",
    3,
    3,
    "substr(string, offset, length)",
    "Extracts `length` characters from `offset` (negative: from the end; length -1: to the end).",
)
def _substr(ctx: FunctionContext, text: Any, offset: Any, length: Any) -> str:
    chars = graphemes(str_arg("substr", 0, text))
    start = int_arg("substr", 1, offset)
    count = int_arg("substr", 2, length)
    if start < 0:
        start = max(start + len(chars), 0)
    if start >= len(chars) or count == 0:
        return ""
    if count < 0:
        return "".join(chars[start:])
    return "".join(chars[start : start + count])


# --- regular expressions --------------------------------------------------------------------

_POSIX_CLASSES = {
    "alnum": "0-9A-Za-z",
    "alpha": "A-Za-z",
    "ascii": "\\x00-\\x7f",
    "blank": "\\t ",
    "cntrl": "\\x00-\\x1f\\x7f",
    "digit": "0-9",
    "graph": "!-~",
    "lower": "a-z",
    "print": " -~",
    "punct": "!-/:-@\\[-`{-~",
    "space": "\\t\\n\\v\\f\\r ",
    "upper": "A-Z",
    "word": "0-9A-Za-z_",
    "xdigit": "0-9A-Fa-f",
}

_MULTILINE_FLAG = re.compile(r"\(\?[a-zA-Z]*m[a-zA-Z]*[:)]")
_REPEAT = re.compile(r"\{(\d+)(?:,(\d*))?\}")


def _translate(pattern: str) -> str:
    """Go's regular expression syntax (RE2) in Python's: `\\z` is `\\Z`, `$` without the m
    flag means the end of the text, `(?<name>` is `(?P<name>`, POSIX classes like
    `[[:alpha:]]` are spelled out."""
    multiline = bool(_MULTILINE_FLAG.search(pattern))
    out: list[str] = []
    i, n = 0, len(pattern)
    in_class = False
    while i < n:
        ch = pattern[i]
        if ch == "\\" and i + 1 < n:
            nxt = pattern[i + 1]
            out.append("\\Z" if nxt == "z" and not in_class else ch + nxt)
            i += 2
            continue
        if in_class:
            if ch == "[" and pattern.startswith("[:", i):
                end = pattern.find(":]", i + 2)
                name = pattern[i + 2 : end] if end >= 0 else ""
                negated = name.startswith("^")
                if end >= 0 and name.lstrip("^") in _POSIX_CLASSES and not negated:
                    out.append(_POSIX_CLASSES[name])
                    i = end + 2
                    continue
                out.append("\\[")
                i += 1
                continue
            if ch == "]":
                in_class = False
            out.append(ch)
            i += 1
            continue
        if ch == "[":
            in_class = True
            out.append(ch)
            i += 1
            # a "]" (or "^]") right after the opening bracket is a literal
            if i < n and pattern[i] == "^":
                out.append("^")
                i += 1
            if i < n and pattern[i] == "]":
                out.append("\\]")
                i += 1
            continue
        if ch == "$" and not multiline:
            out.append("\\Z")
            i += 1
            continue
        if (
            ch == "("
            and pattern.startswith("(?<", i)
            and not pattern.startswith(("(?<=", "(?<!"), i)
        ):
            out.append("(?P<")
            i += 3
            continue
        out.append(ch)
        i += 1
    return "".join(out)


def compile_regex(fn: str, index: int, pattern: str) -> re.Pattern[str]:
    for match in _REPEAT.finditer(pattern):
        if any(group and int(group) > 1000 for group in match.groups()):
            raise fail(
                fn,
                f"argument {index + 1} is not a valid regular expression: "
                "a repetition count is larger than 1000",
                index,
            )
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return re.compile(_translate(pattern))
    except (re.error, ValueError, OverflowError, IndexError) as exc:
        detail = getattr(exc, "msg", None) or str(exc)
        raise fail(
            fn, f"argument {index + 1} is not a valid regular expression: {detail}", index
        ) from None


def _matches(regex: re.Pattern[str], text: str) -> list[re.Match[str]]:
    """All matches as Go finds them: an empty match right after a match is skipped."""
    found: list[re.Match[str]] = []
    last_end = -1
    for match in regex.finditer(text):
        if match.start() == match.end() == last_end:
            continue
        found.append(match)
        last_end = match.end()
    return found


def _expand(template: str, match: re.Match[str]) -> str:
    """Go's regexp template expansion: $1, ${1}, $name, ${name}, and $$ for a dollar."""
    out: list[str] = []
    i, n = 0, len(template)
    while i < n:
        ch = template[i]
        if ch != "$" or i + 1 >= n:
            out.append(ch)
            i += 1
            continue
        nxt = template[i + 1]
        if nxt == "$":
            out.append("$")
            i += 2
            continue
        if nxt == "{":
            end = template.find("}", i + 2)
            name = template[i + 2 : end] if end >= 0 else ""
            if not name or not all(c.isalnum() or c == "_" for c in name):
                out.append("$")
                i += 1
                continue
            i = end + 1
        else:
            j = i + 1
            while j < n and (template[j].isalnum() or template[j] == "_"):
                j += 1
            name = template[i + 1 : j]
            if not name:
                out.append("$")
                i += 1
                continue
            i = j
        out.append(_group(match, name))
    return "".join(out)


def _group(match: re.Match[str], name: str) -> str:
    try:
        if name.isdigit() and name.isascii():
            number = int(name)
            if number > (match.re.groups or 0):
                return ""
            return match.group(number) or ""
        return match.group(name) or ""
    except (IndexError, ValueError):
        return ""


@function(
    "replace",
    3,
    3,
    "replace(string, substring, replacement)",
    "Replaces each occurrence of `substring`; a `/regex/` substring is a regular expression "
    "($1 or ${name} in `replacement` insert its captures).",
)
def _replace(ctx: FunctionContext, text: Any, substring: Any, replacement: Any) -> str:
    source = str_arg("replace", 0, text)
    search = str_arg("replace", 1, substring)
    template = str_arg("replace", 2, replacement)
    if len(search) > 1 and search.startswith("/") and search.endswith("/"):
        regex = compile_regex("replace", 1, search[1:-1])
        out: list[str] = []
        position = 0
        for match in _matches(regex, source):
            out.append(source[position : match.start()])
            out.append(_expand(template, match))
            position = match.end()
        out.append(source[position:])
        return "".join(out)
    return source.replace(search, template)


def _regex_shape(fn: str, regex: re.Pattern[str]) -> str:
    names = regex.groupindex
    if regex.groups == 0:
        return "string"
    if not names:
        return "list"
    if len(names) == regex.groups:
        return "map"
    raise fail(fn, "argument 1 cannot mix named and unnamed capture groups", 0)


def _regex_result(shape: str, regex: re.Pattern[str], match: re.Match[str]) -> Any:
    if shape == "string":
        return match.group(0)
    if shape == "list":
        return list(match.groups())
    return {name: match.group(name) for name in sorted(regex.groupindex)}


@function(
    "regex",
    2,
    2,
    "regex(pattern, string)",
    "The first match of `pattern`: the matched string, a list of captures, or a map of "
    "named captures; an error if nothing matches.",
)
def _regex(ctx: FunctionContext, pattern: Any, text: Any) -> Any:
    regex = compile_regex("regex", 0, str_arg("regex", 0, pattern))
    shape = _regex_shape("regex", regex)
    source = str_arg("regex", 1, text)
    match = regex.search(source)
    if match is None:
        raise fail("regex", "the pattern did not match any part of the given string")
    return _regex_result(shape, regex, match)


@function(
    "regexall",
    2,
    2,
    "regexall(pattern, string)",
    "Every non-overlapping match of `pattern`, each shaped as regex() shapes its result.",
)
def _regexall(ctx: FunctionContext, pattern: Any, text: Any) -> list[Any]:
    regex = compile_regex("regexall", 0, str_arg("regexall", 0, pattern))
    shape = _regex_shape("regexall", regex)
    source = str_arg("regexall", 1, text)
    return [_regex_result(shape, regex, m) for m in _matches(regex, source)]


# --- format ---------------------------------------------------------------------------------


class _Verb:
    __slots__ = ("argnum", "flags", "offset", "precision", "raw", "verb", "width")

    def __init__(self) -> None:
        self.raw = ""
        self.offset = 0
        self.flags = ""
        self.argnum = 0
        self.width: int | None = None
        self.precision: int | None = None
        self.verb = ""


def _pad(spec: _Verb, text: str) -> str:
    if spec.width is None:
        return text
    missing = spec.width - len(graphemes(text))
    if missing <= 0:
        return text
    pad = ("0" if "0" in spec.flags else " ") * missing
    return text + pad if "-" in spec.flags else pad + text


def _json_text(value: Any) -> str | None:
    from mlform.language.functions.encoding import json_encode

    try:
        return json_encode(value)
    except ValueError:
        return None


def _strip_trailing(digits: str, exponent: int) -> tuple[str, int]:
    """Significant digits (no trailing zeros) and the decimal point position."""
    stripped = digits.rstrip("0") or "0"
    return stripped, len(digits) + exponent


def _decimal_digits(value: Decimal) -> tuple[str, int]:
    _sign, digit_tuple, exponent = value.as_tuple()
    assert isinstance(exponent, int)
    return _strip_trailing("".join(map(str, digit_tuple)), exponent)


def _round(value: Decimal, significant: int) -> Decimal:
    context = Context(prec=significant, rounding=ROUND_HALF_EVEN, Emax=10**9, Emin=-(10**9))
    return context.plus(value)


def _exponent_form(digits: str, point: int, fraction_digits: int, letter: str) -> str:
    mantissa = digits[0]
    rest = digits[1:].ljust(fraction_digits, "0")[:fraction_digits]
    if fraction_digits > 0:
        mantissa += "." + rest
    exp = point - 1 if digits != "0" else 0
    return f"{mantissa}{letter}{'-' if exp < 0 else '+'}{abs(exp):02d}"


def _fixed_form(digits: str, point: int, fraction_digits: int) -> str:
    if digits == "0":
        whole, frac = "0", ""
    elif point <= 0:
        whole, frac = "0", "0" * -point + digits
    elif point >= len(digits):
        whole, frac = digits + "0" * (point - len(digits)), ""
    else:
        whole, frac = digits[:point], digits[point:]
    frac = frac.ljust(fraction_digits, "0")[:fraction_digits]
    return whole + ("." + frac if fraction_digits > 0 else "")


def _format_float(value: Number, verb: str, precision: int | None) -> str:
    """Go's %e %f %g on the absolute value (exact decimal rounding, half to even)."""
    if isinstance(value, float) and math.isinf(value):
        return "Inf"
    if isinstance(value, float) and math.isnan(value):
        return "NaN"
    magnitude = Decimal(abs(value))
    letter = "E" if verb in "EG" else "e"
    lower = verb.lower()
    if lower == "e":
        places = 6 if precision is None else precision
        digits, point = _decimal_digits(_round(magnitude, places + 1)) if magnitude else ("0", 1)
        return _exponent_form(digits, point, places, letter)
    if lower == "f":
        places = 6 if precision is None else precision
        quantum = Decimal(1).scaleb(-places)
        size = max(magnitude.adjusted(), 0) + places + 2
        context = Context(prec=size, rounding=ROUND_HALF_EVEN, Emax=10**9, Emin=-(10**9))
        rounded = magnitude.quantize(quantum, context=context)
        digits, point = _decimal_digits(rounded) if rounded else ("0", 1)
        return _fixed_form(digits, point, places)
    # %g: shortest representation when no precision is given, with %e from exponent 6 on
    if precision is None:
        if magnitude == 0:
            return "0"
        if isinstance(value, float):
            digits, point = _decimal_digits(Decimal(repr(abs(value))))
        else:
            digits, point = _decimal_digits(magnitude)
        limit = 6
    else:
        significant = max(precision, 1)
        if magnitude == 0:
            return "0"
        digits, point = _decimal_digits(_round(magnitude, significant))
        limit = significant
    exp = point - 1
    if exp < -4 or exp >= limit:
        return _exponent_form(digits, point, len(digits) - 1, letter)
    return _fixed_form(digits, point, max(len(digits) - point, 0))


def _format_integer(spec: _Verb, value: int) -> str:
    """Go's %b %d %o %x %X, with its sign, prefix, precision and padding rules."""
    base = {"b": 2, "d": 10, "o": 8, "x": 16, "X": 16}[spec.verb]
    magnitude = abs(value)
    if base == 10:
        try:
            digits = str(magnitude)
        except ValueError:
            raise ValueError("number too large") from None
    else:
        digits = format(magnitude, {2: "b", 8: "o", 16: "x"}[base])
    if spec.verb == "X":
        digits = digits.upper()
    sign = "-" if value < 0 else "+" if "+" in spec.flags else " " if " " in spec.flags else ""
    prefix = ""
    if "#" in spec.flags:
        prefix = {"b": "0b", "o": "0", "x": "0x", "X": "0X"}.get(spec.verb, "")
    zeros = 0
    if spec.precision is not None:
        if len(digits) < spec.precision:
            zeros = spec.precision - len(digits)
        elif digits == "0" and spec.precision == 0:
            return ""
    left = right = 0
    length = len(sign) + len(prefix) + zeros + len(digits)
    if spec.width is not None and length < spec.width:
        missing = spec.width - length
        if "-" in spec.flags:
            right = missing
        elif "0" in spec.flags and spec.precision is None:
            zeros = missing
        else:
            left = missing
    return " " * left + sign + prefix + "0" * zeros + digits + " " * right


def _format_number(spec: _Verb, value: Number) -> str:
    body = _format_float(value, spec.verb, spec.precision)
    negative = value < 0 if not (isinstance(value, float) and math.isnan(value)) else False
    if negative:
        sign = "-"
    elif body == "Inf":
        sign = " " if " " in spec.flags else "+"
    else:
        sign = "+" if "+" in spec.flags else " " if " " in spec.flags else ""
    padding = 0
    if spec.width is not None and spec.width > len(sign) + len(body):
        padding = spec.width - len(sign) - len(body)
    if "0" in spec.flags and body != "Inf":
        return sign + "0" * padding + body
    if "-" in spec.flags:
        return sign + body + " " * padding
    return " " * padding + sign + body


def _unsupported(spec: _Verb, reason: str) -> str:
    return f'unsupported value for "{spec.raw}" at {spec.offset}: {reason}'


def _format_value(spec: _Verb, value: Any) -> str:
    """One verb applied to one value; raises ValueError with a message on failure."""
    verb = spec.verb
    if verb not in "vtbdoxXeEfgGsq":
        raise ValueError(
            f'unsupported format verb "{verb}" in "{spec.raw}" at offset {spec.offset}'
        )
    if value is None and verb != "v":
        raise ValueError(_unsupported(spec, "null value cannot be formatted"))
    if verb == "v":
        if "#" not in spec.flags and isinstance(value, str):
            return _pad(spec, value)
        if "#" not in spec.flags and is_number(value):
            # Terraform's %v writes numbers as %g does: 1e+06 for a million.
            sign = "-" if value < 0 else ""
            return _pad(spec, sign + _format_float(value, "g", None))
        encoded = _json_text(value)
        if encoded is None:
            raise ValueError(_unsupported(spec, "value cannot be written as JSON"))
        return _pad(spec, encoded)
    if verb == "t":
        flag = to_bool(value)
        if flag is None:
            raise ValueError(_unsupported(spec, f"a bool is required, got {describe(value)}"))
        return "true" if flag else "false"
    if verb in "bdoxXeEfgG":
        number = to_number(value)
        if number is None:
            raise ValueError(_unsupported(spec, f"a number is required, got {describe(value)}"))
        if verb in "bdoxX":
            if isinstance(number, float):
                if not math.isfinite(number) or not number.is_integer():
                    raise ValueError(_unsupported(spec, "an integer is required"))
                number = int(number)
            return _format_integer(spec, number)
        return _format_number(spec, number)
    text = to_string(value)
    if text is None:
        raise ValueError(_unsupported(spec, f"a string is required, got {describe(value)}"))
    if spec.precision:
        text = "".join(graphemes(text)[: spec.precision])
    if verb == "q":
        quoted = _json_text(text)
        assert quoted is not None
        text = quoted
    return _pad(spec, text)


def _parse_verb(fmt: str, start: int, next_arg: int) -> tuple[_Verb, int]:
    """The verb starting with the "%" at `start`, and the position after it."""
    spec = _Verb()
    spec.offset = start
    spec.argnum = next_arg
    n = len(fmt)
    i = start + 1
    while i < n and fmt[i] in "0#-+ ":
        spec.flags += fmt[i]
        i += 1
    if i < n and fmt[i] == "[":
        j = i + 1
        while j < n and "0" <= fmt[j] <= "9":
            j += 1
        if j == i + 1 or fmt[i + 1] == "0" or j >= n or fmt[j] != "]" or j - i > 8:
            raise ValueError(f"invalid format string starting at offset {start}")
        spec.argnum = int(fmt[i + 1 : j])
        i = j + 1
    if i < n and "1" <= fmt[i] <= "9":
        j = i
        while j < n and "0" <= fmt[j] <= "9":
            j += 1
        if j - i > 6 or int(fmt[i:j]) > MAX_PAD:
            raise ValueError(f"width at offset {start} is larger than {MAX_PAD}")
        spec.width = int(fmt[i:j])
        i = j
    if i < n and fmt[i] == ".":
        j = i + 1
        while j < n and "0" <= fmt[j] <= "9":
            j += 1
        if j - i - 1 > 6 or (j > i + 1 and int(fmt[i + 1 : j]) > MAX_PAD):
            raise ValueError(f"precision at offset {start} is larger than {MAX_PAD}")
        spec.precision = int(fmt[i + 1 : j]) if j > i + 1 else 0
        i = j
    if i >= n:
        raise ValueError(f"invalid format string starting at offset {start}")
    verb = fmt[i]
    if not (verb.isascii() and verb.isalpha()):
        raise ValueError(f"unrecognized format character {verb!r} at offset {i}")
    spec.verb = verb
    spec.raw = fmt[start : i + 1]
    return spec, i + 1


class _FormatError(Exception):
    def __init__(self, message: str, argument: int) -> None:
        super().__init__(message)
        self.message = message
        self.argument = argument


def format_string(fmt: str, args: list[Any]) -> str:
    """Terraform's format(); raises _FormatError (argument index counts `fmt` as 0)."""
    out: list[str] = []
    i, n = 0, len(fmt)
    next_arg = 1
    highest = 0
    while i < n:
        ch = fmt[i]
        if ch != "%":
            j = fmt.find("%", i)
            j = n if j < 0 else j
            out.append(fmt[i:j])
            i = j
            continue
        if i + 1 < n and fmt[i + 1] == "%":
            out.append("%")
            i += 2
            continue
        try:
            spec, i = _parse_verb(fmt, i, next_arg)
        except ValueError as exc:
            raise _FormatError(str(exc), 0) from None
        if spec.argnum > len(args):
            raise _FormatError(
                f'not enough arguments for "{spec.raw}" at {spec.offset}: '
                f"need index {spec.argnum} but have {len(args)} total",
                0,
            )
        try:
            out.append(_format_value(spec, args[spec.argnum - 1]))
        except ValueError as exc:
            raise _FormatError(str(exc), spec.argnum) from None
        highest = max(highest, spec.argnum)
        next_arg = spec.argnum + 1
    if len(args) > highest:
        if highest == 0:
            raise _FormatError("too many arguments; no verbs in format string", highest + 1)
        raise _FormatError(f"too many arguments; only {highest} used by format string", highest + 1)
    return "".join(out)


@function(
    "format",
    1,
    None,
    "format(spec, values...)",
    "Formats values printf-style: %s %q %d %f %e %g %x %o %b %t %v %#v %%, "
    "with flags, width and precision (%-8s, %05.2f, %[2]s).",
)
def _format(ctx: FunctionContext, spec: Any, *values: Any) -> str:
    fmt = str_arg("format", 0, spec)
    try:
        return format_string(fmt, list(values))
    except _FormatError as exc:
        raise FunctionError(f"format: {exc.message}", exc.argument) from None


@function(
    "formatlist",
    1,
    None,
    "formatlist(spec, values...)",
    "Like format, once per element of the list arguments (all the same length); other "
    "arguments are repeated. Returns a list of strings.",
)
def _formatlist(ctx: FunctionContext, spec: Any, *values: Any) -> list[str]:
    fmt = str_arg("formatlist", 0, spec)
    length: int | None = None
    chooser = 0
    for index, value in enumerate(values, start=1):
        if isinstance(value, list):
            if length is None:
                length, chooser = len(value), index
            elif len(value) != length:
                raise fail(
                    "formatlist",
                    f"argument {index + 1} has length {len(value)}, which is inconsistent "
                    f"with argument {chooser + 1} of length {length}",
                    index,
                )
    if length is None:
        length = 1
    results: list[str] = []
    for iteration in range(length):
        args = [v[iteration] if isinstance(v, list) else v for v in values]
        try:
            results.append(format_string(fmt, args))
        except _FormatError as exc:
            raise FunctionError(
                f"formatlist: error on format iteration {iteration}: {exc.message}",
                exc.argument,
            ) from None
    return results
