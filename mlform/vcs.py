"""The git commit a configuration is at, read from `.git` directly (no `git` process)."""

from __future__ import annotations

import re
from pathlib import Path

_SHA = re.compile(r"^[0-9a-f]{40}([0-9a-f]{24})?$")


def git_commit(directory: Path) -> str | None:
    """The commit checked out in the repository holding `directory`; None outside git or
    on an unborn branch. Follows `.git` files (worktrees, submodules) and packed refs."""
    for candidate in (directory.resolve(), *directory.resolve().parents):
        dot_git = candidate / ".git"
        if dot_git.is_file():
            text = dot_git.read_text(errors="replace").strip()
            if not text.startswith("gitdir:"):
                return None
            dot_git = (candidate / text.removeprefix("gitdir:").strip()).resolve()
        if dot_git.is_dir():
            return _resolve(dot_git)
    return None


def _resolve(git_dir: Path) -> str | None:
    try:
        head = (git_dir / "HEAD").read_text().strip()
    except OSError:
        return None
    if _SHA.match(head):
        return head
    if not head.startswith("ref:"):
        return None
    ref = head.removeprefix("ref:").strip()
    common = git_dir
    commondir = git_dir / "commondir"
    if commondir.is_file():
        common = (git_dir / commondir.read_text().strip()).resolve()
    for base in (git_dir, common):
        loose = base / ref
        if loose.is_file():
            value = loose.read_text().strip()
            return value if _SHA.match(value) else None
    packed = common / "packed-refs"
    if packed.is_file():
        for line in packed.read_text().splitlines():
            sha, _, name = line.partition(" ")
            if name == ref and _SHA.match(sha):
                return sha
    return None
