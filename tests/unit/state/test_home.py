"""Choosing the state home, and the workspace key of a configuration directory."""

from __future__ import annotations

from pathlib import Path

import pytest

from mlform.errors import MlformError
from mlform.state.home import (
    find_git_root,
    resolve_state_home,
    split_workspace_key,
    workspace_key,
)


@pytest.fixture
def places(tmp_path: Path) -> tuple[Path, Path]:
    """A working directory and a configuration directory inside it."""
    config = tmp_path / "work" / "config"
    config.mkdir(parents=True)
    return tmp_path / "work", config


@pytest.mark.parametrize(
    ("flag", "environment", "setting", "expected", "origin"),
    [
        ("from-flag", "from-env", "from-setting", "WORK/from-flag", "--state"),
        (None, "from-env", "from-setting", "WORK/from-env", "MLFORM_STATE"),
        (None, "", "from-setting", "CONFIG/from-setting", "mlform { state }"),
        (None, None, "../shared", "WORK/shared", "mlform { state }"),
        (None, None, None, "WORK/state", "the default ./state"),
        ("/abs/home", None, None, "/abs/home", "--state"),
    ],
)
def test_the_state_home_follows_the_documented_precedence(
    places: tuple[Path, Path],
    flag: str | None,
    environment: str | None,
    setting: str | None,
    expected: str,
    origin: str,
) -> None:
    work, config = places
    environ = {} if environment is None else {"MLFORM_STATE": environment}
    home = resolve_state_home(flag, environ, setting, config, cwd=work)
    directory = Path(expected.replace("WORK", str(work)).replace("CONFIG", str(config)))
    assert home.directory == directory
    assert home.database == directory / "mlform.db"
    assert home.artifacts == directory / "artifacts"
    assert home.origin == origin and home.is_local


def test_resolving_creates_nothing_and_a_missing_home_does_not_exist(
    places: tuple[Path, Path],
) -> None:
    work, config = places
    home = resolve_state_home(None, {}, None, config, cwd=work)
    assert not home.exists()
    assert sorted(path.name for path in work.iterdir()) == ["config"]


def test_an_artifacts_setting_is_relative_to_the_configuration(places: tuple[Path, Path]) -> None:
    work, config = places
    home = resolve_state_home(None, {}, None, config, artifacts="../blobs", cwd=work)
    assert home.artifacts == work / "blobs"
    remote = resolve_state_home(None, {}, None, config, artifacts="s3://bucket/mlform", cwd=work)
    assert remote.artifacts == "s3://bucket/mlform"


def test_a_database_url_needs_an_artifacts_location(places: tuple[Path, Path]) -> None:
    work, config = places
    url = "postgresql://ci@db/mlform"
    with pytest.raises(MlformError, match=r'mlform \{ artifacts = "s3://'):
        resolve_state_home(url, {}, None, config, cwd=work)
    home = resolve_state_home(None, {"MLFORM_STATE": url}, None, config, artifacts="s3://b/p")
    assert (home.database, home.artifacts, home.directory) == (url, "s3://b/p", None)
    assert home.exists() and not home.is_local and str(home) == url


def test_a_sqlite_url_names_the_database_file(places: tuple[Path, Path]) -> None:
    work, config = places
    home = resolve_state_home("sqlite:///shared/team.db", {}, None, config, cwd=work)
    assert home.database == work / "shared" / "team.db"
    assert home.artifacts == work / "shared" / "artifacts" and home.is_local
    absolute = resolve_state_home("sqlite:////srv/mlform.db", {}, None, config, cwd=work)
    assert absolute.database == Path("/srv/mlform.db")


def test_a_file_cannot_be_a_state_home(places: tuple[Path, Path]) -> None:
    work, config = places
    (work / "state").write_text("not a directory")
    with pytest.raises(MlformError, match="is a file"):
        resolve_state_home(None, {}, None, config, cwd=work)


def test_the_workspace_key_is_relative_to_the_git_root(tmp_path: Path) -> None:
    for clone in ("alice", "ci-runner"):
        config = tmp_path / clone / "repo" / "examples" / "churn"
        config.mkdir(parents=True)
        (tmp_path / clone / "repo" / ".git").mkdir()
        assert workspace_key(config) == "examples/churn:default"
        assert workspace_key(config, "staging") == "examples/churn:staging"
        assert workspace_key(tmp_path / clone / "repo") == ".:default"


def test_a_git_file_marks_a_worktree_root(tmp_path: Path) -> None:
    (tmp_path / "worktree" / "models").mkdir(parents=True)
    (tmp_path / "worktree" / ".git").write_text("gitdir: /elsewhere/.git/worktrees/w\n")
    assert find_git_root(tmp_path / "worktree" / "models") == tmp_path / "worktree"
    assert workspace_key(tmp_path / "worktree" / "models") == "models:default"


def test_outside_git_the_key_is_the_absolute_path(tmp_path: Path) -> None:
    if find_git_root(tmp_path) is not None:
        pytest.skip("the temporary directory is inside a git repository")
    config = tmp_path / "config"
    config.mkdir()
    link = tmp_path / "link"
    link.symlink_to(config)
    assert workspace_key(config) == f"{config.resolve().as_posix()}:default"
    assert workspace_key(link) == workspace_key(config)


def test_workspace_keys_split_back_and_names_are_checked(tmp_path: Path) -> None:
    assert split_workspace_key("C:/work/config:prod-2") == ("C:/work/config", "prod-2")
    for bad in ("", "a b", "-x", "a:b", "a/b"):
        with pytest.raises(MlformError, match="cannot name a workspace"):
            workspace_key(tmp_path, bad)
