"""The endpoint provider's decisions that need no running server: the gate (plan warns,
apply refuses with the failed thresholds), what replaces and what updates in place,
`create_before_destroy` with a fixed port, a Docker engine that does not answer, and where
an endpoint's files live."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

import providers.endpoint
from mlform.diagnostics import Severity
from mlform.language.values import UNKNOWN, Sensitive
from mlform.sdk import ValidateRequest
from providers.endpoint.layout import Layout, endpoint_home, runtime_root
from providers.endpoint.runtime_docker import engine_host
from providers.endpoint.schema import SCHEMA
from providers.endpoint.settings import endpoint_name, settings_from
from tests.unit.providers.endpoint.runtime_support import DirectoryStore, Harness, errors

MODEL = "a1" * 32
OTHER_MODEL = "c3" * 32
EVALUATION = "e5" * 32
FAILED = ["auc 0.71 < min 0.8", "accuracy 0.6 < min 0.7"]


@pytest.fixture
def harness(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Harness:
    monkeypatch.setenv("MLFORM_RUNTIME_DIR", str(tmp_path / "runtime"))
    return Harness(DirectoryStore(tmp_path / "artifacts"), tmp_path)


def evaluation(passed: bool, model: str = MODEL) -> dict[str, Any]:
    return {
        EVALUATION: {
            "model": model,
            "passed": passed,
            "failed_thresholds": [] if passed else FAILED,
        }
    }


# the gate ---------------------------------------------------------------------------------


def test_plan_warns_that_a_failed_evaluation_stops_the_deployment(harness: Harness) -> None:
    response = harness.plan({"model": MODEL, "evaluation": EVALUATION}, evaluation(False))
    (warning,) = response.diagnostics
    assert warning.severity is Severity.WARNING
    assert warning.path == ("evaluation",)
    assert (
        "did not pass its thresholds (auc 0.71 < min 0.8; accuracy 0.6 < min 0.7)"
        in warning.message
    )
    assert "will not be deployed" in warning.message


def test_apply_refuses_a_model_whose_evaluation_failed(harness: Harness) -> None:
    response = harness.apply({"model": MODEL, "evaluation": EVALUATION}, evaluation(False))
    (error,) = response.diagnostics
    assert error.is_error and error.path == ("evaluation",)
    assert "the model is not deployed" in error.message
    assert "auc 0.71 < min 0.8; accuracy 0.6 < min 0.7" in error.message
    assert not response.outputs
    assert not (harness.config_dir / "runtime").exists(), "nothing was started"


def test_a_passed_or_unknown_evaluation_says_nothing(harness: Harness) -> None:
    assert (
        harness.plan({"model": MODEL, "evaluation": EVALUATION}, evaluation(True)).diagnostics == []
    )
    assert harness.plan({"model": MODEL, "evaluation": UNKNOWN}, {}).diagnostics == []
    assert harness.plan({"model": UNKNOWN, "evaluation": EVALUATION}, {}).diagnostics == []


def test_an_evaluation_of_another_model_is_an_error(harness: Harness) -> None:
    upstream = evaluation(True, model=OTHER_MODEL)
    for response in (
        harness.plan({"model": MODEL, "evaluation": EVALUATION}, upstream),
        harness.apply({"model": MODEL, "evaluation": EVALUATION}, upstream),
    ):
        (error,) = response.diagnostics
        assert error.is_error and error.path == ("evaluation",)
        assert (
            f"evaluates model {OTHER_MODEL[:12]}, not the model this endpoint serves"
            in error.message
        )


# update in place or replace ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("change", "replaced"),
    [
        ({"model": OTHER_MODEL}, False),
        ({"evaluation": "f" * 64}, False),
        ({"description": "the churn endpoint"}, False),
        ({"runtime": "docker"}, True),
        ({"port": 9090}, True),
        ({"host": "0.0.0.0"}, True),
        ({"workers": 4}, True),
        ({"token": Sensitive("another")}, True),
        ({"max_body_bytes": 4096}, True),
    ],
)
def test_what_replaces_the_server(change: dict[str, Any], replaced: bool) -> None:
    prior = SCHEMA.block.with_defaults(
        {"model": MODEL, "evaluation": EVALUATION, "port": 8080, "token": Sensitive("s")}
    )
    proposed = {**prior, **change}
    paths = SCHEMA.block.replacement_paths(prior, proposed)
    assert bool(paths) is replaced, paths


def test_plan_of_an_update_keeps_where_it_serves(harness: Harness) -> None:
    prior_inputs = SCHEMA.block.with_defaults({"model": MODEL})
    prior_outputs = {"url": "http://127.0.0.1:8080", "pid": 42, "model_id": MODEL}
    response = harness.plan({**prior_inputs, "model": OTHER_MODEL}, {}, prior_inputs, prior_outputs)
    assert response.requires_replace == []
    assert response.planned_outputs["url"] == "http://127.0.0.1:8080"
    assert response.planned_outputs["model_id"] is UNKNOWN
    assert response.build_inputs is None, "a server is never restored from the build cache"


def test_create_before_destroy_needs_a_port_of_its_own() -> None:
    provider = providers.endpoint.provider
    fixed = provider.validate(
        ValidateRequest(
            "endpoint.churn", {"model": MODEL, "port": 8080}, create_before_destroy=True
        )
    )
    (error,) = fixed.diagnostics
    assert error.path == ("port",)
    assert "create_before_destroy" in error.message and "port 8080" in error.message
    free = provider.validate(
        ValidateRequest("endpoint.churn", {"model": MODEL}, create_before_destroy=True)
    )
    assert free.diagnostics == []
    without = provider.validate(ValidateRequest("endpoint.churn", {"model": MODEL, "port": 8080}))
    assert without.diagnostics == []


def test_a_body_limit_must_be_positive() -> None:
    response = providers.endpoint.provider.validate(
        ValidateRequest("endpoint.churn", {"model": MODEL, "max_body_bytes": 0})
    )
    assert [d.path for d in response.diagnostics] == [("max_body_bytes",)]


# docker without an engine ------------------------------------------------------------------


def test_plan_and_apply_say_how_to_point_mlform_at_an_engine(
    harness: Harness, tmp_path: Path
) -> None:
    missing = f"unix://{tmp_path}/no-such-docker.sock"
    harness.providers = {"docker": {"host": missing}}
    inputs = {"model": MODEL, "runtime": "docker"}
    planned = harness.plan(inputs, {})
    applied = harness.apply(inputs, {})
    for response in (planned, applied):
        (message,) = errors(response.diagnostics)
        assert f"no Docker engine answers at {missing}" in message
        assert 'provider "docker" { host = ' in message and "DOCKER_HOST" in message
        assert response.diagnostics[0].path == ("runtime",)


def test_the_engine_comes_from_the_provider_block_then_the_environment() -> None:
    environ = {"DOCKER_HOST": "tcp://10.0.0.5:2375"}
    assert engine_host({"docker": {"host": "unix:///run/d.sock"}}, environ) == "unix:///run/d.sock"
    assert (
        engine_host({"docker": {"host": Sensitive("unix:///s.sock")}}, environ) == "unix:///s.sock"
    )
    assert engine_host({}, environ) == "tcp://10.0.0.5:2375"
    assert engine_host({}, {}) == "unix:///var/run/docker.sock"


def test_a_local_endpoint_never_touches_docker(harness: Harness, tmp_path: Path) -> None:
    harness.providers = {"docker": {"host": f"unix://{tmp_path}/none.sock"}}
    assert harness.plan({"model": MODEL}, {}).diagnostics == []


# refresh and delete of what was never started ----------------------------------------------


def test_read_and_delete_of_an_endpoint_never_started(harness: Harness) -> None:
    read = harness.read({"model": MODEL}, {})
    assert read.drift is None and not read.gone and read.diagnostics == []
    assert harness.delete({"model": MODEL}, {}).diagnostics == []


# names and places ---------------------------------------------------------------------------


def test_the_name_in_urls() -> None:
    assert endpoint_name("endpoint.churn") == "churn"
    assert endpoint_name('endpoint.churn["deep"]') == "churn-deep"
    assert endpoint_name('endpoint.churn["a b/c"]') == "churn-a-b-c"
    assert endpoint_name("endpoint.churn[2]") == "churn-2"


def test_settings_hold_the_token_for_the_environment_only() -> None:
    settings = settings_from("endpoint.churn", {"model": MODEL, "token": Sensitive("s3cret")})
    assert settings.environment == {"MLFORM_ENDPOINT_TOKEN": "s3cret"}
    assert "s3cret" not in repr(settings)
    assert settings_from("endpoint.churn", {"model": MODEL}).environment == {}


def test_where_endpoints_live(tmp_path: Path) -> None:
    home = Path.home()
    assert runtime_root({}) == home / ".local/state/mlform/endpoints"
    assert runtime_root({"XDG_STATE_HOME": "/x/state"}) == Path("/x/state/mlform/endpoints")
    assert runtime_root({"MLFORM_RUNTIME_DIR": "/r", "XDG_STATE_HOME": "/x"}) == Path("/r")
    environ = {"MLFORM_RUNTIME_DIR": str(tmp_path)}
    one = endpoint_home(tmp_path / "a", "a:default", "endpoint.churn", environ)
    assert one.parent == tmp_path and one.name.startswith("churn-")
    assert one == endpoint_home(tmp_path / "a", "a:default", "endpoint.churn", environ)
    others = {
        endpoint_home(tmp_path / "b", "a:default", "endpoint.churn", environ),
        endpoint_home(tmp_path / "a", "a:staging", "endpoint.churn", environ),
        endpoint_home(tmp_path / "a", "a:default", "endpoint.other", environ),
    }
    assert one not in others and len(others) == 3
    first, second = Layout.create(one), Layout.create(one)
    assert first.root != second.root, "each server gets a directory of its own"
    first.remove()
    assert one.exists()
    second.remove()
    assert not one.exists()
