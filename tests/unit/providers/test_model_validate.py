"""The model provider's validate, case by case: the configuration changes applied to a
minimal valid one, and the errors expected (path -> part of the message)."""

from __future__ import annotations

from typing import Any

import pytest

import providers.model
from mlform.language.values import UNKNOWN, Sensitive
from mlform.sdk import BlockValue
from mlform.testing import assert_validate_errors

MINIMAL: dict[str, Any] = {"type": "xgboost", "split": "5f2a9c", "label": "churned"}
TENSORFLOW: dict[str, Any] = {"type": "tensorflow", "layer": [BlockValue(("dense",), {"units": 8})]}


def layer(layer_type: str, **config: Any) -> list[BlockValue]:
    return [BlockValue((layer_type,), config)]


CASES = [
    pytest.param(
        {
            "params": {"max_depth": 6, "eta": 0.1},
            "rounds": 200,
            "early_stopping_rounds": 20,
            "nthread": 4,
        },
        {},
        id="xgboost",
    ),
    pytest.param(
        {"type": "xgbost"},
        {("type",): 'unknown model type "xgbost"; did you mean "xgboost"?'},
        id="type-typo",
    ),
    pytest.param(
        {"type": "sklearn"}, {("type",): '"xgboost", "tensorflow" or "python"'}, id="type-unknown"
    ),
    pytest.param({"type": UNKNOWN, "code": "train.py:train"}, {}, id="type-unknown-value"),
    pytest.param({"type": "python", "code": "train.py:train"}, {}, id="python"),
    pytest.param(
        {"type": "python"}, {("type",): 'needs code = "file.py:function"'}, id="python-without-code"
    ),
    pytest.param({"type": "python", "code": UNKNOWN}, {}, id="python-unknown-code"),
    pytest.param(
        {"type": "python", "code": "train.py"},
        {("code",): 'write it as "file.py:function"'},
        id="code-without-function",
    ),
    pytest.param(
        {"type": "python", "code": "train:fit"},
        {("code",): "is not a code reference"},
        id="code-not-python-file",
    ),
    pytest.param(
        {"code": "train.py:train"},
        {("code",): 'code is only used with type = "tensorflow" or "python"'},
        id="code-with-xgboost",
    ),
    pytest.param(
        {
            **TENSORFLOW,
            "layer": [
                BlockValue(("embedding",), {"columns": ["city"], "output_dim": 8}),
                BlockValue(("dense",), {"units": 32, "activation": "relu"}),
                BlockValue(("batch_normalization",), {}),
                BlockValue(("dropout",), {"rate": 0.2}),
            ],
            "optimizer": "adam",
            "learning_rate": 0.001,
            "epochs": 20,
            "batch_size": 64,
            "early_stopping_rounds": 3,
        },
        {},
        id="tensorflow-layers",
    ),
    pytest.param({"type": "tensorflow", "code": "net.py:build_model"}, {}, id="tensorflow-code"),
    pytest.param(
        {"type": "tensorflow"}, {("type",): "needs layer blocks, or code"}, id="tensorflow-empty"
    ),
    pytest.param(
        {**TENSORFLOW, "code": "net.py:build_model"},
        {("code",): "layer blocks or code, not both"},
        id="layers-and-code",
    ),
    pytest.param(
        {"layer": layer("dense", units=8)},
        {("layer", 0): 'layer blocks are only used with type = "tensorflow"'},
        id="layers-with-xgboost",
    ),
    pytest.param(
        {**TENSORFLOW, "layer": layer("dense")},
        {("layer", 0): 'a "dense" layer needs units'},
        id="dense-without-units",
    ),
    pytest.param(
        {**TENSORFLOW, "layer": layer("dense", units=8, rate=0.5)},
        {("layer", 0, "rate"): 'rate does not apply to a "dense" layer'},
        id="rate-on-dense",
    ),
    pytest.param(
        {**TENSORFLOW, "layer": layer("dropout", rate=1)},
        {("layer", 0, "rate"): "less than 1"},
        id="dropout-rate-one",
    ),
    pytest.param(
        {**TENSORFLOW, "layer": layer("dens", units=8)},
        {("layer", 0): 'unknown layer type "dens"; did you mean "dense"?'},
        id="layer-type-typo",
    ),
    pytest.param(
        {**TENSORFLOW, "layer": layer("dense", units=8, activation="rleu")},
        {("layer", 0, "activation"): 'did you mean "relu"?'},
        id="activation-typo",
    ),
    pytest.param(
        {**TENSORFLOW, "layer": layer("dense", units=0)},
        {("layer", 0, "units"): "at least 1"},
        id="zero-units",
    ),
    pytest.param(
        {**TENSORFLOW, "layer": layer("embedding", columns=[], output_dim=8)},
        {("layer", 0, "columns"): "columns is empty"},
        id="embedding-without-columns",
    ),
    pytest.param({**TENSORFLOW, "layer": layer("dense", units=UNKNOWN)}, {}, id="unknown-units"),
    pytest.param(
        {"rounds": 0},
        {("rounds",): "rounds must be a whole number of at least 1"},
        id="zero-rounds",
    ),
    pytest.param({"rounds": Sensitive(-1)}, {("rounds",): "at least 1"}, id="sensitive-rounds"),
    pytest.param({**TENSORFLOW, "epochs": 0}, {("epochs",): "at least 1"}, id="zero-epochs"),
    pytest.param(
        {**TENSORFLOW, "batch_size": 2.5}, {("batch_size",): "whole number"}, id="fractional-batch"
    ),
    pytest.param(
        {**TENSORFLOW, "learning_rate": 0},
        {("learning_rate",): "more than 0"},
        id="zero-learning-rate",
    ),
    pytest.param(
        {**TENSORFLOW, "optimizer": "adma"},
        {("optimizer",): 'did you mean "adam"?'},
        id="optimizer-typo",
    ),
    pytest.param(
        {"epochs": 10},
        {("epochs",): 'epochs is only used with type = "tensorflow"'},
        id="epochs-with-xgboost",
    ),
    pytest.param(
        {"learning_rate": 0.1},
        {("learning_rate",): "set params.eta"},
        id="learning-rate-with-xgboost",
    ),
    pytest.param(
        {**TENSORFLOW, "rounds": 10},
        {("rounds",): 'only used with type = "xgboost"'},
        id="rounds-with-tensorflow",
    ),
    pytest.param({"seed": -1}, {("seed",): "at least 0"}, id="negative-seed"),
]


@pytest.mark.parametrize(("changes", "expected"), CASES)
def test_validate(changes: dict[str, Any], expected: dict[tuple[str | int, ...], str]) -> None:
    assert_validate_errors(providers.model.provider, {**MINIMAL, **changes}, expected)
