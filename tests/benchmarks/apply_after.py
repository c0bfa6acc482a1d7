"""Run `mlform apply` on the 1,000,000-row benchmark after preparing the state, in one process
for both benchmarks so that they pay the same start-up:

    python apply_after.py recompute STATE DIR   # apply --replace: the dataset is built again
    python apply_after.py restore STATE DIR     # forget the instance first: its build is restored
"""

from __future__ import annotations

import os
import shutil
import sys
from pathlib import Path

from mlform.addresses import Address
from mlform.state.home import workspace_key
from mlform.state.store import StateStore

ADDRESS = "dataset.big"


def main(mode: str, state: str, directory: str) -> None:
    store = StateStore.open(Path(state) / "mlform.db")
    if mode == "restore":
        store.remove_instance(workspace_key(Path(directory)), Address.parse(ADDRESS))
    store.close()
    mlform = shutil.which("mlform", path=os.path.dirname(sys.executable)) or "mlform"
    extra = ["--replace", ADDRESS] if mode == "recompute" else []
    os.execv(mlform, [mlform, "apply", "--auto-approve", "--state", state, *extra, directory])


if __name__ == "__main__":
    main(*sys.argv[1:4])
