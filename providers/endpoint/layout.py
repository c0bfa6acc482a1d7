"""Where a served endpoint lives on disk, and how a model version is put there and swapped in.

The server serves `ROOT/current`, a relative symlink to `ROOT/versions/<version>/` holding
`card.json`, the model file the card names, `transform.json` and `version.json`. A swap writes
a new version directory (staged under a temporary name, then renamed), replaces the link
atomically (a new link renamed over it) and waits until every worker's `ROOT/workers/<pid>.json`
names the new version. See `providers.endpoint.serving` for the server's side.

ROOT must outlive the apply that starts the server, so it is not the apply's work directory:

    $MLFORM_RUNTIME_DIR, else $XDG_STATE_HOME/mlform/endpoints, else
    ~/.local/state/mlform/endpoints
      <name>-<digest>/              one per configuration directory, workspace and address
        <deployment>/               one per server started (ROOT): a replacement created
                                    before the old one is destroyed gets its own
          current -> versions/<version>
          versions/<version>/       card.json, the model file, transform.json, version.json
          workers/<pid>.json        what each worker serves (written by the server)
          server.log                the local server's log

`<digest>` is 12 hex digits of the BLAKE2b digest of the resolved configuration
directory, the workspace key and the address, so that two workspaces (or two clones) never
share one; `<deployment>` is random.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import secrets
import shutil
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from providers.endpoint.settings import UNSAFE
from providers.problems import Problem

RUNTIME_DIR_VARIABLE = "MLFORM_RUNTIME_DIR"
CARD_FILE = "card.json"
TRANSFORM_FILE = "transform.json"
VERSION_FILE = "version.json"
MODEL_FILE_NAMES = {
    "xgboost-json": "model.json",
    "xgboost-ubj": "model.ubj",
    "keras": "model.keras",
}


def runtime_root(environ: Mapping[str, str] | None = None) -> Path:
    environ = os.environ if environ is None else environ
    explicit = environ.get(RUNTIME_DIR_VARIABLE)
    if explicit:
        return Path(explicit).expanduser()
    state = environ.get("XDG_STATE_HOME")
    base = Path(state).expanduser() if state else Path.home() / ".local" / "state"
    return base / "mlform" / "endpoints"


def endpoint_home(
    config_dir: Path, workspace: str, address: str, environ: Mapping[str, str] | None = None
) -> Path:
    """The directory of one endpoint of one workspace, holding its deployments."""
    identity = "\0".join((str(Path(config_dir).resolve()), workspace, address))
    digest = hashlib.blake2b(identity.encode("utf-8"), digest_size=6).hexdigest()
    name = UNSAFE.sub("-", address.removeprefix("endpoint.")).strip("-") or "endpoint"
    return runtime_root(environ) / f"{name}-{digest}"


@dataclass(frozen=True)
class Layout:
    """One deployment's directory: the server's `--root`."""

    root: Path

    @classmethod
    def create(cls, home: Path) -> Layout:
        home.mkdir(parents=True, exist_ok=True)
        while True:
            root = home / (time.strftime("%Y%m%d-%H%M%S-") + secrets.token_hex(3))
            try:
                root.mkdir()
            except FileExistsError:
                continue
            (root / "versions").mkdir()
            (root / "workers").mkdir()
            return cls(root)

    @property
    def versions(self) -> Path:
        return self.root / "versions"

    @property
    def current(self) -> Path:
        return self.root / "current"

    @property
    def workers(self) -> Path:
        return self.root / "workers"

    @property
    def log_file(self) -> Path:
        return self.root / "server.log"

    def current_version(self) -> str | None:
        try:
            return Path(os.readlink(self.current)).name
        except OSError:
            return None

    def point_current(self, version: str) -> None:
        """Make `current` name the version, atomically: a reader sees the old or the new."""
        if not (self.versions / version).is_dir():
            raise FileNotFoundError(self.versions / version)
        temporary = self.root / f".current-{secrets.token_hex(4)}"
        os.symlink(f"versions/{version}", temporary)
        os.replace(temporary, self.current)

    def prune_versions(self, keep: str) -> None:
        """Remove the versions no worker serves any more (all but `keep`)."""
        for path in self.versions.iterdir():
            if path.name != keep:
                shutil.rmtree(path, ignore_errors=True)

    def remove(self) -> None:
        """Remove the deployment, and its endpoint's directory once no deployment is left."""
        shutil.rmtree(self.root, ignore_errors=True)
        with contextlib.suppress(OSError):
            self.root.parent.rmdir()

    def worker_statuses(self, alive: Callable[[int], bool]) -> list[dict[str, Any]]:
        """What each live worker says it serves (a file whose pid is gone is left out)."""
        found = []
        for path in sorted(self.workers.glob("*.json")):
            if not path.stem.isdigit() or not alive(int(path.stem)):
                continue
            try:
                status = json.loads(path.read_text(encoding="utf-8"))
            except (OSError, ValueError):
                continue
            if isinstance(status, dict):
                found.append(status)
        return found


@dataclass(frozen=True)
class Version:
    """What one version serves: the model and the transform, by id, and their stored files."""

    model_id: str
    transform_id: str
    card: Path
    model_file: Path
    transform: Path

    @property
    def name(self) -> str:
        text = f"{self.model_id}:{self.transform_id}"
        return hashlib.blake2b(text.encode("utf-8"), digest_size=8).hexdigest()


def stage_version(layout: Layout, version: Version, endpoint: str) -> str:
    """Write the version's directory (under a temporary name, then renamed) unless it is
    there already; returns its name."""
    final = layout.versions / version.name
    if final.is_dir():
        return version.name
    staging = layout.versions / f".staging-{secrets.token_hex(4)}"
    staging.mkdir(parents=True)
    try:
        card = _card(version.card)
        shutil.copyfile(version.card, staging / CARD_FILE)
        shutil.copyfile(version.model_file, staging / model_file_name(card))
        shutil.copyfile(version.transform, staging / TRANSFORM_FILE)
        served = {
            "version": version.name,
            "model_id": version.model_id,
            "transform_id": version.transform_id,
            "endpoint": endpoint,
        }
        (staging / VERSION_FILE).write_text(json.dumps(served, indent=2) + "\n", encoding="utf-8")
        os.rename(staging, final)
    except OSError:
        shutil.rmtree(staging, ignore_errors=True)
        if final.is_dir():  # staged by someone else meanwhile: the same content
            return version.name
        raise
    return version.name


def model_file_name(card: Mapping[str, Any]) -> str:
    """The name the card gives its model file, else one after its format."""
    name = card.get("file")
    if isinstance(name, str) and name and Path(name).name == name and name not in _OWN:
        return name
    return MODEL_FILE_NAMES.get(str(card.get("format", "")), "model")


_OWN = (CARD_FILE, TRANSFORM_FILE, VERSION_FILE)


def _card(path: Path) -> dict[str, Any]:
    try:
        card = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as error:
        raise Problem.at(("model",), f"the model's stored card cannot be read: {error}") from error
    if not isinstance(card, dict):
        raise Problem.at(("model",), "the model's stored card is not a JSON object")
    return card
