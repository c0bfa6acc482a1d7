"""Checks of an endpoint's configuration: runtime, port, workers, body limit, exposure, and
whether a replacement can run beside the old server (`create_before_destroy`)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from mlform.sdk import (
    ProviderDiagnostic,
    did_you_mean,
    is_whole_number,
    number_of,
    quoted_choices,
    value_of,
)
from providers.common import check_positive_whole
from providers.endpoint.schema import LOOPBACK_HOSTS, RUNTIMES

Config = Mapping[str, Any]

DOCKER_ONLY = ("base_image", "keep_image")


def validate_endpoint(
    config: Config, create_before_destroy: bool = False
) -> list[ProviderDiagnostic]:
    return [
        *check_runtime(config),
        *check_port(config),
        *check_positive_whole(value_of(config, "workers"), ("workers",)),
        *check_positive_whole(value_of(config, "max_body_bytes"), ("max_body_bytes",)),
        *check_exposure(config),
        *(check_create_before_destroy(config) if create_before_destroy else []),
    ]


def check_runtime(config: Config) -> list[ProviderDiagnostic]:
    runtime = value_of(config, "runtime")
    if not isinstance(runtime, str):
        return []
    if runtime not in RUNTIMES:
        return [
            ProviderDiagnostic.error(
                f'unknown runtime "{runtime}"{did_you_mean(runtime, RUNTIMES, otherwise=".")} '
                f"Use {quoted_choices(RUNTIMES)}.",
                ("runtime",),
            )
        ]
    return [
        ProviderDiagnostic.error(
            f'{name} is only used with runtime = "docker", not "{runtime}"; remove it',
            (name,),
        )
        for name in DOCKER_ONLY
        if runtime != "docker" and value_of(config, name) not in (None, False)
    ]


def check_port(config: Config) -> list[ProviderDiagnostic]:
    port = number_of(value_of(config, "port"))
    if port is None or (is_whole_number(port) and 1 <= port <= 65535):
        return []
    return [
        ProviderDiagnostic.error(
            f"port must be a whole number from 1 to 65535, not {port}", ("port",)
        )
    ]


def check_exposure(config: Config) -> list[ProviderDiagnostic]:
    host = value_of(config, "host")
    token = value_of(config, "token")
    if not isinstance(host, str) or host in LOOPBACK_HOSTS or token is not None:
        return []
    return [
        ProviderDiagnostic.warning(
            f'the endpoint listens on "{host}" without a token: anyone who can reach this '
            "machine can call it. Set token (from a sensitive variable), or listen on 127.0.0.1",
            ("host",),
        )
    ]


def check_create_before_destroy(config: Config) -> list[ProviderDiagnostic]:
    """A replacement created before the old server is destroyed needs a port of its own: two
    servers cannot listen on one port, so a fixed port that a replacement keeps cannot work."""
    port = value_of(config, "port")
    if port is None:
        return []
    shown = f"port {port}" if is_whole_number(port) else "its fixed port"
    return [
        ProviderDiagnostic.error(
            f"create_before_destroy starts the replacement while the old server still listens "
            f"on {shown}, which the replacement keeps, so it could not listen. Leave port unset "
            "(a free port is chosen, see the url output), or remove create_before_destroy "
            "from the lifecycle block.",
            ("port",),
        )
    ]
