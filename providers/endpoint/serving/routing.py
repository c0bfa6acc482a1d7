"""The routes: an exact path, or a model path taken apart by string splits (no regular
expression on the request path). A match is the route, the model name in the path (None for
the server's own routes) and the version the path asks for (None when it names none)."""

from __future__ import annotations

from dataclasses import dataclass

GET = ("GET",)
POST = ("POST",)


@dataclass(frozen=True)
class Route:
    label: str
    """The path template: the route's name in the metrics."""
    methods: tuple[str, ...]
    handler: str
    public: bool = False
    """Answered without the token (the health checks)."""


Match = tuple[Route, str | None, str | None]

EXACT = {
    route.label: route
    for route in (
        Route("/v2/health/live", GET, "live", public=True),
        Route("/v2/health/ready", GET, "ready", public=True),
        Route("/v2", GET, "server"),
        Route("/openapi.json", GET, "openapi"),
        Route("/metrics", GET, "metrics"),
    )
}
V2_MODEL = {
    "": Route("/v2/models/{name}", GET, "model"),
    "ready": Route("/v2/models/{name}/ready", GET, "model_ready"),
    "infer": Route("/v2/models/{name}/infer", POST, "infer"),
}
V1_STATUS = Route("/v1/models/{name}", GET, "status")
V1_PREDICT = Route("/v1/models/{name}:predict", POST, "predict")
V2_PREFIX = "/v2/models/"
V1_PREFIX = "/v1/models/"


def match_route(path: str) -> Match | None:
    route = EXACT.get(path)
    if route is not None:
        return route, None, None
    if path.startswith(V1_PREFIX):
        model = path[len(V1_PREFIX) :]
        if not model or "/" in model:
            return None
        if model.endswith(":predict"):
            return V1_PREDICT, model[: -len(":predict")], None
        return V1_STATUS, model, None
    if path.startswith(V2_PREFIX):
        name, *rest = path[len(V2_PREFIX) :].split("/")
        version: str | None = None
        if len(rest) >= 2 and rest[0] == "versions":
            version, rest = rest[1] or None, rest[2:]
        if not name or len(rest) > 1:
            return None
        route = V2_MODEL.get(rest[0] if rest else "")
        return None if route is None else (route, name, version)
    return None
