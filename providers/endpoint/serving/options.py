"""The serving process's settings: parsed from its command line (and the token from the
environment), and handed to worker processes through one environment variable that never
holds the token."""

from __future__ import annotations

import argparse
import json
import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

TOKEN_VARIABLE = "MLFORM_ENDPOINT_TOKEN"
OPTIONS_VARIABLE = "MLFORM_SERVING_OPTIONS"
DEFAULT_MAX_BODY_BYTES = 1 << 20


@dataclass(frozen=True)
class ServingOptions:
    root: Path
    name: str
    host: str = "127.0.0.1"
    port: int = 8080
    workers: int = 1
    max_body_bytes: int = DEFAULT_MAX_BODY_BYTES
    token: str | None = field(default=None, repr=False)

    def to_environment(self) -> str:
        """Everything but the token (which workers read from their own environment)."""
        return json.dumps(
            {
                "root": str(self.root),
                "name": self.name,
                "host": self.host,
                "port": self.port,
                "workers": self.workers,
                "max_body_bytes": self.max_body_bytes,
            }
        )

    @classmethod
    def from_environment(cls, environment: Mapping[str, str]) -> ServingOptions:
        data = json.loads(environment[OPTIONS_VARIABLE])
        return cls(
            root=Path(data["root"]),
            name=data["name"],
            host=data["host"],
            port=int(data["port"]),
            workers=int(data["workers"]),
            max_body_bytes=int(data["max_body_bytes"]),
            token=token_of(environment),
        )


def token_of(environment: Mapping[str, str]) -> str | None:
    """The bearer token; unset or empty means requests need none."""
    return environment.get(TOKEN_VARIABLE) or None


def _positive(text: str) -> int:
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be a whole number of at least 1, not {text}")
    return value


def _port(text: str) -> int:
    value = int(text)
    if not 0 <= value <= 65535:
        raise argparse.ArgumentTypeError(f"must be a port from 0 to 65535, not {text}")
    return value


def parse_arguments(
    arguments: Sequence[str] | None = None, environment: Mapping[str, str] | None = None
) -> ServingOptions:
    parser = argparse.ArgumentParser(
        prog="python -m providers.endpoint.serving",
        description=(
            "Serve the model version that DIR/current points at, over the Open Inference "
            f"Protocol. The bearer token, if any, comes from ${TOKEN_VARIABLE}."
        ),
    )
    parser.add_argument("--root", required=True, type=Path, help="the endpoint's directory")
    parser.add_argument("--name", required=True, help="the model name in the URLs")
    parser.add_argument("--host", default="127.0.0.1", help="the address to listen on")
    parser.add_argument("--port", default=8080, type=_port, help="the port to listen on")
    parser.add_argument("--workers", default=1, type=_positive, help="server processes")
    parser.add_argument(
        "--max-body-bytes",
        default=DEFAULT_MAX_BODY_BYTES,
        type=_positive,
        help="larger request bodies get 413 (default 1 MiB)",
    )
    parsed = parser.parse_args(arguments)
    return ServingOptions(
        root=parsed.root.resolve(),
        name=parsed.name,
        host=parsed.host,
        port=parsed.port,
        workers=parsed.workers,
        max_body_bytes=parsed.max_body_bytes,
        token=token_of(os.environ if environment is None else environment),
    )
