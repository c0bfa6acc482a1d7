"""Hashing, files and paths. Relative file paths are resolved against the configuration
directory (`ctx.base_dir`), never against the current directory, so that a configuration
means the same thing wherever mlform runs."""

from __future__ import annotations

import base64
import hashlib
import os
import re
import stat
import uuid
import warnings
from collections.abc import Callable
from pathlib import Path
from typing import Any

from mlform.language.functions._common import (
    FunctionContext,
    fail,
    function,
    str_arg,
)

MAX_FILESET = 100_000

# --- hashing of strings ---------------------------------------------------------------------


def _bytes(fn: str, value: Any) -> bytes:
    text = str_arg(fn, 0, value)
    try:
        return text.encode("utf-8")
    except UnicodeEncodeError:
        raise fail(fn, "argument 1 contains characters that are not valid UTF-8", 0) from None


def _hex_hash(algorithm: str) -> Callable[[bytes], str]:
    return lambda data: hashlib.new(algorithm, data).hexdigest()


def _b64_hash(algorithm: str) -> Callable[[bytes], str]:
    return lambda data: base64.b64encode(hashlib.new(algorithm, data).digest()).decode("ascii")


_HASHES: list[tuple[str, str, Callable[[bytes], str]]] = [
    ("md5", "MD5 hash, in hexadecimal,", _hex_hash("md5")),
    ("sha1", "SHA-1 hash, in hexadecimal,", _hex_hash("sha1")),
    ("sha256", "SHA-256 hash, in hexadecimal,", _hex_hash("sha256")),
    ("sha512", "SHA-512 hash, in hexadecimal,", _hex_hash("sha512")),
    ("base64sha256", "SHA-256 hash, Base64-encoded,", _b64_hash("sha256")),
    ("base64sha512", "SHA-512 hash, Base64-encoded,", _b64_hash("sha512")),
]


def _register_string_hash(name: str, what: str, digest: Callable[[bytes], str]) -> None:
    def impl(ctx: FunctionContext, value: Any) -> str:
        return digest(_bytes(name, value))

    function(name, 1, 1, f"{name}(string)", f"The {what} of the string's UTF-8 bytes.")(impl)


def _register_file_hash(name: str, what: str, digest: Callable[[bytes], str]) -> None:
    fn = f"file{name}"

    def impl(ctx: FunctionContext, path: Any) -> str:
        return digest(read_file(ctx, fn, path))

    function(fn, 1, 1, f"{fn}(path)", f"The {what} of the file's contents.")(impl)


for _name, _what, _digest in _HASHES:
    _register_string_hash(_name, _what, _digest)
    _register_file_hash(_name, _what, _digest)


_NAMESPACES = {
    "dns": uuid.NAMESPACE_DNS,
    "url": uuid.NAMESPACE_URL,
    "oid": uuid.NAMESPACE_OID,
    "x500": uuid.NAMESPACE_X500,
}
_UUID = re.compile(r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}")


@function(
    "uuidv5",
    2,
    2,
    "uuidv5(namespace, name)",
    "The name-based (SHA-1) UUID of `name` in `namespace`: dns, url, oid, x500 or a UUID.",
)
def _uuidv5(ctx: FunctionContext, namespace: Any, name: Any) -> str:
    space = str_arg("uuidv5", 0, namespace)
    label = str_arg("uuidv5", 1, name)
    if space in _NAMESPACES:
        base = _NAMESPACES[space]
    elif _UUID.fullmatch(space):
        base = uuid.UUID(space)
    else:
        raise fail("uuidv5", 'argument 1 must be "dns", "url", "oid", "x500" or a UUID string', 0)
    try:
        return str(uuid.uuid5(base, label))
    except UnicodeEncodeError:
        raise fail("uuidv5", "argument 2 contains characters that are not valid UTF-8", 1) from None


# --- files ----------------------------------------------------------------------------------


def resolve(ctx: FunctionContext, fn: str, path: Any, index: int = 0) -> str:
    """The absolute, normalized path that `path` names from the configuration directory."""
    text = str_arg(fn, index, path)
    if "\x00" in text:
        raise fail(fn, f"argument {index + 1} is not a valid path (it contains a NUL)", index)
    base = os.path.abspath(os.fspath(ctx.base_dir))
    return os.path.normpath(os.path.join(base, text))


def _missing(ctx: FunctionContext, fn: str, resolved: str) -> Exception:
    base = os.path.abspath(os.fspath(ctx.base_dir))
    return fail(
        fn,
        f'no file exists at "{resolved}"; a relative path is relative to the configuration '
        f"directory ({base})",
        0,
    )


def read_file(ctx: FunctionContext, fn: str, path: Any) -> bytes:
    resolved = resolve(ctx, fn, path)
    try:
        return Path(resolved).read_bytes()
    except FileNotFoundError:
        raise _missing(ctx, fn, resolved) from None
    except IsADirectoryError:
        raise fail(fn, f'"{resolved}" is a directory, not a file', 0) from None
    except NotADirectoryError:
        raise _missing(ctx, fn, resolved) from None
    except PermissionError:
        raise fail(fn, f'permission denied reading "{resolved}"', 0) from None
    except (OSError, ValueError) as exc:
        reason = getattr(exc, "strerror", None) or type(exc).__name__
        raise fail(fn, f'cannot read "{resolved}": {reason}', 0) from None


@function(
    "file",
    1,
    1,
    "file(path)",
    "The contents of the file as a string (UTF-8); the path is relative to the "
    "configuration directory.",
)
def _file(ctx: FunctionContext, path: Any) -> str:
    data = read_file(ctx, "file", path)
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        raise fail(
            "file",
            f'the contents of "{resolve(ctx, "file", path)}" are not valid UTF-8; use '
            "filebase64 for binary files, or filesha256 and friends for hashes",
            0,
        ) from None


@function(
    "filebase64",
    1,
    1,
    "filebase64(path)",
    "The contents of the file, Base64-encoded (for binary files).",
)
def _filebase64(ctx: FunctionContext, path: Any) -> str:
    return base64.b64encode(read_file(ctx, "filebase64", path)).decode("ascii")


@function(
    "fileexists",
    1,
    1,
    "fileexists(path)",
    "Whether a file exists at the path (an error if it is a directory).",
)
def _fileexists(ctx: FunctionContext, path: Any) -> bool:
    resolved = resolve(ctx, "fileexists", path)
    try:
        mode = os.stat(resolved).st_mode
    except (FileNotFoundError, NotADirectoryError):
        return False
    except (OSError, ValueError) as exc:
        reason = getattr(exc, "strerror", None) or type(exc).__name__
        raise fail("fileexists", f'cannot check "{resolved}": {reason}', 0) from None
    if stat.S_ISDIR(mode):
        raise fail("fileexists", f'"{resolved}" is a directory, not a file', 0)
    return True


def _glob_regex(pattern: str) -> re.Pattern[str]:
    """A glob as a regular expression: `*` and `?` within a path segment, `**` across
    segments, `[abc]` classes and `{a,b}` alternatives."""
    out: list[str] = []
    i, n = 0, len(pattern)
    depth = 0
    while i < n:
        ch = pattern[i]
        if ch == "*":
            if pattern.startswith("**", i):
                i += 2
                if i < n and pattern[i] == "/":
                    out.append("(?:[^/]*/)*")
                    i += 1
                else:
                    out.append(".*")
                continue
            out.append("[^/]*")
        elif ch == "?":
            out.append("[^/]")
        elif ch == "[":
            end = pattern.find("]", i + 2)
            if end < 0:
                out.append(re.escape(ch))
            else:
                body = pattern[i + 1 : end]
                negate = body.startswith(("!", "^"))
                body = body[1:] if negate else body
                out.append("[" + ("^" if negate else "") + body.replace("\\", "\\\\") + "]")
                i = end
        elif ch == "{":
            depth += 1
            out.append("(?:")
        elif ch == "}" and depth:
            depth -= 1
            out.append(")")
        elif ch == "," and depth:
            out.append("|")
        elif ch == "\\" and i + 1 < n:
            out.append(re.escape(pattern[i + 1]))
            i += 1
        else:
            out.append(re.escape(ch))
        i += 1
    out.append(")" * depth)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return re.compile("".join(out))


@function(
    "fileset",
    2,
    2,
    "fileset(path, pattern)",
    "The set of the paths of files under `path` (relative to it) that match the glob "
    "`pattern` (*, **, ?, [abc], {a,b}).",
)
def _fileset(ctx: FunctionContext, path: Any, pattern: Any) -> list[str]:
    root = resolve(ctx, "fileset", path)
    glob = str_arg("fileset", 1, pattern)
    try:
        regex = _glob_regex(glob)
    except (re.error, ValueError, OverflowError):
        raise fail("fileset", "argument 2 is not a valid glob pattern", 1) from None
    found: list[str] = []
    for directory, subdirs, files in os.walk(root):
        subdirs.sort()
        for name in files:
            full = os.path.join(directory, name)
            relative = os.path.relpath(full, root).replace(os.sep, "/")
            if regex.fullmatch(relative) and os.path.isfile(full):
                found.append(relative)
                if len(found) > MAX_FILESET:
                    raise fail("fileset", f"more than {MAX_FILESET} files match")
    return sorted(found)


# --- paths ----------------------------------------------------------------------------------


def clean(path: str) -> str:
    """Go's path.Clean: the shortest equivalent path (`a/./b/../c` is `a/c`, "" is ".")."""
    rooted = path.startswith("/")
    parts: list[str] = []
    for part in path.split("/"):
        if part in ("", "."):
            continue
        if part == "..":
            if parts and parts[-1] != "..":
                parts.pop()
            elif not rooted:
                parts.append("..")
            continue
        parts.append(part)
    joined = "/".join(parts)
    if rooted:
        return "/" + joined
    return joined or "."


@function(
    "basename",
    1,
    1,
    "basename(path)",
    "The last element of the path (trailing slashes ignored).",
)
def _basename(ctx: FunctionContext, path: Any) -> str:
    text = str_arg("basename", 0, path)
    if text == "":
        return "."
    stripped = text.rstrip("/")
    if stripped == "":
        return "/"
    return stripped.rsplit("/", 1)[-1]


@function(
    "dirname",
    1,
    1,
    "dirname(path)",
    "The path without its last element.",
)
def _dirname(ctx: FunctionContext, path: Any) -> str:
    text = str_arg("dirname", 0, path)
    position = text.rfind("/")
    return clean(text[: position + 1])


@function(
    "abspath",
    1,
    1,
    "abspath(path)",
    "The absolute form of the path; a relative path is taken from the configuration directory.",
)
def _abspath(ctx: FunctionContext, path: Any) -> str:
    return resolve(ctx, "abspath", path).replace(os.sep, "/")
