"""A for_each sweep (examples/sweep): one model and one evaluation per parameter, compared in
one output; a new entry trains and evaluates only itself."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

SWEEP = Path(__file__).resolve().parents[2] / "examples" / "sweep"


def test_a_sweep_trains_each_entry_once_and_compares_them(mlform, tmp_path: Path) -> None:
    directory = tmp_path / "sweep"
    shutil.copytree(SWEEP, directory, ignore=shutil.ignore_patterns("state"))
    applied = mlform("apply", "--auto-approve", cwd=directory)
    assert applied.code == 0, applied.output
    assert "Resources: 8 added, 0 changed, 0 destroyed." in applied.stdout
    auc = json.loads(mlform("output", "--json", "auc", cwd=directory).stdout)
    assert sorted(auc) == ["deep", "shallow", "stump"]
    assert all(0.9 < value <= 1 for value in auc.values())

    config = directory / "main.mlf.hcl"
    config.write_text(config.read_text().replace("deep = 8 }", "deep = 8, wide = 5 }"))
    planned = mlform("plan", cwd=directory)
    assert "Plan: 2 to add, 0 to change, 0 to destroy." in planned.stdout, planned.output
    assert 'model.sweep["wide"] will be created' in planned.stdout
    applied = mlform("apply", "--auto-approve", cwd=directory)
    assert applied.code == 0, applied.output
    auc = json.loads(mlform("output", "--json", "auc", cwd=directory).stdout)
    assert sorted(auc) == ["deep", "shallow", "stump", "wide"]
