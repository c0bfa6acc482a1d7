"""Artifact locations as written in settings: local directories and fsspec URLs.

A URL may carry credentials (`s3://KEY:SECRET@bucket/prefix`); they are split off before the
URL is recorded, shown or handed to a filesystem, so the state and every message hold the
location alone.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

_URL = re.compile(r"^(?P<protocol>[A-Za-z][A-Za-z0-9+.-]*)://(?P<rest>.*)$", re.DOTALL)
_CREDENTIALS = re.compile(r"^(?P<user>[^/@:]*)(?::(?P<secret>[^/@]*))?@")


def is_url(location: str) -> bool:
    """Whether a location is a URL (`scheme://...`) rather than a path."""
    return _URL.match(location) is not None


@dataclass(frozen=True)
class ArtifactURL:
    """A URL split into its protocol, its path and any credentials it carried."""

    protocol: str
    path: str
    user: str | None = field(default=None, repr=False)
    secret: str | None = field(default=None, repr=False)

    @classmethod
    def parse(cls, url: str) -> ArtifactURL:
        match = _URL.match(url.strip())
        if match is None:
            raise ValueError(f"{without_credentials(url)} is not a URL")
        rest = match["rest"]
        user = secret = None
        credentials = _CREDENTIALS.match(rest)
        if credentials is not None:
            user, secret = credentials["user"] or None, credentials["secret"]
            rest = rest[credentials.end() :]
        return cls(match["protocol"].lower(), rest.rstrip("/"), user, secret)

    def __str__(self) -> str:
        """The URL without credentials: what the state records and messages show."""
        return f"{self.protocol}://{self.path}"


def without_credentials(location: object) -> str:
    """`s3://KEY:SECRET@bucket/prefix` as `s3://bucket/prefix`; anything else unchanged."""
    text = str(location)
    match = _URL.match(text)
    if match is None:
        return text
    credentials = _CREDENTIALS.match(match["rest"])
    if credentials is None:
        return text
    return f"{match['protocol']}://{match['rest'][credentials.end() :]}"
