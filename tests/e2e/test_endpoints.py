"""Local endpoints through the CLI, on a project of dataset (CSV), split, xgboost model,
evaluation and endpoint: apply serves predictions over HTTP from a server that outlives the
CLI; refresh finds it healthy, or finds it dead and plans its replacement; a retrained model
is swapped in place under concurrent clients with no failed request; the gate stops a model
whose evaluation failed; the token is never shown; destroy leaves no server behind. Every
test destroys what it applied."""

from __future__ import annotations

import json
import os
import signal
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from endpoint_project import ROWS, TOKEN, Cli, Clients, predict, set_endpoint, write_project

from providers.endpoint import process

pytestmark = pytest.mark.slow


@pytest.fixture
def cli(tmp_path: Path) -> Iterator[Cli]:
    runner = Cli(write_project(tmp_path / "project"), tmp_path / "runtime")
    yield runner
    destroyed = runner("destroy", "--auto-approve")
    assert destroyed.code == 0, destroyed.output
    assert not any(runner.runtime_dir.glob("*/*")), "a server's directory outlived destroy"


def test_serve_refresh_swap_in_place_and_destroy(cli: Cli) -> None:
    applied = cli("apply", "--auto-approve")
    assert applied.code == 0, applied.output
    endpoint = cli.state()
    url, pid, port = endpoint["url"], endpoint["pid"], endpoint["port"]
    assert url == f"http://127.0.0.1:{port}"
    assert f'url = "{url}"' in applied.stdout
    # the server outlived the CLI, and answers raw rows
    assert process.is_running(pid, endpoint["started"])
    status, body = predict(url, ROWS)
    assert status == 200, body
    assert len(body["predictions"]) == len(ROWS)
    assert predict(url, ROWS, token=None)[0] == 401
    # the token is never shown: not in the plan, the state, the log or the outputs
    log = Path(endpoint["log_file"]).read_text()
    for shown in (applied.output, cli("show", "--json").stdout, log, json.dumps(endpoint)):
        assert TOKEN not in shown
    state_show = cli("state", "show", "endpoint.churn")
    assert "token" in state_show.stdout and TOKEN not in state_show.output

    # refresh: healthy, so nothing to do
    plan = cli("plan", "--detailed-exitcode")
    assert plan.code == 0, plan.output

    # a retrained model: the endpoint is updated in place, under concurrent clients
    plan = cli("plan", "--var", "max_depth=2")
    assert "endpoint.churn will be updated in place" in plan.stdout, plan.stdout
    assert TOKEN not in plan.output
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
    updated = cli.state()
    assert (updated["pid"], updated["port"]) == (pid, port), "the same server serves on"
    assert updated["model_id"] == cli.state("model.churn")["id"] != endpoint["model_id"]

    # a dead server is drift, and the plan replaces it
    os.killpg(pid, signal.SIGKILL)
    while process.is_running(pid, updated["started"]):
        time.sleep(0.05)
    plan = cli("plan", "--var", "max_depth=2")
    assert "Objects have changed outside of mlform" in plan.stdout
    assert "because the server is not running" in plan.stdout, plan.stdout
    assert "Plan: 1 to add, 0 to change, 1 to destroy." in plan.stdout
    replaced = cli("apply", "--auto-approve", "--var", "max_depth=2")
    assert replaced.code == 0, replaced.output
    assert predict(cli.state()["url"], ROWS)[0] == 200
    last = cli.state()

    # destroy stops it and waits for its port to close (the fixture checks the directory)
    destroyed = cli("destroy", "--auto-approve", "--var", "max_depth=2")
    assert destroyed.code == 0, destroyed.output
    assert not process.is_running(last["pid"], last["started"])
    assert not process.port_open("127.0.0.1", last["port"])


def test_the_gate_keeps_a_failing_model_from_being_served(cli: Cli) -> None:
    failed = cli("apply", "--auto-approve", "--var", "min_auc=0.999")
    assert failed.code == 1
    assert cli.state("evaluation.churn")["passed"] is False
    assert cli.state() == {}, "the endpoint was not created"
    # the evaluation is recorded as failed: the plan says the endpoint will not be deployed
    plan = cli("plan", "--var", "min_auc=0.999")
    assert "the evaluation did not pass its thresholds (auc" in plan.output, plan.output
    assert "< min 0.999" in plan.output
    refused = cli("apply", "--auto-approve", "--var", "min_auc=0.999")
    assert refused.code == 1
    assert "endpoint.churn" in refused.output
    assert "the model is not deployed: its evaluation did not pass its thresholds" in refused.output
    assert "< min 0.999" in refused.output
    assert not any(cli.runtime_dir.glob("*/*")), "no server was started"


def test_a_port_change_replaces_the_server(cli: Cli) -> None:
    assert cli("apply", "--auto-approve").code == 0
    first = cli.state()
    port = process.free_port("127.0.0.1")
    set_endpoint(cli.directory, f"  port = {port}\n")
    plan = cli("plan")
    assert "endpoint.churn must be replaced" in plan.stdout
    assert "# forces replacement" in plan.stdout
    applied = cli("apply", "--auto-approve")
    assert applied.code == 0, applied.output
    second = cli.state()
    assert second["url"] == f"http://127.0.0.1:{port}"
    assert predict(second["url"], ROWS)[0] == 200
    assert not process.is_running(first["pid"], first["started"])


def test_create_before_destroy_with_a_fixed_port_is_a_validate_error(tmp_path: Path) -> None:
    cli = Cli(write_project(tmp_path / "project"), tmp_path / "runtime")  # nothing applied
    set_endpoint(
        cli.directory,
        "  port = 18181\n  lifecycle {\n    create_before_destroy = true\n  }\n",
    )
    validated = cli("validate")
    assert validated.code == 1
    assert "create_before_destroy starts the replacement" in validated.output
    assert "port 18181" in validated.output
