"""Where the state lives (the state home) and which workspace a configuration uses.

The home is chosen by `--state` > `MLFORM_STATE` > `mlform { state = ... }` (relative to the
configuration directory) > `./state` (relative to the working directory, so running at a
repository's root keeps every configuration's state in its `state/`). A local home is a
directory holding `mlform.db` and `artifacts/`; it is not created until the first write, and
one that does not exist is an empty state. `sqlite:///FILE` names the database file itself,
with `artifacts/` beside it. Another SQLAlchemy URL (`postgresql://...`) names a shared
database, with artifacts wherever `MLFORM_ARTIFACTS` or `mlform { artifacts = ... }` says.

The artifacts are chosen by `MLFORM_ARTIFACTS` (relative to the working directory) >
`mlform { artifacts = ... }` (relative to the configuration directory) > the home's
`artifacts/`; either setting may be a directory or an fsspec URL (`s3://bucket/prefix`).

A workspace is the configuration directory relative to the root of its git repository (its
absolute path outside git) plus a name, so every clone and every CI runner of a repository
finds the same workspace in a shared state.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from mlform.errors import MlformError
from mlform.urls import masked

ENVIRONMENT_VARIABLE = "MLFORM_STATE"
ARTIFACTS_VARIABLE = "MLFORM_ARTIFACTS"
DATABASE_FILE = "mlform.db"
DEFAULT_HOME = "state"
DEFAULT_WORKSPACE = "default"
ARTIFACTS_DIRECTORY = "artifacts"

_WORKSPACE_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]*$")
_ALMOST_URL = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]+:/(?!/)")  # s3:/bucket (C:/ has one letter)


@dataclass(frozen=True)
class StateHome:
    """A resolved state home. `origin` and `artifacts_origin` say which settings chose the
    home and its artifacts, for messages. A URL in `artifacts` may carry credentials: show it
    through `mlform.urls.masked`."""

    database: str | Path
    artifacts: str | Path
    origin: str
    directory: Path | None = None
    artifacts_origin: str = "the state home"

    @property
    def is_local(self) -> bool:
        return self.directory is not None

    def exists(self) -> bool:
        """Whether anything was ever written here (always true of a database URL)."""
        return not isinstance(self.database, Path) or self.database.exists()

    def __str__(self) -> str:
        return str(self.directory) if self.directory is not None else str(self.database)


def resolve_state_home(
    flag: str | None,
    environ: Mapping[str, str],
    setting: str | None,
    config_dir: str | os.PathLike[str],
    *,
    artifacts: str | None = None,
    cwd: str | os.PathLike[str] | None = None,
) -> StateHome:
    """The state home from `--state`, the environment, `mlform { state }` or the default.

    `artifacts` is `mlform { artifacts = ... }`, overridden by `MLFORM_ARTIFACTS`: one of them
    is required for a database URL, optional for a local home (whose default is its
    `artifacts/` directory). Nothing is created.
    """
    working = Path(cwd) if cwd is not None else Path.cwd()
    if flag:
        value, base, origin = flag, working, "--state"
    elif environ.get(ENVIRONMENT_VARIABLE):
        value, base, origin = environ[ENVIRONMENT_VARIABLE], working, ENVIRONMENT_VARIABLE
    elif setting:
        value, base, origin = setting, Path(config_dir), "mlform { state }"
    else:
        value, base, origin = DEFAULT_HOME, working, "the default ./state"
    if environ.get(ARTIFACTS_VARIABLE):
        artifacts_origin = ARTIFACTS_VARIABLE
        artifacts_location = _artifacts_location(
            environ[ARTIFACTS_VARIABLE], working, artifacts_origin
        )
    else:
        artifacts_origin = "mlform { artifacts }"
        artifacts_location = _artifacts_location(artifacts, Path(config_dir), artifacts_origin)
    if artifacts_location is None:
        artifacts_origin = "the state home"
    if value.startswith("sqlite:///"):  # a database file named by URL: artifacts beside it
        database = Path(os.path.abspath(base / value.removeprefix("sqlite:///")))
        return StateHome(
            database=database,
            artifacts=artifacts_location or database.parent / ARTIFACTS_DIRECTORY,
            origin=origin,
            directory=database.parent,
            artifacts_origin=artifacts_origin,
        )
    if _is_url(value):
        if artifacts_location is None:
            raise MlformError(
                f"the state {masked(value)} (from {origin}) is a database URL, so artifacts "
                'need a location of their own: add mlform { artifacts = "s3://bucket/prefix" } '
                f"(or any directory or fsspec URL) to the configuration, or set "
                f"{ARTIFACTS_VARIABLE}"
            )
        return StateHome(value, artifacts_location, origin, artifacts_origin=artifacts_origin)
    directory = Path(os.path.abspath(base / Path(value).expanduser()))
    if directory.exists() and not directory.is_dir():
        raise MlformError(
            f"the state home {directory} (from {origin}) is a file; a state home is a "
            "directory holding mlform.db and artifacts/"
        )
    return StateHome(
        database=directory / DATABASE_FILE,
        artifacts=artifacts_location or directory / ARTIFACTS_DIRECTORY,
        origin=origin,
        directory=directory,
        artifacts_origin=artifacts_origin,
    )


def _artifacts_location(setting: str | None, base: Path, origin: str) -> str | Path | None:
    """A URL as written, a path made absolute against `base`."""
    if not setting:
        return None
    setting = setting.strip()
    if _is_url(setting):
        return setting
    if _ALMOST_URL.match(setting):
        raise MlformError(
            f'the artifact location "{masked(setting)}" (from {origin}) looks like a URL '
            'without its "//"; write it as "s3://bucket/prefix" (or any fsspec URL), or as a '
            "directory"
        )
    return Path(os.path.abspath(base / Path(setting).expanduser()))


def _is_url(value: str) -> bool:
    return "://" in value


def find_git_root(directory: str | os.PathLike[str]) -> Path | None:
    """The nearest directory at or above `directory` holding `.git` (a directory, or the file
    of a worktree or submodule); None outside git. Reads no git data, runs no git."""
    start = Path(directory).resolve()
    for candidate in (start, *start.parents):
        if (candidate / ".git").exists():
            return candidate
    return None


def workspace_key(config_dir: str | os.PathLike[str], name: str = DEFAULT_WORKSPACE) -> str:
    """`DIRECTORY:NAME`, DIRECTORY relative to the git root (`.` at the root) in `/` form."""
    check_workspace_name(name)
    directory = Path(config_dir).resolve()
    root = find_git_root(directory)
    location = directory.as_posix() if root is None else directory.relative_to(root).as_posix()
    return f"{location}:{name}"


def split_workspace_key(key: str) -> tuple[str, str]:
    """The directory and the name of a workspace key."""
    directory, _, name = key.rpartition(":")
    return directory, name


def check_workspace_name(name: str) -> None:
    if not _WORKSPACE_NAME.match(name):
        raise MlformError(
            f'"{name}" cannot name a workspace; use letters, digits, "-", "_" and ".", '
            "starting with a letter or digit"
        )
