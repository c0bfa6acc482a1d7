"""The engine through the CLI, as a user drives it: plan, apply, drift, destroy."""

from __future__ import annotations

import csv
import json
import os
from pathlib import Path

CONFIG = """dataset "customers" {
  source = "customers.csv"
}

dataset "adults" {
  source = "customers.csv"
  where  = "age >= 30"
}

dataset "regions" {
  source = "regions.csv"
}

output "customers" {
  value = dataset.customers.rows
}
"""


def write_csv(path: Path, rows: int, offset: int = 0) -> None:
    with path.open("w", newline="") as file:
        writer = csv.writer(file)
        writer.writerow(["id", "age", "plan"])
        for i in range(offset, offset + rows):
            writer.writerow([i, 18 + i % 60, "pro" if i % 3 else "basic"])


def project(tmp_path: Path) -> Path:
    directory = tmp_path / "churn"
    directory.mkdir()
    write_csv(directory / "customers.csv", 300)
    (directory / "regions.csv").write_text("region,name\n1,north\n2,south\n")
    (directory / "main.mlf.hcl").write_text(CONFIG)
    return directory


def test_a_dataset_lifecycle_from_a_new_directory(mlform, tmp_path: Path):
    directory = project(tmp_path)
    run = lambda *args: mlform(*args, cwd=directory)  # noqa: E731

    planned = run("plan", "--detailed-exitcode")
    assert planned.code == 2, planned.output
    assert "Plan: 3 to add, 0 to change, 0 to destroy." in planned.stdout
    assert not (directory / "state").exists()  # a plan never writes

    applied = run("apply", "--auto-approve")
    assert applied.code == 0, applied.output
    assert "dataset.customers: Creation complete after" in applied.stdout
    assert "Apply complete! Resources: 3 added, 0 changed, 0 destroyed." in applied.stdout
    assert "customers = 300" in applied.stdout
    assert (directory / "state" / "mlform.db").is_file()

    again = run("plan", "--detailed-exitcode")
    assert again.code == 0, again.output
    assert "No changes. Your ML state matches the configuration." in again.stdout

    os.utime(directory / "customers.csv")  # touched, not changed
    touched = run("plan", "--detailed-exitcode")
    assert touched.code == 0, touched.output
    assert "No changes." in touched.stdout

    write_csv(directory / "customers.csv", 301)
    drifted = run("plan", "--detailed-exitcode")
    assert drifted.code == 2, drifted.output
    assert "Objects have changed outside of mlform" in drifted.stdout
    assert "# dataset.customers has changed" in drifted.stdout
    assert "# dataset.customers must be replaced" in drifted.stdout
    assert "# dataset.adults must be replaced" in drifted.stdout
    assert "(because the source changed: customers.csv)" in drifted.stdout
    assert "dataset.regions" not in drifted.stdout  # only what reads the edited file
    assert "Plan: 2 to add, 0 to change, 2 to destroy." in drifted.stdout
    assert "~ customers = 300 -> (known after apply)" in drifted.stdout

    reapplied = run("apply", "--auto-approve")
    assert reapplied.code == 0, reapplied.output
    assert "Resources: 2 added, 0 changed, 2 destroyed." in reapplied.stdout
    assert run("output", "customers").stdout == "301\n"
    assert json.loads(run("output", "--json").stdout)["customers"]["value"] == 301

    listed = run("state", "list")
    assert listed.stdout.split() == ["dataset.adults", "dataset.customers", "dataset.regions"]

    destroyed = run("destroy", "--auto-approve")
    assert destroyed.code == 0, destroyed.output
    assert "Destroy complete! Resources: 3 destroyed." in destroyed.stdout
    assert run("state", "list").stdout == ""
    assert json.loads(run("show", "--json").stdout) == {
        "format_version": "1.0",
        "mlform_version": json.loads(run("show", "--json").stdout)["mlform_version"],
    }


def test_show_and_state_show_print_what_was_applied(mlform, tmp_path: Path):
    directory = project(tmp_path)
    assert mlform("apply", "--auto-approve", cwd=directory).code == 0
    shown = mlform("show", cwd=directory)
    assert "# dataset.adults:" in shown.stdout
    assert 'resource "dataset" "adults" {' in shown.stdout
    assert 'where              = "age >= 30"' in shown.stdout
    assert "Outputs:\n\ncustomers = 300" in shown.stdout
    document = json.loads(mlform("show", "--json", cwd=directory).stdout)
    resources = document["values"]["root_module"]["resources"]
    assert [r["address"] for r in resources] == [
        "dataset.adults",
        "dataset.customers",
        "dataset.regions",
    ]
    assert resources[0]["mode"] == "managed" and resources[0]["type"] == "dataset"
    assert resources[0]["values"]["rows"] == 240
    assert document["values"]["outputs"]["customers"] == {
        "sensitive": False,
        "type": "number",
        "value": 300,
    }


def test_apply_asks_for_approval_and_refuses_without_a_terminal(mlform, tmp_path: Path):
    directory = project(tmp_path)
    result = mlform("apply", cwd=directory)
    assert result.code == 1
    assert "there is no terminal to ask on" in result.stderr
    assert "--auto-approve" in result.stderr
    assert not (directory / "state").exists()
    destroy = mlform("destroy", cwd=directory)
    assert destroy.code == 1 and "--auto-approve" in destroy.stderr


def test_a_failed_dataset_names_its_attribute_and_the_rest_is_applied(mlform, tmp_path: Path):
    directory = project(tmp_path)
    (directory / "main.mlf.hcl").write_text(
        CONFIG + '\ndataset "broken" {\n  source = "customers.csv"\n  where  = "nope > 1"\n}\n'
    )
    result = mlform("apply", "--auto-approve", cwd=directory)
    assert result.code == 1, result.output
    assert "dataset.broken: Creation failed after" in result.stdout
    assert "main.mlf.hcl:20:12: dataset.broken: where" in result.stderr and "nope" in result.stderr
    assert "Apply failed: 1 failed (dataset.broken); completed and recorded: 3 added" in (
        result.stderr
    )
    assert "Traceback" not in result.stderr
    listed = mlform("state", "list", cwd=directory).stdout.split()
    assert listed == ["dataset.adults", "dataset.broken", "dataset.customers", "dataset.regions"]
    shown = mlform("show", cwd=directory).stdout
    assert "# dataset.broken: (tainted)" in shown
    planned = mlform("plan", cwd=directory)
    assert "# dataset.broken is tainted, so must be replaced" in planned.stdout


def test_target_and_refresh_false(mlform, tmp_path: Path):
    directory = project(tmp_path)
    targeted = mlform("apply", "--auto-approve", "--target", "dataset.regions", cwd=directory)
    assert targeted.code == 0, targeted.output
    assert "Resource targeting is in effect" in targeted.output
    assert mlform("state", "list", cwd=directory).stdout.split() == ["dataset.regions"]

    mlform("apply", "--auto-approve", cwd=directory)
    write_csv(directory / "customers.csv", 10)
    stale = mlform("plan", "--detailed-exitcode", "-refresh=false", cwd=directory)
    assert stale.code == 0, stale.output  # the recorded state, not read again
    fresh = mlform("plan", "--detailed-exitcode", cwd=directory)
    assert fresh.code == 2


def test_prevent_destroy_stops_destroy_before_anything_is_deleted(mlform, tmp_path: Path):
    directory = project(tmp_path)
    assert mlform("apply", "--auto-approve", cwd=directory).code == 0
    guarded = CONFIG.replace(
        'source = "regions.csv"',
        'source = "regions.csv"\n\n  lifecycle {\n    prevent_destroy = true\n  }',
    )
    (directory / "main.mlf.hcl").write_text(guarded)
    result = mlform("destroy", "--auto-approve", cwd=directory)
    assert result.code == 1
    assert "Instance cannot be destroyed: dataset.regions has lifecycle.prevent_destroy" in (
        result.stderr
    )
    assert "main.mlf.hcl:13:" in result.stderr
    assert len(mlform("state", "list", cwd=directory).stdout.split()) == 3


def test_init_reports_the_setup_and_force_unlock_releases_a_lock(mlform, tmp_path: Path):
    from mlform.state.home import workspace_key
    from mlform.state.locking import LockInfo
    from mlform.state.store import StateStore

    directory = project(tmp_path)
    initialised = mlform("init", cwd=directory)
    assert initialised.code == 0, initialised.output
    assert "- Provider dataset: version" in initialised.stdout
    assert "schema version" in initialised.stdout
    assert "mlform has been successfully initialized!" in initialised.stdout

    store = StateStore.open(directory / "state" / "mlform.db")
    info = LockInfo(
        "11111111-2222-3333-4444-555555555555",
        "apply",
        "alice@elsewhere",
        "elsewhere",
        4242,
        LockInfo.for_this_process("x").created,
    )
    store.lock(workspace_key(directory), info)
    store.close()
    locked = mlform("apply", "--auto-approve", cwd=directory)
    assert locked.code == 1
    assert "State is locked" in locked.stderr and info.id in locked.stderr
    assert "alice@elsewhere" in locked.stderr
    unlocked = mlform("force-unlock", info.id, cwd=directory)
    assert unlocked.code == 0, unlocked.output
    assert "successfully unlocked" in unlocked.stdout
    assert mlform("apply", "--auto-approve", cwd=directory).code == 0
    missing = mlform("force-unlock", info.id, cwd=directory)
    assert missing.code == 1 and info.id in missing.stderr


def test_a_destroyed_build_is_restored_and_a_changed_source_is_built_again(mlform, tmp_path: Path):
    directory = project(tmp_path)
    run = lambda *args: mlform(*args, cwd=directory)  # noqa: E731
    first = run("apply", "--auto-approve")
    assert first.code == 0, first.output
    ids = run("state", "show", "dataset.customers").stdout
    assert run("destroy", "--auto-approve").code == 0

    planned = run("plan")
    assert "# dataset.customers will be created" in planned.stdout
    assert "# will be restored from cache: built " in planned.stdout
    assert "Restore from cache: dataset.adults, dataset.customers, dataset.regions" in (
        planned.stdout
    )
    restored = run("apply", "--auto-approve")
    assert restored.code == 0, restored.output
    assert "dataset.customers: Restored from cache (built " in restored.stdout
    assert "Creation complete" not in restored.stdout
    assert run("state", "show", "dataset.customers").stdout == ids

    other = mlform("apply", "--auto-approve", "--workspace", "review", cwd=directory)
    assert other.code == 0 and other.stdout.count(": Restored from cache (built") == 3

    write_csv(directory / "customers.csv", 300, offset=1000)  # same size, other rows
    changed = run("apply", "--auto-approve")
    assert changed.code == 0, changed.output
    assert "dataset.customers: Replacement complete after" in changed.stdout
    assert "dataset.customers: Restored" not in changed.stdout
    assert run("state", "show", "dataset.customers").stdout != ids

    write_csv(directory / "customers.csv", 300)  # back to the first rows: that build again
    back = run("apply", "--auto-approve")
    assert "dataset.customers: Restored from cache" in back.stdout, back.output
    assert run("state", "show", "dataset.customers").stdout == ids


def test_early_cutoff_when_an_edit_changes_nothing_downstream_reads(mlform, tmp_path: Path):
    directory = project(tmp_path)
    (directory / "main.mlf.hcl").write_text(
        'dataset "customers" {\n  source  = "customers.csv"\n  columns = ["id", "age"]\n}\n\n'
        'dataset "capped" {\n  source = "regions.csv"\n  limit  = dataset.customers.rows\n}\n'
    )
    run = lambda *args: mlform(*args, cwd=directory)  # noqa: E731
    assert run("apply", "--auto-approve").code == 0
    before = run("state", "show", "dataset.customers").stdout

    text = (directory / "customers.csv").read_text().replace(",pro", ",premium")
    (directory / "customers.csv").write_text(text)  # a column the dataset does not keep
    planned = run("plan")
    assert "# dataset.customers must be replaced" in planned.stdout
    assert "# (because the source changed: customers.csv)" in planned.stdout
    assert "# dataset.capped must be replaced" in planned.stdout
    assert "# (because an upstream resource will be replaced: dataset.customers)" in (
        planned.stdout
    )
    applied = run("apply", "--auto-approve")
    assert applied.code == 0, applied.output
    assert "dataset.customers: Replacement complete after" in applied.stdout
    assert "dataset.capped: No changes needed: dataset.customers came out with the same id" in (
        applied.stdout
    )
    assert "dataset.capped: Replac" not in applied.stdout
    assert "Resources: 1 added, 0 changed, 1 destroyed." in applied.stdout
    after = run("state", "show", "dataset.customers").stdout
    assert [line for line in before.splitlines() if line.startswith("id ")] == [
        line for line in after.splitlines() if line.startswith("id ")
    ]
    assert run("plan", "--detailed-exitcode").code == 0


def answer_on_a_terminal(directory: Path, answer: str, *args: str) -> tuple[int, str]:
    """Run mlform with a terminal as its standard input, and type `answer` there."""
    import pty
    import subprocess
    import sys

    from tests.e2e.conftest import ROOT

    controller, terminal = pty.openpty()
    environment = {k: v for k, v in os.environ.items() if not k.startswith("MLFORM_")}
    process = subprocess.Popen(
        [sys.executable, "-m", "mlform", *args],
        cwd=directory,
        env={**environment, "PYTHONPATH": str(ROOT)},
        stdin=terminal,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    os.close(terminal)
    os.write(controller, (answer + "\n").encode())
    output, _ = process.communicate(timeout=120)
    os.close(controller)
    return process.returncode, output


def test_apply_and_destroy_ask_for_yes_on_a_terminal(tmp_path: Path):
    directory = project(tmp_path)
    code, output = answer_on_a_terminal(directory, "no", "apply")
    assert code == 1, output
    assert "Do you want to perform these actions?" in output
    assert "Only 'yes' will be accepted to approve." in output
    assert "Apply cancelled: nothing was changed." in output
    assert "Creating..." not in output

    code, output = answer_on_a_terminal(directory, "yes", "apply")
    assert code == 0, output
    assert "Apply complete! Resources: 3 added, 0 changed, 0 destroyed." in output

    code, output = answer_on_a_terminal(directory, "yes", "destroy")
    assert code == 0, output
    assert "Do you really want to destroy every resource of workspace" in output
    assert "Destroy complete! Resources: 3 destroyed." in output
