"""The workspace a command works on: its state home, key, store, artifacts and fingerprints.

Resolved from the command line, the environment and the configuration's `mlform` block
(DESIGN §5), and opened only when used: a plan in a directory never applied creates nothing.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType
from typing import TYPE_CHECKING

from mlform.language.config import Configuration
from mlform.language.evaluator import EvaluationError, Scope, evaluate
from mlform.state.home import StateHome, resolve_state_home, workspace_key
from mlform.state.objects import StateSnapshot

if TYPE_CHECKING:
    from mlform.artifacts.fingerprint import CachedFingerprinter, StatEntry
    from mlform.artifacts.storage import ArtifactStorage
    from mlform.plans.builds import BuildContext
    from mlform.sdk import Fingerprinter
    from mlform.state.objects import Build
    from mlform.state.store import StateStore


@dataclass(frozen=True)
class StateOptions:
    """`--state` and `--workspace`, with the environment they are read beside."""

    state: str | None = None
    workspace: str = "default"
    environ: Mapping[str, str] | None = None
    verify: bool = False
    """`--verify`: stored artifacts are checked by digest, not only for existence."""


class Workspace:
    """One workspace of one state home. Close it (or use `with`) when done."""

    def __init__(self, config: Configuration, options: StateOptions):
        environ = os.environ if options.environ is None else options.environ
        self.config = config
        self.home: StateHome = resolve_state_home(
            options.state,
            environ,
            setting(config, "state"),
            config.directory,
            artifacts=setting(config, "artifacts"),
        )
        self.key = workspace_key(config.directory, options.workspace)
        self.verify = options.verify
        self._store: StateStore | None = None
        self._artifacts: ArtifactStorage | None = None

    @property
    def store(self) -> StateStore:
        """The state store, opened on first use (a local database is created by the first
        write, not by opening it)."""
        if self._store is None:
            from mlform.state.store import StateStore

            self._store = StateStore.open(self.home.database)
        return self._store

    def snapshot(self) -> StateSnapshot:
        """The workspace as last applied; empty where nothing was ever written."""
        if not self.home.exists():
            return StateSnapshot(self.key, None, 0)
        return self.store.snapshot(self.key)

    def artifacts(self) -> ArtifactStorage:
        """The artifact store: the home's `artifacts/`, or the directory or URL that
        `MLFORM_ARTIFACTS` or `mlform { artifacts }` names. One per workspace, so that a
        remote one is opened (and its bucket checked) once."""
        if self._artifacts is None:
            from mlform.artifacts.storage import open_store

            self._artifacts = open_store(self.home.artifacts, origin=self.home.artifacts_origin)
        return self._artifacts

    def fingerprinter(self, *, best_effort: bool) -> CachedFingerprinter:
        """Source fingerprints through the state's stat cache. A plan never waits for the
        database, so with `best_effort` a cache entry that cannot be written at once (an
        apply holds the write lock) is dropped: the file is hashed again next time."""
        from mlform.artifacts.fingerprint import CachedFingerprinter

        return CachedFingerprinter(_BestEffortCache(self.store) if best_effort else self.store)

    def stored_build(self, key: str) -> Build | None:
        """The earlier build under `key` whose files are all still stored, if any."""
        if not self.home.exists():
            return None
        build = self.store.find_build(key)
        if build is None:
            return None
        artifacts = self.artifacts()
        check = artifacts.verify if self.verify else artifacts.exists
        if not all(check(digest) for digest in build.artifacts.values()):
            return None  # collected (or, with --verify, damaged) since: it must be built again
        return build

    def build_context(self, fingerprints: Fingerprinter | None) -> BuildContext:
        """How plans key their builds and find earlier ones in this state home."""
        from mlform.plans.builds import BuildContext
        from mlform.plans.changes import CacheHit

        def find(key: str) -> CacheHit | None:
            build = self.stored_build(key)
            if build is None:
                return None
            return CacheHit(key, build.recorded, build.duration)

        return BuildContext(self.config.directory, fingerprints, find)

    def work_directory(self) -> Path:
        """Where providers build, on the artifact store's filesystem so that storing a result
        is a rename; removed files are the caller's to clean up."""
        import tempfile

        base = self.home.directory / "tmp" if self.home.directory is not None else None
        if base is not None:
            base.mkdir(parents=True, exist_ok=True)
        return Path(tempfile.mkdtemp(prefix="apply-", dir=base))

    def close(self) -> None:
        if self._store is not None:
            self._store.close()
            self._store = None

    def __enter__(self) -> Workspace:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()


def open_workspace(directory: Path, options: StateOptions) -> Workspace:
    """The workspace of the configuration in `directory`, whose `mlform` block may name the
    state home, for commands that read the state without planning (show, output, state, gc);
    a configuration with errors still says where its state is."""
    from mlform.language.loader import load_configuration
    from mlform.sdk import default_registry

    config, _ = load_configuration(directory, default_registry().kinds())
    return Workspace(config, options)


class _BestEffortCache:
    def __init__(self, store: StateStore):
        self.store = store

    def stat_cache_get(self, path: str) -> StatEntry | None:
        return self.store.stat_cache_get(path)

    def stat_cache_put(self, entry: StatEntry) -> None:
        from sqlalchemy.exc import OperationalError

        # "database is locked": a cache write is not worth waiting for
        with contextlib.suppress(OperationalError):
            self.store.stat_cache_put(entry)


def setting(config: Configuration, name: str) -> str | None:
    """A constant setting of the `mlform` block (validate reports a bad one)."""
    if config.settings is None or name not in config.settings.attributes:
        return None
    try:
        value = evaluate(config.settings.attributes[name].expression, Scope({}, config.directory))
    except EvaluationError:
        return None
    return value if isinstance(value, str) else None
