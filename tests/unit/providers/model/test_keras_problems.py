"""The tensorflow trainer's answers to a configuration it cannot train: a `Problem` at the
attribute at fault, raised before tensorflow is imported."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from keras_cases import ROOT, breast_cancer, diabetes, plans

from providers.model.keras_trainer import train_keras
from providers.model.training import TrainingData, TrainingSettings
from providers.problems import Problem


def _settings(**values: Any) -> Callable[[], TrainingSettings]:
    return lambda: TrainingSettings(params={}, seed=0, **values)


DENSE = {"type": "dense", "units": 4}


@pytest.mark.parametrize(
    ("data", "settings", "path", "message"),
    [
        (
            lambda: breast_cancer(valid_share=None),
            _settings(layers=[DENSE], early_stopping_rounds=3),
            ("early_stopping_rounds",),
            "has none; add a valid part to the split, or remove early_stopping_rounds",
        ),
        (
            plans,
            _settings(layers=[{"type": "embedding", "columns": ["region"], "output_dim": 2}]),
            ("layer", 0, "columns"),
            "embedding column region is not one of the split's features",
        ),
        (
            plans,
            _settings(layers=[{"type": "embedding", "columns": ["plan"], "output_dim": 2}]),
            ("layer", 0, "columns"),
            "column plan is not vocabulary-encoded by the split",
        ),
        (
            plans,
            _settings(
                layers=[{"type": "embedding", "columns": ["plan"], "output_dim": 2, "input_dim": 3}]
            ),
            ("layer", 0, "columns"),
            "column plan holds values from 0 to 4, and its embedding takes indices from 0 to 2",
        ),
        (
            lambda: replace(
                diabetes(), train=diabetes().train.assign(bmi=lambda f: f.bmi.where(f.age > 0))
            ),
            _settings(layers=[DENSE]),
            (),
            "the split's train part has missing values in bmi",
        ),
    ],
    ids=["early-stopping-without-valid", "unknown-column", "no-vocabulary", "beyond-input-dim",
         "missing-values"],
)  # fmt: skip
def test_mistakes_are_problems_at_their_attribute(
    data: Callable[[], TrainingData],
    settings: Callable[[], TrainingSettings],
    path: tuple[Any, ...],
    message: str,
    tmp_path: Path,
) -> None:
    with pytest.raises(Problem) as raised:
        train_keras(data(), settings(), tmp_path)
    [diagnostic] = raised.value.diagnostics
    assert diagnostic.path == path
    assert message in diagnostic.message


def test_no_mistake_needs_tensorflow_to_be_found(tmp_path: Path) -> None:
    if "tensorflow" in sys.modules:
        pytest.skip("tensorflow was imported by an earlier test")
    with pytest.raises(Problem):
        train_keras(breast_cancer(valid_share=None), _settings(early_stopping_rounds=3)(), tmp_path)
    assert "tensorflow" not in sys.modules


def test_importing_the_trainer_imports_neither_tensorflow_nor_keras() -> None:
    probe = (
        "import sys, providers.model.keras_trainer, providers.model.loading; "
        "print(sorted({'tensorflow', 'keras'} & {name.split('.')[0] for name in sys.modules}))"
    )
    result = subprocess.run(
        [sys.executable, "-c", probe], cwd=ROOT, capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == "[]"
