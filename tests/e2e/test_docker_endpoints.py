"""Docker endpoints through the CLI, against a real Docker engine (`make docker`): apply
builds the image and runs the container, a retrained model is swapped in place under
concurrent clients, destroy removes the container and its image. Without an engine these
tests skip, saying so; in CI (CI set) they fail. Whatever the engine, a configuration that
points at one that does not answer fails to plan, saying how to point mlform at one."""

from __future__ import annotations

import json
import os
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from endpoint_project import ROWS, TOKEN, Cli, Clients, predict, write_project

from providers.endpoint.runtime_docker import engine_host

pytestmark = pytest.mark.slow

DOCKER = '  runtime = "docker"\n  workers = 2\n'


@pytest.fixture(scope="module")
def engine() -> Iterator[Any]:
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


@pytest.fixture
def cli(tmp_path: Path, engine: Any) -> Iterator[Cli]:
    runner = Cli(write_project(tmp_path / "project", DOCKER), tmp_path / "runtime")
    yield runner
    destroyed = runner("destroy", "--auto-approve")
    assert destroyed.code == 0, destroyed.output
    leftover = engine.containers.list(all=True, filters={"label": "mlform.address=endpoint.churn"})
    assert not [
        c for c in leftover if str(runner.runtime_dir) in c.labels.get("mlform.runtime_dir", "")
    ]


def test_a_docker_endpoint_serves_swaps_and_is_destroyed(cli: Cli, engine: Any) -> None:
    applied = cli("apply", "--auto-approve")
    assert applied.code == 0, applied.output
    endpoint = cli.state()
    container = engine.containers.get(endpoint["container_id"])
    assert container.status == "running"
    assert container.labels["mlform.address"] == "endpoint.churn"
    assert container.labels["mlform.workspace"].endswith(":default")
    url = endpoint["url"]
    status, body = predict(url, ROWS)
    assert status == 200, body
    assert TOKEN not in applied.output and TOKEN not in json.dumps(endpoint)
    assert cli("plan", "--detailed-exitcode").code == 0

    before = predict(url, ROWS)[1]
    with Clients(url) as clients:
        time.sleep(0.5)
        swapped = cli("apply", "--auto-approve", "--var", "max_depth=2")
        time.sleep(0.5)
    assert swapped.code == 0, swapped.output
    assert "endpoint.churn: Modifications complete" in swapped.stdout
    assert clients.failures == [], clients.failures[:5]
    after = predict(url, ROWS)[1]
    assert set(clients.answers) <= {json.dumps(a, sort_keys=True) for a in (before, after)}
    assert cli.state()["container_id"] == container.id

    destroyed = cli("destroy", "--auto-approve", "--var", "max_depth=2")
    assert destroyed.code == 0, destroyed.output
    assert not engine.containers.list(all=True, filters={"id": container.id})
    assert not engine.images.list(name=endpoint["image"])


def test_an_engine_that_does_not_answer_fails_the_plan(tmp_path: Path) -> None:
    project = write_project(tmp_path / "project", DOCKER)
    socket = tmp_path / "no-engine.sock"
    (project / "docker.mlf.hcl").write_text(
        f'provider "docker" {{\n  host = "unix://{socket}"\n}}\n'
    )
    planned = Cli(project, tmp_path / "runtime")("plan")
    assert planned.code == 1
    assert f"no Docker engine answers at unix://{socket}" in planned.output
    assert 'provider "docker" { host = ' in planned.output
    assert "DOCKER_HOST" in planned.output
