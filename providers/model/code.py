"""Injected code (`code = "file.py:function"`): finding it, hashing it, importing it, and
calling into it so that the user's mistakes come back as errors at `code`.

The file is read once: its blake3 digest (`code_version`) and the module come from the same
bytes, so the recorded version is the code that ran. The module is made from those bytes
under a name unique to them (`mlform_code_<stem>_<digest>`), never through `sys.path`, so two
configurations with a `train.py` each do not collide; the file's directory is put on
`sys.path` only while the code runs, for the helper modules it imports. A failure in the
user's code is reported as the file, the function, the line in that file and the exception's
last line, without a traceback: the traceback is mlform's, not theirs.
"""

from __future__ import annotations

import ast
import importlib.util
import re
import sys
import threading
import traceback
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType
from typing import Any

from mlform.sdk import AttributePath
from mlform.sdk.imports import package_for_module
from providers.common import CODE_REFERENCE, library_versions
from providers.problems import Problem

CODE: AttributePath = ("code",)


@dataclass(frozen=True)
class CodeReference:
    """`"train.py:train"`: a file relative to the configuration directory, and a function."""

    file: str
    function: str

    @classmethod
    def parse(cls, text: str, path: AttributePath = CODE) -> CodeReference:
        match = CODE_REFERENCE.match(text)
        if match is None:
            raise Problem.at(
                path,
                f'"{text}" is not a code reference; write it as "file.py:function", the file '
                "relative to the configuration directory",
            )
        return cls(match["file"], match["function"])

    def __str__(self) -> str:
        return f"{self.file}:{self.function}"


@dataclass(frozen=True)
class CodeFile:
    """The bytes of an injected file as read once, and their digest."""

    reference: CodeReference
    path: Path
    source: bytes
    digest: str

    @property
    def text(self) -> str:
        return self.source.decode("utf-8", errors="replace")


def read_code(reference: CodeReference, config_dir: Path, path: AttributePath = CODE) -> CodeFile:
    """Read and hash the file; raises `Problem` at `path` when it cannot be read."""
    import blake3

    file = (config_dir / reference.file).resolve()
    try:
        source = file.read_bytes()
    except FileNotFoundError:
        raise Problem.at(
            path,
            f"{reference.file} does not exist (looked in {config_dir}); create it, or correct "
            "the file name",
        ) from None
    except OSError as error:
        raise Problem.at(path, f"cannot read {reference.file}: {error.strerror}") from None
    return CodeFile(reference, file, source, str(blake3.blake3(source).hexdigest()))


def code_digest(reference: CodeReference, config_dir: Path) -> str | None:
    """The digest of the file now, or None when it cannot be read."""
    try:
        return read_code(reference, config_dir).digest
    except Problem:
        return None


def imported_libraries(code: CodeFile) -> dict[str, str]:
    """The versions of the installed libraries the file imports (scikit-learn for `import
    sklearn`): they shape what the code trains, so they are in the build key and recorded.
    The standard library and modules that are no installed distribution are left out."""
    try:
        tree = ast.parse(code.source)
    except SyntaxError:
        return {}
    modules: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            modules.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            modules.add(node.module.split(".")[0])
    names = sorted(
        {package_for_module(module) for module in modules - set(sys.stdlib_module_names)}
    )
    return library_versions(*names)


def static_problems(code: CodeFile, functions: Sequence[str]) -> list[str]:
    """What can be told of the file without running it, for a plan: a syntax error, or a
    function it does not define at its top level (by `def`, assignment or import)."""
    try:
        tree = ast.parse(code.source, filename=code.reference.file)
    except SyntaxError as error:
        return [
            f"{code.reference.file} cannot be imported: SyntaxError: {error.msg} (line {error.lineno})"
        ]
    bound: set[str] = set()
    for node in tree.body:
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
            bound.add(node.name)
        elif isinstance(node, ast.Import | ast.ImportFrom):
            if any(alias.name == "*" for alias in node.names):
                return []  # a star import may bind anything
            bound.update((alias.asname or alias.name).split(".")[0] for alias in node.names)
        else:
            bound.update(_assigned_names(node))
    return [
        f"{code.reference.file} defines no function {name}"
        for name in functions
        if name not in bound
    ]


def _assigned_names(node: ast.AST) -> set[str]:
    names: set[str] = set()
    for child in ast.walk(node):
        if isinstance(child, ast.Assign):
            targets = child.targets
        elif isinstance(child, ast.AnnAssign | ast.AugAssign | ast.NamedExpr):
            targets = [child.target]
        else:
            continue
        names.update(target.id for target in targets if isinstance(target, ast.Name))
    return names


# --- running the user's code -------------------------------------------------------------

_PATH_LOCK = threading.Lock()
_PATH_USERS: Counter[str] = Counter()


@contextmanager
def on_path(directory: Path | None) -> Iterator[None]:
    """`directory` on `sys.path` while the block runs (counted, since models train in
    parallel threads and may share a configuration directory)."""
    if directory is None:
        yield
        return
    entry = str(directory)
    with _PATH_LOCK:
        added = _PATH_USERS[entry] > 0 or entry not in sys.path  # else: on it by other means
        if added:
            if _PATH_USERS[entry] == 0:
                sys.path.insert(0, entry)
            _PATH_USERS[entry] += 1
    try:
        yield
    finally:
        if added:
            with _PATH_LOCK:
                _PATH_USERS[entry] -= 1
                if _PATH_USERS[entry] == 0:
                    del _PATH_USERS[entry]
                    if entry in sys.path:
                        sys.path.remove(entry)


def module_name(file_name: str, digest: str) -> str:
    stem = re.sub(r"\W", "_", Path(file_name).stem)
    return f"mlform_code_{stem}_{digest[:16]}"


def import_code(
    file_name: str,
    source: bytes | str,
    digest: str,
    origin: Path | None,
    path: AttributePath = CODE,
) -> ModuleType:
    """A module made from `source` (the file `file_name`, located at `origin` when known),
    under a name unique to its digest; an import made earlier from the same bytes is reused.
    Raises `Problem` at `path` when importing fails."""
    name = module_name(file_name, digest)
    loaded = sys.modules.get(name)
    if loaded is not None:
        return loaded
    filename = str(origin) if origin is not None else file_name
    spec = importlib.util.spec_from_loader(name, loader=None, origin=filename)
    assert spec is not None
    module = importlib.util.module_from_spec(spec)
    module.__file__ = filename
    sys.modules[name] = module
    try:
        compiled = compile(source, filename, "exec", dont_inherit=True)
        with on_path(origin.parent if origin is not None else None):
            exec(compiled, module.__dict__)
    except BaseException as error:
        del sys.modules[name]
        if not isinstance(error, Exception):
            raise
        raise Problem.at(
            path, f"{file_name} cannot be imported: {describe_failure(error, filename)}"
        ) from None
    return module


def function_of(
    module: ModuleType, file_name: str, function: str, purpose: str, path: AttributePath = CODE
) -> Callable[..., Any]:
    """The module's function `function`; raises `Problem` when it has none."""
    found = getattr(module, function, None)
    if callable(found):
        return found
    defined = sorted(
        name
        for name, value in vars(module).items()
        if callable(value) and getattr(value, "__module__", None) == module.__name__
    )
    listing = f" (it defines {', '.join(defined)})" if defined else ""
    raise Problem.at(path, f"{file_name} defines no function {function}{listing}: {purpose}")


def call_user(
    file_name: str,
    function: str,
    call: Callable[[], Any],
    origin: Path | None = None,
    path: AttributePath = CODE,
) -> Any:
    """Run `call` (into the user's code, from the file at `origin` when known); an exception
    becomes a `Problem` at `path` naming the file, the function, the line and the
    exception's last line."""
    try:
        with on_path(origin.parent if origin is not None else None):
            return call()
    except Problem:
        raise
    except Exception as error:
        filename = str(origin) if origin is not None else file_name
        raise Problem.at(
            path, f"{file_name}:{function} failed: {describe_failure(error, filename)}"
        ) from None


def describe_failure(error: BaseException, filename: str) -> str:
    """`ValueError: Input contains NaN (line 12)`: the exception's last line, and the line of
    the user's file it came from when it did."""
    last = traceback.format_exception_only(type(error), error)[-1].strip()
    line = None
    for frame in traceback.extract_tb(error.__traceback__):
        if frame.filename == filename:
            line = frame.lineno
    if line is None and isinstance(error, SyntaxError) and error.filename == filename:
        line = error.lineno
        last = f"SyntaxError: {error.msg}"
    return f"{last} (line {line})" if line is not None else last
