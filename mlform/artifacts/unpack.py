"""Directories kept as artifacts: a tar archive stored like any file, unpacked on demand.

A provider that produces a directory (TensorBoard's event files) stores it as one tar
archive; a user needs it as a directory (`tensorboard --logdir`). `unpacked` extracts an
archive once into a directory named by its digest, through a temporary name renamed into
place, so a reader never sees half an extraction and a second call costs one `stat`.
"""

from __future__ import annotations

import shutil
import tarfile
import tempfile
from pathlib import Path

from mlform.artifacts.errors import ArtifactError


def unpack(archive: Path, root: Path, digest: str) -> Path:
    """The directory holding the contents of `archive` (a tar file, possibly compressed),
    extracted under `root/<digest>` unless it is there already."""
    target = root / digest
    if target.is_dir():
        return target
    root.mkdir(parents=True, exist_ok=True)
    scratch = Path(tempfile.mkdtemp(prefix=".unpacking-", dir=root))
    try:
        try:
            with tarfile.open(archive) as tar:
                tar.extractall(scratch, filter="data")
        except (tarfile.TarError, OSError) as error:
            raise ArtifactError(
                f"artifact {digest} is not a readable tar archive: {error}"
            ) from error
        try:
            scratch.rename(target)
        except OSError:
            if not target.is_dir():  # another process did not win the race: a real failure
                raise
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    return target
