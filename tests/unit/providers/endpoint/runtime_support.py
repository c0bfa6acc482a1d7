"""Test doubles for the endpoint runtimes' tests: an artifact store in a directory, model
versions trained here (xgboost through the split's real transform, tests/benchmarks/
serving_model.py) stored in it with the model and split objects an apply sees as upstream,
the provider's verbs run as the core runs them, and a loop of concurrent requests that
counts failures and tells which version answered."""

from __future__ import annotations

import json
import shutil
import tempfile
import threading
import urllib.error
import urllib.request
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import blake3

import providers.endpoint
from mlform.sdk import (
    ApplyRequest,
    ApplyResponse,
    DeleteRequest,
    DeleteResponse,
    PlanRequest,
    PlanResponse,
    ReadRequest,
    ReadResponse,
)
from tests.benchmarks.serving_model import Trained, rows_of, write_version

PROVIDER = providers.endpoint.provider
ADDRESS = "endpoint.churn"
WORKSPACE = "tests/endpoint:default"


@dataclass
class DirectoryStore:
    """An `ArtifactStore`: files under a directory, named by the blake3 digest of their bytes."""

    root: Path

    def put(self, path: Path) -> str:
        digest = blake3.blake3(Path(path).read_bytes()).hexdigest()
        self.root.mkdir(parents=True, exist_ok=True)
        target = self.root / digest
        if not target.exists():
            shutil.copyfile(path, target)
        return digest

    def exists(self, digest: str) -> bool:
        return (self.root / digest).is_file()

    def local_path(self, digest: str) -> Path:
        path = self.root / digest
        if not path.is_file():
            raise FileNotFoundError(f"no artifact {digest}")
        return path

    def unpacked(self, digest: str) -> Path:
        raise NotImplementedError

    def verify(self, digest: str) -> bool:
        return self.exists(digest)


@dataclass
class Stored:
    """A model version in the store: the model's and its split's objects, by id."""

    model_id: str
    split_id: str
    upstream: dict[str, dict[str, Any]]
    trained: Trained

    def with_evaluation(self, passed: bool, failed: list[str] | None = None) -> tuple[str, dict]:
        evaluation_id = blake3.blake3(f"{self.model_id}:{passed}".encode()).hexdigest()
        upstream = {
            **self.upstream,
            evaluation_id: {
                "model": self.model_id,
                "passed": passed,
                "failed_thresholds": failed or [],
            },
        }
        return evaluation_id, upstream


def store_version(store: DirectoryStore, trained: Trained, tag: str) -> Stored:
    """Store a trained version's card, model file and transform, as the model and split
    providers do; the upstream objects an endpoint's apply finds them through."""
    directory = write_version(Path(tempfile.mkdtemp(prefix="mlform-version-")), tag, trained)
    card = store.put(directory / "card.json")
    model_file = store.put(directory / "model.json")
    transform = store.put(directory / "transform.json")
    shutil.rmtree(directory.parents[1], ignore_errors=True)
    model_id = blake3.blake3(f"{model_file}:{card}".encode()).hexdigest()
    split_id = blake3.blake3(f"split:{transform}".encode()).hexdigest()
    upstream = {
        model_id: {"split": split_id, "card": card, "model": model_file, "id": model_id},
        split_id: {"transform_id": transform, "id": split_id},
    }
    return Stored(model_id, split_id, upstream, trained)


@dataclass
class Harness:
    """The provider's verbs, run as the core runs them, on one store and configuration."""

    store: DirectoryStore
    config_dir: Path
    providers: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)

    def apply(
        self,
        inputs: Mapping[str, Any],
        upstream: Mapping[str, Mapping[str, Any]],
        prior: Mapping[str, Any] | None = None,
        workdir: Path | None = None,
    ) -> ApplyResponse:
        return PROVIDER.apply(
            ApplyRequest(
                address=ADDRESS,
                inputs=inputs,
                prior_outputs=prior,
                workdir=workdir or Path(tempfile.mkdtemp(prefix="mlform-apply-")),
                artifacts=self.store,
                config_dir=self.config_dir,
                upstream=upstream,
                providers=self.providers,
                workspace=WORKSPACE,
            )
        )

    def plan(
        self,
        inputs: Mapping[str, Any],
        upstream: Mapping[str, Mapping[str, Any]],
        prior_inputs: Mapping[str, Any] | None = None,
        prior_outputs: Mapping[str, Any] | None = None,
    ) -> PlanResponse:
        return PROVIDER.plan(
            PlanRequest(
                address=ADDRESS,
                prior_inputs=prior_inputs,
                prior_outputs=prior_outputs,
                proposed_inputs=inputs,
                config_dir=self.config_dir,
                upstream=upstream,
                providers=self.providers,
            )
        )

    def read(self, inputs: Mapping[str, Any], outputs: Mapping[str, Any]) -> ReadResponse:
        return PROVIDER.read(
            ReadRequest(ADDRESS, inputs, outputs, artifacts=self.store, config_dir=self.config_dir)
        )

    def delete(self, inputs: Mapping[str, Any], outputs: Mapping[str, Any]) -> DeleteResponse:
        return PROVIDER.delete(DeleteRequest(ADDRESS, inputs, outputs))


def errors(diagnostics: list[Any]) -> list[str]:
    return [d.message for d in diagnostics if d.is_error]


def post(url: str, body: Any, token: str | None = None, timeout: float = 30) -> tuple[int, Any]:
    request = urllib.request.Request(
        url, json.dumps(body).encode(), {"Content-Type": "application/json"}
    )
    if token:
        request.add_header("Authorization", f"Bearer {token}")
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
    try:
        with opener.open(request, timeout=timeout) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read() or b"null")


def get(url: str, token: str | None = None, timeout: float = 10) -> int:
    request = urllib.request.Request(url)
    if token:
        request.add_header("Authorization", f"Bearer {token}")
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
    try:
        with opener.open(request, timeout=timeout) as response:
            return int(response.status)
    except urllib.error.HTTPError as error:
        return int(error.code)


def instances(trained: Trained, count: int = 8) -> list[dict[str, Any]]:
    from tests.benchmarks.serving_model import churn_table

    return rows_of(churn_table(200, seed=3), count)


class RequestLoop:
    """Clients sending the same rows in a loop until stopped, counting the answers by their
    content and every failure (a status other than 200, or no answer)."""

    def __init__(self, url: str, name: str, rows: list[dict[str, Any]], token: str | None):
        self.url = f"{url}/v1/models/{name}:predict"
        self.rows = rows
        self.token = token
        self.answers: dict[str, int] = {}
        self.failures: list[str] = []
        self._stop = threading.Event()
        self._lock = threading.Lock()
        self._threads = [threading.Thread(target=self._run, daemon=True) for _ in range(3)]

    def __enter__(self) -> RequestLoop:
        for thread in self._threads:
            thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        for thread in self._threads:
            thread.join(timeout=60)

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                status, body = post(self.url, {"instances": self.rows}, self.token)
            except Exception as error:
                with self._lock:
                    self.failures.append(f"{type(error).__name__}: {error}")
                continue
            with self._lock:
                if status != 200:
                    self.failures.append(f"{status}: {body}")
                else:
                    key = json.dumps(body, sort_keys=True)
                    self.answers[key] = self.answers.get(key, 0) + 1

    @property
    def total(self) -> int:
        return sum(self.answers.values()) + len(self.failures)
