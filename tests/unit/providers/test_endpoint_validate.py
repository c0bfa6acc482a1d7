"""The endpoint provider's validate, case by case: the configuration changes applied to a
minimal valid one, and the errors expected (path -> part of the message)."""

from __future__ import annotations

from typing import Any

import pytest

import providers.endpoint
from mlform.diagnostics import Severity
from mlform.language.values import UNKNOWN, Sensitive
from mlform.testing import assert_validate_errors, validate_config

MINIMAL: dict[str, Any] = {"model": "5f2a9c"}

CASES = [
    pytest.param(
        {
            "evaluation": "77aa01",
            "runtime": "local",
            "port": 8080,
            "token": Sensitive("s3cret"),
            "workers": 2,
        },
        {},
        id="design-example",
    ),
    pytest.param(
        {"runtime": "docker", "base_image": "python:3.11-slim", "keep_image": True}, {}, id="docker"
    ),
    pytest.param(
        {"runtime": "dokcer"},
        {("runtime",): 'unknown runtime "dokcer"; did you mean "docker"?'},
        id="runtime-typo",
    ),
    pytest.param({"runtime": UNKNOWN, "base_image": "python:3.11"}, {}, id="unknown-runtime"),
    pytest.param(
        {"base_image": "python:3.11"},
        {("base_image",): 'only used with runtime = "docker"'},
        id="base-image-local",
    ),
    pytest.param({"keep_image": False}, {}, id="keep-image-false-local"),
    pytest.param({"port": 1}, {}, id="lowest-port"),
    pytest.param({"port": 65535}, {}, id="highest-port"),
    pytest.param({"port": 0}, {("port",): "from 1 to 65535, not 0"}, id="port-zero"),
    pytest.param({"port": 70000}, {("port",): "not 70000"}, id="port-too-high"),
    pytest.param({"port": 80.5}, {("port",): "whole number"}, id="port-fractional"),
    pytest.param({"port": UNKNOWN}, {}, id="unknown-port"),
    pytest.param({"workers": 0}, {("workers",): "at least 1"}, id="no-workers"),
]


@pytest.mark.parametrize(("changes", "expected"), CASES)
def test_validate(changes: dict[str, Any], expected: dict[tuple[str | int, ...], str]) -> None:
    assert_validate_errors(providers.endpoint.provider, {**MINIMAL, **changes}, expected)


@pytest.mark.parametrize(
    ("changes", "warned"),
    [
        pytest.param({"host": "0.0.0.0"}, True, id="exposed-without-token"),
        pytest.param(
            {"host": "0.0.0.0", "token": Sensitive("s3cret")}, False, id="exposed-with-token"
        ),
        pytest.param({"host": "0.0.0.0", "token": UNKNOWN}, False, id="exposed-unknown-token"),
        pytest.param({"host": "127.0.0.1"}, False, id="loopback"),
    ],
)
def test_exposure_warning(changes: dict[str, Any], warned: bool) -> None:
    diagnostics = validate_config(providers.endpoint.provider, {**MINIMAL, **changes})
    assert all(d.severity is Severity.WARNING for d in diagnostics)
    assert bool(diagnostics) is warned
