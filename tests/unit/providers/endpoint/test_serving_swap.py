"""Swapping the model version under load, with two workers: no request fails, and every
answer is one version's whole answer (never one version's transform with the other's
model); a version that cannot be loaded leaves the old one serving."""

from __future__ import annotations

import json
import threading
import time
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import httpx
import numpy as np
import pytest

from providers.endpoint.serving.bundle import load_bundle
from providers.endpoint.serving.pipeline import Pipeline
from providers.endpoint.serving.tf_serving import predict_response
from tests.benchmarks.serving_model import point_current, rows_of
from tests.unit.providers.endpoint.conftest import (
    Server,
    Versions,
    endpoint_root,
    serving,
    start_server,
)

LOOP_SECONDS_LIMIT = 120
CLIENTS = 4


@pytest.fixture(scope="module")
def root(versions: Versions, tmp_path_factory: pytest.TempPathFactory) -> Path:
    return endpoint_root(
        tmp_path_factory.mktemp("swap"), {"v1": versions.first, "v2": versions.second}, "v1"
    )


@pytest.fixture(scope="module")
def server(root: Path) -> Iterator[Server]:
    with serving(root, workers=2) as running:
        running.wait_version("v1")
        yield running


def answer(server: Server, body: bytes) -> tuple[int, str]:
    response = server.client.post("/v1/models/churn:predict", content=body)
    return response.status_code, response.text


def test_a_swap_under_load_fails_no_request_and_mixes_no_answer(
    server: Server, root: Path, versions: Versions
) -> None:
    rows = rows_of(versions.table, 3)
    body = json.dumps({"instances": rows}).encode()
    first = load_bundle(root / "versions" / "v1")
    second = load_bundle(root / "versions" / "v2")
    expected = {
        "v1": json.loads(json.dumps(predict_response(first, first.pipeline.predict(rows)))),
        "v2": json.loads(json.dumps(predict_response(second, second.pipeline.predict(rows)))),
    }
    mixed = Pipeline(first.pipeline.transform, second.pipeline.predictor)
    mixed_answer = json.loads(json.dumps(predict_response(second, mixed.predict(rows))))
    assert expected["v1"] != expected["v2"]
    assert mixed_answer not in expected.values(), "the test could not tell a mixed answer"
    status, text = answer(server, body)
    assert (status, json.loads(text)) == (200, expected["v1"])

    seen: Counter[str] = Counter()
    failures: list[str] = []
    stop = threading.Event()

    def client_loop() -> None:
        with httpx.Client(base_url=server.url, timeout=30) as client:
            deadline = time.monotonic() + LOOP_SECONDS_LIMIT
            while not stop.is_set() and time.monotonic() < deadline:
                try:
                    response = client.post("/v1/models/churn:predict", content=body)
                except httpx.HTTPError as error:
                    failures.append(f"{type(error).__name__}: {error}")
                    continue
                if response.status_code != 200:
                    failures.append(f"{response.status_code}: {response.text}")
                    continue
                got = response.json()
                match = [name for name, value in expected.items() if value == got]
                if match:
                    seen[match[0]] += 1
                else:
                    failures.append(f"an answer of neither version: {response.text}")

    threads = [threading.Thread(target=client_loop) for _ in range(CLIENTS)]
    for thread in threads:
        thread.start()
    swaps = []
    try:
        time.sleep(0.3)
        for version in ("v2", "v1", "v2", "v1", "v2"):
            started = time.monotonic()
            point_current(root, version)
            server.wait_version(version)
            swaps.append(time.monotonic() - started)
            time.sleep(0.3)
    finally:
        stop.set()
        for thread in threads:
            thread.join(timeout=60)
    assert not failures, failures[:5]
    assert seen["v1"] > 0 and seen["v2"] > 0, seen
    status, text = answer(server, body)
    assert (status, json.loads(text)) == (200, expected["v2"])
    print(f"swaps took {', '.join(f'{s:.2f}' for s in swaps)} s; answers {dict(seen)}")


def test_every_worker_reports_what_it_serves(server: Server, root: Path) -> None:
    statuses = server.statuses()
    assert len(statuses) == 2
    assert len({s["pid"] for s in statuses}) == 2
    for status in statuses:
        assert status["version"] in ("v1", "v2")
        assert status["error"] is None
        assert status["model_id"] == f"model-{status['version']}"


def test_a_broken_version_leaves_the_old_one_serving(server: Server, root: Path) -> None:
    served = server.statuses()[0]["version"]
    broken = root / "versions" / "broken"
    broken.mkdir()
    for name in ("card.json", "model.json", "version.json"):
        (broken / name).write_bytes((root / "versions" / served / name).read_bytes())
    (broken / "transform.json").write_text("{not json")
    point_current(root, "broken")
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        statuses = server.statuses()
        if len(statuses) == 2 and all(s["error"] for s in statuses):
            break
        time.sleep(0.05)
    assert all(s["version"] == served and "transform.json" in s["error"] for s in statuses)
    assert httpx.get(server.url + "/v2/health/ready").status_code == 200
    row = {"tenure": 3, "plan": "basic", "monthly": 20.5, "region": "north", "paperless": True}
    response = server.client.post("/v1/models/churn:predict", json={"instances": [row]})
    assert response.status_code == 200
    point_current(root, served)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline and any(s["error"] for s in server.statuses()):
        time.sleep(0.05)
    assert not any(s["error"] for s in server.statuses())
    assert "failed" in server.log.read_text()


def test_metrics_add_up_the_workers(server: Server) -> None:
    from prometheus_client.parser import text_string_to_metric_families

    row = {"tenure": 3, "plan": "basic", "monthly": 20.5, "region": "north", "paperless": True}
    for _ in range(20):
        assert server.client.post("/v1/models/churn:predict", json={"instances": [row]}).is_success
    time.sleep(1.5)  # each worker writes its snapshot about once a second
    families = {
        f.name: f for f in text_string_to_metric_families(server.client.get("/metrics").text)
    }
    workers = families["mlform_endpoint_workers"].samples[0].value
    assert workers == 2
    info = families["mlform_endpoint_model_info"].samples
    assert sum(s.value for s in info) == 2
    swaps = families["mlform_endpoint_model_swaps"].samples[0].value
    assert swaps >= 10  # five swaps, each by both workers
    predicted = families["mlform_endpoint_predicted_rows"].samples[0].value
    assert predicted >= 20
    counts = np.array([s.value for s in families["mlform_endpoint_requests"].samples])
    assert counts.sum() >= 20


def test_a_server_reports_its_workers_and_stops_cleanly(versions: Versions, tmp_path: Path) -> None:
    root = endpoint_root(tmp_path / "endpoint", {"v1": versions.first}, "v1")
    (root / "workers").mkdir()
    (root / "workers" / "999999.json").write_text('{"version": "stale"}')
    with serving(root) as server:
        server.wait_version("v1")
        (status,) = server.statuses()
        assert status["pid"] != 999999 and status["directory"].endswith("versions/v1")
        server.stop()
        # uvicorn shuts down gracefully, then re-raises the SIGTERM it caught
        assert server.process.returncode in (0, -15), server.log.read_text()
        assert "Application shutdown complete" in server.log.read_text()
    assert list((root / "workers").glob("*.json")) == []


def test_ready_waits_for_a_version(versions: Versions, tmp_path: Path) -> None:
    root = tmp_path / "endpoint"
    root.mkdir()
    server = start_server(root)
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                if httpx.get(server.url + "/v2/health/live").status_code == 200:
                    break
            except httpx.HTTPError:
                time.sleep(0.1)
        assert httpx.get(server.url + "/v2/health/ready").status_code == 503
        row = {"tenure": 3, "plan": "basic", "monthly": 20.5, "region": "north", "paperless": True}
        response = server.client.post("/v1/models/churn:predict", json={"instances": [row]})
        assert response.status_code == 503 and "no model version" in response.json()["error"]
        endpoint_root(root, {"v1": versions.first}, "v1")
        server.wait_ready()
        assert server.client.post("/v1/models/churn:predict", json={"instances": [row]}).is_success
    finally:
        server.stop()
