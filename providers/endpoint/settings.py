"""An endpoint's configuration as the runtimes read it, defaults applied, and its name in
URLs: `endpoint "churn"` serves `/v2/models/churn`, `endpoint "churn"` with key "deep"
serves `/v2/models/churn-deep`."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from mlform.addresses import Address
from mlform.sdk import value_of
from providers.endpoint.schema import SCHEMA

UNSAFE = re.compile(r"[^A-Za-z0-9_.-]+")


@dataclass(frozen=True)
class EndpointSettings:
    name: str
    model: str
    evaluation: str | None = None
    runtime: str = "local"
    host: str = "127.0.0.1"
    port: int | None = None
    workers: int = 1
    max_body_bytes: int = 1 << 20
    token: str | None = field(default=None, repr=False)
    base_image: str | None = None
    keep_image: bool = False

    @property
    def environment(self) -> dict[str, str]:
        """What the server reads from its environment: the token, never on a command line."""
        return {"MLFORM_ENDPOINT_TOKEN": self.token} if self.token else {}


def settings_from(address: str, inputs: Mapping[str, Any]) -> EndpointSettings:
    """The settings of known inputs (apply time), defaults applied."""
    config = SCHEMA.block.with_defaults(inputs)
    port = value_of(config, "port")
    evaluation = value_of(config, "evaluation")
    token = value_of(config, "token")
    base_image = value_of(config, "base_image")
    return EndpointSettings(
        name=endpoint_name(address),
        model=str(value_of(config, "model")),
        evaluation=evaluation if isinstance(evaluation, str) and evaluation else None,
        runtime=str(value_of(config, "runtime")),
        host=str(value_of(config, "host")),
        port=int(port) if port is not None else None,
        workers=int(value_of(config, "workers")),
        max_body_bytes=int(value_of(config, "max_body_bytes")),
        token=str(token) if token else None,
        base_image=base_image if isinstance(base_image, str) and base_image else None,
        keep_image=bool(value_of(config, "keep_image")),
    )


def endpoint_name(address: str) -> str:
    """The model name in the endpoint's URLs."""
    parsed = Address.parse(address)
    if parsed.key is None:
        return parsed.name
    key = UNSAFE.sub("-", str(parsed.key)).strip("-")
    return f"{parsed.name}-{key}" if key else parsed.name
