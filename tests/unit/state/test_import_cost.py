"""Importing the state store stays cheap: `mlform plan` pays for it on every run.

SQLAlchemy's core is paid for anyway; its ORM and its dialect modules (loaded when an engine
first connects) would more than double the cost, so no state module may import them at the
top.
"""

from __future__ import annotations

import json
import subprocess
import sys

EXPENSIVE = ("sqlalchemy.orm", "sqlalchemy.dialects.sqlite", "sqlalchemy.dialects.postgresql")


def test_importing_the_state_loads_neither_the_orm_nor_a_dialect() -> None:
    code = "import json, sys, mlform.state; print(json.dumps(sorted(sys.modules)))"
    loaded = json.loads(subprocess.check_output([sys.executable, "-c", code], text=True))
    expensive = [name for name in loaded if name.startswith(EXPENSIVE)]
    assert expensive == [], f"importing mlform.state loaded {expensive}"
