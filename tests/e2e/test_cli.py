"""The observable CLI contract (DESIGN §7) for validate, graph, fmt and --version."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from conftest import ROOT

from mlform import __version__

QUICKSTART = ROOT / "examples" / "quickstart"


def test_version(mlform):
    result = mlform("--version")
    assert result.code == 0
    assert result.stdout.strip() == f"mlform {__version__}"


def test_help_lists_commands(mlform):
    result = mlform("--help")
    assert result.code == 0
    for command in ("validate", "graph", "fmt"):
        assert command in result.stdout


def test_usage_error_exits_1(mlform):
    result = mlform("validate", "--no-such-flag")
    assert result.code == 1
    assert "unrecognized arguments: --no-such-flag" in result.stderr


def test_validate_quickstart(mlform):
    result = mlform("validate", "examples/quickstart")
    assert result.code == 0, result.output
    assert "Success! The configuration is valid." in result.stdout


def test_validate_json_with_terraform_single_dash(mlform):
    result = mlform("validate", "-json", "examples/quickstart")
    assert result.code == 0, result.output
    document = json.loads(result.stdout)
    assert document["valid"] is True
    assert document["error_count"] == 0


def test_validate_missing_directory(mlform):
    result = mlform("validate", "no/such/dir")
    assert result.code == 1
    assert 'the configuration directory "no/such/dir" does not exist' in result.stderr


def test_validate_empty_directory(mlform, tmp_path: Path):
    result = mlform("validate", str(tmp_path))
    assert result.code == 1
    assert "no configuration files" in result.stderr


def test_graph_shows_the_chain(mlform):
    result = mlform("graph", "examples/quickstart")
    assert result.code == 0, result.output
    dot = result.stdout
    assert dot.startswith('digraph "mlform" {')
    for upstream, downstream in [
        ("dataset.churn", "split.churn"),
        ("split.churn", "model.churn"),
        ("model.churn", "evaluation.churn"),
        ("evaluation.churn", "endpoint.churn"),
        ("model.churn", "endpoint.churn"),
    ]:
        assert f'"{upstream}" -> "{downstream}";' in dot


def test_graph_shows_instances_individually(mlform, tmp_path: Path):
    (tmp_path / "main.mlf.hcl").write_text(
        """dataset "d" {
  source = "sklearn:iris"
}

split "s" {
  dataset = dataset.d
  ratio   = { train = 0.8, test = 0.2 }
}

model "m" {
  for_each = { shallow = 3, deep = 8 }
  type     = "xgboost"
  split    = split.s
  label    = "target"
  params   = { max_depth = each.value }
}

evaluation "e" {
  count   = 2
  model   = model.m["deep"]
  metrics = ["accuracy"]
}
"""
    )
    result = mlform("graph", str(tmp_path))
    assert result.code == 0, result.output
    assert '"split.s" -> "model.m[\\"deep\\"]";' in result.stdout
    assert '"split.s" -> "model.m[\\"shallow\\"]";' in result.stdout
    assert '"evaluation.e[0]"' in result.stdout and '"evaluation.e[1]"' in result.stdout


def test_graph_refuses_an_invalid_configuration(mlform, tmp_path: Path):
    (tmp_path / "main.mlf.hcl").write_text('dataset "a" {\n  source = dataset.b.id\n}\n')
    result = mlform("graph", str(tmp_path))
    assert result.code == 1
    assert "undeclared resource" in result.stderr


def test_fmt_check_diff_and_write(mlform, tmp_path: Path):
    path = tmp_path / "main.mlf.hcl"
    path.write_text('dataset "a" {\n source="x.csv"\n  limit = 10\n}\n')
    check = mlform("fmt", "--check", "--diff", str(tmp_path))
    assert check.code == 3
    assert '+  source = "x.csv"' in check.stdout
    assert path.read_text().startswith('dataset "a" {\n source')  # --check changes nothing
    write = mlform("fmt", str(tmp_path))
    assert write.code == 0
    assert path.read_text() == 'dataset "a" {\n  source = "x.csv"\n  limit  = 10\n}\n'
    again = mlform("fmt", "--check", str(tmp_path))
    assert again.code == 0 and again.stdout == ""


def test_fmt_refuses_a_file_with_syntax_errors(mlform, tmp_path: Path):
    path = tmp_path / "main.mlf.hcl"
    text = 'dataset "a" {\n source = \n}\n'
    path.write_text(text)
    result = mlform("fmt", str(tmp_path))
    assert result.code == 1
    assert "main.mlf.hcl:2:" in result.stderr
    assert path.read_text() == text


def test_examples_are_formatted(mlform, tmp_path: Path):
    copy = tmp_path / "quickstart"
    shutil.copytree(QUICKSTART, copy)
    result = mlform("fmt", "--check", str(copy))
    assert result.code == 0, result.stdout


def test_fmt_reports_a_file_that_is_not_utf8(mlform, tmp_path: Path):
    path = tmp_path / "main.mlf.hcl"
    path.write_bytes(b'dataset "a" {\n  source = "\xff.csv"\n}\n')
    result = mlform("fmt", str(tmp_path))
    assert result.code == 1
    assert "not valid UTF-8 (byte 26)" in result.stderr
