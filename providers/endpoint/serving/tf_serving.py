"""The TF Serving style REST API: `POST /v1/models/{name}:predict` with raw rows as
`{"instances": [{"tenure": 3, ...}]}`, answered with `{"predictions": [...]}`: for a
classifier `{"label": class, "probabilities": {"class": p, ...}}` per row, for a regressor
the number; and `GET /v1/models/{name}`, the model's status."""

from __future__ import annotations

from typing import Any

import numpy as np

from providers.endpoint.serving.bundle import Bundle
from providers.endpoint.serving.errors import bad_request
from providers.model.training import Predictions
from providers.split.transform_values import text_of

EXAMPLE = '{"instances": [{"column": value, ...}, ...]}'


def parse_predict(data: Any) -> list[Any]:
    """The rows of a predict request (each still to be checked as a row)."""
    if type(data) is not dict:
        raise bad_request(f"the body must be a JSON object: {EXAMPLE}")
    instances = data.get("instances")
    if instances is None:
        raise bad_request(f'the body has no "instances": send {EXAMPLE}')
    if type(instances) is not list:
        raise bad_request(f'"instances" must be a list of rows: {EXAMPLE}')
    if not instances:
        raise bad_request('"instances" is empty; send at least one row')
    return instances


def predict_response(bundle: Bundle, predictions: Predictions) -> dict[str, Any]:
    if bundle.classes is None:
        return {"predictions": np.asarray(predictions.values, dtype=np.float64).tolist()}
    assert predictions.probabilities is not None
    names = [text_of(value) for value in bundle.classes]
    labels = np.asarray(predictions.values).tolist()
    probabilities = np.asarray(predictions.probabilities, dtype=np.float64).tolist()
    return {
        "predictions": [
            {"label": label, "probabilities": dict(zip(names, row, strict=True))}
            for label, row in zip(labels, probabilities, strict=True)
        ]
    }


def model_status(bundle: Bundle | None) -> dict[str, Any]:
    if bundle is None:
        versions = []
    else:
        versions = [
            {
                "version": bundle.version,
                "state": "AVAILABLE",
                "status": {"error_code": "OK", "error_message": ""},
            }
        ]
    return {"model_version_status": versions}
