"""The endpoint kind: a model served over HTTP, its fitted transform embedded."""

from __future__ import annotations

from mlform.language.types import BOOL, NUMBER, STRING
from mlform.sdk import (
    DESCRIPTION_ATTRIBUTE,
    TAGS_ATTRIBUTE,
    Attribute,
    BlockSchema,
    ResourceRef,
    ResourceSchema,
)

RUNTIMES = ("local", "docker")
LOOPBACK_HOSTS = ("127.0.0.1", "localhost", "::1")

SCHEMA = ResourceSchema(
    kind="endpoint",
    description=(
        "Serves a model with its split's fitted transform (raw rows in, predictions out) over "
        "the Open Inference Protocol, in a local process or a Docker container."
    ),
    block=BlockSchema(
        attributes=(
            Attribute(
                "model",
                ResourceRef("model"),
                "The model to serve; a new model is swapped in place, without a failed request.",
                required=True,
                forces_replacement=False,
            ),
            Attribute(
                "evaluation",
                ResourceRef("evaluation"),
                "An evaluation of the model that must have passed its thresholds before the "
                "model is served.",
                forces_replacement=False,
            ),
            Attribute(
                "runtime",
                STRING,
                '"local" (a process on this machine) or "docker" (a container).',
                default="local",
            ),
            Attribute(
                "port",
                NUMBER,
                "The port to listen on; a free one is chosen when unset (see url).",
            ),
            Attribute(
                "host",
                STRING,
                "The address to listen on; loopback by default, so only this machine can call it.",
                default="127.0.0.1",
            ),
            Attribute(
                "token",
                STRING,
                "A bearer token every request must present; never printed.",
                sensitive=True,
            ),
            Attribute("workers", NUMBER, "The number of server processes.", default=1),
            Attribute(
                "max_body_bytes",
                NUMBER,
                "The largest request body accepted, in bytes; larger ones get 413.",
                default=1048576,
            ),
            Attribute(
                "base_image",
                STRING,
                "docker: the image to build on, with Python 3.11 as python3 (default "
                "mlform-base:bookworm when the engine has it, from `make docker`, else "
                "python:3.11-slim-bookworm).",
            ),
            Attribute(
                "keep_image",
                BOOL,
                "docker: keep the built image when the endpoint is destroyed.",
                default=False,
            ),
            DESCRIPTION_ATTRIBUTE,
            TAGS_ATTRIBUTE,
            Attribute(
                "url",
                STRING,
                "The base URL: {url}/v2/models/{name}/infer.",
                computed=True,
            ),
            Attribute(
                "port",
                NUMBER,
                "The port the endpoint answers on (the one chosen when port is unset).",
                computed=True,
            ),
            Attribute("model_id", STRING, "The id of the model being served.", computed=True),
            Attribute(
                "transform_id",
                STRING,
                "The id of the split's fitted transform being served.",
                computed=True,
            ),
            Attribute(
                "version",
                STRING,
                "The version being served (the server's /v2/models/{name}/ready says it too).",
                computed=True,
            ),
            Attribute(
                "runtime_dir",
                STRING,
                "The directory the server serves from: versions/, current, workers/, server.log.",
                computed=True,
            ),
            Attribute(
                "pid",
                NUMBER,
                "local: the server's process id (the leader of its process group).",
                computed=True,
            ),
            Attribute(
                "started",
                NUMBER,
                "local: the process's start time in clock ticks since boot (/proc/PID/stat), "
                "which tells the server from a later process given the same pid.",
                computed=True,
            ),
            Attribute("log_file", STRING, "local: the server's log.", computed=True),
            Attribute("container_id", STRING, "docker: the container's id.", computed=True),
            Attribute("image", STRING, "docker: the image the container runs.", computed=True),
            Attribute(
                "docker_host",
                STRING,
                "docker: the engine the container runs on, which refresh and destroy use.",
                computed=True,
            ),
        ),
    ),
)
