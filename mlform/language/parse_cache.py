"""A cache of parsed files, so an unchanged configuration is never parsed twice.

python-hcl2's parser costs about 0.15 s to build and about 2 ms a block to run; a cached
file loads in a fraction of that. Entries are keyed by the file's name and text and by the
code that produced them (mlform's version and the parser modules' own files), written to a
temporary name and renamed, and ignored when unreadable. Files with syntax errors are not
cached. `MLFORM_CACHE_DIR` moves the cache; `MLFORM_CACHE_DIR=off` disables it.
"""

from __future__ import annotations

import hashlib
import os
import pickle
import sys
import tempfile
from pathlib import Path

from mlform import __version__
from mlform.diagnostics import Diagnostic
from mlform.language import ast

_PARSER_MODULES = ("syntax.py", "templates.py", "ast.py", "parse_cache.py")


def cache_directory() -> Path | None:
    configured = os.environ.get("MLFORM_CACHE_DIR")
    if configured == "off":
        return None
    if configured:
        return Path(configured) / "syntax"
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "mlform" / "syntax"


def _code_stamp() -> bytes:
    here = Path(__file__).parent
    parts = [__version__, sys.version]
    for name in _PARSER_MODULES:
        try:
            stat = (here / name).stat()
            parts.append(f"{name}:{stat.st_size}:{stat.st_mtime_ns}")
        except OSError:
            parts.append(name)
    return "\0".join(parts).encode()


def parse_file_cached(text: str, filename: str) -> tuple[ast.File, list[Diagnostic]]:
    """`syntax.parse_file`, through the cache. Raises `SyntaxFailure` like it."""
    directory = cache_directory()
    if directory is None:
        from mlform.language.syntax import parse_file

        return parse_file(text, filename)
    digest = hashlib.sha256(
        _code_stamp() + b"\0" + filename.encode() + b"\0" + text.encode()
    ).hexdigest()
    path = directory / digest[:2] / digest
    try:
        cached = pickle.loads(path.read_bytes())
        if isinstance(cached, tuple) and len(cached) == 2 and isinstance(cached[0], ast.File):
            return cached[0], list(cached[1])
    except (
        OSError,
        pickle.UnpicklingError,
        EOFError,
        AttributeError,
        ImportError,
        TypeError,
        ValueError,
    ):
        pass
    from mlform.language.syntax import parse_file

    result = parse_file(text, filename)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(dir=path.parent, delete=False, prefix=".tmp-") as handle:
            handle.write(pickle.dumps(result, protocol=pickle.HIGHEST_PROTOCOL))
        os.replace(handle.name, path)
    except (OSError, RecursionError, pickle.PicklingError):
        pass  # a read-only home (or a tree too deep to pickle) is no reason to fail
    return result
