"""Saved plans: `plan --out FILE` and `apply FILE`.

A saved plan is the review: what it shows is what apply does, or apply refuses. The file is
JSON and self-contained: the configuration's files as they were, the resolved non-sensitive
variables, the workspace, lineage and serial it was planned against, the source fingerprints
it saw, its actions, and its renderings (text, Terraform's JSON plan, and the review a
pull-request comment is made of). It never holds a sensitive value: a sensitive variable is
kept as a keyed hash (HMAC-SHA256 under a random key stored with it), enough to tell
whether the value given at apply is the planned one.

`apply FILE` plans again from the same configuration and variables against the state, and
refuses, saying why, unless everything the review saw still holds.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import secrets
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from mlform import __version__
from mlform.errors import MlformError
from mlform.language.values import contains_unknown, unmark
from mlform.plans.changes import Plan

FORMAT = "mlform-plan"
FORMAT_VERSION = 1


@dataclass(frozen=True)
class SavedPlan:
    workspace: str
    lineage: str | None
    serial: int
    directory: str
    files: dict[str, str]
    variables: dict[str, Any]
    sensitive: dict[str, str]
    salt: str
    sources: dict[str, str]
    actions: list[list[Any]]
    text: str
    document: dict[str, Any] | None = None
    destroy: bool = False
    targets: list[str] = field(default_factory=list)
    replace: list[str] = field(default_factory=list)
    state: str | None = None
    """The local state home it was planned against (a database URL is not kept: it may hold a
    password, and comes from the environment or the configuration again)."""
    mlform_version: str = __version__
    review: dict[str, Any] | None = None
    """What `show --format markdown` and `comment` render beside the text: the reasons, the
    kinds of work, cache restores, drift and metrics (`mlform.plans.review`), no values."""


def configuration_files(directory: Path, salt: str) -> dict[str, str]:
    """The files that make the configuration: `*.mlf.hcl` as they are, and `*.auto.mlfvars`
    as a keyed hash of their text (they may set sensitive variables, and a saved plan holds
    no secret), enough for `apply FILE` to tell that one changed."""
    from mlform.language.loader import CONFIG_SUFFIX
    from mlform.language.variables import AUTO_SUFFIX

    files = {}
    for path in sorted(directory.glob("*" + CONFIG_SUFFIX)):
        if path.is_file():
            files[path.name] = path.read_bytes().decode("utf-8", errors="replace")
    for path in sorted(directory.glob("*" + AUTO_SUFFIX)):
        if path.is_file():
            text = path.read_bytes().decode("utf-8", errors="replace")
            files[path.name] = "hmac-sha256:" + keyed_hash(salt, text)
    return files


def keyed_hash(salt: str, value: Any) -> str:
    """HMAC-SHA256 of a value's canonical JSON under the plan's random key."""
    text = json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hmac.new(bytes.fromhex(salt), text.encode("utf-8"), hashlib.sha256).hexdigest()


def split_variables(variables: Mapping[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    """Resolved variables as (plain, sensitive), each name to its plain value."""
    plain: dict[str, Any] = {}
    hidden: dict[str, Any] = {}
    for name, value in variables.items():
        unmarked, sensitive = unmark(value)
        (hidden if sensitive else plain)[name] = unmarked
    return plain, hidden


def source_fingerprints(plan: Plan) -> dict[str, str]:
    """Every source fingerprint the plan saw: planned (a create or replace fingerprints its
    source) or recorded and refreshed (what stays)."""
    seen: dict[str, str] = {}
    for change in plan.changes:
        for values in (change.after, change.before):
            fingerprint = (values or {}).get("source_fingerprint")
            if isinstance(fingerprint, str):  # an unknown one is not a string
                seen[str(change.address)] = fingerprint
                break
    return seen


def planned_actions(plan: Plan) -> list[list[Any]]:
    """What apply must do, comparable between two plans: per instance its action, reason,
    the paths that force replacement and the values it will have (sensitive ones hidden)."""
    actions = []
    for change in sorted(plan.changes, key=lambda c: str(c.address)):
        after: dict[str, Any] = {}
        hidden = {path[0] for path in change.sensitive_paths}
        for name, value in sorted((change.after or {}).items()):
            plain, sensitive = unmark(value)
            if sensitive or name in hidden:
                after[name] = "(sensitive)"
            elif contains_unknown(plain):
                after[name] = "(known after apply)"
            else:
                after[name] = plain
        actions.append(
            [
                str(change.address),
                change.action.value,
                change.reason.value,
                [list(path) for path in change.replace_paths],
                json.loads(json.dumps(after, default=str)),
            ]
        )
    return actions


def new_salt() -> str:
    return secrets.token_hex(32)


def write(path: Path, saved: SavedPlan) -> None:
    """Write the plan file whole (a temporary name, then renamed)."""
    document = {"format": FORMAT, "format_version": FORMAT_VERSION, **asdict(saved)}
    text = json.dumps(document, indent=1, sort_keys=True, ensure_ascii=False) + "\n"
    temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        temporary.write_text(text, encoding="utf-8")
        os.replace(temporary, path)
    except OSError as exc:
        temporary.unlink(missing_ok=True)
        raise MlformError(f"cannot write the plan to {path}: {exc.strerror}") from exc


def read(path: Path) -> SavedPlan:
    """A plan file, or a clear error saying why it is not one this mlform can apply."""
    try:
        document = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, ValueError) as exc:
        raise MlformError(
            f"{path} is not a saved plan ({exc}); make one with mlform plan --out {path.name}"
        ) from exc
    if not isinstance(document, dict) or document.get("format") != FORMAT:
        raise MlformError(
            f"{path} is not a saved mlform plan; make one with mlform plan --out {path.name}"
        )
    if document.get("format_version") != FORMAT_VERSION:
        raise MlformError(
            f"{path} is a saved plan of format version {document.get('format_version')}, made "
            f"by mlform {document.get('mlform_version')}; this mlform ({__version__}) reads "
            f"version {FORMAT_VERSION}. Plan again with this mlform."
        )
    fields = {name for name in SavedPlan.__dataclass_fields__}
    try:
        return SavedPlan(**{k: v for k, v in document.items() if k in fields})
    except TypeError as exc:
        raise MlformError(f"{path} is a damaged saved plan ({exc}); plan again") from exc


def hcl_literal(value: Any) -> str:
    """A resolved value as an HCL expression, for a variable file."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if value is None:
        return "null"
    if isinstance(value, (int, float)):
        return json.dumps(value)
    if isinstance(value, str):
        escaped = json.dumps(value, ensure_ascii=False)
        return escaped.replace("${", "$${").replace("%{", "%%{")
    if isinstance(value, list):
        return "[" + ", ".join(hcl_literal(item) for item in value) + "]"
    if isinstance(value, dict):
        items = ", ".join(f"{json.dumps(str(k))} = {hcl_literal(v)}" for k, v in value.items())
        return "{" + items + "}"
    raise MlformError(f"cannot save a variable value of type {type(value).__name__} in a plan")
