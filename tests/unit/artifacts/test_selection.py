"""Which artifact store a workspace gets, from MLFORM_ARTIFACTS, the mlform block or the home."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from mlform.artifacts import LocalArtifactStore, cache_directory, open_store, without_credentials
from mlform.artifacts.remote import FsspecArtifactStore
from mlform.errors import MlformError
from mlform.state.home import StateHome, resolve_state_home

ROOT = Path(__file__).resolve().parents[3]


def test_the_environment_beats_the_block_which_beats_the_home(tmp_path: Path) -> None:
    def home(environ: dict[str, str], setting: str | None) -> StateHome:
        return resolve_state_home(
            None, environ, None, tmp_path / "config", artifacts=setting, cwd=tmp_path
        )

    default = home({}, None)
    assert default.artifacts == tmp_path / "state" / "artifacts"
    block = home({}, "s3://bucket/block")
    assert block.artifacts == "s3://bucket/block"
    assert block.artifacts_origin == "mlform { artifacts }"
    environment = home({"MLFORM_ARTIFACTS": "s3://bucket/env"}, "s3://bucket/block")
    assert environment.artifacts == "s3://bucket/env"
    assert environment.artifacts_origin == "MLFORM_ARTIFACTS"
    relative = home({"MLFORM_ARTIFACTS": "shared"}, None)
    assert relative.artifacts == tmp_path / "shared"


def test_the_environment_satisfies_a_database_url(tmp_path: Path) -> None:
    resolved = resolve_state_home(
        "postgresql://alice:pw@db/state", {"MLFORM_ARTIFACTS": "s3://b/p"}, None, tmp_path
    )
    assert resolved.artifacts == "s3://b/p"
    with pytest.raises(MlformError, match="MLFORM_ARTIFACTS") as raised:
        resolve_state_home("postgresql://alice:pw@db/state", {}, None, tmp_path)
    assert "alice:pw@" not in str(raised.value)


def test_a_url_missing_its_slashes_is_refused(tmp_path: Path) -> None:
    with pytest.raises(MlformError, match='looks like a URL without its "//"'):
        resolve_state_home(None, {"MLFORM_ARTIFACTS": "s3:/bucket/prefix"}, None, tmp_path)


def test_open_store_picks_the_store(tmp_path: Path) -> None:
    assert isinstance(open_store(tmp_path / "a"), LocalArtifactStore)
    assert isinstance(open_store(str(tmp_path / "a")), LocalArtifactStore)
    local = open_store((tmp_path / "b").as_uri())
    assert isinstance(local, LocalArtifactStore) and local.location == str(tmp_path / "b")
    remote = open_store("s3://KEY:SECRET@bucket/prefix", origin="MLFORM_ARTIFACTS")
    assert isinstance(remote, FsspecArtifactStore)
    assert remote.location == "s3://bucket/prefix"
    assert "SECRET" not in repr(remote)


def test_without_credentials() -> None:
    assert without_credentials("s3://K:S@bucket/p") == "s3://bucket/p"
    assert without_credentials("s3://bucket/p") == "s3://bucket/p"
    assert without_credentials("/a/b@c") == "/a/b@c"


def test_the_cache_directory(tmp_path: Path) -> None:
    assert cache_directory({"MLFORM_CACHE_DIR": str(tmp_path)}) == tmp_path / "artifacts"
    assert cache_directory({"XDG_CACHE_HOME": str(tmp_path)}) == tmp_path / "mlform" / "artifacts"
    assert cache_directory({}).parts[-3:] == (".cache", "mlform", "artifacts")


def test_a_local_store_imports_no_fsspec(tmp_path: Path) -> None:
    code = (
        "import sys; from mlform.artifacts import open_store; "
        "from mlform.engine.workspace import Workspace; "
        f"open_store({str(tmp_path)!r}).exists('0' * 64); "
        "print(sorted(m for m in ('fsspec', 's3fs', 'botocore') if m in sys.modules))"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == "[]"
