"""Reading a request body under the size limit (the declared Content-Length first, then the
bytes as they stream in), and its JSON whatever the Content-Type says: orjson for speed, the
standard library's parser for what orjson refuses but a client may fairly send (NaN, integers
beyond 64 bits), with a message naming the problem when neither can read it."""

from __future__ import annotations

import json
import math
from collections.abc import Awaitable, Callable
from typing import Any

import orjson

from providers.endpoint.serving.errors import RequestError, bad_request

Receive = Callable[[], Awaitable[dict[str, Any]]]


class ClientGone(Exception):
    """The client closed the connection before its body arrived: nobody to answer."""


def too_large(limit: int) -> RequestError:
    return RequestError(
        413,
        f"the request body is over the limit of {limit} bytes; send fewer rows per request",
        ((b"connection", b"close"),),
    )


async def read_body(scope: dict[str, Any], receive: Receive, limit: int) -> bytes:
    for name, value in scope["headers"]:
        if name == b"content-length":
            try:
                declared = int(value)
            except ValueError:
                raise bad_request("the Content-Length header is not a number") from None
            if declared > limit:
                raise too_large(limit)
            break
    message = await receive()
    if message["type"] == "http.disconnect":
        raise ClientGone
    body: bytes = message.get("body", b"")
    if not message.get("more_body", False):
        if len(body) > limit:
            raise too_large(limit)
        return body
    chunks, size = [body], len(body)
    while True:
        message = await receive()
        if message["type"] == "http.disconnect":
            raise ClientGone
        chunk = message.get("body", b"")
        size += len(chunk)
        if size > limit:
            raise too_large(limit)
        chunks.append(chunk)
        if not message.get("more_body", False):
            return b"".join(chunks)


def parse_json(body: bytes) -> Any:
    try:
        return orjson.loads(body)
    except orjson.JSONDecodeError:
        pass
    if not body.strip():
        raise bad_request("the body is empty; send a JSON object")
    try:
        return json.loads(body, parse_constant=_constant, parse_float=_float)
    except RequestError:
        raise
    except RecursionError:
        raise bad_request("the body's JSON nests too deeply") from None
    except ValueError as error:  # JSONDecodeError, UnicodeDecodeError, too many digits
        raise bad_request(f"the body is not valid JSON: {error}") from None


def _constant(name: str) -> float:
    if name == "NaN":
        return math.nan
    raise bad_request(f"the body holds {name}, which is not a number a model can take")


def _float(text: str) -> float:
    value = float(text)
    if math.isinf(value):
        raise bad_request(f"the number {text[:40]} is too large")
    return value


def split_binary(scope: dict[str, Any], body: bytes) -> tuple[bytes, bytes | None]:
    """The JSON header and the binary data of a request using the binary tensor extension
    (its Inference-Header-Content-Length says where the JSON ends); else the body and None."""
    for name, value in scope["headers"]:
        if name == b"inference-header-content-length":
            try:
                length = int(value)
            except ValueError:
                length = -1
            if not 0 <= length <= len(body):
                raise bad_request(
                    "the Inference-Header-Content-Length header is not a length within the body"
                )
            return body[:length], body[length:]
    return body, None
