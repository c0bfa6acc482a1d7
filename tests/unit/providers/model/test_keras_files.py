"""The tensorflow model's files made repeatable: the `.keras` zip without its save time and
memory addresses, and the TensorBoard directory archived in a fixed order."""

from __future__ import annotations

import json
import tarfile
import zipfile
from pathlib import Path

from keras_cases import ROOT  # noqa: F401  (puts the repository first on sys.path)

from providers.model.keras_files import normalize_keras_file, pack_directory


def saved(path: Path, date: str, address: int) -> Path:
    """A `.keras`-like zip as Keras writes it, stamped with `date` and `address`."""
    config = {
        "layers": [
            {"dtype": {"shared_object_id": address, "config": {"name": "float32"}}},
            {"dtype": {"shared_object_id": address}},
            {"seed": {"shared_object_id": address + 8}},
        ]
    }
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr(
            zipfile.ZipInfo("metadata.json", date_time=(2026, 5, 1, 12, 0, 0)),
            json.dumps({"keras_version": "3.15.1", "date_saved": date}),
        )
        archive.writestr("config.json", json.dumps(config))
        archive.writestr("model.weights.h5", b"\x89HDF weights")
    return path


def test_the_same_model_saved_twice_gives_the_same_bytes(tmp_path: Path) -> None:
    first = saved(tmp_path / "first.keras", "2026-05-01@12:00:00", 139698101204048)
    second = saved(tmp_path / "second.keras", "2026-05-02@08:30:12", 140302522708048)
    assert first.read_bytes() != second.read_bytes()
    normalize_keras_file(first)
    normalize_keras_file(second)
    assert first.read_bytes() == second.read_bytes()
    with zipfile.ZipFile(first) as archive:
        assert archive.namelist() == ["metadata.json", "config.json", "model.weights.h5"]
        config = json.loads(archive.read("config.json"))
        assert archive.read("model.weights.h5") == b"\x89HDF weights"
    ids = [layer[key]["shared_object_id"] for layer in config["layers"] for key in layer]
    assert ids == [1, 1, 2]  # the sharing kept, the addresses gone


def test_a_directory_is_archived_sorted_owned_by_nobody_and_dated_zero(tmp_path: Path) -> None:
    logs = tmp_path / "tensorboard"
    (logs / "validation").mkdir(parents=True)
    (logs / "train").mkdir()
    (logs / "validation" / "events.out.tfevents.2").write_bytes(b"valid")
    (logs / "train" / "events.out.tfevents.1").write_bytes(b"train")
    archive = pack_directory(logs, tmp_path / "tensorboard.tar")
    with tarfile.open(archive) as tar:
        members = tar.getmembers()
        assert [member.name for member in members] == [
            "train",
            "train/events.out.tfevents.1",
            "validation",
            "validation/events.out.tfevents.2",
        ]
        assert {(m.mtime, m.uid, m.gid, m.uname, m.gname) for m in members} == {(0, 0, 0, "", "")}
        content = tar.extractfile("validation/events.out.tfevents.2")
        assert content is not None and content.read() == b"valid"
