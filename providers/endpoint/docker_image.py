"""The build context of an endpoint's Docker image: the serving code and the Python packages
it needs, copied from this machine, so that the build needs no registry.

A container here cannot reach the package registries (FACTS.md), so nothing is installed
inside it: the installed distributions the server imports (found by loading the version to
serve in a probe process, which imports what the server will: its web stack, the transform,
the model's library) and everything they require are copied file by file from this
interpreter's site-packages. The base image must run Python 3.11 (the ABI of those wheels)
on a glibc at least as new as this machine's; the build checks the first and imports the
server to prove the second. GPU-only packages (`nvidia-*`) are left out.

The image's tag is a digest of what it holds (the base image, the distributions and their
versions, the code), so that an unchanged endpoint reuses its image and a new model of the
same format does not rebuild it.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
from collections.abc import Iterable
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path

from providers.problems import Problem

IMAGE_REPOSITORY = "mlform-endpoint"
PACKAGES_REPOSITORY = "mlform-endpoint-packages"
CONTAINER_ROOT = "/srv/endpoint"
CONTAINER_PORT = 8080
PACKAGES = ("mlform", "providers")
"""The source packages copied as they are (mlform itself is installed in development mode)."""
LEFT_OUT = frozenset({"mlform", "pip", "setuptools", "wheel"})
LEFT_OUT_PREFIXES = ("nvidia-",)

PROBE = """
import json, sys
from pathlib import Path
import providers.endpoint.serving.app, providers.endpoint.serving.server
for name in ("uvicorn.loops.auto", "uvicorn.loops.uvloop", "uvicorn.protocols.http.auto",
             "uvicorn.protocols.http.httptools_impl", "uvicorn.protocols.http.h11_impl",
             "uvicorn.lifespan.on", "uvicorn.supervisors.multiprocess"):
    try:
        __import__(name)
    except ImportError:
        pass
if len(sys.argv) > 1:
    from providers.endpoint.serving.bundle import load_bundle
    load_bundle(Path(sys.argv[1]))
print(json.dumps(sorted({name.split(".")[0] for name in list(sys.modules)})))
"""

PACKAGES_DOCKERFILE = """\
FROM {base}
COPY site-packages /opt/mlform/site-packages
ENV PYTHONPATH=/opt/mlform/app:/opt/mlform/site-packages \\
    PYTHONUNBUFFERED=1 PYTHONDONTWRITEBYTECODE=1 LANG=C.UTF-8
RUN ["python3", "-c", "import sys; v = sys.version_info; sys.exit(0 if v[:2] == (3, 11) else f'the base image runs Python {{v[0]}}.{{v[1]}}, but endpoint images need Python 3.11 as python3, the version of the packages copied into them: set base_image to a Python 3.11 image')"]
"""

CODE_DOCKERFILE = """\
FROM {packages}
COPY app /opt/mlform/app
RUN ["python3", "-c", "import providers.endpoint.serving.app, providers.endpoint.serving.server"]
WORKDIR {root}
EXPOSE {port}
ENTRYPOINT ["python3", "-m", "providers.endpoint.serving"]
"""


def _digest(*parts: object) -> str:
    text = json.dumps(parts, sort_keys=True)
    return hashlib.blake2b(text.encode("utf-8"), digest_size=8).hexdigest()


@dataclass(frozen=True)
class ImageContent:
    """What an endpoint's image holds, in two layers: the packages on the base image (by
    id), built once per set of distributions, then the code, rebuilt when it changes."""

    base_id: str
    distributions: tuple[tuple[str, str], ...]
    code_digest: str

    @property
    def packages_tag(self) -> str:
        return f"{PACKAGES_REPOSITORY}:{_digest(self.base_id, self.distributions, PACKAGES_DOCKERFILE)}"

    @property
    def tag(self) -> str:
        return f"{IMAGE_REPOSITORY}:{_digest(self.packages_tag, self.code_digest, CODE_DOCKERFILE)}"


def image_content(base_id: str, version_dir: Path | None) -> ImageContent:
    names = required_distributions(version_dir)
    return ImageContent(
        base_id,
        tuple((name, metadata.version(name)) for name in names),
        code_digest(),
    )


def required_distributions(version_dir: Path | None) -> list[str]:
    """The installed distributions the server needs to serve the version in `version_dir`
    (or just to start, when None), with everything they require, sorted."""
    modules = imported_modules(version_dir)
    owners = metadata.packages_distributions()
    found = {name for module in modules for name in owners.get(module, [])}
    return sorted(_closure(found))


def imported_modules(version_dir: Path | None) -> list[str]:
    """The top-level modules a server imports to serve the version (a probe process)."""
    command = [sys.executable, "-c", PROBE, *([str(version_dir)] if version_dir else [])]
    source = str(Path(__file__).resolve().parents[2])
    completed = subprocess.run(
        command, capture_output=True, text=True, cwd=source, timeout=600, check=False
    )
    if completed.returncode != 0:
        tail = "\n".join(completed.stderr.splitlines()[-10:])
        raise Problem.at(
            ("model",),
            f"the model cannot be loaded for serving, so no image can be built for it:\n{tail}",
        )
    modules = json.loads(completed.stdout.strip().splitlines()[-1])
    return [str(module) for module in modules]


_NAME = re.compile(r"^\s*([A-Za-z0-9][A-Za-z0-9._-]*)")


def _canonical(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def _closure(names: Iterable[str]) -> set[str]:
    """The distributions and, recursively, what they require (extras left out), as
    installed; GPU-only and packaging tools left out."""
    from packaging.requirements import InvalidRequirement, Requirement

    seen: dict[str, str] = {}
    stack = list(names)
    while stack:
        name = stack.pop()
        key = _canonical(name)
        if key in seen or key in LEFT_OUT or key.startswith(LEFT_OUT_PREFIXES):
            continue
        try:
            distribution = metadata.distribution(name)
        except metadata.PackageNotFoundError:
            continue  # an optional requirement that is not installed
        seen[key] = distribution.metadata["Name"]
        for text in distribution.requires or []:
            try:
                requirement = Requirement(text)
            except InvalidRequirement:
                continue
            if requirement.marker is not None and not requirement.marker.evaluate({"extra": ""}):
                continue
            stack.append(requirement.name)
    return set(seen.values())


def code_digest() -> str:
    digest = hashlib.blake2b(digest_size=16)
    for path in sorted(_code_files()):
        digest.update(str(path.relative_to(_source_root())).encode())
        digest.update(b"\0")
        digest.update(path.read_bytes())
    return digest.hexdigest()


def _source_root() -> Path:
    return Path(__file__).resolve().parents[2]


def _code_files() -> list[Path]:
    root = _source_root()
    files = []
    for package in PACKAGES:
        for path in (root / package).rglob("*"):
            if (
                path.is_file()
                and path.suffix in (".py", ".typed")
                and "__pycache__" not in path.parts
            ):
                files.append(path)
    return files


def write_packages_context(directory: Path, base_image: str, content: ImageContent) -> None:
    """The Dockerfile and the distributions' files (hard links where possible)."""
    site = directory / "site-packages"
    site.mkdir(parents=True, exist_ok=True)
    for name, _ in content.distributions:
        _copy_distribution(metadata.distribution(name), site)
    (directory / "Dockerfile").write_text(
        PACKAGES_DOCKERFILE.format(base=base_image), encoding="utf-8"
    )


def write_code_context(directory: Path, content: ImageContent) -> None:
    """The Dockerfile and the serving code, on the packages image."""
    app = directory / "app"
    root = _source_root()
    for path in _code_files():
        _place(path, app / path.relative_to(root))
    (directory / "Dockerfile").write_text(
        CODE_DOCKERFILE.format(
            packages=content.packages_tag, root=CONTAINER_ROOT, port=CONTAINER_PORT
        ),
        encoding="utf-8",
    )


def _copy_distribution(distribution: metadata.Distribution, site: Path) -> None:
    base = Path(str(distribution.locate_file(""))).resolve()
    for file in distribution.files or []:
        if file.parts and file.parts[0] == "..":
            continue  # a script installed outside site-packages
        source = base / file
        if source.is_file():
            _place(source, site / file)


def _place(source: Path, target: Path) -> None:
    """A hard link to `source` (the context is only read), else a copy."""
    target.parent.mkdir(parents=True, exist_ok=True)
    try:
        os.link(source, target)
    except OSError:
        shutil.copy2(source, target)
