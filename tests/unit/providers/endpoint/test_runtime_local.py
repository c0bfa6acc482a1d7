"""The local runtime, end to end through the provider's verbs with the real serving process:
a detached server that outlives its caller, refresh telling it from a dead or foreign one,
a new model swapped in under a concurrent request loop with no failed or mixed answer, a
version that fails to load rolled back, and destroy leaving no process, port or directory.
Every server started here is destroyed at the end of its test."""

from __future__ import annotations

import importlib
import json
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from providers.endpoint import process
from providers.endpoint.layout import Layout
from tests.benchmarks.serving_model import Trained, churn_table, train
from tests.unit.providers.endpoint.runtime_support import (
    DirectoryStore,
    Harness,
    RequestLoop,
    Stored,
    errors,
    get,
    instances,
    post,
    store_version,
)

TOKEN = "endpoint-test-token"


@pytest.fixture(scope="module")
def trained() -> tuple[Trained, Trained]:
    table = churn_table(1500, seed=0)
    return (
        train(table, rounds=15, seed=0),
        train(table, variant=1, rounds=10, depth=3, seed=1),
    )


@pytest.fixture
def harness(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Harness]:
    monkeypatch.setenv("MLFORM_RUNTIME_DIR", str(tmp_path / "runtime"))
    config_dir = tmp_path / "config"
    config_dir.mkdir()
    harness = Harness(DirectoryStore(tmp_path / "artifacts"), config_dir)
    applied: list[tuple[dict[str, Any], dict[str, Any]]] = []
    original = harness.apply

    def apply(inputs: Any, upstream: Any, prior: Any = None, workdir: Any = None) -> Any:
        response = original(inputs, upstream, prior, workdir)
        if response.outputs:
            applied.append((dict(inputs), dict(response.outputs)))
        return response

    harness.apply = apply  # type: ignore[method-assign]
    yield harness
    for inputs, outputs in reversed(applied):  # no server outlives its test
        harness.delete(inputs, outputs)


@pytest.fixture
def versions(harness: Harness, trained: tuple[Trained, Trained]) -> tuple[Stored, Stored]:
    return (
        store_version(harness.store, trained[0], "first"),
        store_version(harness.store, trained[1], "second"),
    )


def inputs_for(stored: Stored, **settings: Any) -> dict[str, Any]:
    return {"model": stored.model_id, "runtime": "local", **settings}


def test_a_server_outlives_its_caller_and_is_destroyed_whole(
    harness: Harness, versions: tuple[Stored, Stored]
) -> None:
    first, _ = versions
    inputs = inputs_for(first, token=TOKEN, workers=2)
    response = harness.apply(inputs, first.upstream)
    assert errors(response.diagnostics) == []
    outputs = response.outputs
    pid, port, url = outputs["pid"], outputs["port"], outputs["url"]
    assert url == f"http://127.0.0.1:{port}"
    assert outputs["model_id"] == first.model_id
    assert outputs["transform_id"] == first.upstream[first.split_id]["transform_id"]
    assert os.getsid(pid) == pid, "the server leads a session of its own"
    assert Path(outputs["log_file"]).is_file()
    # the token travels in the environment only: never on the command line, in the log or
    # in the outputs
    command = Path(f"/proc/{pid}/cmdline").read_bytes()
    assert TOKEN.encode() not in command
    assert TOKEN.encode() in Path(f"/proc/{pid}/environ").read_bytes()
    assert TOKEN not in json.dumps(outputs)
    assert TOKEN not in Path(outputs["log_file"]).read_text()
    # serving, with the token
    assert get(f"{url}/v2/health/ready") == 200
    assert get(f"{url}/v2/models/churn/ready") == 401
    assert get(f"{url}/v2/models/churn/ready", TOKEN) == 200
    status, body = post(
        f"{url}/v1/models/churn:predict", {"instances": instances(first.trained)}, TOKEN
    )
    assert status == 200 and len(body["predictions"]) == 8
    # every worker serves the version, which `current` names
    layout = Layout(Path(outputs["runtime_dir"]))
    statuses = layout.worker_statuses(process.alive)
    assert len(statuses) == 2 and {s["version"] for s in statuses} == {outputs["version"]}
    assert layout.current_version() == outputs["version"]
    # refresh finds it as recorded
    read = harness.read(inputs, outputs)
    assert read.drift is None and not read.gone and errors(read.diagnostics) == []
    # destroy: the process group is gone, the port closed, the directory removed
    workers = [s["pid"] for s in statuses]
    assert errors(harness.delete(inputs, outputs).diagnostics) == []
    assert not process.is_running(pid, outputs["started"])
    assert all(not process.alive(worker) for worker in workers)
    assert not process.port_open("127.0.0.1", port)
    assert not layout.root.exists()
    assert not layout.root.parent.exists(), "the endpoint's directory goes with its last server"


def test_a_new_model_is_swapped_in_with_no_failed_or_mixed_answer(
    harness: Harness, versions: tuple[Stored, Stored]
) -> None:
    first, second = versions
    response = harness.apply(inputs_for(first, token=TOKEN, workers=2), first.upstream)
    assert errors(response.diagnostics) == []
    prior = response.outputs
    rows = instances(first.trained)
    url = prior["url"]
    _, first_answer = post(f"{url}/v1/models/churn:predict", {"instances": rows}, TOKEN)
    with RequestLoop(url, "churn", rows, TOKEN) as loop:
        time.sleep(0.5)
        swapped = harness.apply(
            inputs_for(second, token=TOKEN, workers=2), second.upstream, prior=prior
        )
        time.sleep(0.5)
    assert errors(swapped.diagnostics) == []
    outputs = swapped.outputs
    assert loop.failures == [], loop.failures[:5]
    _, second_answer = post(f"{url}/v1/models/churn:predict", {"instances": rows}, TOKEN)
    assert first_answer != second_answer, "the two versions answer these rows differently"
    expected = {json.dumps(first_answer, sort_keys=True), json.dumps(second_answer, sort_keys=True)}
    assert set(loop.answers) <= expected, "an answer mixed the two versions"
    assert loop.total > 20
    # the same server, now serving the new version everywhere; the old version is gone
    assert (outputs["pid"], outputs["port"], outputs["url"]) == (prior["pid"], prior["port"], url)
    assert outputs["model_id"] == second.model_id and outputs["version"] != prior["version"]
    assert outputs["id"] != prior["id"]
    layout = Layout(Path(outputs["runtime_dir"]))
    assert [p.name for p in layout.versions.iterdir()] == [outputs["version"]]
    assert harness.read(inputs_for(second, token=TOKEN, workers=2), outputs).drift is None


def test_an_unchanged_version_is_left_alone(
    harness: Harness, versions: tuple[Stored, Stored]
) -> None:
    first, _ = versions
    prior = harness.apply(inputs_for(first), first.upstream).outputs
    again = harness.apply(inputs_for(first, description="now described"), first.upstream, prior)
    assert errors(again.diagnostics) == []
    assert again.outputs == prior


def test_a_version_that_fails_to_load_is_rolled_back(
    harness: Harness, versions: tuple[Stored, Stored]
) -> None:
    first, second = versions
    prior = harness.apply(inputs_for(first), first.upstream).outputs
    broken = Path(harness.store.root / "broken-model.json")
    broken.write_text("{ this is not a model")
    damaged = dict(second.upstream)
    damaged[second.model_id] = {**damaged[second.model_id], "model": harness.store.put(broken)}
    response = harness.apply(inputs_for(second), damaged, prior=prior)
    (message,) = errors(response.diagnostics)
    assert "the new model was not swapped in" in message
    assert "previous version" in message
    assert response.diagnostics[0].path == ("model",)
    layout = Layout(Path(prior["runtime_dir"]))
    assert layout.current_version() == prior["version"]
    assert harness.read(inputs_for(first), prior).drift is None, "the old version serves on"


def test_refresh_finds_a_dead_server(harness: Harness, versions: tuple[Stored, Stored]) -> None:
    first, _ = versions
    inputs = inputs_for(first)
    outputs = harness.apply(inputs, first.upstream).outputs
    os.killpg(outputs["pid"], signal.SIGKILL)
    deadline = time.monotonic() + 10
    while process.is_running(outputs["pid"], outputs["started"]) and time.monotonic() < deadline:
        time.sleep(0.05)
    read = harness.read(inputs, outputs)
    assert read.drift == "the server is not running"
    # destroy copes: nothing to stop, the directory is removed
    assert errors(harness.delete(inputs, outputs).diagnostics) == []
    assert not Path(outputs["runtime_dir"]).exists()


def test_refresh_tells_a_reused_pid_from_the_server(
    harness: Harness, versions: tuple[Stored, Stored]
) -> None:
    first, _ = versions
    inputs = inputs_for(first)
    outputs = harness.apply(inputs, first.upstream).outputs
    reused = {**outputs, "started": outputs["started"] + 1}  # another process, same pid
    drift = harness.read(inputs, reused).drift
    assert drift is not None and "another process" in drift


def test_refresh_finds_a_foreign_process_on_the_port(
    harness: Harness, versions: tuple[Stored, Stored]
) -> None:
    first, _ = versions
    inputs = inputs_for(first)
    outputs = harness.apply(inputs, first.upstream).outputs
    assert errors(harness.delete(inputs, outputs).diagnostics) == []
    port = outputs["port"]
    foreign = subprocess.Popen(
        [sys.executable, "-m", "http.server", str(port), "--bind", "127.0.0.1"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 30
        while not process.port_open("127.0.0.1", port) and time.monotonic() < deadline:
            time.sleep(0.05)
        drift = harness.read(inputs, outputs).drift
        assert drift == f"port {port} is answered by another process (the server is not running)"
        # a replacement on that port is refused, naming the port
        response = harness.apply(inputs_for(first, port=port), first.upstream)
        (message,) = errors(response.diagnostics)
        assert f"port {port} is in use by another process" in message
        assert response.diagnostics[0].path == ("port",)
    finally:
        foreign.terminate()
        foreign.wait(timeout=10)


def test_a_server_answering_as_another_endpoint_is_drift(
    harness: Harness, versions: tuple[Stored, Stored]
) -> None:
    first, _ = versions
    inputs = inputs_for(first)
    outputs = harness.apply(inputs, first.upstream).outputs
    drift = harness.read(inputs, {**outputs, "version": "0123456789abcdef"}).drift
    assert (
        drift
        == f"the server serves version {outputs['version']}, not the recorded 0123456789abcdef"
    )


def test_a_fixed_port_in_use_is_refused(harness: Harness, versions: tuple[Stored, Stored]) -> None:
    first, _ = versions
    with socket.socket() as holder:
        holder.bind(("127.0.0.1", 0))
        holder.listen()
        port = holder.getsockname()[1]
        response = harness.apply(inputs_for(first, port=port), first.upstream)
    (message,) = errors(response.diagnostics)
    assert f"port {port} is in use" in message
    assert not any((Path(os.environ["MLFORM_RUNTIME_DIR"])).glob("*/*")), "nothing left behind"


def test_a_server_that_exits_is_reported_with_its_log(
    harness: Harness, versions: tuple[Stored, Stored], monkeypatch: pytest.MonkeyPatch
) -> None:
    from providers.endpoint.runtime_local import LocalRuntime

    endpoint_provider = importlib.import_module("providers.endpoint.provider")
    program = [sys.executable, "-c", "import sys; print('cannot serve: out of luck'); sys.exit(3)"]
    monkeypatch.setattr(endpoint_provider, "new_runtime", lambda *_: LocalRuntime(program))
    first, _ = versions
    response = harness.apply(inputs_for(first), first.upstream)
    (message,) = errors(response.diagnostics)
    assert "did not become ready (the server exited)" in message
    assert "cannot serve: out of luck" in message, "the log's tail is quoted"
    assert not any(Path(os.environ["MLFORM_RUNTIME_DIR"]).glob("*/*"))


def test_a_server_that_never_gets_ready_is_stopped(
    harness: Harness, versions: tuple[Stored, Stored], monkeypatch: pytest.MonkeyPatch
) -> None:
    from providers.endpoint import deployment
    from providers.endpoint.runtime_local import LocalRuntime

    endpoint_provider = importlib.import_module("providers.endpoint.provider")

    pids = Path(os.environ["MLFORM_RUNTIME_DIR"]).parent / "stand-in.pid"
    program = [
        sys.executable,
        "-c",
        f"import os, time; open({str(pids)!r}, 'w').write(str(os.getpid())); time.sleep(600)",
    ]
    monkeypatch.setattr(endpoint_provider, "new_runtime", lambda *_: LocalRuntime(program))
    monkeypatch.setattr(deployment, "READY_TIMEOUT_SECONDS", 2.0)
    first, _ = versions
    response = harness.apply(inputs_for(first), first.upstream)
    (message,) = errors(response.diagnostics)
    assert "was not ready after 2 s" in message
    assert not process.alive(int(pids.read_text())), "the stand-in was stopped"


def test_a_missing_artifact_is_an_error_at_the_model(
    harness: Harness, versions: tuple[Stored, Stored]
) -> None:
    first, _ = versions
    upstream = dict(first.upstream)
    upstream[first.model_id] = {**upstream[first.model_id], "card": "0" * 64}
    response = harness.apply(inputs_for(first), upstream)
    (message,) = errors(response.diagnostics)
    assert "cannot be read from the artifact store" in message
    assert response.diagnostics[0].path == ("model",)
