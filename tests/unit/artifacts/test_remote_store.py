"""The fsspec artifact store against a real S3 protocol server (moto), memory and files."""

from __future__ import annotations

import os
import stat
import time
import uuid
from pathlib import Path
from typing import Any

import pytest

from mlform.artifacts import (
    ArtifactCache,
    ArtifactDamagedError,
    ArtifactError,
    ArtifactNotFoundError,
    StoredArtifact,
    hash_bytes,
)
from mlform.artifacts.remote import FsspecArtifactStore
from tests import s3 as s3_fixtures
from tests.s3 import ACCESS_KEY, S3, SECRET

s3_server, s3 = s3_fixtures.s3_server, s3_fixtures.s3  # the fixtures, for pytest to find

DATA = b"id,age\n1,30\n2,41\n"
DIGEST = hash_bytes(DATA)


def s3_store(s3: S3, tmp_path: Path, url: str | None = None) -> FsspecArtifactStore:
    return FsspecArtifactStore(url or s3.url(), cache=ArtifactCache(tmp_path / "cache"))


def source(tmp_path: Path, data: bytes = DATA) -> Path:
    path = tmp_path / f"source-{uuid.uuid4().hex}"
    path.write_bytes(data)
    return path


def test_a_file_round_trips_through_s3(s3: S3, tmp_path: Path) -> None:
    store = s3_store(s3, tmp_path)
    assert not store.exists(DIGEST)

    assert store.put_file(source(tmp_path)) == StoredArtifact(DIGEST, len(DATA))
    assert s3.keys() == [f"artifacts/{DIGEST[:2]}/{DIGEST[2:]}"]
    assert store.exists(DIGEST)
    assert store.verify(DIGEST)
    assert list(store.digests()) == [DIGEST]
    assert store.location == s3.url()

    assert store.put_file(source(tmp_path)) == StoredArtifact(DIGEST, len(DATA))  # once
    assert s3.keys() == [f"artifacts/{DIGEST[:2]}/{DIGEST[2:]}"]

    assert store.delete(DIGEST)
    assert not store.delete(DIGEST)
    assert not store.exists(DIGEST) and not store.verify(DIGEST)
    assert list(store.digests()) == [] and s3.keys() == []


def test_local_path_downloads_once_into_the_cache(s3: S3, tmp_path: Path) -> None:
    store_digest = s3_store(s3, tmp_path / "writer").put_bytes(DATA).digest
    reader = s3_store(s3, tmp_path / "reader")  # another machine: an empty cache
    path = reader.local_path(store_digest)
    assert path == tmp_path / "reader" / "cache" / DIGEST[:2] / DIGEST[2:]
    assert path.read_bytes() == DATA
    assert stat.S_IMODE(path.stat().st_mode) & 0o222 == 0  # read-only
    s3.client.delete_object(Bucket=s3.bucket, Key=f"artifacts/{DIGEST[:2]}/{DIGEST[2:]}")
    assert reader.local_path(DIGEST) == path  # from the cache now
    assert [p.name for p in path.parent.iterdir()] == [DIGEST[2:]]  # no temporary left


def test_put_file_fills_the_cache(s3: S3, tmp_path: Path) -> None:
    store = s3_store(s3, tmp_path)
    store.put_file(source(tmp_path))
    assert (tmp_path / "cache" / DIGEST[:2] / DIGEST[2:]).read_bytes() == DATA


def test_a_missing_artifact_is_not_found(s3: S3, tmp_path: Path) -> None:
    with pytest.raises(ArtifactNotFoundError, match=DIGEST):
        s3_store(s3, tmp_path).local_path(DIGEST)
    assert not list((tmp_path / "cache").rglob("*")) or all(
        p.is_dir() for p in (tmp_path / "cache").rglob("*")
    )


def test_a_damaged_object_fails_verify_and_download(s3: S3, tmp_path: Path) -> None:
    s3_store(s3, tmp_path / "writer").put_bytes(DATA)
    s3.client.put_object(
        Bucket=s3.bucket, Key=f"artifacts/{DIGEST[:2]}/{DIGEST[2:]}", Body=b"id,age\n1,31\n2,41\n"
    )
    reader = s3_store(s3, tmp_path / "reader")
    assert reader.exists(DIGEST)
    assert not reader.verify(DIGEST)
    with pytest.raises(ArtifactDamagedError, match="no longer matches its digest") as raised:
        reader.local_path(DIGEST)
    assert isinstance(raised.value, OSError)  # refresh treats unreadable as damaged
    assert not (tmp_path / "reader" / "cache" / DIGEST[:2] / DIGEST[2:]).exists()


def test_verify_reads_the_object_not_the_cache(s3: S3, tmp_path: Path) -> None:
    store = s3_store(s3, tmp_path)
    store.put_file(source(tmp_path))
    s3.client.put_object(
        Bucket=s3.bucket, Key=f"artifacts/{DIGEST[:2]}/{DIGEST[2:]}", Body=b"damaged"
    )
    assert store.local_path(DIGEST).read_bytes() == DATA  # the cached copy is intact
    assert not store.verify(DIGEST)


def test_a_failed_upload_stores_nothing(s3: S3, tmp_path: Path) -> None:
    store = s3_store(s3, tmp_path)
    store.exists(DIGEST)  # opens the filesystem
    filesystem: Any = store._fs()
    real = filesystem._call_s3

    async def failing(method: str, *args: Any, **kwargs: Any) -> Any:
        if method in ("put_object", "upload_part", "complete_multipart_upload"):
            raise ConnectionResetError("connection reset by peer")
        return await real(method, *args, **kwargs)

    filesystem._call_s3 = failing
    with pytest.raises(ArtifactError, match=f"cannot store artifact {DIGEST} in {s3.url()}"):
        store.put_file(source(tmp_path))
    filesystem._call_s3 = real
    assert s3.keys() == []
    assert not store.exists(DIGEST)
    assert list(store.digests()) == []
    assert not (tmp_path / "cache" / DIGEST[:2] / DIGEST[2:]).exists()


def test_a_source_that_cannot_be_read_is_an_artifact_error(s3: S3, tmp_path: Path) -> None:
    with pytest.raises(ArtifactError, match="cannot store"):
        s3_store(s3, tmp_path).put_file(tmp_path / "missing")


def test_a_bad_digest_is_refused(s3: S3, tmp_path: Path) -> None:
    with pytest.raises(ArtifactError, match="not an artifact digest"):
        s3_store(s3, tmp_path).exists("../../etc/passwd")


# errors and credentials --------------------------------------------------------------------


def test_a_missing_bucket_is_named(s3: S3, tmp_path: Path) -> None:
    store = FsspecArtifactStore(
        "s3://no-such-bucket-here/prefix",
        cache=ArtifactCache(tmp_path / "cache"),
        origin="MLFORM_ARTIFACTS",
    )
    with pytest.raises(ArtifactError) as raised:
        store.exists(DIGEST)
    message = str(raised.value)
    assert "the bucket no-such-bucket-here" in message
    assert "s3://no-such-bucket-here/prefix (from MLFORM_ARTIFACTS)" in message
    assert "MLFORM_ARTIFACTS" in message


def test_an_unreachable_endpoint_is_a_clear_error(
    s3: S3, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("AWS_ENDPOINT_URL", "http://127.0.0.1:9")  # nothing listens there
    monkeypatch.setenv("AWS_MAX_ATTEMPTS", "1")
    with pytest.raises(ArtifactError) as raised:
        s3_store(s3, tmp_path).exists(DIGEST)
    message = str(raised.value)
    assert s3.url() in message and "AWS_ENDPOINT_URL" in message
    assert SECRET not in message


def test_an_unknown_protocol_is_a_clear_error(tmp_path: Path) -> None:
    store = FsspecArtifactStore("nosuchprotocol://x/y", cache=ArtifactCache(tmp_path))
    with pytest.raises(ArtifactError, match="nosuchprotocol://x/y.*MLFORM_ARTIFACTS"):
        store.exists(DIGEST)


def test_credentials_in_the_url_are_used_but_never_shown(s3: S3, tmp_path: Path) -> None:
    url = f"s3://{ACCESS_KEY}:{SECRET}@{s3.bucket}/artifacts"
    store = s3_store(s3, tmp_path, url)
    assert store.location == s3.url()
    assert SECRET not in repr(store) and ACCESS_KEY not in repr(store)
    assert store.put_bytes(DATA).digest == DIGEST
    assert s3.keys() == [f"artifacts/{DIGEST[:2]}/{DIGEST[2:]}"]

    missing = s3_store(s3, tmp_path, f"s3://{ACCESS_KEY}:{SECRET}@nobucket-x/artifacts")
    with pytest.raises(ArtifactError) as raised:
        missing.exists(DIGEST)
    assert SECRET not in str(raised.value) and "s3://nobucket-x/artifacts" in str(raised.value)


def test_the_secret_is_scrubbed_from_library_errors(s3: S3, tmp_path: Path) -> None:
    store = s3_store(s3, tmp_path)
    store.exists(DIGEST)
    filesystem: Any = store._fs()

    def leaky(*args: Any, **kwargs: Any) -> Any:
        raise PermissionError(f"denied for secret {SECRET} at https://u:{SECRET}@host/")

    filesystem.info = leaky
    with pytest.raises(ArtifactError) as raised:
        store.exists(DIGEST)
    assert SECRET not in str(raised.value)
    assert "denied for secret ***" in str(raised.value)


def test_credentials_only_in_s3_urls(tmp_path: Path) -> None:
    store = FsspecArtifactStore("memory://user:pw@x/y", cache=ArtifactCache(tmp_path))
    assert store.location == "memory://x/y"
    with pytest.raises(ArtifactError, match="only in s3://") as raised:
        store.exists(DIGEST)
    assert "pw" not in str(raised.value)


# other fsspec filesystems: an upload under .partial/, then a move ----------------------------


@pytest.fixture
def memory_store(tmp_path: Path) -> FsspecArtifactStore:
    return FsspecArtifactStore(
        f"memory://mlform-{uuid.uuid4().hex}/artifacts", cache=ArtifactCache(tmp_path / "cache")
    )


def test_a_memory_store_round_trips(memory_store: FsspecArtifactStore, tmp_path: Path) -> None:
    assert not memory_store.atomic_puts
    assert memory_store.put_file(source(tmp_path)).digest == DIGEST
    assert memory_store.exists(DIGEST) and memory_store.verify(DIGEST)
    assert list(memory_store.digests()) == [DIGEST]
    filesystem: Any = memory_store._fs()
    assert filesystem.ls(f"{memory_store._root}/.partial") == []
    assert memory_store.delete(DIGEST) and not memory_store.exists(DIGEST)


def test_a_failed_move_leaves_no_object(memory_store: FsspecArtifactStore, tmp_path: Path) -> None:
    filesystem: Any = memory_store._fs()

    def broken(*args: Any, **kwargs: Any) -> None:
        raise OSError("the connection dropped")

    filesystem.mv = broken
    with pytest.raises(ArtifactError, match="the connection dropped"):
        memory_store.put_file(source(tmp_path))
    assert not memory_store.exists(DIGEST)
    assert list(memory_store.digests()) == []
    assert filesystem.ls(f"{memory_store._root}/.partial") == []


def test_old_partial_writes_are_discarded(memory_store: FsspecArtifactStore) -> None:
    filesystem: Any = memory_store._fs()
    filesystem.pipe_file(f"{memory_store._root}/.partial/123-abc", b"half")
    assert memory_store.discard_partial_writes(older_than=3600) == 0
    assert memory_store.discard_partial_writes(older_than=-1) == 1
    assert filesystem.find(f"{memory_store._root}/.partial") == []


def test_a_file_url_store_round_trips(tmp_path: Path) -> None:
    root = tmp_path / "remote"
    store = FsspecArtifactStore(root.as_uri(), cache=ArtifactCache(tmp_path / "cache"))
    assert store.put_bytes(DATA).digest == DIGEST
    assert (root / DIGEST[:2] / DIGEST[2:]).read_bytes() == DATA
    assert store.local_path(DIGEST).read_bytes() == DATA
    assert list(store.digests()) == [DIGEST]
    os.utime(root / DIGEST[:2] / DIGEST[2:], (time.time(), time.time()))
    assert store.verify(DIGEST)
