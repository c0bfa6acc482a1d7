"""Test doubles for the dataset provider's tests: a stat-cache fingerprinter and an artifact
store kept in memory, and helpers that run the verbs the way the core does."""

from __future__ import annotations

import os
import sqlite3
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import blake3
import pytest

from mlform.sdk import (
    ApplyRequest,
    ApplyResponse,
    PlanRequest,
    PlanResponse,
    ReadRequest,
    ReadResponse,
)

# This folder mirrors the package it tests, and pytest puts `tests/unit` on sys.path (for the
# `tests/unit/fmt` package), ahead of the editable install's finder: without the repository
# root first, `providers.dataset` would resolve to this folder as a namespace package.
ROOT = str(Path(__file__).resolve().parents[4])
if ROOT not in sys.path:
    sys.path.insert(0, ROOT)

import providers.dataset  # noqa: E402

CHURN_CSV = """\
customer_id,tenure,plan,monthly,region,signup,churned
1,12,basic,19.5,north,2023-01-15,0
2,0,pro,,south,2023-02-01,1
3,5,,29.0,north,,0
4,30,pro,49.9,east,2022-11-30,0
5,2,basic,19.5,,2023-03-10,1
6,18,pro,45.0,south,2023-01-02,0
"""


@dataclass
class StatCache:
    """A `Fingerprinter` like the core's: blake3 of the file, hashed again only when the
    file's inode, size or mtime changed. `hashed` lists every file actually read."""

    entries: dict[Path, tuple[tuple[int, int, int], str]] = field(default_factory=dict)
    hashed: list[Path] = field(default_factory=list)

    def fingerprint_file(self, path: Path) -> str:
        stat = path.stat()
        key = (stat.st_ino, stat.st_size, stat.st_mtime_ns)
        cached = self.entries.get(path)
        if cached is not None and cached[0] == key:
            return cached[1]
        digest = blake3.blake3(path.read_bytes()).hexdigest()
        self.hashed.append(path)
        self.entries[path] = (key, digest)
        return digest


@dataclass
class MemoryStore:
    """An `ArtifactStore`: files by the blake3 digest of their bytes."""

    files: dict[str, Path] = field(default_factory=dict)

    def exists(self, digest: str) -> bool:
        return digest in self.files

    def local_path(self, digest: str) -> Path:
        return self.files[digest]

    def keep(self, response: ApplyResponse) -> None:
        for artifact in response.artifacts:
            self.files[blake3.blake3(artifact.path.read_bytes()).hexdigest()] = artifact.path


@dataclass
class Harness:
    """Runs the dataset provider's verbs in one configuration directory."""

    config_dir: Path
    fingerprints: StatCache = field(default_factory=StatCache)
    store: MemoryStore = field(default_factory=MemoryStore)
    builds: int = 0

    def apply(self, config: dict[str, Any], prior: dict[str, Any] | None = None) -> ApplyResponse:
        self.builds += 1
        workdir = self.config_dir / ".work" / str(self.builds)
        workdir.mkdir(parents=True)
        response = providers.dataset.provider.apply(
            ApplyRequest(
                "dataset.test",
                config,
                prior,
                workdir,
                self.store,
                config_dir=self.config_dir,
                fingerprints=self.fingerprints,
            )
        )
        self.store.keep(response)
        return response

    def built(self, config: dict[str, Any]) -> dict[str, Any]:
        """The outputs of a successful apply."""
        response = self.apply(config)
        errors = [d for d in response.diagnostics if d.is_error]
        assert not errors, errors
        return dict(response.outputs)

    def read(
        self, config: dict[str, Any], outputs: dict[str, Any], verify: bool = False
    ) -> ReadResponse:
        return providers.dataset.provider.read(
            ReadRequest(
                "dataset.test",
                config,
                outputs,
                verify=verify,
                artifacts=self.store,
                config_dir=self.config_dir,
                fingerprints=self.fingerprints,
            )
        )

    def plan(
        self,
        proposed: dict[str, Any],
        prior_inputs: dict[str, Any] | None = None,
        prior_outputs: dict[str, Any] | None = None,
    ) -> PlanResponse:
        return providers.dataset.provider.plan(
            PlanRequest(
                "dataset.test",
                prior_inputs,
                prior_outputs,
                proposed,
                config_dir=self.config_dir,
                fingerprints=self.fingerprints,
            )
        )

    @staticmethod
    def touch(path: Path) -> None:
        """Give the file a new mtime without changing its bytes."""
        stat = path.stat()
        os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns + 5_000_000_000))

    def errors(self, config: dict[str, Any]) -> dict[tuple[str | int, ...], str]:
        """The errors of applying `config`, by path; the apply must not raise."""
        response = self.apply(config)
        assert not response.outputs and not response.artifacts
        return {d.path: d.message for d in response.diagnostics if d.is_error}


@pytest.fixture
def harness(tmp_path: Path) -> Harness:
    (tmp_path / "data").mkdir()
    (tmp_path / "data" / "churn.csv").write_text(CHURN_CSV)
    return Harness(tmp_path)


@pytest.fixture
def make_sqlite(tmp_path: Path) -> Callable[[str], Path]:
    """A SQLite database file at `name` (relative to the configuration directory) holding a
    `customers` table like the churn CSV."""

    def make(name: str = "crm.db") -> Path:
        path = tmp_path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        with sqlite3.connect(path) as connection:
            connection.execute(
                "CREATE TABLE customers (customer_id INTEGER PRIMARY KEY, tenure INTEGER, "
                "plan TEXT, monthly REAL, updated_at TEXT)"
            )
            connection.executemany(
                "INSERT INTO customers VALUES (?, ?, ?, ?, ?)",
                [
                    (1, 12, "basic", 19.5, "2024-01-01"),
                    (2, 0, "pro", None, "2024-01-02"),
                    (3, 5, None, 29.0, "2024-01-03"),
                    (4, 30, "pro", 49.9, "2024-01-04"),
                ],
            )
        connection.close()
        return path

    return make
