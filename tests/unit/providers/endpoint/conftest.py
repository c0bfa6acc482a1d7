"""Fixtures for the serving process's tests: model versions trained here through the split's
real transform (tests/benchmarks/serving_model.py), and servers run as real processes on free
ports, always stopped at the end."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest

# pytest puts `tests/unit` on sys.path ahead of the editable install's finder: without the
# repository root first, `providers.endpoint` would resolve to this folder.
ROOT = str(Path(__file__).resolve().parents[4])
if ROOT not in sys.path:
    sys.path.insert(0, ROOT)

from tests.benchmarks.serving_model import (  # noqa: E402
    Trained,
    churn_table,
    point_current,
    server_environment,
    train,
    write_version,
)

TOKEN = "s3cr3t-token-for-tests"
READY_SECONDS = 120


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@dataclass
class Server:
    """A serving process; `stop()` ends it (SIGTERM, then SIGKILL) and closes its log."""

    root: Path
    port: int
    token: str | None
    process: subprocess.Popen[bytes]
    log: Path
    workers: int = 1
    client: httpx.Client = field(init=False)

    def __post_init__(self) -> None:
        self.client = httpx.Client(base_url=self.url, headers=self.headers, timeout=30)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"} if self.token else {}

    def wait_ready(self, seconds: float = READY_SECONDS) -> None:
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise AssertionError(f"the server exited:\n{self.log.read_text()}")
            try:
                if httpx.get(f"{self.url}/v2/health/ready", timeout=2).status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            time.sleep(0.1)
        raise AssertionError(f"the server was not ready in {seconds} s:\n{self.log.read_text()}")

    def statuses(self) -> list[dict[str, Any]]:
        import json

        found = []
        for path in sorted((self.root / "workers").glob("*.json")):
            try:
                found.append(json.loads(path.read_text()))
            except (OSError, ValueError):
                continue
        return found

    def wait_version(self, version: str, seconds: float = 60) -> None:
        """Until every worker reports serving `version`."""
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            statuses = self.statuses()
            if len(statuses) == self.workers and all(s["version"] == version for s in statuses):
                return
            time.sleep(0.02)
        raise AssertionError(f"the workers did not all serve {version}: {self.statuses()}")

    def stop(self) -> None:
        self.client.close()
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=15)


def start_server(
    root: Path,
    *,
    token: str | None = None,
    workers: int = 1,
    max_body_bytes: int | None = None,
    name: str = "churn",
    extra_environment: Mapping[str, str] | None = None,
) -> Server:
    port = free_port()
    environment = {k: v for k, v in os.environ.items() if k != "MLFORM_ENDPOINT_TOKEN"}
    environment.update(server_environment())
    environment.update(extra_environment or {})
    if token is not None:
        environment["MLFORM_ENDPOINT_TOKEN"] = token
    command = [
        sys.executable,
        "-m",
        "providers.endpoint.serving",
        "--root",
        str(root),
        "--name",
        name,
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
        "--workers",
        str(workers),
    ]
    if max_body_bytes is not None:
        command += ["--max-body-bytes", str(max_body_bytes)]
    log = root / f"server-{port}.log"
    with log.open("wb") as output:
        process = subprocess.Popen(
            command, cwd=ROOT, env=environment, stdout=output, stderr=subprocess.STDOUT
        )
    return Server(root, port, token, process, log, workers)


@contextmanager
def serving(root: Path, **settings: Any) -> Iterator[Server]:
    """A ready server on `root`, stopped when the block ends, however it ends."""
    server = start_server(root, **settings)
    try:
        server.wait_ready()
        yield server
    finally:
        server.stop()


@dataclass(frozen=True)
class Versions:
    """Two classifier versions whose transforms and models differ, and a regressor."""

    table: Any
    first: Trained
    second: Trained
    regressor: Trained
    multiclass: Trained


@pytest.fixture(scope="session")
def versions() -> Versions:
    table = churn_table(2000, seed=0)
    return Versions(
        table=table,
        first=train(table, rounds=30, seed=0),
        second=train(table, variant=1, rounds=20, depth=3, seed=1),
        regressor=train(table, "monthly", task="regression", rounds=20),
        multiclass=train(table, "plan", task="multiclass", rounds=10, depth=3),
    )


def endpoint_root(base: Path, versions: Mapping[str, Trained], current: str) -> Path:
    """An endpoint directory holding the versions, `current` pointing at one."""
    base.mkdir(parents=True, exist_ok=True)
    for version, trained in versions.items():
        write_version(base, version, trained)
    point_current(base, current)
    return base
