"""Fuzzing a real serving process: schemathesis generates valid and invalid requests from the
server's own /openapi.json, and hypothesis throws arbitrary JSON and bytes at the predict
routes. No request may get a 5xx, and the server must still answer afterwards."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.errors import Unsatisfiable
from schemathesis import GenerationMode

from tests.unit.providers.endpoint.conftest import TOKEN, Server, Versions, endpoint_root, serving

ROW = {"tenure": 3, "plan": "basic", "monthly": 20.5, "region": "north", "paperless": True}
EXAMPLES = 40


@pytest.fixture(scope="module")
def server(versions: Versions, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    root = endpoint_root(tmp_path_factory.mktemp("fuzz"), {"v1": versions.first}, "v1")
    with serving(root, token=TOKEN, max_body_bytes=65536) as running:
        yield running
        assert "Traceback" not in running.log.read_text(), running.log.read_text()[-3000:]


def operations(server: Server) -> list[Any]:
    """Every operation of the server's /openapi.json, as schemathesis reads it."""
    schema = schemathesis.openapi.from_url(server.url + "/openapi.json", headers=server.headers)
    found: list[Any] = [result.ok() for result in schema.get_all_operations()]  # type: ignore[union-attr]
    return found


@pytest.mark.parametrize("mode", [GenerationMode.POSITIVE, GenerationMode.NEGATIVE])
def test_no_request_schemathesis_generates_gets_a_server_error(
    server: Server, mode: GenerationMode
) -> None:
    found = operations(server)
    assert len(found) >= 9  # schemathesis leaves out the schema's own route
    calls: list[int] = []
    for operation in found:

        @settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=list(HealthCheck))
        @given(case=operation.as_strategy(generation_mode=mode))
        def call(case: Any) -> None:
            response = case.call(base_url=server.url, headers=server.headers)
            calls.append(response.status_code)
            assert response.status_code < 500, (case.as_curl_command(), response.text)

        try:
            call()
        except Unsatisfiable:  # nothing to make invalid (a GET without parameters)
            assert mode is GenerationMode.NEGATIVE
    assert len(calls) >= len(found)
    if mode is GenerationMode.NEGATIVE:
        assert 400 in calls


JSON_VALUES = st.recursive(
    st.one_of(
        st.none(),
        st.booleans(),
        st.integers(),
        st.floats(allow_nan=False, allow_infinity=False),
        st.text(max_size=10),
        st.sampled_from(["basic", "north", "tenure", "plan", "BYTES", "INT64", "FP64", "BOOL"]),
    ),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=10), children, max_size=4)
    ),
    max_leaves=20,
)
ROWS = st.lists(
    st.fixed_dictionaries(
        {},
        optional={name: JSON_VALUES for name in [*ROW, "customer_id", "churned", "other"]},
    ),
    max_size=4,
)
TENSORS = st.lists(
    st.fixed_dictionaries(
        {
            "name": st.sampled_from([*ROW, "x"]),
            "shape": st.lists(st.integers(-1, 3), max_size=3) | JSON_VALUES,
            "datatype": st.sampled_from(["INT64", "FP64", "BYTES", "BOOL", "FP32", "UINT8", "x"]),
            "data": st.lists(JSON_VALUES, max_size=4) | JSON_VALUES,
        },
        optional={"parameters": JSON_VALUES},
    ),
    max_size=6,
)
BODIES = st.one_of(
    JSON_VALUES.map(json.dumps),
    ROWS.map(lambda rows: json.dumps({"instances": rows})),
    TENSORS.map(lambda tensors: json.dumps({"inputs": tensors, "outputs": [{"name": "label"}]})),
    st.dictionaries(st.sampled_from(["id", "inputs", "outputs", "parameters"]), JSON_VALUES).map(
        json.dumps
    ),
).map(str.encode) | st.binary(max_size=200)


@settings(max_examples=300, deadline=None, suppress_health_check=list(HealthCheck))
@given(body=BODIES, path=st.sampled_from(["/v1/models/churn:predict", "/v2/models/churn/infer"]))
def test_arbitrary_bodies_get_no_server_error(server: Server, body: bytes, path: str) -> None:
    response = server.client.post(path, content=body)
    assert response.status_code < 500, (path, body, response.text)
    assert response.status_code in (200, 400, 413), (path, body, response.text)
    assert "error" in response.json() or response.status_code == 200


BINARY_TENSORS = st.lists(
    st.fixed_dictionaries(
        {
            "name": st.sampled_from([*ROW, "x"]),
            "shape": st.just([1]),
            "datatype": st.sampled_from(
                ["INT64", "FP64", "FP16", "BYTES", "BOOL", "BF16", "UINT8"]
            ),
            "parameters": st.fixed_dictionaries({"binary_data_size": st.integers(-2, 12)}),
        }
    ),
    max_size=6,
)


@settings(max_examples=200, deadline=None, suppress_health_check=list(HealthCheck))
@given(tensors=BINARY_TENSORS, data=st.binary(max_size=48), length=st.integers(-3, 2000))
def test_arbitrary_binary_tensors_get_no_server_error(
    server: Server, tensors: list[dict[str, Any]], data: bytes, length: int
) -> None:
    header = json.dumps({"inputs": tensors}).encode()
    given = length if length < 1000 else len(header)
    response = server.client.post(
        "/v2/models/churn/infer",
        content=header + data,
        headers={"Inference-Header-Content-Length": str(given)},
    )
    assert response.status_code in (200, 400), (tensors, data, given, response.text)


def test_the_server_still_answers_after_the_fuzzing(server: Server) -> None:
    response = server.client.post("/v1/models/churn:predict", json={"instances": [ROW]})
    assert response.status_code == 200
    assert server.process.poll() is None
    assert httpx.get(server.url + "/v2/health/live").status_code == 200
