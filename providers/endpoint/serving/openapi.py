"""`/openapi.json`: an OpenAPI 3.1 document of every route, whose row and tensor schemas are
built from the served transform's input columns (their names, JSON types, which are
required), so that a client generator or a fuzzer knows what a valid request is."""

from __future__ import annotations

from typing import Any

from providers.common import VERSION
from providers.endpoint.serving.bundle import Bundle
from providers.endpoint.serving.open_inference import DATATYPES

JSON = "application/json"


def openapi_document(name: str, bundle: Bundle | None, secured: bool) -> dict[str, Any]:
    model = {"name": "name", "in": "path", "required": True, "schema": {"enum": [name]}}
    document: dict[str, Any] = {
        "openapi": "3.1.0",
        "info": {
            "title": f"mlform endpoint {name}",
            "version": VERSION,
            "description": (
                "Raw rows in, predictions out: each row goes through the split's fitted "
                "transform, then the model"
                + (f" (version {bundle.version})." if bundle is not None else ".")
            ),
        },
        "paths": {
            "/v2/health/live": _get("The server is up.", _object(), public=secured),
            "/v2/health/ready": _get("A model version is loaded.", _object(), public=secured),
            "/v2": _get("Server metadata.", _object()),
            "/v2/models/{name}": _get("Model metadata.", _object(), [model]),
            "/v2/models/{name}/ready": _get("The model is ready.", _object(), [model]),
            "/v2/models/{name}/infer": _post(
                "Predict rows sent as one tensor per column (Open Inference Protocol).",
                _infer_request(bundle),
                [model],
            ),
            "/v1/models/{name}": _get("Model status (TF Serving style).", _object(), [model]),
            "/v1/models/{name}:predict": _post(
                "Predict raw rows (TF Serving style).", _predict_request(bundle), [model]
            ),
            "/openapi.json": _get("This document.", _object()),
            "/metrics": _get("Prometheus metrics.", {"type": "string"}, media="text/plain"),
        },
        "components": {
            "schemas": {
                "Error": {
                    "type": "object",
                    "properties": {"error": {"type": "string"}},
                    "required": ["error"],
                }
            }
        },
    }
    if secured:
        document["components"]["securitySchemes"] = {"bearer": {"type": "http", "scheme": "bearer"}}
        document["security"] = [{"bearer": []}]
    return document


def _row(bundle: Bundle | None) -> dict[str, Any]:
    if bundle is None:
        return {"type": "object"}
    return {
        "type": "object",
        "properties": {
            column.name: {"type": [column.json_type, "null"]} for column in bundle.inputs
        },
        "required": [column.name for column in bundle.inputs if column.required],
        "additionalProperties": False,
    }


def _predict_request(bundle: Bundle | None) -> dict[str, Any]:
    return {
        "type": "object",
        "properties": {"instances": {"type": "array", "items": _row(bundle), "minItems": 1}},
        "required": ["instances"],
    }


def _infer_request(bundle: Bundle | None) -> dict[str, Any]:
    names = [column.name for column in bundle.inputs] if bundle is not None else None
    tensor: dict[str, Any] = {
        "type": "object",
        "properties": {
            "name": {"type": "string"} if names is None else {"enum": names},
            "shape": {"type": "array", "items": {"type": "integer", "minimum": 0}},
            "datatype": {"enum": list(DATATYPES)},
            "data": {"type": "array"},
            "parameters": {"type": "object"},
        },
        "required": ["name", "shape", "datatype", "data"],
    }
    outputs = [output.name for output in bundle.outputs] if bundle is not None else None
    output = {
        "type": "object",
        "properties": {
            "name": {"type": "string"} if outputs is None else {"enum": outputs},
            "parameters": {"type": "object"},
        },
        "required": ["name"],
    }
    return {
        "type": "object",
        "properties": {
            "id": {"type": "string"},
            "parameters": {"type": "object"},
            "inputs": {"type": "array", "items": tensor, "minItems": 1},
            "outputs": {"type": "array", "items": output},
        },
        "required": ["inputs"],
    }


def _object() -> dict[str, Any]:
    return {"type": "object"}


def _responses(
    summary: str, schema: dict[str, Any], media: str = JSON, *, body: bool = False
) -> dict[str, Any]:
    error = {"content": {JSON: {"schema": {"$ref": "#/components/schemas/Error"}}}}
    responses: dict[str, Any] = {
        "200": {"description": summary, "content": {media: {"schema": schema}}},
        "401": {"description": "A bearer token is required.", **error},
        "404": {"description": "No such model.", **error},
        "405": {"description": "Method not allowed.", **error},
        "503": {"description": "No model version is loaded yet.", **error},
    }
    if body:
        responses["400"] = {"description": "The request names a problem to fix.", **error}
        responses["413"] = {"description": "The body is over the limit.", **error}
    return responses


def _get(
    summary: str,
    schema: dict[str, Any],
    parameters: list[dict[str, Any]] | None = None,
    *,
    public: bool = False,
    media: str = JSON,
) -> dict[str, Any]:
    operation: dict[str, Any] = {
        "summary": summary,
        "responses": _responses(summary, schema, media),
    }
    if parameters:
        operation["parameters"] = parameters
    if public:
        operation["security"] = []
    return {"get": operation}


def _post(
    summary: str, request: dict[str, Any], parameters: list[dict[str, Any]]
) -> dict[str, Any]:
    return {
        "post": {
            "summary": summary,
            "parameters": parameters,
            "requestBody": {"required": True, "content": {JSON: {"schema": request}}},
            "responses": _responses(summary, _object(), body=True),
        }
    }
