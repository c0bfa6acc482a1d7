"""Importing the built-in providers stays cheap: no ML library is imported until a provider
method needs it, so `mlform --help` and a no-op plan start fast."""

from __future__ import annotations

import subprocess
import sys
import textwrap

HEAVY = [
    "pandas",
    "numpy",
    "pyarrow",
    "sklearn",
    "xgboost",
    "tensorflow",
    "keras",
    "docker",
    "torch",
]


def test_providers_import_no_heavy_library() -> None:
    code = textwrap.dedent(
        f"""
        import sys
        from mlform.sdk import default_registry
        registry = default_registry()
        for kind in registry.kinds():
            registry.get(kind)
        heavy = [m for m in {HEAVY!r} if m in sys.modules]
        assert not heavy, heavy
        """
    )
    subprocess.run([sys.executable, "-c", code], check=True)
