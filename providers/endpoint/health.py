"""Asking a server how it is, over HTTP: ready (`GET /v2/health/ready`), and which endpoint
and version it serves (`GET /v2/models/{name}/ready`), so that refresh tells our server from
another process answering on its port. Proxies are never used: the server is on this machine."""

from __future__ import annotations

import json
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from providers.endpoint.process import connect_host

_OPENER = urllib.request.build_opener(urllib.request.ProxyHandler({}))


def base_url(host: str, port: int) -> str:
    shown = connect_host(host)
    return f"http://[{shown}]:{port}" if ":" in shown else f"http://{shown}:{port}"


@dataclass(frozen=True)
class Answer:
    status: int
    body: Any


def get(url: str, token: str | None = None, timeout: float = 2.0) -> Answer | None:
    """The status and JSON body (None when not JSON) of a GET; None when nothing answers."""
    request = urllib.request.Request(url, headers={"Accept": "application/json"})
    if token:
        request.add_header("Authorization", f"Bearer {token}")
    try:
        with _OPENER.open(request, timeout=timeout) as response:
            return Answer(response.status, _json(response.read()))
    except urllib.error.HTTPError as error:
        return Answer(error.code, _json(error.read()))
    except (OSError, ValueError):
        return None


def _json(data: bytes) -> Any:
    try:
        return json.loads(data)
    except ValueError:
        return None


def is_ready(url: str) -> bool:
    answer = get(f"{url}/v2/health/ready")
    return answer is not None and answer.status == 200


def wait_ready(
    url: str, timeout: float, running: Callable[[], bool], poll: float = 0.1
) -> str | None:
    """Wait until the server says it is ready; None when it is, else why not ("exited")."""
    deadline = time.monotonic() + timeout
    while True:
        if is_ready(url):
            return None
        if not running():
            return "the server exited"
        if time.monotonic() > deadline:
            return f"the server was not ready after {timeout:.0f} s"
        time.sleep(poll)


@dataclass(frozen=True)
class Served:
    """What a server answers about the endpoint `name`: the status of
    `GET /v2/models/{name}/ready` (0: nothing answered), and the name and version it says it
    serves (None: it did not say)."""

    status: int
    name: str | None = None
    version: str | None = None


def served(url: str, name: str, token: str | None) -> Served:
    answer = get(f"{url}/v2/models/{name}/ready", token)
    if answer is None:
        return Served(0)
    body = answer.body if isinstance(answer.body, dict) else {}
    shown, version = body.get("name"), body.get("version")
    return Served(
        answer.status,
        str(shown) if shown is not None else None,
        str(version) if version is not None else None,
    )
