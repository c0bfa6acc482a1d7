"""The configuration's git commit, read from .git without running git; checked against git."""

from __future__ import annotations

import subprocess
from pathlib import Path

from mlform.vcs import git_commit


def git(cwd: Path, *args: str) -> str:
    return subprocess.run(
        ["git", "-c", "user.name=t", "-c", "user.email=t@t", *args],
        cwd=cwd,
        check=True,
        capture_output=True,
        text=True,
    ).stdout.strip()


def test_commit_of_a_subdirectory_loose_and_packed(tmp_path: Path) -> None:
    repo = tmp_path / "repo"
    (repo / "ml" / "churn").mkdir(parents=True)
    git(repo, "init", "-q")
    assert git_commit(repo / "ml" / "churn") is None  # unborn branch
    (repo / "ml" / "churn" / "main.mlf.hcl").write_text("")
    git(repo, "add", ".")
    git(repo, "commit", "-qm", "first")
    head = git(repo, "rev-parse", "HEAD")
    assert git_commit(repo / "ml" / "churn") == head
    git(repo, "pack-refs", "--all")
    assert git_commit(repo / "ml" / "churn") == head
    git(repo, "checkout", "-q", "--detach")
    assert git_commit(repo) == head


def test_a_worktree_and_no_repository(tmp_path: Path) -> None:
    repo = tmp_path / "repo"
    repo.mkdir()
    git(repo, "init", "-q")
    git(repo, "commit", "-q", "--allow-empty", "-m", "first")
    git(repo, "worktree", "add", "-q", str(tmp_path / "tree"), "-b", "other")
    git(tmp_path / "tree", "commit", "-q", "--allow-empty", "-m", "second")
    assert git_commit(tmp_path / "tree") == git(tmp_path / "tree", "rev-parse", "HEAD")
    assert git_commit(tmp_path / "tree") != git(repo, "rev-parse", "HEAD")
    outside = tmp_path / "plain"
    outside.mkdir()
    assert git_commit(outside) is None
