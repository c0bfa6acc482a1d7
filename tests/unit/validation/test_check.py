"""validate_directory on small configurations: what it computes, not only what it rejects
(the rejections are the broken-configuration corpus, tests/data/broken)."""

from __future__ import annotations

from pathlib import Path

from mlform.language.values import UNKNOWN, Sensitive
from mlform.language.variables import Mode, VariableInput
from mlform.sdk import default_registry
from mlform.validation import validate_directory

BASE = """
dataset "d" {
  source = "sklearn:iris"
}

split "s" {
  dataset = dataset.d
  ratio   = { train = 0.8, test = 0.2 }
}
"""


def run(
    tmp_path: Path, text: str, *inputs: VariableInput, mode: Mode = Mode.VALIDATE, environ=None
):
    (tmp_path / "main.mlf.hcl").write_text(BASE + text)
    return validate_directory(tmp_path, default_registry(), inputs, environ or {}, mode)


def messages(result) -> list[str]:
    return [d.message for d in result.diagnostics.errors]


def test_for_each_and_count_expand_into_instances(tmp_path):
    result = run(
        tmp_path,
        """
locals {
  depths = { shallow = 3, deep = 8 }
}

model "m" {
  for_each = local.depths
  type     = "xgboost"
  split    = split.s
  label    = "target"
  params   = { max_depth = each.value, name = "m-${each.key}" }
}

evaluation "e" {
  count   = 2
  model   = model.m["deep"]
  metrics = ["accuracy"]
}
""",
    )
    assert messages(result) == []
    assert sorted(result.instances) == [
        "dataset.d",
        "evaluation.e[0]",
        "evaluation.e[1]",
        'model.m["deep"]',
        'model.m["shallow"]',
        "split.s",
    ]
    deep = result.instances['model.m["deep"]'].decoded.config
    assert deep["params"] == {"max_depth": 8, "name": "m-deep"}
    assert deep["split"] is UNKNOWN  # the id of split.s is known only after apply
    assert result.graph.dependencies("model.m") == ["local.depths", "split.s"]


def test_required_variable_is_unknown_in_validate_and_an_error_in_plan(tmp_path):
    text = """
variable "rounds" {
  type = number
}

model "m" {
  type   = "xgboost"
  split  = split.s
  label  = "target"
  rounds = var.rounds
}
"""
    assert messages(run(tmp_path, text)) == []
    assert run(tmp_path, text).variables["rounds"] is UNKNOWN
    planned = run(tmp_path, text, mode=Mode.PLAN)
    assert any('no value for required variable "rounds"' in m for m in messages(planned))
    given = run(tmp_path, text, VariableInput("var", "rounds=12"), mode=Mode.PLAN)
    assert messages(given) == []
    assert given.instances["model.m"].decoded.config["rounds"] == 12


def test_variable_precedence(tmp_path):
    text = """
variable "seed" {
  type = number
}
"""
    (tmp_path / "a.auto.mlfvars").write_text("seed = 2\n")
    (tmp_path / "b.auto.mlfvars").write_text("seed = 3\n")
    (tmp_path / "late.mlfvars").write_text("seed = 5\n")
    env = {"MLFORM_VAR_seed": "1"}
    assert run(tmp_path, text, environ=env).variables["seed"] == 3
    late = VariableInput("var-file", str(tmp_path / "late.mlfvars"))
    assert (
        run(tmp_path, text, VariableInput("var", "seed=4"), late, environ=env).variables["seed"]
        == 5
    )
    assert (
        run(tmp_path, text, late, VariableInput("var", "seed=4"), environ=env).variables["seed"]
        == 4
    )


def test_sensitivity_propagates_into_attributes_and_requires_sensitive_outputs(tmp_path):
    result = run(
        tmp_path,
        """
variable "token" {
  type      = string
  sensitive = true
  default   = "s3cret"
}

model "m" {
  type  = "xgboost"
  split = split.s
  label = "target"
  tags  = { auth = "Bearer ${var.token}" }
}

output "leak" {
  value = "${var.token}-x"
}

output "fine" {
  value     = upper(var.token)
  sensitive = true
}
""",
    )
    assert isinstance(result.instances["model.m"].decoded.config["tags"]["auth"], Sensitive)
    assert any("derived from a sensitive value" in m for m in messages(result))
    assert isinstance(result.outputs["fine"], Sensitive)


def test_provider_diagnostics_land_on_the_attribute_line(tmp_path):
    result = run(
        tmp_path,
        """
split "bad" {
  dataset = dataset.d
  ratio   = { train = 0.5, test = 0.2 }
}
""",
    )
    [error] = result.diagnostics.errors
    assert error.address == "split.bad"
    assert error.range is not None and error.range.line == BASE.count("\n") + 4
    assert "sum" in error.message
