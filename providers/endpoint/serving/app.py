"""The serving ASGI application, written against ASGI itself rather than a framework: the
request path is a dictionary lookup or two string splits, a header scan for the token, the
body read under its limit, orjson, and the pipeline; nothing else runs per request.

Every request gets an answer: refusals are `RequestError`s answered as `{"error": ...}`, and
anything else that escapes a handler is logged and answered with a 500 by the last-resort
handler, so no request can stop the worker.
"""

from __future__ import annotations

import hmac
import logging
import os
import time
from collections.abc import Awaitable, Callable
from typing import Any

import orjson

from providers.common import VERSION
from providers.endpoint.serving.bundle import Bundle
from providers.endpoint.serving.errors import RequestError
from providers.endpoint.serving.metrics import (
    Metrics,
    ServedModel,
    SnapshotFiles,
    merge,
    render,
)
from providers.endpoint.serving.open_inference import infer_response, model_metadata, parse_infer
from providers.endpoint.serving.openapi import openapi_document
from providers.endpoint.serving.options import ServingOptions
from providers.endpoint.serving.reading import ClientGone, parse_json, read_body, split_binary
from providers.endpoint.serving.routing import Match, Route, match_route
from providers.endpoint.serving.tf_serving import model_status, parse_predict, predict_response
from providers.endpoint.serving.watcher import ServingState, Watcher, read_statuses
from providers.model.training import Predictions
from providers.split.transform import ServingError
from providers.split.transform_rows import shown

logger = logging.getLogger("mlform.serving")

Scope = dict[str, Any]
Receive = Callable[[], Awaitable[dict[str, Any]]]
Send = Callable[[dict[str, Any]], Awaitable[None]]
Answer = tuple[int, bytes, bytes]

JSON = b"application/json"
TEXT = b"text/plain; version=0.0.4; charset=utf-8"
CLOSE = (b"connection", b"close")
UNMATCHED = "unmatched"
NUMPY = orjson.OPT_SERIALIZE_NUMPY


def json_answer(status: int, body: Any) -> Answer:
    return status, orjson.dumps(body, option=NUMPY), JSON


class ServingApp:
    def __init__(self, options: ServingOptions, state: ServingState | None = None) -> None:
        self.options = options
        self.name = options.name
        self.state = state if state is not None else ServingState()
        self.metrics = Metrics()
        self.watcher = Watcher(options.root, self.state, self.metrics, options.workers > 1)
        self.token = options.token.encode() if options.token else None
        self.limit = options.max_body_bytes
        self._openapi: tuple[Bundle | None, bytes] | None = None
        self.handlers: dict[str, Callable[[Scope, Receive, Match], Awaitable[Answer]]] = {
            "live": self.live,
            "ready": self.ready,
            "server": self.server_metadata,
            "openapi": self.openapi,
            "metrics": self.prometheus,
            "model": self.model_metadata,
            "model_ready": self.model_ready,
            "infer": self.infer,
            "status": self.v1_status,
            "predict": self.v1_predict,
        }

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        kind = scope["type"]
        if kind == "http":
            await self.handle(scope, receive, send)
        elif kind == "lifespan":
            await self.lifespan(receive, send)

    async def lifespan(self, receive: Receive, send: Send) -> None:
        while True:
            message = await receive()
            if message["type"] == "lifespan.startup":
                self.watcher.start()
                await send({"type": "lifespan.startup.complete"})
            elif message["type"] == "lifespan.shutdown":
                self.watcher.stop()
                await send({"type": "lifespan.shutdown.complete"})
                return

    async def handle(self, scope: Scope, receive: Receive, send: Send) -> None:
        started = time.perf_counter()
        label = UNMATCHED
        headers: tuple[tuple[bytes, bytes], ...] = ()
        try:
            match = match_route(scope["path"])
            route: Route | None = None if match is None else match[0]
            if route is not None:
                label = route.label
            if self.token is not None and not (route is not None and route.public):
                self.authorize(scope)
            if match is None or route is None:
                raise RequestError(404, f"no such route: {shown(scope['path'])}")
            if scope["method"] not in route.methods:
                allowed = ", ".join(route.methods)
                raise RequestError(
                    405,
                    f"{scope['method']} is not allowed here; use {allowed}",
                    ((b"allow", allowed.encode()),),
                )
            if match[1] is not None and match[1] != self.name:
                raise RequestError(
                    404, f'no model named {shown(match[1])}; this endpoint serves "{self.name}"'
                )
            status, body, content_type = await self.handlers[route.handler](scope, receive, match)
        except ClientGone:
            self.metrics.observe(label, 499, time.perf_counter() - started)
            return
        except RequestError as error:
            status, content_type, headers = error.status, JSON, error.headers
            body = orjson.dumps({"error": error.message})
        except Exception:
            logger.exception("a request to %s failed", label)
            status, content_type = 500, JSON
            body = b'{"error":"internal error: the server logged it; the request can be retried"}'
        await send(
            {
                "type": "http.response.start",
                "status": status,
                "headers": [
                    (b"content-type", content_type),
                    (b"content-length", str(len(body)).encode()),
                    *headers,
                ],
            }
        )
        await send({"type": "http.response.body", "body": body})
        self.metrics.observe(label, status, time.perf_counter() - started)

    def authorize(self, scope: Scope) -> None:
        assert self.token is not None
        for name, value in scope["headers"]:
            if name == b"authorization":
                scheme, _, credentials = value.partition(b" ")
                if scheme.lower() == b"bearer" and hmac.compare_digest(
                    credentials.strip(), self.token
                ):
                    return
                break
        raise RequestError(
            401,
            "this endpoint needs a bearer token: send the header Authorization: Bearer <token>",
            ((b"www-authenticate", b'Bearer realm="mlform"'),),
        )

    def serving(self, match: Match) -> Bundle:
        bundle = self.state.bundle
        if bundle is None:
            detail = f": {self.state.error}" if self.state.error else ""
            raise RequestError(503, f"no model version is loaded yet{detail}")
        if match[2] is not None and match[2] != bundle.version:
            raise RequestError(
                404,
                f"version {shown(match[2])} is not served; this endpoint serves version "
                f'"{bundle.version}"',
            )
        return bundle

    async def live(self, scope: Scope, receive: Receive, match: Match) -> Answer:
        return 200, b'{"live":true}', JSON

    async def ready(self, scope: Scope, receive: Receive, match: Match) -> Answer:
        if self.state.bundle is None:
            return json_answer(503, {"ready": False, "error": self.state.error or "loading"})
        return 200, b'{"ready":true}', JSON

    async def server_metadata(self, scope: Scope, receive: Receive, match: Match) -> Answer:
        return json_answer(
            200,
            {
                "name": "mlform",
                "version": VERSION,
                "extensions": ["classification", "binary_tensor_data"],
            },
        )

    async def model_metadata(self, scope: Scope, receive: Receive, match: Match) -> Answer:
        return json_answer(200, model_metadata(self.serving(match), self.name))

    async def model_ready(self, scope: Scope, receive: Receive, match: Match) -> Answer:
        bundle = self.serving(match)
        return json_answer(200, {"name": self.name, "version": bundle.version, "ready": True})

    async def v1_status(self, scope: Scope, receive: Receive, match: Match) -> Answer:
        return json_answer(200, model_status(self.state.bundle))

    async def openapi(self, scope: Scope, receive: Receive, match: Match) -> Answer:
        bundle = self.state.bundle
        if self._openapi is None or self._openapi[0] is not bundle:
            document = openapi_document(self.name, bundle, self.token is not None)
            self._openapi = (bundle, orjson.dumps(document))
        return 200, self._openapi[1], JSON

    async def prometheus(self, scope: Scope, receive: Receive, match: Match) -> Answer:
        snapshot = self.metrics.snapshot()
        bundle = self.state.bundle
        if self.options.workers > 1:
            others = SnapshotFiles(self.options.root / "metrics").read_others(os.getpid())
            snapshot = merge([snapshot, *others])
            statuses = read_statuses(self.options.root / "workers")
            served = [
                ServedModel(s["version"], s.get("model_id") or "", s.get("transform_id") or "")
                for s in statuses
                if s.get("version") is not None
            ]
            workers = len(statuses)
        else:
            served = [] if bundle is None else [_served(bundle)]
            workers = 1
        return 200, render(snapshot, self.name, served, workers).encode(), TEXT

    async def infer(self, scope: Scope, receive: Receive, match: Match) -> Answer:
        body = await read_body(scope, receive, self.limit)
        header, binary = split_binary(scope, body)
        data = parse_json(header)
        bundle = self.serving(match)
        request = parse_infer(data, bundle, binary)
        predictions = self.predict(bundle, request.rows)
        return json_answer(200, infer_response(bundle, self.name, request, predictions))

    async def v1_predict(self, scope: Scope, receive: Receive, match: Match) -> Answer:
        data = parse_json(await read_body(scope, receive, self.limit))
        bundle = self.serving(match)
        rows = parse_predict(data)
        predictions = self.predict(bundle, rows)
        return json_answer(200, predict_response(bundle, predictions))

    def predict(self, bundle: Bundle, rows: list[Any]) -> Predictions:
        try:
            bundle.pipeline.check_columns(rows)
            predictions = bundle.pipeline.predict(rows)
        except ServingError as error:
            raise RequestError(400, str(error)) from None
        self.metrics.count("predicted_rows", len(rows))
        return predictions


def _served(bundle: Bundle) -> ServedModel:
    return ServedModel(bundle.version, bundle.model_id, bundle.transform_id)


def create_app(options: ServingOptions) -> ServingApp:
    return ServingApp(options)


def create_app_from_environment() -> ServingApp:
    """The factory each worker process calls (uvicorn --factory), with the options the main
    process left in the environment."""
    from providers.endpoint.serving.options import ServingOptions as Options
    from providers.endpoint.serving.server import configure_logging

    configure_logging()
    return ServingApp(Options.from_environment(os.environ))
