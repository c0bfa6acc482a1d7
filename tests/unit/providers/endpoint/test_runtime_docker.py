"""The docker runtime against a real Docker engine (`make docker` starts one and builds the
offline base image): the image built from this machine's packages, a container labelled with
its workspace and address and published on 127.0.0.1 only, a new model swapped in under a
concurrent request loop, refresh noticing a stopped container, and destroy removing the
container and the images.

Without an engine these tests skip, saying so; in CI (CI set) they fail instead, so that a
broken engine never passes for a green run."""

from __future__ import annotations

import json
import os
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from providers.endpoint.layout import Layout
from providers.endpoint.runtime_docker import PREFERRED_BASE, engine_host
from tests.benchmarks.serving_model import Trained, churn_table, train
from tests.unit.providers.endpoint.runtime_support import (
    ADDRESS,
    WORKSPACE,
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

TOKEN = "docker-test-token"
pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def engine() -> Iterator[Any]:
    """A client of the engine the tests use (DOCKER_HOST, else the local socket)."""
    host = engine_host({})
    try:
        import docker

        client = docker.DockerClient(base_url=host, timeout=60)
        client.ping()
    except Exception as error:
        message = (
            f"no Docker engine answers at {host} ({type(error).__name__}); "
            "run `make docker` (as root) to start one"
        )
        if os.environ.get("CI"):
            pytest.fail(f"CI needs the Docker tests to run: {message}")
        pytest.skip(message)
    yield client
    client.close()


@pytest.fixture(scope="module")
def trained() -> tuple[Trained, Trained]:
    table = churn_table(1500, seed=0)
    return (
        train(table, rounds=15, seed=0),
        train(table, variant=1, rounds=10, depth=3, seed=1),
    )


@pytest.fixture(scope="module")
def images(engine: Any) -> Iterator[set[str]]:
    """The images the tests built: removed at the end when a test left one behind."""
    built: set[str] = set()
    yield built
    for tag in built:
        for image in engine.images.list(name=tag):
            packages = image.labels.get("mlform.packages_image")
            engine.images.remove(image.id, force=True)
            if packages and not engine.images.list(
                filters={"label": f"mlform.packages_image={packages}"}
            ):
                for leftover in engine.images.list(name=packages):
                    engine.images.remove(leftover.id, force=True)


@pytest.fixture
def harness(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, engine: Any, images: set[str]
) -> Iterator[Harness]:
    monkeypatch.setenv("MLFORM_RUNTIME_DIR", str(tmp_path / "runtime"))
    harness = Harness(DirectoryStore(tmp_path / "artifacts"), tmp_path)
    original = harness.apply

    def apply(*arguments: Any, **keywords: Any) -> Any:
        response = original(*arguments, **keywords)
        if response.outputs.get("image"):
            images.add(response.outputs["image"])
        return response

    harness.apply = apply  # type: ignore[method-assign]
    yield harness
    # no container outlives its test, whatever happened
    for container in engine.containers.list(
        all=True, filters={"label": f"mlform.workspace={WORKSPACE}"}
    ):
        container.remove(force=True)


def inputs_for(stored: Stored, **settings: Any) -> dict[str, Any]:
    base_image = settings.pop("base_image", None)
    return {
        "model": stored.model_id,
        "runtime": "docker",
        "token": TOKEN,
        **({"base_image": base_image} if base_image else {}),
        **settings,
    }


def test_keep_image_keeps_it(
    harness: Harness, engine: Any, trained: tuple[Trained, Trained]
) -> None:
    first = store_version(harness.store, trained[0], "first")
    inputs = inputs_for(first, keep_image=True)
    response = harness.apply(inputs, first.upstream)
    assert errors(response.diagnostics) == []
    outputs = response.outputs
    assert errors(harness.delete(inputs, outputs).diagnostics) == []
    assert not engine.containers.list(all=True, filters={"id": outputs["container_id"]})
    assert engine.images.get(outputs["image"])  # reused by the next test, which removes it


def test_a_container_serves_swaps_and_is_removed_with_its_images(
    harness: Harness, engine: Any, trained: tuple[Trained, Trained]
) -> None:
    first = store_version(harness.store, trained[0], "first")
    second = store_version(harness.store, trained[1], "second")
    engine.images.get(PREFERRED_BASE)  # built offline by make docker
    inputs = inputs_for(first, workers=2)
    started = time.monotonic()
    response = harness.apply(inputs, first.upstream)
    assert errors(response.diagnostics) == [], f"after {time.monotonic() - started:.0f} s"
    outputs = response.outputs
    try:
        container = engine.containers.get(outputs["container_id"])
        # labelled with its workspace and address, published on loopback only
        assert container.labels["mlform.workspace"] == WORKSPACE
        assert container.labels["mlform.address"] == ADDRESS
        bindings = container.attrs["HostConfig"]["PortBindings"]["8080/tcp"]
        assert bindings == [{"HostIp": "127.0.0.1", "HostPort": str(outputs["port"])}]
        assert outputs["url"] == f"http://127.0.0.1:{outputs['port']}"
        assert outputs["image"].startswith("mlform-endpoint:")
        assert outputs["pid"] is None and outputs["docker_host"] == engine_host({})
        # the token reaches the server through its environment, not its command line
        assert TOKEN not in json.dumps(container.attrs["Config"]["Cmd"])
        assert TOKEN not in json.dumps(outputs)
        url = outputs["url"]
        assert get(f"{url}/v2/models/churn/ready") == 401
        assert get(f"{url}/v2/models/churn/ready", TOKEN) == 200
        assert harness.read(inputs, outputs).drift is None

        # a new model, swapped in while clients keep asking
        rows = instances(first.trained)
        _, first_answer = post(f"{url}/v1/models/churn:predict", {"instances": rows}, TOKEN)
        with RequestLoop(url, "churn", rows, TOKEN) as loop:
            time.sleep(0.5)
            swapped = harness.apply(inputs_for(second, workers=2), second.upstream, outputs)
            time.sleep(0.5)
        assert errors(swapped.diagnostics) == []
        assert loop.failures == [], loop.failures[:5]
        _, second_answer = post(f"{url}/v1/models/churn:predict", {"instances": rows}, TOKEN)
        assert first_answer != second_answer
        expected = {json.dumps(a, sort_keys=True) for a in (first_answer, second_answer)}
        assert set(loop.answers) <= expected, "an answer mixed the two versions"
        outputs = swapped.outputs
        assert outputs["container_id"] == container.id, "the same container serves on"
        assert Layout(Path(outputs["runtime_dir"])).current_version() == outputs["version"]
        assert harness.read(inputs_for(second, workers=2), outputs).drift is None

        # a stopped container is drift
        container.stop(timeout=5)
        drift = harness.read(inputs_for(second, workers=2), outputs).drift
        assert drift is not None and "is exited" in drift
        packages = engine.images.get(outputs["image"]).labels["mlform.packages_image"]
    finally:
        deleted = harness.delete(inputs_for(second, workers=2), outputs)
    assert errors(deleted.diagnostics) == []
    assert not engine.containers.list(all=True, filters={"id": outputs["container_id"]})
    assert not engine.images.list(name=outputs["image"]), "keep_image is false"
    built_on = engine.images.list(filters={"label": f"mlform.packages_image={packages}"})
    assert bool(engine.images.list(name=packages)) == bool(built_on), (
        "the packages image goes with the last image built on it"
    )
    assert not Path(outputs["runtime_dir"]).exists()
