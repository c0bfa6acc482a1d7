"""blake3 digests: known values, and the same digest whichever way a file is read."""

from __future__ import annotations

from pathlib import Path

import pytest

from mlform.artifacts import hash_bytes, hash_file, is_digest
from mlform.artifacts.hashing import MMAP_THRESHOLD

# From the BLAKE3 specification's test vectors (input: bytes 0..250 repeating).
VECTOR_1024 = "42214739f095a406f3fc83deb889744ac00df831c10daa55189b5d121c855af7"


def test_known_digests() -> None:
    assert hash_bytes(b"") == "af1349b9f5f9a1a6a0404dea36dcc9499bcb25c9adc112b7cc9a93cae41f3262"
    assert hash_bytes((bytes(range(251)) * 5)[:1024]) == VECTOR_1024


@pytest.mark.parametrize("size", [0, 1, MMAP_THRESHOLD - 1, MMAP_THRESHOLD, MMAP_THRESHOLD + 4097])
def test_files_hash_like_their_bytes(tmp_path: Path, size: int) -> None:
    data = (bytes(range(251)) * (size // 251 + 1))[:size]
    path = tmp_path / "data.bin"
    path.write_bytes(data)
    assert hash_file(path) == hash_bytes(data)


def test_what_a_digest_looks_like() -> None:
    assert is_digest(hash_bytes(b"x"))
    assert not is_digest(hash_bytes(b"x").upper())
    assert not is_digest("blake3:" + hash_bytes(b"x"))
    assert not is_digest(hash_bytes(b"x")[:-1])
