"""`mlform plan` against a state that does not exist yet, and against a recorded one."""

from __future__ import annotations

from pathlib import Path

CONFIG = """dataset "iris" {
  source = "sklearn:iris"
}

dataset "wine" {
  source = "sklearn:wine"
  limit  = 100
}
"""


def test_plan_in_a_directory_never_initialised(mlform, tmp_path: Path):
    (tmp_path / "main.mlf.hcl").write_text(CONFIG)
    result = mlform("plan", "--detailed-exitcode", str(tmp_path), cwd=tmp_path)
    assert result.code == 2, result.output
    assert "Plan: 2 to add, 0 to change, 0 to destroy." in result.stdout
    assert "# dataset.iris will be created" in result.stdout
    assert not (tmp_path / "state").exists()  # a plan never writes
    assert mlform("plan", str(tmp_path), cwd=tmp_path).code == 0  # changes, without the flag


def test_plan_against_applied_state(mlform, tmp_path: Path):
    config_dir = tmp_path / "project"
    config_dir.mkdir()
    old = 'dataset "old" {\n  source = "sklearn:diabetes"\n}\n'
    (config_dir / "main.mlf.hcl").write_text(CONFIG + old)
    home = tmp_path / "team-state"
    env = {"MLFORM_STATE": str(home)}
    applied = mlform("apply", "--auto-approve", str(config_dir), env=env)
    assert applied.code == 0, applied.output

    (config_dir / "main.mlf.hcl").write_text(CONFIG)
    result = mlform("plan", "--detailed-exitcode", str(config_dir), env=env)
    assert result.code == 2, result.output
    assert "# dataset.old will be destroyed" in result.stdout
    assert "# (because dataset.old is not in configuration)" in result.stdout
    assert "Plan: 0 to add, 0 to change, 1 to destroy." in result.stdout

    (config_dir / "main.mlf.hcl").write_text(CONFIG + old)
    same = mlform("plan", "--detailed-exitcode", "--state", str(home), str(config_dir))
    assert same.code == 0, same.output
    assert "No changes. Your ML state matches the configuration." in same.stdout

    replaced = mlform("plan", "--replace", "dataset.iris", "-state=" + str(home), str(config_dir))
    assert replaced.code == 0, replaced.output
    assert "# dataset.iris will be replaced, as requested" in replaced.stdout
    assert "Plan: 1 to add, 0 to change, 1 to destroy." in replaced.stdout


def test_plan_reports_an_invalid_configuration(mlform, tmp_path: Path):
    (tmp_path / "main.mlf.hcl").write_text('dataset "a" {\n  source = var.missing\n}\n')
    result = mlform("plan", str(tmp_path))
    assert result.code == 1
    assert 'reference to undeclared variable "missing"' in result.stderr
    assert "No plan: the configuration is not valid" in result.stderr


def test_plan_requires_values_for_required_variables(mlform, tmp_path: Path):
    (tmp_path / "main.mlf.hcl").write_text(
        'variable "rows" {\n  type = number\n}\n\ndataset "a" {\n  source = "sklearn:iris"\n  limit  = var.rows\n}\n'
    )
    result = mlform("plan", str(tmp_path))
    assert result.code == 1
    assert 'no value for required variable "rows"' in result.stderr
    given = mlform("plan", "--var", "rows=10", str(tmp_path))
    assert given.code == 0 and "+ limit" in given.stdout
