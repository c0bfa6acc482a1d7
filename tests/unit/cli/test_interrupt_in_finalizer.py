"""An interrupt that lands inside a finalizer stops the command, without a traceback."""

from __future__ import annotations

import subprocess
import sys

PROGRAM = """
import signal, sys, time, weakref
from mlform.cli import main

signal.signal(signal.SIGTERM, main._terminate)
sys.unraisablehook = main._unraisable

class Resource:
    pass

def finalizer(reference):
    raise KeyboardInterrupt  # as if the signal arrived while a weakref callback ran

resource = Resource()
reference = weakref.ref(resource, finalizer)
try:
    del resource
    time.sleep(5)
    print("not interrupted")
except KeyboardInterrupt:
    print("interrupted")
"""


def test_the_interrupt_is_delivered_again_after_the_finalizer() -> None:
    done = subprocess.run(
        [sys.executable, "-c", PROGRAM], capture_output=True, text=True, timeout=60
    )
    assert done.stdout.strip() == "interrupted"
    assert "Traceback" not in done.stderr and "Exception ignored" not in done.stderr
