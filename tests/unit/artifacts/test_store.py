"""The local artifact store on a real filesystem."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from mlform.artifacts import (
    ArtifactError,
    ArtifactNotFoundError,
    LocalArtifactStore,
    StoredArtifact,
    hash_bytes,
)
from mlform.sdk import ArtifactStore

EMPTY = "af1349b9f5f9a1a6a0404dea36dcc9499bcb25c9adc112b7cc9a93cae41f3262"


@pytest.fixture
def store(tmp_path: Path) -> LocalArtifactStore:
    return LocalArtifactStore(tmp_path / "artifacts")


def files_under(root: Path) -> list[str]:
    return sorted(str(path.relative_to(root)) for path in root.rglob("*") if path.is_file())


def test_bytes_are_stored_under_their_digest(store: LocalArtifactStore) -> None:
    stored = store.put_bytes(b"")
    assert stored == StoredArtifact(EMPTY, 0)
    path = store.local_path(EMPTY)
    assert path == store.root / "af" / EMPTY[2:]
    assert path.read_bytes() == b""
    assert stat.S_IMODE(path.stat().st_mode) & 0o222 == 0  # read-only
    assert files_under(store.root) == [f"af/{EMPTY[2:]}"]


def test_a_file_is_copied_and_hashed_in_one_pass(store: LocalArtifactStore, tmp_path: Path) -> None:
    source = tmp_path / "model.ubj"
    data = os.urandom(3 << 20) + b"tail"  # more than one copy chunk
    source.write_bytes(data)
    stored = store.put_file(source)
    assert stored == StoredArtifact(hash_bytes(data), len(data))
    assert store.local_path(stored.digest).read_bytes() == data
    assert store.exists(stored.digest) and store.verify(stored.digest)
    assert source.read_bytes() == data  # the source is left alone
    assert list(store.digests()) == [stored.digest]


def test_storing_the_same_content_twice_keeps_one_file(store: LocalArtifactStore) -> None:
    first = store.put_bytes(b"same")
    inode = store.local_path(first.digest).stat().st_ino
    assert store.put_bytes(b"same") == first
    assert store.local_path(first.digest).stat().st_ino == inode
    assert os.listdir(store.root / ".partial") == []


def test_a_damaged_copy_is_replaced_by_a_new_write(store: LocalArtifactStore) -> None:
    stored = store.put_bytes(b"content")
    path = store.local_path(stored.digest)
    path.chmod(0o644)
    path.write_bytes(b"cont")  # truncated by something outside mlform
    assert store.exists(stored.digest) and not store.verify(stored.digest)
    store.put_bytes(b"content")
    assert store.verify(stored.digest)


def test_verify_reads_the_whole_content(store: LocalArtifactStore) -> None:
    stored = store.put_bytes(b"x" * 100)
    path = store.local_path(stored.digest)
    path.chmod(0o644)
    path.write_bytes(b"y" * 100)  # same size, other bytes
    assert store.exists(stored.digest) and not store.verify(stored.digest)
    assert not store.verify(hash_bytes(b"never stored"))


def test_a_missing_artifact(store: LocalArtifactStore) -> None:
    digest = hash_bytes(b"never stored")
    assert not store.exists(digest)
    with pytest.raises(ArtifactNotFoundError) as missing:
        store.local_path(digest)
    assert digest in str(missing.value) and "mlform apply" in str(missing.value)
    assert not store.delete(digest)
    assert not store.root.exists()  # reads create nothing
    assert list(store.digests()) == []


def test_delete(store: LocalArtifactStore) -> None:
    stored = store.put_bytes(b"gone soon")
    assert store.delete(stored.digest)
    assert not store.exists(stored.digest)


@pytest.mark.parametrize("digest", ["../../etc/passwd", "AB" * 32, "ab" * 31, "sha256:" + "a" * 57])
def test_only_digests_name_artifacts(store: LocalArtifactStore, digest: str) -> None:
    with pytest.raises(ArtifactError, match="is not an artifact digest"):
        store.exists(digest)


def test_a_failed_write_leaves_nothing_behind(store: LocalArtifactStore, tmp_path: Path) -> None:
    with pytest.raises(ArtifactError, match="cannot store"):
        store.put_file(tmp_path / "missing.csv")
    store.put_bytes(b"first")

    with pytest.raises(TypeError):  # fails after the temporary file was created
        store.put_bytes("text, not bytes")  # type: ignore[arg-type]
    assert os.listdir(store.root / ".partial") == []
    assert len(list(store.digests())) == 1


def test_partial_writes_left_by_a_killed_process_are_invisible_then_discarded(
    store: LocalArtifactStore,
) -> None:
    store.put_bytes(b"complete")
    partial = store.root / ".partial" / "12345-abandoned"
    partial.write_bytes(b"half of somethi")
    assert len(list(store.digests())) == 1
    assert store.discard_partial_writes() == 0  # it could be a write in progress
    old = partial.stat().st_mtime - 7200
    os.utime(partial, (old, old))
    assert store.discard_partial_writes() == 1
    assert not partial.exists()


def test_the_store_is_what_providers_see(store: LocalArtifactStore) -> None:
    seen: ArtifactStore = store  # mypy checks the protocol in mlform/artifacts/store.py
    digest = store.put_bytes(b"train part").digest
    assert seen.exists(digest) and seen.local_path(digest).read_bytes() == b"train part"
