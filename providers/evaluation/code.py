"""Custom metric code: hashing its files, and importing its functions by path.

`metric "lift" { function = "metrics.py:top_decile_lift" }` names a file relative to the
configuration directory. The file's blake3 digest goes into the build key and into the
`code_version` and `code_files` outputs, so editing it changes the plan ("code changed:
metrics.py"). The file is imported under a name made from its path and digest, never as a
plain module name that could shadow, or be shadowed by, an installed package; the
configuration directory is on `sys.path` while it runs, so it may import its neighbours.
"""

from __future__ import annotations

import importlib.util
import json
import sys
import threading
from collections.abc import Callable, Mapping
from pathlib import Path
from types import ModuleType
from typing import Any

import blake3

from mlform.sdk import did_you_mean
from providers.evaluation.settings import CustomMetric, EvaluationSettings
from providers.problems import Problem

MetricFunction = Callable[[Any, Any, Any], Any]

_IMPORTING = threading.Lock()
"""Evaluations apply in parallel threads; importing shares `sys.path` and `sys.modules`."""


def code_files(settings: EvaluationSettings, config_dir: Path) -> dict[str, str]:
    """The blake3 digest of each file of custom metric code, by the path as written.

    Raises `Problem` at the first metric naming a file that cannot be read."""
    digests: dict[str, str] = {}
    for metric in settings.custom:
        if metric.file in digests:
            continue
        try:
            digests[metric.file] = blake3.blake3(
                _resolve(metric, config_dir).read_bytes()
            ).hexdigest()
        except OSError as error:
            raise Problem.at(metric.path, _unreadable(metric, config_dir, error)) from None
    return digests


def current_code_files(settings: EvaluationSettings, config_dir: Path) -> dict[str, str | None]:
    """Like `code_files`, with None for a file that cannot be read (for refresh: a removed
    file is a change to report, not an error that stops the plan)."""
    digests: dict[str, str | None] = {}
    for name in settings.code_files:
        try:
            data = (config_dir / name).read_bytes()
        except OSError:
            digests[name] = None
        else:
            digests[name] = blake3.blake3(data).hexdigest()
    return digests


def code_version(settings: EvaluationSettings, files: Mapping[str, str | None]) -> str | None:
    """One digest of every custom metric's name, function and file digest; None without
    custom metrics."""
    if not settings.custom:
        return None
    document = [
        {"name": m.name, "function": m.reference, "file": files.get(m.file)}
        for m in sorted(settings.custom, key=lambda m: m.name)
    ]
    text = json.dumps(document, sort_keys=True, separators=(",", ":"))
    return str(blake3.blake3(text.encode()).hexdigest())


def changed_files(recorded: Any, current: Mapping[str, str | None]) -> list[str]:
    """The files whose digest differs from the recorded one, in words ("metrics.py",
    "metrics.py (removed)")."""
    before = recorded if isinstance(recorded, Mapping) else {}
    changed = []
    for name, digest in current.items():
        if digest is None:
            changed.append(f"{name} (removed)")
        elif before.get(name) != digest:
            changed.append(name)
    return changed


def load_functions(
    settings: EvaluationSettings, config_dir: Path
) -> dict[str, tuple[CustomMetric, MetricFunction]]:
    """Each custom metric's function, imported, by metric name."""
    modules: dict[str, ModuleType] = {}
    found: dict[str, tuple[CustomMetric, MetricFunction]] = {}
    for metric in settings.custom:
        if metric.file not in modules:
            modules[metric.file] = _import(metric, config_dir)
        module = modules[metric.file]
        function = getattr(module, metric.function, None)
        if not callable(function):
            names = [n for n, v in vars(module).items() if callable(v) and not n.startswith("_")]
            missing = "is not a function" if function is not None else "is not defined"
            raise Problem.at(
                metric.path,
                f'{metric.file}: "{metric.function}" {missing} in the file'
                f"{did_you_mean(metric.function, names, otherwise='.')} Define "
                f"{metric.function}(y_true, y_pred, frame) returning a number.",
            )
        found[metric.name] = (metric, function)
    return found


def _import(metric: CustomMetric, config_dir: Path) -> ModuleType:
    path = _resolve(metric, config_dir)
    try:
        data = path.read_bytes()
    except OSError as error:
        raise Problem.at(metric.path, _unreadable(metric, config_dir, error)) from None
    digest = blake3.blake3(str(path).encode() + b"\0" + data).hexdigest()[:16]
    name = f"mlform_injected_metrics_{digest}"
    with _IMPORTING:
        if name in sys.modules:
            return sys.modules[name]
        spec = importlib.util.spec_from_file_location(name, path)
        if spec is None or spec.loader is None:
            raise Problem.at(metric.path, f"{metric.file} cannot be imported as Python code")
        module = importlib.util.module_from_spec(spec)
        sys.modules[name] = module
        sys.path.insert(0, str(config_dir))
        try:
            spec.loader.exec_module(module)
        except Exception as error:
            del sys.modules[name]
            raise Problem.at(
                metric.path, f"{metric.file} could not be imported: {describe(error)}"
            ) from None
        finally:
            sys.path.remove(str(config_dir))
    return module


def describe(error: BaseException) -> str:
    """An exception in one line, with the line of a syntax error, without the traceback."""
    if isinstance(error, SyntaxError):
        return f"SyntaxError: {error.msg} (line {error.lineno})"
    text = str(error)
    return f"{type(error).__name__}: {text}" if text else type(error).__name__


def _resolve(metric: CustomMetric, config_dir: Path) -> Path:
    return (config_dir / metric.file).resolve()


def _unreadable(metric: CustomMetric, config_dir: Path, error: OSError) -> str:
    reason = "no such file" if isinstance(error, FileNotFoundError) else error.strerror
    return (
        f'cannot read {metric.file} for metric "{metric.name}": {reason} (looked in '
        f"{config_dir}); the file is relative to the configuration directory"
    )
