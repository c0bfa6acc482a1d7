"""`runtime = "docker"`: the server in a container, through the Docker SDK.

The engine is the one `provider "docker" { host = "..." }` names, else `DOCKER_HOST`, else
the local socket; it is recorded with the endpoint, so that refresh and destroy reach the
container where it runs. The image holds the serving code and its packages
(`docker_image.py`); the endpoint's directory is bind-mounted at /srv/endpoint, so that a
swap works as it does for a local process. The port is published on the endpoint's host
(127.0.0.1 by default) only. The engine must run on this machine, for the bind mount.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

from mlform.sdk import MissingDependencyError, Values, import_optional, value_of
from providers.endpoint.docker_image import (
    CONTAINER_PORT,
    CONTAINER_ROOT,
    image_content,
    write_code_context,
    write_packages_context,
)
from providers.endpoint.runtime import STOP_TIMEOUT_SECONDS, Launch, Status
from providers.problems import Problem

if TYPE_CHECKING:
    import docker

DEFAULT_HOST = "unix:///var/run/docker.sock"
PREFERRED_BASE = "mlform-base:bookworm"
"""Built offline by `make docker` (debootstrap), for machines that reach no registry."""
FALLBACK_BASE = "python:3.11-slim-bookworm"
RUNTIME = ("runtime",)
BUILD_TIMEOUT_SECONDS = 900


def engine_host(providers: Mapping[str, Values], environ: Mapping[str, str] | None = None) -> str:
    """The engine to use: `provider "docker" { host }`, else DOCKER_HOST, else the socket."""
    environ = os.environ if environ is None else environ
    configured = value_of(providers.get("docker", {}), "host")
    if isinstance(configured, str) and configured:
        return configured
    return environ.get("DOCKER_HOST") or DEFAULT_HOST


def connect(host: str, timeout: int = 60) -> docker.DockerClient:
    """A client of the engine at `host` that answered a ping; a `Problem` saying how to
    point mlform at an engine when none answers."""
    try:
        docker = import_optional("docker", 'runtime = "docker"')
    except MissingDependencyError as error:
        raise Problem.at(RUNTIME, str(error)) from error
    try:
        client = docker.DockerClient(base_url=host, timeout=timeout)
        client.ping()
    except Exception as error:  # the SDK raises DockerException, requests' errors, OSError
        raise Problem.at(
            RUNTIME,
            f"no Docker engine answers at {host} ({_short(error)}). Start one (on this "
            "project's machines: make docker), or point mlform at one: "
            'provider "docker" { host = "unix:///path/to/docker.sock" } in the configuration, '
            "or the DOCKER_HOST environment variable.",
        ) from error
    return client


class DockerRuntime:
    def __init__(self, host: str, base_image: str | None = None):
        self.host = host
        self.base_image = base_image
        self._client: docker.DockerClient | None = None

    @property
    def client(self) -> docker.DockerClient:
        if self._client is None:
            self._client = connect(self.host)
        return self._client

    def start(self, launch: Launch) -> dict[str, Any]:
        settings = launch.settings
        base = self._base_image()
        image = self._image(base, launch.layout.current.resolve())
        name = f"mlform-{settings.name}-{launch.layout.root.name}"
        command = [
            "--root",
            CONTAINER_ROOT,
            "--host",
            "0.0.0.0",
            "--port",
            str(CONTAINER_PORT),
            "--workers",
            str(settings.workers),
            "--name",
            settings.name,
            "--max-body-bytes",
            str(settings.max_body_bytes),
        ]
        try:
            container = self.client.containers.run(
                image,
                command,
                name=name,
                detach=True,
                environment=settings.environment,
                ports={f"{CONTAINER_PORT}/tcp": (_publish_address(settings.host), launch.port)},
                volumes={str(launch.layout.root): {"bind": CONTAINER_ROOT, "mode": "rw"}},
                user=f"{os.getuid()}:{os.getgid()}",
                labels={
                    "mlform.workspace": launch.workspace,
                    "mlform.address": launch.address,
                    "mlform.endpoint": settings.name,
                    "mlform.runtime_dir": str(launch.layout.root),
                },
                init=True,
                restart_policy={"Name": "unless-stopped"},
            )
        except Exception as error:
            raise Problem.at(
                RUNTIME, f"the container could not be started: {_short(error)}"
            ) from error
        return {"container_id": container.id, "image": image, "docker_host": self.host}

    def _base_image(self) -> str:
        from docker.errors import DockerException, ImageNotFound

        images = self.client.images
        if self.base_image is not None:
            candidates = [self.base_image]
        else:
            candidates = [PREFERRED_BASE, FALLBACK_BASE]
        for candidate in candidates:
            try:
                images.get(candidate)
                return candidate
            except ImageNotFound:
                continue
        wanted = candidates[-1]
        try:
            images.pull(wanted)
        except DockerException as error:
            raise Problem.at(
                ("base_image",) if self.base_image else RUNTIME,
                f'the base image "{wanted}" is not in the Docker engine at {self.host}, and '
                f"pulling it failed ({_short(error)}). Where no registry is reachable, build "
                f"{PREFERRED_BASE} offline with make docker, or set base_image to a Python "
                "3.11 image the engine has.",
            ) from error
        return wanted

    def _image(self, base: str, version_dir: Path) -> str:
        """The endpoint's image, built unless the engine has it: the packages image first
        (unless the engine has it: it changes only with the libraries), then the code."""
        content = image_content(self.client.images.get(base).id, version_dir)
        if not self._has(content.tag):
            if not self._has(content.packages_tag):
                self._build(
                    content.packages_tag,
                    lambda context: write_packages_context(context, base, content),
                    base,
                )
            self._build(
                content.tag,
                lambda context: write_code_context(context, content),
                base,
                {"mlform.packages_image": content.packages_tag},
            )
        return content.tag

    def _has(self, tag: str) -> bool:
        from docker.errors import ImageNotFound

        try:
            self.client.images.get(tag)
        except ImageNotFound:
            return False
        return True

    def _build(
        self,
        tag: str,
        write: Callable[[Path], None],
        base: str,
        labels: Mapping[str, str] | None = None,
    ) -> None:
        from docker.errors import BuildError, DockerException

        context = Path(tempfile.mkdtemp(prefix="mlform-image-"))
        try:
            write(context)
            builder = connect(self.host, timeout=BUILD_TIMEOUT_SECONDS)
            builder.images.build(
                path=str(context),
                tag=tag,
                rm=True,
                forcerm=True,
                labels={"mlform.base_image": base, **(labels or {})},
            )
        except BuildError as error:
            log = "".join(
                str(item.get("stream") or item.get("error") or "") for item in error.build_log
            )
            tail = "\n".join(f"    {line}" for line in log.strip().splitlines()[-12:])
            raise Problem.at(
                ("base_image",) if self.base_image else RUNTIME,
                f"building the endpoint's image on {base} failed: {error.msg}\n{tail}",
            ) from error
        except DockerException as error:
            raise Problem.at(
                RUNTIME, f"building the endpoint's image failed: {_short(error)}"
            ) from error
        finally:
            shutil.rmtree(context, ignore_errors=True)

    def status(self, outputs: Values) -> Status:
        from docker.errors import NotFound

        container_id = outputs.get("container_id")
        if not isinstance(container_id, str):
            return Status(False, "the container is not recorded")
        try:
            container = self.client.containers.get(container_id)
        except NotFound:
            return Status(False, f"the container {container_id[:12]} no longer exists")
        if container.status != "running":
            return Status(False, f"the container {container_id[:12]} is {container.status}")
        return Status(True)

    def worker_alive(self, outputs: Values) -> Callable[[int], bool]:
        return lambda pid: True

    def log_tail(self, outputs: Values, lines: int = 20) -> str:
        container_id = outputs.get("container_id")
        if not isinstance(container_id, str):
            return ""
        try:
            logs = self.client.containers.get(container_id).logs(tail=lines)
        except Exception:  # the log is a courtesy in an error message
            return ""
        return bytes(logs).decode("utf-8", errors="replace").rstrip()

    def stop(self, outputs: Values, keep_image: bool = False) -> None:
        from docker.errors import APIError, NotFound

        container_id = outputs.get("container_id")
        if isinstance(container_id, str):
            try:
                container = self.client.containers.get(container_id)
                container.stop(timeout=int(STOP_TIMEOUT_SECONDS))
                container.remove(force=True)
            except NotFound:
                pass
            except APIError as error:
                raise Problem.at(
                    (),
                    f"the container {container_id[:12]} could not be removed: {_short(error)}; "
                    f"remove it with docker rm -f {container_id[:12]}, then run the command again",
                ) from error
        image = outputs.get("image")
        if not keep_image and isinstance(image, str):
            self._remove_image(image)

    def _remove_image(self, tag: str) -> None:
        """Remove the endpoint's image, then its packages image unless another image is
        built on it; an image another container uses stays."""
        from docker.errors import APIError, NotFound

        try:
            packages = self.client.images.get(tag).labels.get("mlform.packages_image")
        except NotFound:
            return
        for image in (tag, packages):
            if not image:
                continue
            if image == packages and self.client.images.list(
                filters={"label": f"mlform.packages_image={packages}"}
            ):
                return  # another endpoint's image is built on it
            try:
                self.client.images.remove(image)
            except NotFound:
                continue
            except APIError as error:
                if error.status_code == 409:  # a container uses it
                    return
                raise Problem.at(
                    ("keep_image",), f"the image {image} could not be removed: {_short(error)}"
                ) from error


def _publish_address(host: str) -> str:
    return "127.0.0.1" if host == "localhost" else host


def _short(error: BaseException) -> str:
    text = str(error).strip() or type(error).__name__
    return text if len(text) <= 300 else text[:297] + "..."
