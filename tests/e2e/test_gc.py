"""`mlform gc` as a user runs it: a destroyed dataset's file stays cached until gc frees it."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from mlform.cli.gc_command import human_size
from mlform.state.home import workspace_key
from mlform.state.locking import LockInfo
from mlform.state.store import StateStore

CONFIG = 'dataset "customers" {\n  source = "customers.csv"\n}\n'


@pytest.fixture
def gc(mlform: Callable[..., Any]) -> Callable[..., Any]:
    """Runs `mlform gc ARGS` in a directory."""
    return lambda *args, cwd: mlform("gc", *args, cwd=cwd)


def project(tmp_path: Path, rows: int = 200) -> Path:
    directory = tmp_path / "churn"
    directory.mkdir()
    write_customers(directory, rows)
    (directory / "main.mlf.hcl").write_text(CONFIG)
    return directory


def write_customers(directory: Path, rows: int) -> None:
    lines = [
        "id,age,plan",
        *(f"{i},{18 + i % 60},{'pro' if i % 3 else 'basic'}" for i in range(rows)),
    ]
    (directory / "customers.csv").write_text("\n".join(lines) + "\n")


def stored_files(directory: Path) -> dict[str, int]:
    """Every artifact file of the state home in `directory`, by digest, with its size."""
    root = directory / "state" / "artifacts"
    if not root.is_dir():
        return {}
    return {
        path.parent.name + path.name: path.stat().st_size
        for path in root.glob("??/*")
        if path.is_file()
    }


def test_gc_frees_what_a_destroy_left_cached(mlform, gc, tmp_path: Path):
    directory = project(tmp_path)
    run = lambda *args: mlform(*args, cwd=directory)  # noqa: E731

    assert run("apply", "--auto-approve").code == 0
    files = stored_files(directory)
    assert len(files) == 1
    ((digest, size),) = files.items()
    destroyed = run("destroy", "--auto-approve")
    assert destroyed.code == 0, destroyed.output
    assert stored_files(directory) == files  # kept for the build cache

    dry = gc("--dry-run", cwd=directory)
    assert dry.code == 0, dry.output
    assert "mlform gc would remove:" in dry.stdout
    assert f"  - artifact {digest} ({human_size(size)}, used by no workspace)" in dry.stdout
    assert "  - cached build " in dry.stdout and "(dataset)" in dry.stdout
    assert (
        f"Dry run: would remove 1 artifact ({human_size(size)}) and 1 cached build. "
        "Nothing was changed; run mlform gc to do it."
    ) in dry.stdout
    assert stored_files(directory) == files
    with StateStore.open(directory / "state" / "mlform.db") as store:
        assert [record.digest for record in store.artifacts()] == [digest]
        assert len(store.builds_needing([digest])) == 1

    collected = gc(cwd=directory)
    assert collected.code == 0, collected.output
    assert collected.stdout == (
        f"Removed 1 artifact ({human_size(size)} freed) and 1 cached build.\n"
    )
    assert stored_files(directory) == {}
    with StateStore.open(directory / "state" / "mlform.db") as store:
        assert store.artifacts() == [] and store.builds_needing([digest]) == []
        assert store.locks() == {}

    again = gc(cwd=directory)
    assert again.code == 0, again.output
    assert again.stdout == "Nothing to collect: every stored artifact is in use.\n"

    reapplied = run("apply", "--auto-approve")  # built again from the source
    assert reapplied.code == 0, reapplied.output
    assert "Restored from cache" not in reapplied.stdout  # the cached build went with its file
    assert stored_files(directory) == files


def test_gc_keeps_what_another_workspace_uses(mlform, gc, tmp_path: Path):
    directory = project(tmp_path)
    run = lambda *args: mlform(*args, cwd=directory)  # noqa: E731

    assert run("apply", "--auto-approve").code == 0
    assert run("apply", "--auto-approve", "--workspace", "staging").code == 0
    files = stored_files(directory)
    assert len(files) == 1  # one result, used by both workspaces
    assert run("destroy", "--auto-approve").code == 0  # the default workspace's

    kept = gc(cwd=directory)
    assert kept.code == 0, kept.output
    assert kept.stdout == "Nothing to collect: every stored artifact is in use.\n"
    assert stored_files(directory) == files
    listed = run("state", "list", "--workspace", "staging")
    assert listed.stdout == "dataset.customers\n"
    assert run("plan", "--detailed-exitcode", "--workspace", "staging").code == 0

    assert run("destroy", "--auto-approve", "--workspace", "staging").code == 0
    freed = gc(cwd=directory)
    assert freed.code == 0, freed.output
    assert freed.stdout.startswith("Removed 1 artifact (")
    assert stored_files(directory) == {}


def test_gc_removes_a_replaced_result_and_keeps_the_current_one(mlform, gc, tmp_path: Path):
    directory = project(tmp_path, rows=200)
    run = lambda *args: mlform(*args, cwd=directory)  # noqa: E731

    assert run("apply", "--auto-approve").code == 0
    first = stored_files(directory)
    write_customers(directory, 201)
    assert run("apply", "--auto-approve").code == 0  # replaced: the old file stays cached
    current = {d: s for d, s in stored_files(directory).items() if d not in first}
    assert len(current) == 1 and len(stored_files(directory)) == 2

    collected = gc(cwd=directory)
    assert collected.code == 0, collected.output
    (old_size,) = first.values()
    assert collected.stdout == (
        f"Removed 1 artifact ({human_size(old_size)} freed) and 1 cached build.\n"
    )
    assert stored_files(directory) == current
    assert run("plan", "--detailed-exitcode").code == 0  # nothing to rebuild


def test_gc_in_a_directory_never_applied_creates_nothing(gc, tmp_path: Path):
    directory = project(tmp_path)
    result = gc("--dry-run", cwd=directory)
    assert result.code == 0, result.output
    assert result.stdout == "Nothing to collect: every stored artifact is in use.\n"
    result = gc(str(directory), cwd=tmp_path)
    assert result.code == 0 and "Nothing to collect" in result.stdout
    assert not (directory / "state").exists() and not (tmp_path / "state").exists()


def test_gc_refuses_while_a_workspace_is_locked(mlform, gc, tmp_path: Path):
    directory = project(tmp_path)
    assert mlform("apply", "--auto-approve", cwd=directory).code == 0
    assert mlform("destroy", "--auto-approve", cwd=directory).code == 0
    files = stored_files(directory)
    holder = LockInfo.for_this_process("apply")  # this test's process: alive, not stale
    key = workspace_key(directory, "staging")
    with StateStore.open(directory / "state" / "mlform.db") as store:
        store.lock(key, holder)
        refused = gc(cwd=directory)
        assert refused.code == 1
        assert refused.stderr.startswith("Error: State is locked\n")
        assert f"  Workspace: {key}" in refused.stderr
        assert f"mlform force-unlock {holder.id}" in refused.stderr
        assert stored_files(directory) == files
        waited = gc("--lock-timeout", "300ms", cwd=directory)
        assert waited.code == 1 and "State is locked" in waited.stderr
        store.unlock(holder.id)
    assert gc(cwd=directory).stdout.startswith("Removed 1 artifact (")
    assert stored_files(directory) == {}


def test_gc_rejects_a_directory_that_does_not_exist(gc, tmp_path: Path):
    result = gc(str(tmp_path / "nowhere"), cwd=tmp_path)
    assert result.code == 1
    assert 'the configuration directory "' in result.stderr and "does not exist" in result.stderr
