"""Locations as mlform shows them: a password in a URL is never printed."""

from __future__ import annotations

import re

_CREDENTIALS = re.compile(
    r"(?P<scheme>[A-Za-z][A-Za-z0-9+.-]*://)(?P<user>[^/@:\s]*):(?P<secret>[^/@\s]*)@"
)


def masked(location: object) -> str:
    """`postgresql://alice:s3cret@db/state` as `postgresql://alice:***@db/state`; anything
    without credentials unchanged."""
    return _CREDENTIALS.sub(lambda m: f"{m['scheme']}{m['user']}:***@", str(location))
