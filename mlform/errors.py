"""The root of every error mlform raises on purpose.

An `MlformError` is a user-facing failure: its message says what happened and what to do.
The command line prints it without a traceback and exits 1. Anything else that escapes is a
bug in mlform and is reported as one.
"""

from __future__ import annotations


class MlformError(Exception):
    """A failure the user can act on; `str(error)` is the whole message."""
