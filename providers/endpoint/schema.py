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
                "base_image",
                STRING,
                "docker: the image to build on (default python:3.11-slim).",
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
            Attribute("model_id", STRING, "The id of the model being served.", computed=True),
            Attribute(
                "handle",
                STRING,
                "The process id or container id serving the endpoint.",
                computed=True,
            ),
        ),
    ),
)
