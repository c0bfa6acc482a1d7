"""`mlform state list | show | rm` on a state recorded through the store (DESIGN §7)."""

from __future__ import annotations

from pathlib import Path

from mlform.addresses import Address
from mlform.state.home import workspace_key
from mlform.state.locking import LockInfo
from mlform.state.objects import ResourceInstance
from mlform.state.store import StateStore

CONFIG = 'dataset "iris" {\n  source = "sklearn:iris"\n}\n'
DIGEST = "ab" * 32


def recorded(tmp_path: Path) -> tuple[Path, Path]:
    config_dir = tmp_path / "project"
    config_dir.mkdir()
    (config_dir / "main.mlf.hcl").write_text(CONFIG)
    home = tmp_path / "state"
    store = StateStore.open(home / "mlform.db")
    key = workspace_key(config_dir)
    store.create_workspace(key)
    for address in ("dataset.iris", 'dataset.samples["wine"]'):
        store.record_instance(
            key,
            ResourceInstance(
                Address.parse(address),
                inputs={"source": "sklearn:iris", "limit": 10},
                outputs={"id": DIGEST, "rows": 10},
                id=DIGEST,
            ),
        )
    store.close()
    return config_dir, home


def test_state_list_prints_only_addresses(mlform, tmp_path: Path):
    config_dir, home = recorded(tmp_path)
    result = mlform("state", "list", "--state", str(home), str(config_dir))
    assert result.code == 0, result.output
    assert result.stdout == 'dataset.iris\ndataset.samples["wine"]\n'


def test_state_list_of_an_empty_state_prints_nothing(mlform, tmp_path: Path):
    (tmp_path / "main.mlf.hcl").write_text(CONFIG)
    result = mlform("state", "list", str(tmp_path), cwd=tmp_path)
    assert result.code == 0 and result.stdout == ""
    assert not (tmp_path / "state").exists()


def test_state_show_prints_name_value_lines(mlform, tmp_path: Path):
    config_dir, home = recorded(tmp_path)
    result = mlform("state", "show", "dataset.iris", "--state", str(home), str(config_dir))
    assert result.code == 0, result.output
    assert result.stdout.splitlines() == [
        f'id     = "{DIGEST}"',
        "limit  = 10",
        "rows   = 10",
        'source = "sklearn:iris"',
    ]
    missing = mlform("state", "show", "dataset.nope", "--state", str(home), str(config_dir))
    assert missing.code == 1 and "is not in the state" in missing.stderr


def test_state_rm_forgets_under_the_lock(mlform, tmp_path: Path):
    config_dir, home = recorded(tmp_path)
    key = workspace_key(config_dir)
    store = StateStore.open(home / "mlform.db")
    lock = store.lock(key, LockInfo.for_this_process("apply"))
    blocked = mlform("state", "rm", "dataset.iris", "--state", str(home), str(config_dir))
    assert blocked.code == 1
    assert "State is locked" in blocked.stderr and lock in blocked.stderr
    store.unlock(lock)
    store.close()
    removed = mlform("state", "rm", "dataset.iris", "--state", str(home), str(config_dir))
    assert removed.code == 0, removed.output
    listed = mlform("state", "list", "--state", str(home), str(config_dir))
    assert listed.stdout == 'dataset.samples["wine"]\n'
