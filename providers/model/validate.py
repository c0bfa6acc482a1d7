"""Checks of a model's configuration: its type and the settings each type takes."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from mlform.sdk import (
    BlockValue,
    ProviderDiagnostic,
    blocks_of,
    did_you_mean,
    number_of,
    quoted_choices,
    value_of,
)
from providers.common import check_code_reference, check_positive_whole
from providers.model.schema import MODEL_TYPES

Config = Mapping[str, Any]

# The settings that only some types take; the others are errors, so that a typo in `type`
# or a setting meant for another library does not pass silently.
ONLY_FOR = {
    "rounds": ("xgboost",),
    "early_stopping_rounds": ("xgboost", "tensorflow"),
    "optimizer": ("tensorflow",),
    "learning_rate": ("tensorflow",),
    "loss": ("tensorflow",),
    "epochs": ("tensorflow",),
    "batch_size": ("tensorflow",),
    "code": ("tensorflow", "python"),
}
HINTS = {("learning_rate", "xgboost"): " (for xgboost, set params.eta)"}
OPTIMIZERS = ("adam", "adamw", "sgd", "rmsprop", "adagrad", "adadelta", "adamax", "nadam", "ftrl")
ACTIVATIONS = (
    "relu", "sigmoid", "softmax", "tanh", "linear", "elu", "selu", "gelu", "swish", "silu",
    "softplus", "softsign", "exponential", "leaky_relu", "relu6", "mish", "hard_sigmoid",
)  # fmt: skip
# Layer type -> (required settings, allowed settings).
LAYERS: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "dense": (("units",), ("units", "activation")),
    "dropout": (("rate",), ("rate",)),
    "batch_normalization": ((), ()),
    "embedding": (("output_dim", "columns"), ("input_dim", "output_dim", "columns")),
}
LAYER_SETTINGS = ("units", "activation", "rate", "input_dim", "output_dim", "columns")
TASKS = ("classification", "binary", "multiclass", "regression")
XGBOOST_OBJECTIVES = (
    "binary:logistic", "binary:logitraw", "binary:hinge",
    "multi:softprob", "multi:softmax",
    "reg:squarederror", "reg:squaredlogerror", "reg:logistic", "reg:pseudohubererror",
    "reg:absoluteerror", "reg:quantileerror", "reg:gamma", "reg:tweedie",
    "count:poisson", "survival:cox",
)  # fmt: skip
"""The objectives mlform trains with: ranking needs query groups and survival:aft interval
labels, which a split does not give."""
# xgboost parameters that the model block sets through its own attributes, so that one
# setting is not given twice with two values.
XGBOOST_PARAMS_OF_ATTRIBUTES = {
    "seed": "seed",
    "random_state": "seed",
    "nthread": "nthread",
    "n_jobs": "nthread",
    "num_boost_round": "rounds",
    "num_round": "rounds",
    "n_estimators": "rounds",
    "early_stopping_rounds": "early_stopping_rounds",
}


def validate_model(config: Config) -> list[ProviderDiagnostic]:
    found = check_type(config)
    for name in ("rounds", "early_stopping_rounds", "epochs", "batch_size", "nthread"):
        found += check_positive_whole(value_of(config, name), (name,))
    found += check_positive_whole(value_of(config, "seed"), ("seed",), minimum=0)
    found += check_code_reference(value_of(config, "code"), ("code",))
    learning_rate = number_of(value_of(config, "learning_rate"))
    if learning_rate is not None and learning_rate <= 0:
        found.append(
            ProviderDiagnostic.error(
                f"learning_rate must be more than 0, not {learning_rate}", ("learning_rate",)
            )
        )
    optimizer = value_of(config, "optimizer")
    if isinstance(optimizer, str) and optimizer not in OPTIMIZERS:
        found.append(
            ProviderDiagnostic.error(
                f'unknown optimizer "{optimizer}"{did_you_mean(optimizer, OPTIMIZERS, otherwise=".")} '
                f"Use {quoted_choices(OPTIMIZERS)}.",
                ("optimizer",),
            )
        )
    for index, layer in enumerate(blocks_of(config, "layer")):
        found += check_layer(layer, ("layer", index))
    found += check_task(value_of(config, "task"))
    if value_of(config, "type") == "xgboost":
        found += check_xgboost_params(value_of(config, "params"))
    return found


def check_task(task: Any) -> list[ProviderDiagnostic]:
    if not isinstance(task, str) or task in TASKS:
        return []
    return [
        ProviderDiagnostic.error(
            f'unknown task "{task}"{did_you_mean(task, TASKS, otherwise=".")} '
            f"Use {quoted_choices(TASKS)}.",
            ("task",),
        )
    ]


def check_xgboost_params(params: Any) -> list[ProviderDiagnostic]:
    """The booster parameters the model block has an attribute for, and the objective."""
    if not isinstance(params, dict):
        return []
    found = []
    for name, attribute in XGBOOST_PARAMS_OF_ATTRIBUTES.items():
        if name in params:
            found.append(
                ProviderDiagnostic.error(
                    f"set {attribute} as the model's own attribute ({attribute} = ...), "
                    f'not as params.{name}; remove "{name}" from params',
                    ("params", name),
                )
            )
    objective = params.get("objective")
    if isinstance(objective, str) and objective not in XGBOOST_OBJECTIVES:
        if objective.startswith(("rank:", "survival:aft")):
            reason = (
                f'the objective "{objective}" needs query groups or interval labels, which a '
                "split does not give; "
            )
        else:
            reason = (
                f'unknown objective "{objective}"'
                f"{did_you_mean(objective, XGBOOST_OBJECTIVES, otherwise='.')} "
            )
        found.append(
            ProviderDiagnostic.error(
                f"{reason}Use one of {quoted_choices(XGBOOST_OBJECTIVES)}.",
                ("params", "objective"),
            )
        )
    return found


def check_type(config: Config) -> list[ProviderDiagnostic]:
    model_type = value_of(config, "type")
    if not isinstance(model_type, str):
        return []
    if model_type not in MODEL_TYPES:
        return [
            ProviderDiagnostic.error(
                f'unknown model type "{model_type}"'
                f"{did_you_mean(model_type, MODEL_TYPES, otherwise='.')} "
                f"Use {quoted_choices(MODEL_TYPES)}.",
                ("type",),
            )
        ]
    found = []
    for name, types in ONLY_FOR.items():
        if model_type not in types and value_of(config, name) is not None:
            found.append(
                ProviderDiagnostic.error(
                    f"{name} is only used with type = {quoted_choices(types)}, not with "
                    f'"{model_type}"{HINTS.get((name, model_type), "")}; remove it',
                    (name,),
                )
            )
    layers = blocks_of(config, "layer")
    code = value_of(config, "code")
    if layers and model_type != "tensorflow":
        found.append(
            ProviderDiagnostic.error(
                f'layer blocks are only used with type = "tensorflow", not with "{model_type}"; '
                "remove them",
                ("layer", 0),
            )
        )
    if model_type == "python" and code is None:
        found.append(
            ProviderDiagnostic.error(
                'a python model needs code = "file.py:function", the function that trains it',
                ("type",),
            )
        )
    if model_type == "tensorflow" and code is None and not layers:
        found.append(
            ProviderDiagnostic.error(
                'a tensorflow model needs layer blocks, or code = "file.py:function" returning '
                "a Keras model",
                ("type",),
            )
        )
    if model_type == "tensorflow" and code is not None and layers:
        found.append(
            ProviderDiagnostic.error(
                "a tensorflow model takes layer blocks or code, not both; remove one",
                ("code",),
            )
        )
    return found


def check_layer(layer: BlockValue, path: tuple[str | int, ...]) -> list[ProviderDiagnostic]:
    layer_type = layer.labels[0] if layer.labels else ""
    if layer_type not in LAYERS:
        return [
            ProviderDiagnostic.error(
                f'unknown layer type "{layer_type}"{did_you_mean(layer_type, LAYERS, otherwise=".")} '
                f"Use {quoted_choices(LAYERS)}.",
                path,
            )
        ]
    required, allowed = LAYERS[layer_type]
    found = []
    for name in LAYER_SETTINGS:
        value = value_of(layer.config, name)
        if value is not None and name not in allowed:
            found.append(
                ProviderDiagnostic.error(
                    f'{name} does not apply to a "{layer_type}" layer; remove it', (*path, name)
                )
            )
        if value is None and name in required:
            found.append(ProviderDiagnostic.error(f'a "{layer_type}" layer needs {name}', path))
    for name in ("units", "input_dim", "output_dim"):
        found += check_positive_whole(value_of(layer.config, name), (*path, name))
    rate = number_of(value_of(layer.config, "rate"))
    if rate is not None and not 0 <= rate < 1:
        found.append(
            ProviderDiagnostic.error(
                f"rate must be at least 0 and less than 1, not {rate}", (*path, "rate")
            )
        )
    activation = value_of(layer.config, "activation")
    if isinstance(activation, str) and activation not in ACTIVATIONS:
        found.append(
            ProviderDiagnostic.error(
                f'unknown activation "{activation}"'
                f"{did_you_mean(activation, ACTIVATIONS, otherwise='.')} "
                f"Use {quoted_choices(ACTIVATIONS)}.",
                (*path, "activation"),
            )
        )
    if value_of(layer.config, "columns") == []:
        found.append(
            ProviderDiagnostic.error(
                "columns is empty; name the columns to embed", (*path, "columns")
            )
        )
    return found
