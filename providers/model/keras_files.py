"""The files a tensorflow model leaves behind, made repeatable where they can be.

A `.keras` file is a zip of `config.json`, `metadata.json` and `model.weights.h5`; Keras
stamps the zip entries and `metadata.json` with the time of saving, and marks the objects
that layers share (their dtype policy) in `config.json` with their memory addresses, so two
identical trainings would give two files with different digests. `normalize_keras_file`
rewrites it with fixed times and those marks numbered in order, so that the same network
and weights give the same bytes (the weights file itself holds no time). TensorBoard's event files
hold wall times and cannot be made repeatable; `pack_directory` still archives them in a
fixed order with fixed ownership and times, so only their content varies.
"""

from __future__ import annotations

import json
import os
import tarfile
import zipfile
from pathlib import Path
from typing import Any

FIXED_ZIP_TIME = (1980, 1, 1, 0, 0, 0)
FIXED_DATE_SAVED = "1980-01-01@00:00:00"
SHARED_OBJECT_ID = "shared_object_id"


def normalize_keras_file(path: Path) -> None:
    """Rewrite the `.keras` zip at `path` in place with fixed entry times and a fixed
    `date_saved`, keeping the order and content of its entries otherwise."""
    scratch = path.with_name(path.name + ".tmp")
    with zipfile.ZipFile(path) as source, zipfile.ZipFile(scratch, "w") as target:
        for entry in source.infolist():
            content = source.read(entry)
            if entry.filename == "metadata.json":
                metadata = json.loads(content)
                if "date_saved" in metadata:
                    metadata["date_saved"] = FIXED_DATE_SAVED
                content = json.dumps(metadata).encode()
            elif entry.filename == "config.json":
                content = json.dumps(_numbered_shared_objects(json.loads(content))).encode()
            fixed = zipfile.ZipInfo(entry.filename, date_time=FIXED_ZIP_TIME)
            fixed.compress_type = entry.compress_type
            fixed.external_attr = 0o644 << 16
            target.writestr(fixed, content)
    os.replace(scratch, path)


def _numbered_shared_objects(config: Any) -> Any:
    """`config` with each `shared_object_id` (a memory address) replaced by its rank of
    first appearance: the same sharing, without the addresses."""
    numbers: dict[Any, int] = {}

    def renumber(value: Any) -> Any:
        if isinstance(value, dict):
            renumbered = {}
            for key, item in value.items():
                if key == SHARED_OBJECT_ID:
                    renumbered[key] = numbers.setdefault(item, len(numbers) + 1)
                else:
                    renumbered[key] = renumber(item)
            return renumbered
        if isinstance(value, list):
            return [renumber(item) for item in value]
        return value

    return renumber(config)


def pack_directory(directory: Path, archive: Path) -> Path:
    """Archive the files under `directory` into the tar file `archive`, with paths relative
    to `directory`, in sorted order, owned by nobody and dated 0."""
    with tarfile.open(archive, "w", format=tarfile.PAX_FORMAT) as tar:
        for path in sorted(directory.rglob("*")):
            info = tar.gettarinfo(path, arcname=path.relative_to(directory).as_posix())
            info.mtime = 0
            info.uid = info.gid = 0
            info.uname = info.gname = ""
            info.mode = 0o755 if info.isdir() else 0o644
            if info.isfile():
                with path.open("rb") as content:
                    tar.addfile(info, content)
            else:
                tar.addfile(info)
    return archive
