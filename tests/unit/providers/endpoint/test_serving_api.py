"""Every route of a real serving process (token set), the errors a client can cause, and
predictions equal to the model provider's predictor on the transform's features."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import httpx
import numpy as np
import pytest

from tests.benchmarks.serving_model import rows_of
from tests.unit.providers.endpoint.conftest import TOKEN, Server, Versions, endpoint_root, serving

ROW = {"tenure": 3, "plan": "basic", "monthly": 20.5, "region": "north", "paperless": True}


@pytest.fixture(scope="module")
def server(versions: Versions, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    root = endpoint_root(tmp_path_factory.mktemp("api"), {"v1": versions.first}, "v1")
    with serving(root, token=TOKEN) as running:
        yield running


def expected_for(versions: Versions, rows: list[dict[str, Any]]) -> Any:
    """What the model provider's predictor says for the rows' transformed features."""
    from providers.model.loading import load_predictor

    first = versions.first
    card = {
        "format": "xgboost-json",
        "features": first.features,
        "task": first.task,
        "classes": first.classes,
        "objective": first.objective,
    }
    import tempfile
    from pathlib import Path

    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "model.json"
        first.booster.save_model(str(path))
        predictor = load_predictor(card, path)
    return predictor.predict(first.transform.apply_rows(rows).to_pandas())


def predict(server: Server, body: Any, **settings: Any) -> httpx.Response:
    content = body if isinstance(body, bytes) else json.dumps(body).encode()
    return server.client.post("/v1/models/churn:predict", content=content, **settings)


def test_health_checks_need_no_token(server: Server) -> None:
    for path in ("/v2/health/live", "/v2/health/ready"):
        response = httpx.get(server.url + path)
        assert response.status_code == 200, path
    assert httpx.get(server.url + "/v2/health/ready").json() == {"ready": True}


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("GET", "/v2"),
        ("GET", "/v2/models/churn"),
        ("GET", "/v2/models/churn/ready"),
        ("POST", "/v2/models/churn/infer"),
        ("GET", "/v1/models/churn"),
        ("POST", "/v1/models/churn:predict"),
        ("GET", "/openapi.json"),
        ("GET", "/metrics"),
        ("GET", "/no/such/route"),
    ],
)
@pytest.mark.parametrize("authorization", [None, "Bearer wrong", "Basic abc", f"bearer{TOKEN}"])
def test_every_other_route_needs_the_token(
    server: Server, method: str, path: str, authorization: str | None
) -> None:
    headers = {"Authorization": authorization} if authorization else {}
    response = httpx.request(method, server.url + path, headers=headers, content=b"{}")
    assert response.status_code == 401
    assert response.headers["www-authenticate"].startswith("Bearer")
    assert "bearer token" in response.json()["error"]


def test_the_token_works_with_any_case_of_bearer(server: Server) -> None:
    response = httpx.get(server.url + "/v2", headers={"Authorization": f"BEARER {TOKEN}"})
    assert response.status_code == 200


def test_metadata(server: Server, versions: Versions) -> None:
    assert server.client.get("/v2").json()["name"] == "mlform"
    metadata = server.client.get("/v2/models/churn").json()
    assert metadata["name"] == "churn" and metadata["versions"] == ["v1"]
    inputs = {tensor["name"]: tensor["datatype"] for tensor in metadata["inputs"]}
    assert inputs == {
        "customer_id": "BYTES",
        "tenure": "INT64",
        "plan": "BYTES",
        "monthly": "FP64",
        "region": "BYTES",
        "paperless": "BOOL",
    }
    assert [o["name"] for o in metadata["outputs"]] == ["label", "probabilities"]
    assert metadata["outputs"][0]["datatype"] == "BOOL"
    assert metadata["parameters"]["model_id"] == "model-v1"
    assert server.client.get("/v2/models/churn/ready").json()["ready"] is True
    assert server.client.get("/v2/models/churn/versions/v1/ready").status_code == 200
    assert server.client.get("/v2/models/churn/versions/v9/ready").status_code == 404
    status = server.client.get("/v1/models/churn").json()
    assert status["model_version_status"][0]["state"] == "AVAILABLE"


@pytest.mark.parametrize(
    ("method", "path", "status"),
    [
        ("GET", "/v2/models/other", 404),
        ("POST", "/v2/models/other/infer", 404),
        ("POST", "/v1/models/other:predict", 404),
        ("GET", "/v2/models/churn/explain", 404),
        ("GET", "/nothing", 404),
        ("GET", "/v2/models/churn/infer", 405),
        ("DELETE", "/v1/models/churn:predict", 405),
        ("POST", "/v2/health/live", 405),
        ("PUT", "/metrics", 405),
    ],
)
def test_unknown_models_and_routes_and_methods(
    server: Server, method: str, path: str, status: int
) -> None:
    response = server.client.request(method, path, content=json.dumps({"instances": [ROW]}))
    assert response.status_code == status
    assert response.json()["error"]
    if status == 405:
        assert response.headers["allow"] in ("GET", "POST")
    if "other" in path:
        assert '"other"' in response.json()["error"]


def test_v1_predict_equals_the_predictor(server: Server, versions: Versions) -> None:
    rows = rows_of(versions.table, 50)
    expected = expected_for(versions, rows)
    for batch in (rows[:1], rows[:7], rows):
        response = predict(server, {"instances": batch})
        assert response.status_code == 200, response.text
        predictions = response.json()["predictions"]
        assert [p["label"] for p in predictions] == expected.values[: len(batch)].tolist()
        probabilities = [
            [p["probabilities"]["false"], p["probabilities"]["true"]] for p in predictions
        ]
        assert probabilities == expected.probabilities[: len(batch)].astype(float).tolist()


def test_json_is_read_whatever_the_content_type(server: Server) -> None:
    for content_type in ("text/plain", "application/x-www-form-urlencoded", "nonsense"):
        response = predict(server, {"instances": [ROW]}, headers={"Content-Type": content_type})
        assert response.status_code == 200, content_type


def test_unknown_known_and_label_columns(server: Server) -> None:
    extra = {**ROW, "customer_id": "c1", "churned": False}
    assert predict(server, {"instances": [extra]}).status_code == 200


def test_nan_sent_as_json_literal_is_a_missing_value_where_filled(server: Server) -> None:
    body = json.dumps({"instances": [{**ROW, "monthly": float("nan")}]}).encode()
    assert b"NaN" in body
    response = predict(server, body)
    assert response.status_code == 200, response.text


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (b"{not json", "not valid JSON"),
        (b"", "empty"),
        (b"[1, 2]", '"instances"'),
        (b'{"rows": []}', 'no "instances"'),
        (b'{"instances": {}}', "must be a list"),
        (b'{"instances": []}', "empty"),
        (b'{"instances": [3]}', "row 0 is not an object"),
        (
            json.dumps({"instances": [ROW, {**ROW, "tenur": 1}]}).encode(),
            'row 1: unknown column "tenur"; did you mean "tenure"',
        ),
        (
            json.dumps({"instances": [{k: v for k, v in ROW.items() if k != "plan"}]}).encode(),
            'missing column "plan"',
        ),
        (
            json.dumps({"instances": [{**ROW, "tenure": "three"}]}).encode(),
            'column "tenure" expects a number',
        ),
        (
            json.dumps({"instances": [{**ROW, "plan": 3}]}).encode(),
            'column "plan" expects a string',
        ),
        (
            json.dumps({"instances": [{**ROW, "paperless": "yes"}]}).encode(),
            '"paperless" expects true or false',
        ),
        (
            json.dumps({"instances": [{**ROW, "paperless": None}]}).encode(),
            '"paperless" is missing',
        ),
        (json.dumps({"instances": [{**ROW, "paperless": float("nan")}]}).encode(), '"paperless"'),
        (json.dumps({"instances": [{**ROW, "monthly": float("inf")}]}).encode(), "Infinity"),
        (b'{"instances": [{"tenure": 1e999}]}', "too large"),
        (
            json.dumps({"instances": [{**ROW, "tenure": [1]}]}).encode(),
            'column "tenure" expects a number',
        ),
        (b"\xff\xfe{", "not valid JSON"),
        (b"[" * 100000, "JSON"),
    ],
)
def test_bad_requests_get_400_naming_the_problem(server: Server, body: bytes, message: str) -> None:
    response = predict(server, body)
    assert response.status_code == 400, response.text
    assert message in response.json()["error"]


def test_bodies_over_the_limit_get_413(server: Server) -> None:
    big = b'{"instances": [' + b" " * (1 << 20) + b"]}"
    response = predict(server, big)
    assert response.status_code == 413
    assert "limit" in response.json()["error"]

    def chunks() -> Iterator[bytes]:  # no Content-Length: the streamed size decides
        yield b'{"instances": ['
        for _ in range(20):
            yield b" " * 65536
        yield b"]}"

    response = server.client.post("/v1/models/churn:predict", content=chunks())
    assert response.status_code == 413
    assert predict(server, {"instances": [ROW]}).status_code == 200


def test_a_bad_content_length_is_refused_and_the_server_serves_on(server: Server) -> None:
    import socket

    for length in (b"abc", b"-5", b"99999999999999999999"):
        with socket.create_connection(("127.0.0.1", server.port), timeout=10) as connection:
            connection.sendall(
                b"POST /v1/models/churn:predict HTTP/1.1\r\nHost: x\r\n"
                b"Authorization: Bearer " + TOKEN.encode() + b"\r\n"
                b"Content-Length: " + length + b"\r\n\r\n{}"
            )
            status_line = connection.recv(4096).split(b"\r\n", 1)[0]
        assert status_line.split()[1] in (b"400", b"413"), (length, status_line)
    assert predict(server, {"instances": [ROW]}).status_code == 200


def test_infer_with_tensors(server: Server, versions: Versions) -> None:
    rows = rows_of(versions.table, 5)
    expected = expected_for(versions, rows)
    columns = ["tenure", "plan", "monthly", "region", "paperless"]
    datatypes = {
        "tenure": "INT64",
        "plan": "BYTES",
        "monthly": "FP64",
        "region": "BYTES",
        "paperless": "BOOL",
    }
    body = {
        "id": "request-7",
        "inputs": [
            {"name": c, "shape": [5], "datatype": datatypes[c], "data": [r[c] for r in rows]}
            for c in columns
        ],
    }
    answer = server.client.post("/v2/models/churn/infer", json=body).json()
    assert answer["id"] == "request-7" and answer["model_name"] == "churn"
    outputs = {o["name"]: o for o in answer["outputs"]}
    assert outputs["label"]["data"] == expected.values.tolist()
    assert outputs["label"]["datatype"] == "BOOL"
    assert outputs["probabilities"]["shape"] == [5, 2]
    assert outputs["probabilities"]["data"] == expected.probabilities.astype(float).ravel().tolist()
    body["outputs"] = [{"name": "probabilities", "parameters": {"classification": 1}}]
    answer = server.client.post("/v2/models/churn/infer", json=body).json()
    assert [o["name"] for o in answer["outputs"]] == ["probabilities"]
    top = answer["outputs"][0]
    assert top["datatype"] == "BYTES" and top["shape"] == [5, 1]
    assert [text.split(":")[2] for text in top["data"]] == [
        "true" if v else "false" for v in expected.values.tolist()
    ]


def test_infer_with_tritonclient(server: Server, versions: Versions) -> None:
    import tritonclient.http as triton

    rows = rows_of(versions.table, 4)
    expected = expected_for(versions, rows)
    client = triton.InferenceServerClient(url=f"127.0.0.1:{server.port}")
    headers = server.headers
    assert client.is_server_live()
    assert client.is_server_ready()
    assert client.is_model_ready("churn", headers=headers)
    assert client.get_model_metadata("churn", headers=headers)["versions"] == ["v1"]
    inputs = []
    arrays = {
        "tenure": (np.array([r["tenure"] for r in rows], dtype=np.int64), "INT64"),
        "plan": (np.array([r["plan"] for r in rows], dtype=np.object_), "BYTES"),
        "monthly": (np.array([r["monthly"] for r in rows], dtype=np.float64), "FP64"),
        "region": (np.array([r["region"] for r in rows], dtype=np.object_), "BYTES"),
        "paperless": (np.array([r["paperless"] for r in rows], dtype=np.bool_), "BOOL"),
    }
    for name, (array, datatype) in arrays.items():
        tensor = triton.InferInput(name, [len(rows)], datatype)
        tensor.set_data_from_numpy(array, binary_data=False)
        inputs.append(tensor)
    outputs = [
        triton.InferRequestedOutput("label", binary_data=False),
        triton.InferRequestedOutput("probabilities", binary_data=False),
    ]
    result = client.infer("churn", inputs, outputs=outputs, request_id="t1", headers=headers)
    assert result.get_response()["id"] == "t1"
    assert result.as_numpy("label").tolist() == expected.values.tolist()
    assert np.array_equal(result.as_numpy("probabilities"), expected.probabilities.astype(float))
    # no outputs named: tritonclient asks for binary outputs, and reads the JSON ones too
    result = client.infer("churn", inputs, headers=headers)
    assert result.as_numpy("label").tolist() == expected.values.tolist()
    # the binary tensor extension, tritonclient's default
    binary = []
    for name, (array, datatype) in arrays.items():
        tensor = triton.InferInput(name, [len(rows)], datatype)
        tensor.set_data_from_numpy(array)
        binary.append(tensor)
    result = client.infer("churn", binary, headers=headers)
    assert result.as_numpy("label").tolist() == expected.values.tolist()
    assert np.array_equal(result.as_numpy("probabilities"), expected.probabilities.astype(float))
    client.close()


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda b: b.pop("inputs"), '"inputs"'),
        (lambda b: b.update(inputs=[]), '"inputs"'),
        (lambda b: b.update(id=3), '"id" must be a string'),
        (lambda b: b["inputs"].pop(0), 'missing input "tenure"'),
        (lambda b: b["inputs"].append({**b["inputs"][0]}), "given twice"),
        (lambda b: b["inputs"][0].update(name="tenur"), 'unknown input "tenur"'),
        (lambda b: b["inputs"][0].update(datatype="BYTES"), "send INT64"),
        (lambda b: b["inputs"][0].update(datatype="FLOAT"), "datatype must be one of"),
        (lambda b: b["inputs"][0].update(shape=[2]), "does not match"),
        (lambda b: b["inputs"][0].update(shape=[1, 3]), "shape must be"),
        (lambda b: b["inputs"][0].update(data=["3"]), "not INT64 data"),
        (lambda b: b["inputs"][0].update(data=[True]), "not INT64 data"),
        (lambda b: b["inputs"][1].update(data=[3], datatype="BYTES"), "not BYTES data"),
        (lambda b: b["inputs"][0].update(parameters={"binary_data_size": 8}), "binary"),
        (lambda b: b.update(outputs=[{"name": "score"}]), 'unknown output "score"'),
        (
            lambda b: b.update(outputs=[{"name": "label", "parameters": {"classification": 2}}]),
            "classification",
        ),
        (lambda b: [t.update(shape=[0], data=[]) for t in b["inputs"]], "no rows"),
        (lambda b: b["inputs"][4].update(data=[None]), '"paperless" is missing'),
    ],
)
def test_bad_infer_requests_get_400(server: Server, change: Any, message: str) -> None:
    body = {
        "inputs": [
            {"name": "tenure", "shape": [1], "datatype": "INT64", "data": [3]},
            {"name": "plan", "shape": [1], "datatype": "BYTES", "data": ["basic"]},
            {"name": "monthly", "shape": [1, 1], "datatype": "FP64", "data": [[20.5]]},
            {"name": "region", "shape": [1], "datatype": "BYTES", "data": ["north"]},
            {"name": "paperless", "shape": [1], "datatype": "BOOL", "data": [True]},
        ]
    }
    assert server.client.post("/v2/models/churn/infer", json=body).status_code == 200
    change(body)
    response = server.client.post("/v2/models/churn/infer", json=body)
    assert response.status_code == 400, response.text
    assert message in response.json()["error"]


def test_openapi_describes_the_routes_and_the_columns(server: Server) -> None:
    from openapi_spec_validator import validate

    document = server.client.get("/openapi.json").json()
    validate(document)
    assert set(document["paths"]) >= {
        "/v2/health/live",
        "/v2/health/ready",
        "/v2",
        "/v2/models/{name}",
        "/v2/models/{name}/ready",
        "/v2/models/{name}/infer",
        "/v1/models/{name}:predict",
        "/openapi.json",
        "/metrics",
    }
    request = document["paths"]["/v1/models/{name}:predict"]["post"]["requestBody"]
    row = request["content"]["application/json"]["schema"]["properties"]["instances"]["items"]
    assert row["properties"]["tenure"] == {"type": ["integer", "null"]}
    assert row["properties"]["plan"] == {"type": ["string", "null"]}
    assert row["properties"]["paperless"] == {"type": ["boolean", "null"]}
    assert row["properties"]["customer_id"] == {"type": ["string", "null"]}
    assert set(row["required"]) == {"tenure", "plan", "monthly", "region", "paperless"}
    assert row["additionalProperties"] is False
    assert document["security"] == [{"bearer": []}]
    assert document["paths"]["/v2/health/live"]["get"]["security"] == []


def test_metrics_in_prometheus_format(server: Server) -> None:
    from prometheus_client.parser import text_string_to_metric_families

    assert predict(server, {"instances": [ROW, ROW]}).status_code == 200
    assert predict(server, b"{").status_code == 400
    response = server.client.get("/metrics")
    assert response.headers["content-type"].startswith("text/plain")
    families = {f.name: f for f in text_string_to_metric_families(response.text)}
    requests = {
        (s.labels["route"], s.labels["status"]): s.value
        for s in families["mlform_endpoint_requests"].samples
    }
    assert requests[("/v1/models/{name}:predict", "200")] >= 1
    assert requests[("/v1/models/{name}:predict", "400")] >= 1
    errors = families["mlform_endpoint_request_errors"].samples
    assert all(int(s.labels["status"]) >= 400 for s in errors)
    latency = families["mlform_endpoint_request_duration_seconds"]
    assert latency.type == "histogram"
    assert any(s.name.endswith("_count") and s.value >= 1 for s in latency.samples)
    info = families["mlform_endpoint_model_info"].samples
    assert [(s.labels["version"], s.labels["model_id"]) for s in info] == [("v1", "model-v1")]
    rows = families["mlform_endpoint_predicted_rows"].samples[0].value
    assert rows >= 2


def test_the_token_never_reaches_the_log(server: Server) -> None:
    httpx.get(server.url + "/v2", headers={"Authorization": f"Bearer {TOKEN}x"})
    assert TOKEN not in server.log.read_text()
    assert TOKEN not in " ".join(server.process.args)  # type: ignore[arg-type]


def binary_request(tensors: list[tuple[str, str, bytes]], extra: bytes = b"") -> tuple[bytes, int]:
    header = json.dumps(
        {
            "inputs": [
                {
                    "name": name,
                    "shape": [1],
                    "datatype": datatype,
                    "parameters": {"binary_data_size": len(data)},
                }
                for name, datatype, data in tensors
            ]
        }
    ).encode()
    return header + b"".join(data for _, _, data in tensors) + extra, len(header)


def text(value: str) -> bytes:
    encoded = value.encode()
    return len(encoded).to_bytes(4, "little") + encoded


GOOD_BINARY = [
    ("tenure", "INT64", (3).to_bytes(8, "little")),
    ("plan", "BYTES", text("basic")),
    ("monthly", "FP64", np.array([20.5]).tobytes()),
    ("region", "BYTES", text("north")),
    ("paperless", "BOOL", b"\x01"),
]


@pytest.mark.parametrize(
    ("tensors", "extra", "length", "message"),
    [
        (GOOD_BINARY, b"", None, None),
        (GOOD_BINARY, b"xx", None, "bytes more than"),
        (GOOD_BINARY, b"", "100000", "not a length within the body"),
        (GOOD_BINARY, b"", "abc", "not a length within the body"),
        ([*GOOD_BINARY[:1], ("plan", "BYTES", b"\x09\x00\x00\x00ab")], b"", None, "runs past"),
        ([*GOOD_BINARY[:1], ("plan", "BYTES", text("ab")[:-1] + b"\xff")], b"", None, "UTF-8"),
        ([("tenure", "INT64", b"\x01\x02\x03"), *GOOD_BINARY[1:]], b"", None, "whole number"),
        (
            [*GOOD_BINARY[:2], ("monthly", "FP64", np.array([np.inf]).tobytes()), *GOOD_BINARY[3:]],
            b"",
            None,
            "infinite",
        ),
    ],
)
def test_binary_tensors(
    server: Server,
    tensors: list[tuple[str, str, bytes]],
    extra: bytes,
    length: str | None,
    message: str | None,
) -> None:
    body, header = binary_request(tensors, extra)
    headers = {"Inference-Header-Content-Length": length or str(header)}
    response = server.client.post("/v2/models/churn/infer", content=body, headers=headers)
    if message is None:
        assert response.status_code == 200, response.text
        plain = predict(server, {"instances": [ROW]}).json()["predictions"][0]
        outputs = {o["name"]: o["data"] for o in response.json()["outputs"]}
        assert outputs["label"] == [plain["label"]]
        assert outputs["probabilities"] == [
            plain["probabilities"]["false"],
            plain["probabilities"]["true"],
        ]
    else:
        assert response.status_code == 400, response.text
        assert message in response.json()["error"]
