"""What the built-in providers share: the part names of a split, and version and wording."""

from __future__ import annotations

import re
from functools import cache
from typing import Any

from mlform import __version__
from mlform.sdk import (
    AttributePath,
    PlanRequest,
    ProviderDiagnostic,
    ResourceSchema,
    is_whole_number,
    number_of,
)

VERSION = __version__
"""The built-in providers are versioned with mlform itself; the version is in every build key."""

PART_NAMES = ("train", "valid", "eval", "test")
"""The parts a split may have, in order: `valid` is watched by early stopping, `eval` and
`test` are held out for evaluations."""

CODE_REFERENCE = re.compile(r"^(?P<file>[^:]+\.py):(?P<function>[A-Za-z_][A-Za-z0-9_]*)$")
"""Injected code: `"file.py:function"`, the file relative to the configuration directory."""


def check_code_reference(value: Any, path: tuple[str | int, ...]) -> list[ProviderDiagnostic]:
    """An error unless `value` (known, set) has the form "file.py:function"."""
    if not isinstance(value, str) or CODE_REFERENCE.match(value):
        return []
    return [
        ProviderDiagnostic.error(
            f'"{value}" is not a code reference; write it as "file.py:function", the file '
            "relative to the configuration directory",
            path,
        )
    ]


def check_positive_whole(
    value: Any, path: tuple[str | int, ...], minimum: int = 1
) -> list[ProviderDiagnostic]:
    """An error unless `value` (a known number) is a whole number of at least `minimum`."""
    if number_of(value) is None:
        return []
    if is_whole_number(value) and value >= minimum:
        return []
    name = ".".join(str(step) for step in path if isinstance(step, str))
    return [
        ProviderDiagnostic.error(
            f"{name} must be a whole number of at least {minimum}, not {value}", path
        )
    ]


@cache
def _installed(*distributions: str) -> tuple[tuple[str, str], ...]:
    from importlib import metadata

    versions = []
    for name in distributions:
        try:
            versions.append((name, metadata.version(name)))
        except metadata.PackageNotFoundError:
            continue
    return tuple(versions)


def library_versions(*distributions: str) -> dict[str, str]:
    """The installed versions of the libraries that shape a result, to record with it (read
    once per process: every dataset planned or built asks)."""
    return dict(_installed(*distributions))


def replacement(schema: ResourceSchema, request: PlanRequest) -> list[AttributePath] | None:
    """The paths whose change forces a replacement (`[]` for a create), or None when the
    prior object stands: no input changed but those that update in place (`description`,
    `tags`), so its recorded outputs are the planned ones."""
    prior_inputs, prior_outputs = request.prior_inputs, request.prior_outputs
    if prior_inputs is None or prior_outputs is None:
        return []
    return schema.block.replacement_paths(prior_inputs, request.proposed_inputs) or None
