"""The part an evaluation scores: test by default, else eval; a warning for the part early
stopping watched (or the one the model trained on); an error for a part the split lacks."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from evaluation_doubles import Harness
from sklearn import metrics as sk


def accuracy_on(harness: Harness, part: str) -> float:
    frame = harness.part(part)
    return float(
        sk.accuracy_score(frame["diagnosis"], harness.trained.predictor.predict(frame).values)
    )


def test_test_is_the_default(harness_for: Callable[..., Harness]) -> None:
    harness = harness_for(parts=("train", "valid", "eval", "test"))
    outputs = harness.outputs(harness.config())
    assert outputs["metrics"]["accuracy"] == pytest.approx(accuracy_on(harness, "test"))


def test_eval_is_the_default_without_test(harness_for: Callable[..., Harness]) -> None:
    harness = harness_for(parts=("train", "eval"))
    outputs = harness.outputs(harness.config())
    assert outputs["metrics"]["accuracy"] == pytest.approx(accuracy_on(harness, "eval"))
    report = Path(outputs["report"]).read_text(encoding="utf-8")
    assert "<th>Part</th><td>eval</td>" in report


def test_neither_test_nor_eval_is_an_error_at_part(harness_for: Callable[..., Harness]) -> None:
    harness = harness_for(parts=("train", "valid"))
    errors = harness.errors(harness.config())
    assert errors == {
        ("part",): "the model's split has no test or eval part to evaluate on (its parts: "
        "train, valid); add one to the split's ratio, or set part"
    }


def test_a_part_the_split_lacks_is_an_error_at_part(binary: Harness) -> None:
    errors = binary.errors(binary.config(part="eval"))
    assert errors == {
        ("part",): 'the model\'s split has no "eval" part (its parts: train, valid, test); set '
        'part to one of them, or add "eval" to the split\'s ratio'
    }


def test_the_part_early_stopping_watched_is_a_warning(harness_for: Callable[..., Harness]) -> None:
    harness = harness_for(early_stopping_rounds=20)
    response = harness.apply(harness.config(part="valid"))
    warnings = [(d.path, d.message) for d in response.diagnostics if not d.is_error]
    assert len(warnings) == 1 and warnings[0][0] == ("part",)
    assert 'part "valid" is the part early stopping watched' in warnings[0][1]
    assert response.outputs["metrics"]["accuracy"] == pytest.approx(accuracy_on(harness, "valid"))
    # the plan says so too, once the model is known
    plan = harness.plan(harness.config(part="valid"))
    assert [(d.path, d.is_error) for d in plan.diagnostics] == [(("part",), False)]


def test_valid_without_early_stopping_is_fine(binary: Harness) -> None:
    response = binary.apply(binary.config(part="valid"))
    assert response.diagnostics == []


def test_train_is_a_warning(binary: Harness) -> None:
    response = binary.apply(binary.config(part="train"))
    assert [d.path for d in response.diagnostics if not d.is_error] == [("part",)]
    assert "the part the model was trained on" in response.diagnostics[0].message


def test_plan_checks_the_part_when_the_model_is_known(binary: Harness) -> None:
    plan = binary.plan(binary.config(part="eval"))
    assert [(d.path, d.is_error) for d in plan.diagnostics] == [(("part",), True)]
    assert binary.plan(binary.config(part="eval"), upstream=False).diagnostics == []
