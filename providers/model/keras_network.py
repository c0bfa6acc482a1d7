"""The Keras network a tensorflow model trains: declared in layer blocks, or returned by the
user's `build_model`, and compiled from the model's settings.

Layer blocks become a functional model: the numeric features as one float32 vector, each
embedded vocabulary column through an `Embedding` of its own (flattened), all concatenated
before the other layers in their order, then an output layer chosen by the task. Every layer
is named after its block, so that the saved configuration does not depend on how many
models the process built before.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from providers.model.keras_inputs import NUMERIC_INPUT, NetworkInputs, embedded_input
from providers.model.training import Task, TrainingData, TrainingSettings
from providers.problems import Problem

DEFAULT_LOSS = {
    Task.BINARY: "binary_crossentropy",
    Task.MULTICLASS: "sparse_categorical_crossentropy",
    Task.REGRESSION: "mse",
}


def network_inputs(data: TrainingData, layers: Sequence[Mapping[str, Any]]) -> NetworkInputs:
    """The features split between the float vector and the embedded columns."""
    embedded: list[str] = []
    for index, layer in enumerate(layers):
        if layer["type"] != "embedding":
            continue
        for column in layer.get("columns") or ():
            if column not in data.features:
                raise Problem.at(
                    ("layer", index, "columns"),
                    f"embedding column {column} is not one of the split's features; embed a "
                    "vocabulary-encoded feature column",
                )
            if column in embedded:
                raise Problem.at(
                    ("layer", index, "columns"),
                    f"column {column} is embedded twice; name it in one embedding layer",
                )
            embedded.append(column)
    numeric = tuple(feature for feature in data.features if feature not in embedded)
    return NetworkInputs(numeric=numeric, embedded=tuple(embedded))


def build_declared(
    keras: Any,
    data: TrainingData,
    settings: TrainingSettings,
    inputs: NetworkInputs,
    embeddings: Mapping[str, tuple[int, int, int]],
) -> Any:
    """The functional model the layer blocks declare, with the task's output layer;
    `embeddings` are `check_embeddings`'s sizes."""
    tensors = []
    entries = {}
    if inputs.numeric:
        numeric = keras.Input(shape=(len(inputs.numeric),), dtype="float32", name=NUMERIC_INPUT)
        entries[NUMERIC_INPUT] = numeric
        tensors.append(numeric)
    for position, column in enumerate(inputs.embedded):
        index, input_dim, output_dim = embeddings[column]
        entry = keras.Input(shape=(1,), dtype="int32", name=embedded_input(position))
        entries[embedded_input(position)] = entry
        embedded = keras.layers.Embedding(
            input_dim, output_dim, name=f"layer_{index}_embedding_{position}"
        )(entry)
        tensors.append(keras.layers.Flatten(name=f"layer_{index}_flatten_{position}")(embedded))
    if not tensors:
        raise Problem.at(("split",), "the network has no inputs: the split has no features")
    tensor = tensors[0]
    if len(tensors) > 1:
        tensor = keras.layers.Concatenate(name="inputs")(tensors)
    for index, layer in enumerate(settings.layers):
        tensor = _apply_layer(keras, layer, index, tensor)
    tensor = _output_layer(keras, data)(tensor)
    # A single vector is fed as an array, several inputs as a dict keyed by input name.
    structure = numeric if inputs.is_single_vector else entries
    return keras.Model(inputs=structure, outputs=tensor, name="network")


def check_embeddings(
    data: TrainingData, settings: TrainingSettings
) -> dict[str, tuple[int, int, int]]:
    """For each embedded column: its layer's index, input_dim and output_dim, checked
    against the indices the column holds in the train and valid parts."""
    sizes = {}
    for index, layer in enumerate(settings.layers):
        if layer["type"] != "embedding":
            continue
        for column in layer.get("columns") or ():
            input_dim = layer.get("input_dim")
            if input_dim is None:
                input_dim = settings.vocabulary_sizes.get(column)
            if input_dim is None:
                raise Problem.at(
                    ("layer", index, "columns"),
                    f"column {column} is not vocabulary-encoded by the split, so its "
                    "vocabulary size is unknown; encode it with a vocabulary in the split, "
                    "or set input_dim",
                )
            sizes[column] = (index, int(input_dim), int(layer["output_dim"]))
            _check_indices(data, column, index, int(input_dim))
    return sizes


def _check_indices(data: TrainingData, column: str, index: int, input_dim: int) -> None:
    for frame in (data.train, data.valid):
        if frame is None or not len(frame):
            continue
        low, high = frame[column].min(), frame[column].max()
        if low < 0 or high >= input_dim:
            raise Problem.at(
                ("layer", index, "columns"),
                f"column {column} holds values from {low} to {high}, and its embedding takes "
                f"indices from 0 to {input_dim - 1}: embed a vocabulary-encoded column, or "
                "set input_dim to fit",
            )


def _apply_layer(keras: Any, layer: Mapping[str, Any], index: int, tensor: Any) -> Any:
    kind = layer["type"]
    name = f"layer_{index}_{kind}"
    if kind == "dense":
        return keras.layers.Dense(
            int(layer["units"]), activation=layer.get("activation"), name=name
        )(tensor)
    if kind == "dropout":
        return keras.layers.Dropout(float(layer["rate"]), name=name)(tensor)
    if kind == "batch_normalization":
        return keras.layers.BatchNormalization(name=name)(tensor)
    if kind == "embedding":  # applied to its columns at the inputs
        return tensor
    raise Problem.at(("layer", index), f'unknown layer type "{kind}"')


def _output_layer(keras: Any, data: TrainingData) -> Any:
    if data.task is Task.BINARY:
        return keras.layers.Dense(1, activation="sigmoid", name="output")
    if data.task is Task.MULTICLASS:
        return keras.layers.Dense(len(data.classes or ()), activation="softmax", name="output")
    return keras.layers.Dense(1, activation="linear", name="output")


def build_from_code(keras: Any, data: TrainingData, settings: TrainingSettings) -> Any:
    """The model `build_model(input_dim, task, classes, params)` returns, checked."""
    assert settings.code is not None
    classes = list(data.classes) if data.classes is not None else None
    model = settings.code(len(data.features), data.task.value, classes, dict(settings.params))
    if not isinstance(model, keras.Model):
        raise Problem.at(
            ("code",),
            f"build_model returned {type(model).__name__}, not a Keras model; return a "
            "keras.Model (Sequential or functional)",
        )
    width = _probed_width(model, len(data.features))
    expected = {Task.BINARY: (1, 2), Task.REGRESSION: (1,)}.get(
        data.task, (len(data.classes or ()),)
    )
    if width not in expected:
        raise Problem.at(
            ("code",),
            f"build_model's model has {width} outputs; a {data.task.value} model on this "
            f"label needs {' or '.join(map(str, expected))}",
        )
    return model


def _probed_width(model: Any, input_dim: int) -> int:
    """The number of outputs, from a call on one row of zeros (which also builds a
    Sequential model declared without an Input)."""
    import numpy as np

    return int(model(np.zeros((1, input_dim), dtype=np.float32), training=False).shape[-1])


def output_width(model: Any) -> int:
    return int(model.outputs[0].shape[-1])


def compile_model(keras: Any, model: Any, data: TrainingData, settings: TrainingSettings) -> None:
    """Compile with the model's optimizer, learning rate and loss, unless build_model
    compiled it already (its choices then stand, and setting them again is an error)."""
    if getattr(model, "compiled", False):
        overridden = [
            name
            for name in ("optimizer", "learning_rate", "loss")
            if getattr(settings, name) is not None
        ]
        if overridden:
            raise Problem.at(
                (overridden[0],),
                f"build_model returns a compiled model, so {', '.join(overridden)} would be "
                "ignored; remove them, or return the model uncompiled",
            )
        return
    loss = settings.loss or _default_loss(model, data)
    try:
        keras.losses.get(loss)
    except ValueError:
        raise Problem.at(
            ("loss",),
            f'unknown loss "{loss}"; use a Keras loss such as "{DEFAULT_LOSS[data.task]}"',
        ) from None
    model.compile(
        optimizer=_optimizer(keras, settings),
        loss=loss,
        metrics=_metrics(keras, model, data.task),
        jit_compile=False,
    )


def _default_loss(model: Any, data: TrainingData) -> str:
    if data.task is Task.BINARY and output_width(model) == 2:
        return DEFAULT_LOSS[Task.MULTICLASS]
    return DEFAULT_LOSS[data.task]


def _optimizer(keras: Any, settings: TrainingSettings) -> Any:
    name = settings.optimizer or "adam"
    # Named, or Keras numbers it by how many optimizers the process made (adam_1, ...).
    config: dict[str, Any] = {"name": name}
    if settings.learning_rate is not None:
        config["learning_rate"] = settings.learning_rate
    try:
        return keras.optimizers.get({"class_name": name, "config": config})
    except ValueError:
        raise Problem.at(("optimizer",), f'unknown optimizer "{name}"') from None


def _metrics(keras: Any, model: Any, task: Task) -> list[Any]:
    if task is Task.BINARY and output_width(model) == 1:
        return [keras.metrics.AUC(name="auc"), "accuracy"]
    if task.is_classification:
        return ["accuracy"]
    return [keras.metrics.MeanAbsoluteError(name="mae")]
