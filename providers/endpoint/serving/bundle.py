"""One model version as the serving process holds it: the directory the runtime prepared
(`card.json`, the model file, `transform.json`, `version.json`) loaded into a `Bundle`, which a
request reads through a single reference, so the transform and the model it uses always
belong to the same version."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from providers.endpoint.serving.pipeline import Pipeline
from providers.model.training import Task
from providers.split.transform import FittedTransform
from providers.split.transform_values import Kind, Role

CARD_FILE = "card.json"
TRANSFORM_FILE = "transform.json"
VERSION_FILE = "version.json"
OWN_FILES = (CARD_FILE, TRANSFORM_FILE, VERSION_FILE)

DATATYPES = {Kind.STRING: "BYTES", Kind.BOOL: "BOOL", Kind.INTEGER: "INT64", Kind.FLOAT: "FP64"}
JSON_TYPES = {Kind.STRING: "string", Kind.BOOL: "boolean", Kind.INTEGER: "integer"}


@dataclass(frozen=True)
class InputColumn:
    """A column a request may send: every column of the dataset but the label. A feature
    column is required (null is a missing value); the others are accepted and ignored."""

    name: str
    kind: Kind
    required: bool

    @property
    def datatype(self) -> str:
        return DATATYPES.get(self.kind, "BYTES")

    @property
    def json_type(self) -> str:
        return JSON_TYPES.get(self.kind, "number" if self.kind is Kind.FLOAT else "string")


@dataclass(frozen=True)
class OutputTensor:
    name: str
    datatype: str
    shape: tuple[int, ...]


@dataclass(frozen=True)
class Bundle:
    version: str
    model_id: str
    transform_id: str
    directory: Path
    format: str
    task: Task
    classes: tuple[Any, ...] | None
    inputs: tuple[InputColumn, ...]
    pipeline: Pipeline

    @property
    def label_datatype(self) -> str:
        return label_datatype(self.classes)

    @property
    def outputs(self) -> tuple[OutputTensor, ...]:
        if self.classes is None:
            return (OutputTensor("predictions", "FP64", (-1,)),)
        return (
            OutputTensor("label", self.label_datatype, (-1,)),
            OutputTensor("probabilities", "FP64", (-1, len(self.classes))),
        )


def label_datatype(classes: tuple[Any, ...] | None) -> str:
    if classes is None:
        return "FP64"
    if all(isinstance(value, bool) for value in classes):
        return "BOOL"
    if all(isinstance(value, int) and not isinstance(value, bool) for value in classes):
        return "INT64"
    if all(isinstance(value, int | float) and not isinstance(value, bool) for value in classes):
        return "FP64"
    return "BYTES"


def load_bundle(directory: Path) -> Bundle:
    """Everything a version needs to answer requests; raises on a damaged directory."""
    from providers.model.loading import load_predictor

    version = _read_json(directory / VERSION_FILE)
    card = _read_json(directory / CARD_FILE)
    transform = FittedTransform.from_json(_read_json(directory / TRANSFORM_FILE))
    model_path = model_file(card, directory)
    predictor = load_predictor(card, model_path)
    pipeline = Pipeline.build(transform, predictor)
    classes = None if predictor.classes is None else tuple(_plain(c) for c in predictor.classes)
    inputs = tuple(
        InputColumn(column.name, column.kind, column.name in pipeline.required)
        for column in transform.columns
        if column.role is not Role.LABEL and column.name != card.get("label")
    )
    return Bundle(
        version=str(version["version"]),
        model_id=str(version.get("model_id", "")),
        transform_id=str(version.get("transform_id", "")),
        directory=directory,
        format=str(card.get("format", "")),
        task=predictor.task,
        classes=classes,
        inputs=inputs,
        pipeline=pipeline,
    )


def model_file(card: dict[str, Any], directory: Path) -> Path:
    """The model file: the one `card["file"]` names, else the one called `model.*`, else the
    only file of the directory besides the card, the transform and the version."""
    name = card.get("file")
    if isinstance(name, str) and name and Path(name).name == name:
        return directory / name
    others = sorted(p for p in directory.iterdir() if p.name not in OWN_FILES and p.is_file())
    named = [p for p in others if p.stem == "model"]
    found = named if len(named) == 1 else others
    if len(found) != 1:
        raise ValueError(
            f"{directory} holds no single model file beside {CARD_FILE} ({len(others)} other "
            "files); the runtime should copy the model there as model.<extension>"
        )
    return found[0]


def _read_json(path: Path) -> dict[str, Any]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except ValueError as error:
        raise ValueError(f"{path.name} is not valid JSON: {error}") from None
    if not isinstance(data, dict):
        raise ValueError(f"{path} does not hold a JSON object")
    return data


def _plain(value: Any) -> Any:
    """A class as a plain JSON scalar (numpy scalars unwrapped)."""
    return value.item() if hasattr(value, "item") else value
