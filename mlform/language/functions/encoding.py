"""Encoding functions: JSON, YAML, Base64, URL and CSV."""

from __future__ import annotations

import base64
import binascii
import codecs
import csv
import io
import json
import re
import urllib.parse
from typing import Any

from mlform.language.functions._common import (
    FunctionContext,
    fail,
    function,
    number_to_string,
    parse_number,
    str_arg,
)
from mlform.language.values import is_number

# --- JSON -----------------------------------------------------------------------------------

_HTML_ESCAPES = {
    "<": "\\u003c",
    ">": "\\u003e",
    "&": "\\u0026",
    "\u2028": "\\u2028",
    "\u2029": "\\u2029",
}
_HTML_UNSAFE = re.compile("[<>&\u2028\u2029]")


def json_quote(text: str) -> str:
    """A JSON string as Terraform writes it: non-ASCII kept, and <, >, &, U+2028 and U+2029
    escaped (so that the result is safe inside HTML)."""
    quoted = json.dumps(text, ensure_ascii=False)
    return _HTML_UNSAFE.sub(lambda m: _HTML_ESCAPES[m.group(0)], quoted)


def json_encode(value: Any) -> str:
    """Compact JSON with object keys sorted; raises ValueError for what JSON cannot hold."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if is_number(value):
        text = number_to_string(value)
        if text is None:
            raise ValueError("infinite, NaN or oversized numbers cannot be written as JSON")
        return text
    if isinstance(value, str):
        return json_quote(value)
    if isinstance(value, list):
        return "[" + ",".join(json_encode(v) for v in value) + "]"
    if isinstance(value, dict):
        items = (f"{json_quote(str(k))}:{json_encode(value[k])}" for k in sorted(value))
        return "{" + ",".join(items) + "}"
    raise ValueError(f"a {type(value).__name__} cannot be written as JSON")


@function(
    "jsonencode",
    1,
    1,
    "jsonencode(value)",
    "The value as compact JSON with sorted object keys (<, > and & escaped as \\u003c ...).",
)
def _jsonencode(ctx: FunctionContext, value: Any) -> str:
    try:
        return json_encode(value)
    except ValueError as exc:
        raise fail("jsonencode", f"argument 1 cannot be encoded: {exc}", 0) from None


def _json_number(text: str) -> Any:
    number = parse_number(text)
    if number is None:
        raise ValueError("a number in the JSON is too large")
    return number


def _reject_constant(name: str) -> Any:
    raise ValueError(f"{name} is not valid JSON")


def _clean(value: Any) -> Any:
    """Lone surrogates (from \\ud800 escapes) become U+FFFD, as Go decodes them."""
    if isinstance(value, str):
        if any("\ud800" <= c <= "\udfff" for c in value):
            return "".join("\ufffd" if "\ud800" <= c <= "\udfff" else c for c in value)
        return value
    if isinstance(value, list):
        return [_clean(v) for v in value]
    if isinstance(value, dict):
        return {_clean(k): _clean(value[k]) for k in sorted(value)}
    return value


@function(
    "jsondecode",
    1,
    1,
    "jsondecode(string)",
    "The value that the JSON string describes (objects become maps).",
)
def _jsondecode(ctx: FunctionContext, text: Any) -> Any:
    source = str_arg("jsondecode", 0, text)
    try:
        decoded = json.loads(
            source,
            parse_int=_json_number,
            parse_float=_json_number,
            parse_constant=_reject_constant,
        )
    except json.JSONDecodeError as exc:
        raise fail(
            "jsondecode",
            f"argument 1 is not valid JSON: {exc.msg} (line {exc.lineno}, column {exc.colno})",
            0,
        ) from None
    except ValueError as exc:
        raise fail("jsondecode", f"argument 1 is not valid JSON: {exc}", 0) from None
    return _clean(decoded)


# --- YAML -----------------------------------------------------------------------------------

_YAML_PLAIN = re.compile(r"[A-Za-z_][A-Za-z0-9_ ./-]*")
_YAML_RESERVED = re.compile(
    r"(?i:y|n|yes|no|on|off|true|false|null|~|\.inf|-\.inf|\.nan)|[-+]?[0-9].*|.*[ ]|.*: .*|.* #.*"
)


def _yaml_scalar(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if is_number(value):
        text = number_to_string(value)
        if text is None:
            raise ValueError("infinite, NaN or oversized numbers cannot be written as YAML")
        return text
    text = str(value)
    if _YAML_PLAIN.fullmatch(text) and not _YAML_RESERVED.fullmatch(text):
        return text
    return json_quote(text).replace("\\u003c", "<").replace("\\u003e", ">").replace("\\u0026", "&")


def _yaml_lines(value: Any, indent: str) -> list[str]:
    lines: list[str] = []
    if isinstance(value, list):
        for item in value:
            if isinstance(item, list | dict) and item:
                inner = _yaml_lines(item, indent + "  ")
                lines.append(f"{indent}- {inner[0].lstrip()}")
                lines.extend(inner[1:])
            else:
                lines.append(f"{indent}- {_yaml_inline(item)}")
    else:
        for name in sorted(value):
            item = value[name]
            label = _yaml_scalar(str(name))
            if isinstance(item, dict) and item:
                lines.append(f"{indent}{label}:")
                lines.extend(_yaml_lines(item, indent + "  "))
            elif isinstance(item, list) and item:
                lines.append(f"{indent}{label}:")
                lines.extend(_yaml_lines(item, indent))
            else:
                lines.append(f"{indent}{label}: {_yaml_inline(item)}")
    return lines


def _yaml_inline(value: Any) -> str:
    if isinstance(value, list):
        return "[]"
    if isinstance(value, dict):
        return "{}"
    return _yaml_scalar(value)


def yaml_encode(value: Any) -> str:
    if isinstance(value, list | dict) and value:
        return "\n".join(_yaml_lines(value, "")) + "\n"
    return _yaml_inline(value) + "\n"


@function(
    "yamlencode",
    1,
    1,
    "yamlencode(value)",
    "The value as block-style YAML (map keys sorted; strings quoted only when needed).",
)
def _yamlencode(ctx: FunctionContext, value: Any) -> str:
    try:
        return yaml_encode(value)
    except ValueError as exc:
        raise fail("yamlencode", f"argument 1 cannot be encoded: {exc}", 0) from None


# --- Base64, URL, text encodings ------------------------------------------------------------


def _utf8(fn: str, index: int, text: str) -> bytes:
    try:
        return text.encode("utf-8")
    except UnicodeEncodeError:
        raise fail(
            fn, f"argument {index + 1} contains characters that are not valid UTF-8", index
        ) from None


@function(
    "base64encode",
    1,
    1,
    "base64encode(string)",
    "The UTF-8 bytes of the string, Base64-encoded.",
)
def _base64encode(ctx: FunctionContext, text: Any) -> str:
    data = _utf8("base64encode", 0, str_arg("base64encode", 0, text))
    return base64.b64encode(data).decode("ascii")


def _b64decode(fn: str, source: str) -> bytes:
    try:
        return base64.b64decode(source.encode("ascii"), validate=True)
    except (binascii.Error, UnicodeEncodeError, ValueError):
        raise fail(fn, "argument 1 is not valid Base64", 0) from None


@function(
    "base64decode",
    1,
    1,
    "base64decode(string)",
    "Decodes a Base64 string whose bytes are UTF-8 text.",
)
def _base64decode(ctx: FunctionContext, text: Any) -> str:
    data = _b64decode("base64decode", str_arg("base64decode", 0, text))
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        raise fail("base64decode", "the decoded bytes are not valid UTF-8 text", 0) from None


def _codec(fn: str, index: int, name: str) -> codecs.CodecInfo:
    try:
        info = codecs.lookup(name)
    except (LookupError, ValueError, TypeError):
        raise fail(fn, f"argument {index + 1} is not a known character encoding", index) from None
    if not getattr(info, "_is_text_encoding", True):
        raise fail(fn, f"argument {index + 1} is not a character encoding", index)
    return info


@function(
    "textencodebase64",
    2,
    2,
    "textencodebase64(string, encoding)",
    "The string encoded in a character encoding (e.g. UTF-16LE), then Base64-encoded.",
)
def _textencodebase64(ctx: FunctionContext, text: Any, encoding: Any) -> str:
    source = str_arg("textencodebase64", 0, text)
    info = _codec("textencodebase64", 1, str_arg("textencodebase64", 1, encoding))
    try:
        data = source.encode(info.name)
    except (UnicodeError, LookupError, ValueError):
        raise fail(
            "textencodebase64",
            f"argument 1 has characters that {info.name} cannot represent",
            0,
        ) from None
    return base64.b64encode(data).decode("ascii")


@function(
    "textdecodebase64",
    2,
    2,
    "textdecodebase64(string, encoding)",
    "Decodes Base64 into bytes, then reads them as text in the character encoding.",
)
def _textdecodebase64(ctx: FunctionContext, text: Any, encoding: Any) -> str:
    data = _b64decode("textdecodebase64", str_arg("textdecodebase64", 0, text))
    info = _codec("textdecodebase64", 1, str_arg("textdecodebase64", 1, encoding))
    try:
        return data.decode(info.name)
    except (UnicodeError, LookupError, ValueError):
        raise fail(
            "textdecodebase64", f"the decoded bytes are not valid {info.name} text", 0
        ) from None


@function(
    "urlencode",
    1,
    1,
    "urlencode(string)",
    "The string escaped for a URL query (spaces become +; only A-Z a-z 0-9 - _ . ~ kept).",
)
def _urlencode(ctx: FunctionContext, text: Any) -> str:
    data = _utf8("urlencode", 0, str_arg("urlencode", 0, text))
    return urllib.parse.quote_plus(data, safe="")


# --- CSV ------------------------------------------------------------------------------------


@function(
    "csvdecode",
    1,
    1,
    "csvdecode(string)",
    "Parses CSV text whose first line names the columns; returns a list of maps of strings.",
)
def _csvdecode(ctx: FunctionContext, text: Any) -> list[dict[str, str]]:
    source = str_arg("csvdecode", 0, text)
    try:
        rows = [row for row in csv.reader(io.StringIO(source, newline=""), strict=True) if row]
    except csv.Error as exc:
        raise fail("csvdecode", f"argument 1 is not valid CSV: {exc}", 0) from None
    if not rows:
        raise fail("csvdecode", "argument 1 has no header line", 0)
    header, records = rows[0], rows[1:]
    out: list[dict[str, str]] = []
    for number, record in enumerate(records, start=2):
        if len(record) != len(header):
            raise fail(
                "csvdecode",
                f"record {number} has {len(record)} fields but the header has {len(header)}",
                0,
            )
        row = dict(zip(header, record, strict=True))
        out.append({k: row[k] for k in sorted(row)})
    return out
