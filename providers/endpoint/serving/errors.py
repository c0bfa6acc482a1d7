"""The one error a request handler raises: a refusal with its HTTP status, answered as
`{"error": message}`. Anything else escaping a handler is a bug, answered with a 500 by the
last-resort handler in `app`."""

from __future__ import annotations

Headers = tuple[tuple[bytes, bytes], ...]


class RequestError(Exception):
    """A request the server refuses, with a message that names the problem for the client."""

    def __init__(self, status: int, message: str, headers: Headers = ()) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.headers = headers


def bad_request(message: str) -> RequestError:
    return RequestError(400, message)
