"""The serving process's small parts on their own: the command line and the token, routing,
the body reader's limits, JSON reading, and the metrics' merge and text format."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path
from typing import Any

import pytest

from providers.endpoint.serving.errors import RequestError
from providers.endpoint.serving.metrics import Metrics, ServedModel, merge, render
from providers.endpoint.serving.options import (
    DEFAULT_MAX_BODY_BYTES,
    OPTIONS_VARIABLE,
    ServingOptions,
    parse_arguments,
)
from providers.endpoint.serving.reading import ClientGone, parse_json, read_body
from providers.endpoint.serving.routing import match_route


def test_the_command_line_and_the_token_from_the_environment(tmp_path: Path) -> None:
    arguments = ["--root", str(tmp_path), "--name", "churn", "--port", "9000", "--workers", "2"]
    options = parse_arguments(arguments, {"MLFORM_ENDPOINT_TOKEN": "t0k"})
    assert options == ServingOptions(
        tmp_path.resolve(), "churn", "127.0.0.1", 9000, 2, DEFAULT_MAX_BODY_BYTES, "t0k"
    )
    assert "t0k" not in repr(options)
    assert parse_arguments(arguments, {"MLFORM_ENDPOINT_TOKEN": ""}).token is None
    assert parse_arguments(arguments, {}).token is None
    handed = options.to_environment()
    assert "t0k" not in handed
    again = ServingOptions.from_environment(
        {OPTIONS_VARIABLE: handed, "MLFORM_ENDPOINT_TOKEN": "t0k"}
    )
    assert again == options


@pytest.mark.parametrize(
    "extra", [["--workers", "0"], ["--port", "70000"], ["--max-body-bytes", "0"], ["--token", "x"]]
)
def test_bad_command_lines_are_refused(tmp_path: Path, extra: list[str]) -> None:
    with pytest.raises(SystemExit):
        parse_arguments(["--root", str(tmp_path), "--name", "churn", *extra], {})


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        ("/v2/health/live", ("/v2/health/live", None, None)),
        ("/v2", ("/v2", None, None)),
        ("/v2/models/churn", ("/v2/models/{name}", "churn", None)),
        ("/v2/models/churn/ready", ("/v2/models/{name}/ready", "churn", None)),
        ("/v2/models/churn/versions/7/infer", ("/v2/models/{name}/infer", "churn", "7")),
        ("/v2/models/churn/versions//infer", ("/v2/models/{name}/infer", "churn", None)),
        ("/v1/models/churn:predict", ("/v1/models/{name}:predict", "churn", None)),
        ("/v1/models/churn", ("/v1/models/{name}", "churn", None)),
        ("/v2/models/", None),
        ("/v2/models/churn/infer/more", None),
        ("/v2/models/churn/explain", None),
        ("/v1/models/", None),
        ("/v1/models/a/b", None),
        ("/", None),
    ],
)
def test_routes(path: str, expected: tuple[str, str | None, str | None] | None) -> None:
    found = match_route(path)
    assert (None if found is None else (found[0].label, found[1], found[2])) == expected


def read(messages: list[dict[str, Any]], headers: list[tuple[bytes, bytes]], limit: int) -> bytes:
    queue = list(messages)

    async def receive() -> dict[str, Any]:
        return queue.pop(0)

    return asyncio.run(read_body({"headers": headers}, receive, limit))


def test_the_body_reader_keeps_to_the_limit() -> None:
    body = {"type": "http.request", "body": b"12345", "more_body": False}
    assert read([body], [(b"content-length", b"5")], 5) == b"12345"
    with pytest.raises(RequestError) as declared:
        read([body], [(b"content-length", b"6")], 5)
    assert declared.value.status == 413
    chunks = [
        {"type": "http.request", "body": b"123", "more_body": True},
        {"type": "http.request", "body": b"456", "more_body": False},
    ]
    assert read(chunks, [], 6) == b"123456"
    with pytest.raises(RequestError) as streamed:
        read(chunks, [], 5)
    assert streamed.value.status == 413
    with pytest.raises(RequestError) as bad:
        read([body], [(b"content-length", b"five")], 5)
    assert bad.value.status == 400
    with pytest.raises(ClientGone):
        read([{"type": "http.disconnect"}], [], 5)


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        (b'{"a": 1}', {"a": 1}),
        (b'{"a": 123456789012345678901234567890}', {"a": 1.2345678901234568e29}),  # orjson
        (b'{"a": 1.5}', {"a": 1.5}),
    ],
)
def test_json_reading(body: bytes, expected: Any) -> None:
    assert parse_json(body) == expected


def test_nan_is_read_and_infinity_is_refused() -> None:
    value = parse_json(b'{"a": NaN}')["a"]
    assert value != value
    for body in (b'{"a": Infinity}', b'{"a": -Infinity}', b'{"a": 1e400}', b"{", b"", b"  "):
        with pytest.raises(RequestError) as refused:
            parse_json(body)
        assert refused.value.status == 400


def test_metrics_merge_and_render() -> None:
    from prometheus_client.parser import text_string_to_metric_families

    first, second = Metrics(), Metrics()
    first.observe("/v2", 200, 0.0003)
    first.observe("/v2", 404, 0.002)
    second.observe("/v2", 200, 3.0)
    second.count("predicted_rows", 5)
    total = merge([json.loads(json.dumps(first.snapshot())), second.snapshot()])
    served = [ServedModel("v1", "m1", "t1"), ServedModel("v1", "m1", "t1")]
    text = render(total, 'ch"urn', served, 2)
    families = {f.name: f for f in text_string_to_metric_families(text)}
    requests = {s.labels["status"]: s.value for s in families["mlform_endpoint_requests"].samples}
    assert requests == {"200": 2, "404": 1}
    assert families["mlform_endpoint_requests"].samples[0].labels["endpoint"] == 'ch"urn'
    buckets = [
        s
        for s in families["mlform_endpoint_request_duration_seconds"].samples
        if s.name.endswith("_bucket")
    ]
    assert [s.value for s in buckets if s.labels["le"] == "0.0005"] == [1]
    assert [s.value for s in buckets if s.labels["le"] == "+Inf"] == [3]
    info = families["mlform_endpoint_model_info"].samples
    assert [(s.labels["model_id"], s.value) for s in info] == [("m1", 2)]
    assert families["mlform_endpoint_predicted_rows"].samples[0].value == 5
