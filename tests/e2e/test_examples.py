"""Every example is valid HCL as HashiCorp's parser reads it, is laid out as hclwrite lays
it out, and validates."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest
from conftest import ROOT

EXAMPLES = sorted(
    p for p in (ROOT / "examples").iterdir() if p.is_dir() and any(p.glob("*.mlf.hcl"))
)
FILES = sorted((ROOT / "examples").rglob("*.mlf.hcl")) + sorted(
    (ROOT / "examples").rglob("*.mlfvars")
)


@pytest.mark.parametrize("path", FILES, ids=lambda p: str(p.relative_to(ROOT)))
def test_example_file_is_hcl_as_hashicorp_reads_it(path: Path, hclcheck: Path):
    parsed = subprocess.run([str(hclcheck), "parse", str(path)], capture_output=True, text=True)
    assert parsed.returncode == 0, parsed.stdout + parsed.stderr
    formatted = subprocess.run(
        [str(hclcheck), "fmt"], input=path.read_text(), capture_output=True, text=True
    )
    assert formatted.stdout == path.read_text(), "not laid out as terraform fmt would"


@pytest.mark.parametrize("directory", EXAMPLES, ids=lambda p: p.name)
def test_example_validates(directory: Path, mlform):
    result = mlform("validate", str(directory))
    assert result.code == 0, result.output
