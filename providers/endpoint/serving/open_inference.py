"""The Open Inference Protocol (KServe V2) over REST: an inference request's JSON tensors
checked and turned into rows (one input tensor per raw column), and the predictions turned
into output tensors. Outputs: `label` and `probabilities` for a classifier, `predictions` for
a regressor; `probabilities` honours Triton's `classification` parameter (top k as
"score:index:label" strings). Input tensors may come as JSON data or through the binary
tensor extension (tritonclient's default); outputs are always JSON data, which clients read
whatever they asked for."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from providers.endpoint.serving.binary_tensors import BinaryData
from providers.endpoint.serving.bundle import Bundle, InputColumn
from providers.endpoint.serving.errors import bad_request
from providers.model.training import Predictions
from providers.split.transform_rows import shown
from providers.split.transform_values import Kind, text_of

INTEGERS = ("INT8", "INT16", "INT32", "INT64", "UINT8", "UINT16", "UINT32", "UINT64")
FLOATS = ("FP16", "FP32", "FP64", "BF16")
DATATYPES = ("BOOL", *INTEGERS, *FLOATS, "BYTES")
ACCEPTED = {
    Kind.FLOAT: (*INTEGERS, *FLOATS),
    Kind.INTEGER: (*INTEGERS, *FLOATS),
    Kind.BOOL: ("BOOL", *INTEGERS),
    Kind.STRING: ("BYTES",),
}
SUGGESTED = {Kind.FLOAT: "FP64", Kind.INTEGER: "INT64", Kind.BOOL: "BOOL", Kind.STRING: "BYTES"}


@dataclass(frozen=True)
class RequestedOutput:
    name: str
    classification: int | None = None


@dataclass(frozen=True)
class InferRequest:
    id: str | None
    rows: list[dict[str, Any]]
    outputs: tuple[RequestedOutput, ...]


def parse_infer(data: Any, bundle: Bundle, binary: bytes | None = None) -> InferRequest:
    """The rows of an inference request; `binary`: the bytes after the JSON header when the
    request uses the binary tensor extension (Inference-Header-Content-Length)."""
    if type(data) is not dict:
        raise bad_request('the body must be a JSON object with "inputs": a list of tensors')
    request_id = data.get("id")
    if request_id is not None and type(request_id) is not str:
        raise bad_request('"id" must be a string')
    parameters = data.get("parameters")
    if parameters is not None and type(parameters) is not dict:
        raise bad_request('"parameters" must be an object')
    inputs = data.get("inputs")
    if type(inputs) is not list or not inputs:
        raise bad_request('"inputs" must be a non-empty list of tensors, one per column')
    columns = {column.name: column for column in bundle.inputs}
    known = bundle.pipeline.known
    values: dict[str, list[Any]] = {}
    rows = -1
    buffer = BinaryData(binary)
    for index, tensor in enumerate(inputs):
        name, data_ = _tensor(index, tensor, columns, known, values, buffer)
        if rows >= 0 and len(data_) != rows:
            raise bad_request(
                f'input "{name}" holds {len(data_)} values, but the inputs before it hold '
                f"{rows}: send one value per row in every input"
            )
        rows = len(data_)
        values[name] = data_
    if rows == 0:
        raise bad_request("the inputs hold no rows; send at least one")
    buffer.check_used()
    missing = [c.name for c in bundle.inputs if c.required and c.name not in values]
    if missing:
        listed = ", ".join(f'"{name}"' for name in missing[:8])
        raise bad_request(
            f"missing input{'s' if len(missing) > 1 else ''} {listed}: send one input tensor per "
            "feature column (null values for missing ones)"
        )
    names = list(values)
    table = [dict(zip(names, row, strict=True)) for row in zip(*values.values(), strict=True)]
    return InferRequest(request_id, table, _outputs(data.get("outputs"), bundle))


def _tensor(
    index: int,
    tensor: Any,
    columns: dict[str, InputColumn],
    known: frozenset[str],
    seen: dict[str, list[Any]],
    binary: BinaryData,
) -> tuple[str, list[Any]]:
    where = f"inputs[{index}]"
    if type(tensor) is not dict:
        raise bad_request(f"{where} must be an object with name, shape, datatype and data")
    name = tensor.get("name")
    if type(name) is not str:
        raise bad_request(f'{where} has no "name" (the column it holds)')
    where = f'input "{name}"' if len(name) <= 64 else f"{where}"
    if name in seen:
        raise bad_request(f"{where} is given twice")
    if name not in known:
        raise bad_request(
            f"unknown input {shown(name)}; send one input per column of the dataset: "
            f"{', '.join(sorted(columns))}"
        )
    parameters = tensor.get("parameters")
    if parameters is not None and type(parameters) is not dict:
        raise bad_request(f'{where}: "parameters" must be an object')
    datatype = tensor.get("datatype")
    if datatype not in DATATYPES:
        raise bad_request(f"{where}: datatype must be one of {', '.join(DATATYPES)}")
    column = columns.get(name)
    if column is not None and column.kind in ACCEPTED and datatype not in ACCEPTED[column.kind]:
        raise bad_request(
            f"{where} has datatype {datatype}, but the column holds {column.kind.noun}: "
            f"send {SUGGESTED[column.kind]}"
        )
    shape = tensor.get("shape")
    if (
        type(shape) is not list
        or not 1 <= len(shape) <= 2
        or any(type(size) is not int or size < 0 for size in shape)
        or (len(shape) == 2 and shape[1] != 1)
    ):
        raise bad_request(f"{where}: shape must be [rows] or [rows, 1], not {shown(shape)}")
    if parameters and "binary_data_size" in parameters:
        flat = binary.take(parameters["binary_data_size"], datatype, where)
    else:
        data = tensor.get("data")
        if type(data) is not list:
            raise bad_request(f'{where}: "data" must be a list of values')
        flat = _flat(data, where)
    if len(flat) != shape[0]:
        raise bad_request(f"{where}: shape {shape} does not match the {len(flat)} values sent")
    _check_values(flat, datatype, where)
    return name, flat


def _flat(data: list[Any], where: str) -> list[Any]:
    if not any(type(value) is list for value in data):
        return data
    flat: list[Any] = []
    for value in data:
        if type(value) is list:
            if any(type(inner) is list for inner in value):
                raise bad_request(f"{where}: data nests deeper than [rows, 1]")
            flat += value
        else:
            flat.append(value)
    return flat


def _check_values(values: list[Any], datatype: str, where: str) -> None:
    if datatype == "BYTES":
        wanted: tuple[type, ...] = (str,)
    elif datatype == "BOOL":
        wanted = (bool,)
    elif datatype in INTEGERS:
        wanted = (int,)
    else:
        wanted = (int, float)
    for row, value in enumerate(values):
        if value is not None and type(value) not in wanted:
            raise bad_request(
                f"{where}: value {row} is {shown(value)}, which is not {datatype} data"
            )


def _outputs(requested: Any, bundle: Bundle) -> tuple[RequestedOutput, ...]:
    available = [output.name for output in bundle.outputs]
    if requested is None:
        return tuple(RequestedOutput(name) for name in available)
    if type(requested) is not list:
        raise bad_request('"outputs" must be a list of objects naming the outputs wanted')
    found: dict[str, RequestedOutput] = {}
    for index, output in enumerate(requested):
        if type(output) is not dict or type(output.get("name")) is not str:
            raise bad_request(f'outputs[{index}] must be an object with a "name"')
        name = output["name"]
        if name not in available:
            raise bad_request(
                f"unknown output {shown(name)}; this model gives {', '.join(available)}"
            )
        if name in found:
            raise bad_request(f'output "{name}" is requested twice')
        parameters = output.get("parameters")
        if parameters is not None and type(parameters) is not dict:
            raise bad_request(f'outputs[{index}]: "parameters" must be an object')
        top = (parameters or {}).get("classification")
        if top is not None:
            if type(top) is not int or top < 1:
                raise bad_request(f'output "{name}": classification must be a whole number >= 1')
            if name != "probabilities":
                raise bad_request('classification applies to the "probabilities" output only')
        found[name] = RequestedOutput(name, top)
    return tuple(found.values())


def infer_response(
    bundle: Bundle, name: str, request: InferRequest, predictions: Predictions
) -> dict[str, Any]:
    rows = len(request.rows)
    tensors = []
    for output in request.outputs:
        if output.name == "predictions":
            data = np.asarray(predictions.values, dtype=np.float64).tolist()
            tensors.append(_tensor_of("predictions", "FP64", [rows], data))
        elif output.name == "label":
            datatype = bundle.label_datatype
            labels = np.asarray(predictions.values).tolist()
            if datatype == "BYTES":
                labels = [text_of(value) for value in labels]
            tensors.append(_tensor_of("label", datatype, [rows], labels))
        else:
            tensors.append(_probabilities(bundle, predictions, rows, output.classification))
    body: dict[str, Any] = {"model_name": name, "model_version": bundle.version}
    if request.id is not None:
        body["id"] = request.id
    body["outputs"] = tensors
    return body


def _probabilities(
    bundle: Bundle, predictions: Predictions, rows: int, top: int | None
) -> dict[str, Any]:
    assert predictions.probabilities is not None and bundle.classes is not None
    probabilities = np.asarray(predictions.probabilities, dtype=np.float64)
    classes = len(bundle.classes)
    if top is None:
        return _tensor_of("probabilities", "FP64", [rows, classes], probabilities.ravel().tolist())
    top = min(top, classes)
    order = np.argsort(-probabilities, axis=1, kind="stable")[:, :top]
    texts = [
        f"{probabilities[row, index]!r}:{index}:{text_of(bundle.classes[index])}"
        for row in range(rows)
        for index in order[row].tolist()
    ]
    return _tensor_of("probabilities", "BYTES", [rows, top], texts)


def _tensor_of(name: str, datatype: str, shape: list[int], data: list[Any]) -> dict[str, Any]:
    return {"name": name, "datatype": datatype, "shape": shape, "data": data}


def model_metadata(bundle: Bundle, name: str) -> dict[str, Any]:
    return {
        "name": name,
        "versions": [bundle.version],
        "platform": f"mlform_{bundle.format or 'model'}",
        "inputs": [
            {"name": column.name, "datatype": column.datatype, "shape": [-1]}
            for column in bundle.inputs
        ],
        "outputs": [
            {"name": o.name, "datatype": o.datatype, "shape": list(o.shape)} for o in bundle.outputs
        ],
        "parameters": {
            "model_id": bundle.model_id,
            "transform_id": bundle.transform_id,
            "task": bundle.task.value,
            "required_inputs": [column.name for column in bundle.inputs if column.required],
        },
    }
