"""Same inputs and seed, same model: two trainings in fresh processes give identical weights,
identical predictions and a byte-identical `.keras` file."""

from __future__ import annotations

import hashlib
import importlib.util
import os
import subprocess
import sys
from pathlib import Path

import keras_cases
import numpy as np
import pytest

pytestmark = pytest.mark.skipif(
    importlib.util.find_spec("tensorflow") is None, reason="tensorflow is not installed"
)


def test_two_fresh_processes_train_the_same_model(tmp_path: Path) -> None:
    workdirs = [tmp_path / "first", tmp_path / "second"]
    environment = {**os.environ, "TF_CPP_MIN_LOG_LEVEL": "2"}
    runs = []
    for workdir in workdirs:  # side by side: the 2 cores are there for it
        workdir.mkdir()
        command = [sys.executable, keras_cases.__file__, str(workdir), "11"]
        runs.append(
            subprocess.Popen(
                command, env=environment, stdout=subprocess.PIPE, stderr=subprocess.STDOUT
            )
        )
    for run in runs:
        output, _ = run.communicate(timeout=300)
        assert run.returncode == 0, output.decode(errors="replace")[-3000:]

    first, second = (np.load(workdir / "weights.npz") for workdir in workdirs)
    assert first.files == second.files and len(first.files) > 10
    for name in first.files:
        np.testing.assert_array_equal(first[name], second[name], err_msg=name)
    np.testing.assert_array_equal(
        np.load(workdirs[0] / "predictions.npy"), np.load(workdirs[1] / "predictions.npy")
    )
    digests = {hashlib.sha256((w / "model.keras").read_bytes()).hexdigest() for w in workdirs}
    assert len(digests) == 1, "the weights are the same, the .keras files are not"
