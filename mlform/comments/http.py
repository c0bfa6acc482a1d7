"""JSON over HTTPS with the standard library, as the code hosts' REST APIs speak it.

Requests carry the caller's headers (the token among them), which never appear in a
message. A page link that points to another host than the API's is refused, so the token
is only ever sent where the user configured it.
"""

from __future__ import annotations

import email.utils
import json
import re
import time
import urllib.error
import urllib.request
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlencode, urlsplit

from mlform import __version__
from mlform.comments.errors import CommentError

USER_AGENT = f"mlform/{__version__}"
TIMEOUT_SECONDS = 30.0
_LINK = re.compile(r"<([^>]*)>\s*;([^,]*)")


@dataclass(frozen=True)
class Response:
    status: int
    headers: Mapping[str, str] = field(default_factory=dict)
    """Lower-cased names."""
    data: Any = None
    """The parsed JSON body; None when there was none, or it was not JSON."""


class HttpError(Exception):
    """An answer of 400 or more; the service's client words it for the user."""

    def __init__(self, method: str, url: str, response: Response):
        super().__init__(f"{method} {url}: {response.status}")
        self.method = method
        self.url = url
        self.response = response

    @property
    def status(self) -> int:
        return self.response.status

    @property
    def detail(self) -> str:
        """What the service said, from its JSON error (`message`, `error`, `errors`)."""
        data = self.response.data
        if not isinstance(data, Mapping):
            return ""
        parts = []
        for name in ("message", "error", "error_description"):
            if isinstance(data.get(name), str | list | dict):
                parts.append(_flat(data[name]))
        errors = data.get("errors")
        if isinstance(errors, list):
            parts += [_flat(e.get("message", e) if isinstance(e, Mapping) else e) for e in errors]
        return "; ".join(p for p in parts if p)


class Api:
    """One REST API at `base` (no trailing slash), with headers sent on every request."""

    def __init__(self, base: str, headers: Mapping[str, str], service: str):
        self.base = base.rstrip("/")
        self.headers = {"User-Agent": USER_AGENT, **headers}
        self.service = service
        origin = urlsplit(self.base)
        if origin.scheme not in ("http", "https") or not origin.netloc:
            raise CommentError(
                f'the {service} API address "{base}" is not an http(s) URL; check it '
                "(it comes from the environment, or its default)"
            )
        self._origin = (origin.scheme, origin.netloc)

    def url(self, path: str, query: Mapping[str, Any] | None = None) -> str:
        return self.base + path + (f"?{urlencode(query)}" if query else "")

    def request(self, method: str, url: str, body: Any = None) -> Response:
        """One request; HttpError for an answer of 400 or more, CommentError when the API
        cannot be reached at all."""
        target = urlsplit(url)
        if (target.scheme, target.netloc) != self._origin:
            raise CommentError(
                f"the {self.service} API pointed to {target.scheme}://{target.netloc}, another "
                f"host than {self.base}; mlform does not send the token there. Check the API "
                "address in the environment."
            )
        headers = dict(self.headers)
        data = None
        if body is not None:
            data = json.dumps(body).encode("utf-8")
            headers["Content-Type"] = "application/json"
        request = urllib.request.Request(url, data=data, headers=headers, method=method)
        opener = urllib.request.build_opener(_SameOriginRedirects(self._origin, self.service))
        try:
            with opener.open(request, timeout=TIMEOUT_SECONDS) as answer:
                return _response(answer.status, answer.headers, answer.read())
        except urllib.error.HTTPError as exc:
            response = _response(exc.code, exc.headers, exc.read())
            raise HttpError(method, url, response) from None
        except (urllib.error.URLError, OSError) as exc:
            reason = getattr(exc, "reason", exc)
            raise CommentError(
                f"cannot reach the {self.service} API at {self.base} ({reason}); check the "
                "address and the runner's network, then run mlform comment again"
            ) from None


class _SameOriginRedirects(urllib.request.HTTPRedirectHandler):
    """Redirects within the API's host only: urllib would send the token along elsewhere."""

    def __init__(self, origin: tuple[str, str], service: str):
        self.origin = origin
        self.service = service

    def redirect_request(
        self, req: Any, fp: Any, code: int, msg: str, headers: Any, newurl: str
    ) -> Any:
        target = urlsplit(newurl)
        if (target.scheme, target.netloc) != self.origin:
            raise CommentError(
                f"the {self.service} API redirected to {target.scheme}://{target.netloc}, "
                "another host; mlform does not send the token there. Check the API address "
                "in the environment."
            )
        return super().redirect_request(req, fp, code, msg, headers, newurl)


def next_link(headers: Mapping[str, str]) -> str | None:
    """The `rel="next"` URL of a `Link` header (RFC 8288), as GitHub and GitLab paginate."""
    for target, parameters in _LINK.findall(headers.get("link", "")):
        relations = re.search(r'rel\s*=\s*"?([^";]*)"?', parameters)
        if relations and "next" in relations.group(1).split():
            return target
    return None


def rate_limited(response: Response) -> bool:
    """Whether an answer is a rate limit: 429, or GitHub's 403 with its quota used up or a
    `Retry-After` (its secondary limits)."""
    headers = response.headers
    if response.status == 429:
        return True
    return response.status == 403 and (
        headers.get("x-ratelimit-remaining") == "0" or "retry-after" in headers
    )


def retry_hint(headers: Mapping[str, str], now: float | None = None) -> str:
    """When to try again, from `Retry-After` (seconds or a date) or a reset time in epoch
    seconds (`x-ratelimit-reset`, GitLab's `RateLimit-Reset`)."""
    now = time.time() if now is None else now
    after = headers.get("retry-after", "").strip()
    if after:
        if after.isdigit():
            return f"try again in {_seconds(int(after))}"
        try:
            when = email.utils.parsedate_to_datetime(after).timestamp()
        except (TypeError, ValueError):
            when = None
        if when is not None:
            return (
                f"try again after {_clock(when)} ({_seconds(max(0, round(when - now)))} from now)"
            )
    for name in ("x-ratelimit-reset", "ratelimit-reset"):
        reset = headers.get(name, "").strip()
        if reset.isdigit():
            when = float(reset)
            return f"the limit resets at {_clock(when)} (in {_seconds(max(0, round(when - now)))})"
    return "try again in a few minutes"


def _response(status: int, headers: Any, raw: bytes) -> Response:
    names = {key.lower(): value for key, value in (headers.items() if headers else [])}
    try:
        data = json.loads(raw.decode("utf-8")) if raw else None
    except (UnicodeDecodeError, ValueError):
        data = None
    return Response(status, names, data)


def _flat(value: Any) -> str:
    return value if isinstance(value, str) else json.dumps(value)


def _seconds(seconds: int) -> str:
    if seconds < 120:
        return f"{seconds} s"
    return f"{round(seconds / 60)} min"


def _clock(epoch: float) -> str:
    return datetime.fromtimestamp(epoch, UTC).strftime("%H:%M:%S UTC")
