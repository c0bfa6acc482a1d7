from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


@dataclass
class Result:
    code: int
    stdout: str
    stderr: str

    @property
    def output(self) -> str:
        return self.stdout + self.stderr


@pytest.fixture
def mlform() -> Callable[..., Result]:
    """Run the CLI as a user does: a separate process, no terminal."""

    def run(*args: str, cwd: Path | None = None, env: dict[str, str] | None = None) -> Result:
        environment = {k: v for k, v in os.environ.items() if not k.startswith("MLFORM_")}
        environment.update(env or {})
        completed = subprocess.run(
            [sys.executable, "-m", "mlform", *args],
            cwd=cwd or ROOT,
            env=environment,
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert "Traceback" not in completed.stderr, completed.stderr
        return Result(completed.returncode, completed.stdout, completed.stderr)

    return run
