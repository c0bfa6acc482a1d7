"""A served endpoint's life, whatever the runtime: deploy a version, swap in a new one with no
failed request, tell whether the recorded server still serves it, and tear it down.

- deploy: a new directory (`layout.py`), the version staged and made `current`, the server
  started on the configured port (a free one when unset) and waited for until ready; on any
  failure, what was started is stopped and removed again, and the error quotes the log.
- swap: the new version staged beside the served one, `current` replaced atomically, then
  wait until every worker says it serves the new version (each worker loads it beside the
  old one and swaps one reference: no request fails or mixes the two). A version that fails
  to load is rolled back: `current` names the old one again, which never stopped serving.
- check (refresh): the server must run, answer ready on its port, and say it serves this
  endpoint's name and recorded version; else the plan replaces it.
- tear down: stop the server, wait until its port closes, remove its directory.
"""

from __future__ import annotations

import hashlib
import json
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from mlform.sdk import Values
from providers.endpoint import health, process
from providers.endpoint.layout import Layout, Version, endpoint_home, stage_version
from providers.endpoint.runtime import READY_TIMEOUT_SECONDS, Launch, Runtime
from providers.endpoint.settings import EndpointSettings
from providers.problems import Problem

SWAP_TIMEOUT_SECONDS = 120.0


@dataclass(frozen=True)
class Target:
    """Where an endpoint is deployed: its configuration directory, workspace and address."""

    config_dir: Path
    workspace: str
    address: str


def endpoint_id(address: str, version: Version) -> str:
    """The endpoint's id: what it serves, under which address."""
    text = json.dumps(
        {"address": address, "model_id": version.model_id, "transform_id": version.transform_id},
        sort_keys=True,
    )
    return hashlib.blake2b(text.encode("utf-8"), digest_size=32).hexdigest()


def deploy(
    runtime: Runtime,
    target: Target,
    settings: EndpointSettings,
    version: Version,
) -> dict[str, Any]:
    """Start a server serving `version`; its outputs."""
    port = settings.port if settings.port is not None else process.free_port(settings.host)
    if process.port_open(settings.host, port):
        raise Problem.at(
            ("port",),
            f"port {port} is in use by another process on this machine; stop it, or choose "
            "another port (leave port unset and a free one is chosen)",
        )
    layout = Layout.create(endpoint_home(target.config_dir, target.workspace, target.address))
    try:
        name = stage_version(layout, version, settings.name)
        layout.point_current(name)
        launch = Launch(layout, settings, port, target.workspace, target.address)
        started = runtime.start(launch)
    except BaseException:
        layout.remove()
        raise
    outputs: dict[str, Any] = {
        "id": endpoint_id(target.address, version),
        "url": health.base_url(settings.host, port),
        "port": port,
        "model_id": version.model_id,
        "transform_id": version.transform_id,
        "version": name,
        "runtime_dir": str(layout.root),
        "pid": None,
        "started": None,
        "log_file": None,
        "container_id": None,
        "image": None,
        "docker_host": None,
        **started,
    }
    try:
        problem = health.wait_ready(
            outputs["url"], READY_TIMEOUT_SECONDS, lambda: runtime.status(outputs).running
        )
        if problem is None:  # every worker, not only the one that answered
            problem = wait_for_workers(runtime, layout, outputs, name, settings.workers)
    except BaseException:  # interrupted: leave nothing running that no state records
        _discard(runtime, outputs, layout)
        raise
    if problem is not None:
        log = runtime.log_tail(outputs)
        _discard(runtime, outputs, layout)
        raise Problem.at(
            (),
            f"the server on {outputs['url']} did not become ready ({problem}), so it was "
            f"stopped again.{_quoted(log)}",
        )
    return outputs


def _discard(runtime: Runtime, outputs: Values, layout: Layout) -> None:
    """Stop a server that failed to start; a built image stays, for the next attempt."""
    try:
        runtime.stop(outputs, keep_image=True)
    finally:
        layout.remove()


def swap(
    runtime: Runtime, prior: Values, settings: EndpointSettings, version: Version, address: str
) -> dict[str, Any]:
    """Serve `version` on the running server of `prior`; the new outputs."""
    root = prior.get("runtime_dir")
    if not isinstance(root, str):
        raise Problem.at((), "the endpoint's directory is not recorded; replace the endpoint")
    status = runtime.status(prior)
    if not status.running:
        raise Problem.at(
            (),
            f"{status.problem or 'the server is not running'}, so the new model cannot be "
            f"swapped in; run mlform apply again (refresh notices it and starts a new server), "
            f"or mlform apply -replace={address}",
        )
    layout = Layout(Path(root))
    name = stage_version(layout, version, settings.name)
    outputs = {
        **prior,
        "id": endpoint_id(address, version),
        "model_id": version.model_id,
        "transform_id": version.transform_id,
        "version": name,
    }
    previous = layout.current_version()
    if previous == name:
        return outputs
    layout.point_current(name)
    problem = wait_for_workers(runtime, layout, prior, name, settings.workers)
    if problem is not None:
        if previous is not None and (layout.versions / previous).is_dir():
            layout.point_current(previous)
        raise Problem.at(
            ("model",),
            f"the new model was not swapped in: {problem}. The server goes on serving the "
            f"previous version.{_quoted(runtime.log_tail(prior))}",
        )
    layout.prune_versions(keep=name)
    return outputs


def wait_for_workers(
    runtime: Runtime, layout: Layout, outputs: Values, version: str, workers: int
) -> str | None:
    """Wait until every live worker serves `version` (at least `workers` of them); None when
    they do, else what went wrong (a worker could not load it, or time ran out)."""
    alive = runtime.worker_alive(outputs)
    deadline = time.monotonic() + SWAP_TIMEOUT_SECONDS
    while True:
        statuses = layout.worker_statuses(alive)
        serving = [s for s in statuses if s.get("version") == version]
        if len(serving) >= workers and len(serving) == len(statuses):
            return None
        failed = [
            s["error"]
            for s in statuses
            if s.get("version") != version
            and isinstance(s.get("error"), str)
            and version in s["error"]
        ]
        if failed:
            return str(failed[0])
        if not runtime.status(outputs).running:
            return "the server stopped"
        if time.monotonic() > deadline:
            return (
                f"after {SWAP_TIMEOUT_SECONDS:.0f} s, {len(serving)} of {max(workers, len(statuses))} "
                "workers serve it"
            )
        time.sleep(0.05)


def check(runtime: Runtime, outputs: Values, settings: EndpointSettings) -> str | None:
    """Why the recorded server no longer serves this endpoint as recorded (drift), or None."""
    url, port = outputs.get("url"), outputs.get("port")
    if not isinstance(url, str):
        return None
    status = runtime.status(outputs)
    if not status.running:
        # a server just killed may hold its port for a moment while its threads exit
        if isinstance(port, int | float) and not process.wait_port_closed(
            settings.host, int(port), timeout=2.0
        ):
            return f"port {int(port)} is answered by another process ({status.problem})"
        return status.problem or "the server is not running"
    served = health.served(url, settings.name, settings.token)
    if served.status == 0:
        return f"the server does not answer on port {port}"
    if served.status == 503:
        return f"the server on port {port} is not ready: it has no model loaded"
    if served.status != 200:
        return f"port {port} is answered by another process (not endpoint {settings.name})"
    if served.name is not None and served.name != settings.name:
        return f"port {port} is answered by another process (endpoint {served.name})"
    version = outputs.get("version")
    if served.version is not None and isinstance(version, str) and served.version != version:
        return f"the server serves version {served.version}, not the recorded {version}"
    root = outputs.get("runtime_dir")
    if isinstance(root, str) and not Layout(Path(root)).current.exists():
        return f"the server's directory {root} is gone"
    return None


def tear_down(runtime: Runtime, outputs: Values, settings: EndpointSettings) -> None:
    was_running = runtime.status(outputs).running
    runtime.stop(outputs, keep_image=settings.keep_image)
    port = outputs.get("port")
    if (
        was_running
        and isinstance(port, int | float)
        and not process.wait_port_closed(settings.host, int(port))
    ):
        raise Problem.at(
            (),
            f"the server was stopped, but port {int(port)} is still open after 10 s; "
            "find what holds it (ss -ltnp) and stop it",
        )
    root = outputs.get("runtime_dir")
    if isinstance(root, str):
        Layout(Path(root)).remove()


def _quoted(log: str) -> str:
    if not log.strip():
        return ""
    lines = "\n".join(f"    {line}" for line in log.splitlines())
    return f" The end of its log:\n{lines}"
