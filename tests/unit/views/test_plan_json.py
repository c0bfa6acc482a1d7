"""The JSON plan, read the way a consumer of `terraform show -json PLANFILE` reads it: iterate
`resource_changes`, select by `change.actions`, read `replace_paths`, `action_reason` and
`after_unknown`. Plans are real ones, planned from configurations and prior states
(tests/data/plans/<scenario>/ and configurations written here).

`tests/data/plan_json/<scenario>.json` hold whole documents; `MLFORM_UPDATE_GOLDEN=1`
rewrites them.
"""

from __future__ import annotations

import json
import os
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from mlform.addresses import Address
from mlform.plans.changes import DriftNote
from mlform.plans.planner import plan_directory
from mlform.plans.refresh import ReadContext, refresh
from mlform.sdk import default_registry
from mlform.state.objects import ObjectStatus, ResourceInstance, RootOutput, StateSnapshot
from mlform.views.plan_json import plan_json

DATA = Path(__file__).resolve().parents[2] / "data"
SCENARIOS = DATA / "plans"
GOLDEN = DATA / "plan_json"
VERSION = "0.0.0-test"
SECRET = "s3cr3t-t0ken-do-not-print"


def snapshot_of(records: list[dict[str, Any]], outputs: dict[str, RootOutput] | None = None):
    instances = tuple(
        ResourceInstance(
            address=Address.parse(r["address"]),
            status=ObjectStatus(r.get("status", "ready")),
            inputs=r.get("inputs", {}),
            outputs=r.get("outputs", {}),
            id=r.get("outputs", {}).get("id"),
            duration=r.get("duration"),
        )
        for r in records
    )
    return StateSnapshot(
        "plans:default", "lineage" if instances else None, len(instances), instances, outputs or {}
    )


def scenario_state(case: Path):
    prior = case / "prior.json"
    snapshot = snapshot_of(json.loads(prior.read_text()) if prior.exists() else [])
    arguments = case / "args.json"
    if arguments.exists() and json.loads(arguments.read_text()).get("refresh"):
        return refresh(snapshot, default_registry(), ReadContext(case))
    return snapshot


def document_for(directory: Path, state, environ: dict[str, str] | None = None, **options):
    result, plan = plan_directory(
        directory, default_registry(), state, environ=environ or {}, **options
    )
    assert not result.diagnostics.has_errors, [str(d) for d in result.diagnostics]
    document = plan_json(plan, result, default_registry(), VERSION)
    text = json.dumps(document)  # no default=: everything is plain JSON
    assert json.loads(text) == document
    assert json.dumps(plan_json(plan, result, default_registry(), VERSION)) == text
    return document


def scenario(name: str) -> dict[str, Any]:
    case = SCENARIOS / name
    arguments = (
        json.loads((case / "args.json").read_text()) if (case / "args.json").exists() else {}
    )
    return document_for(case, scenario_state(case), replace=arguments.get("replace", ()))


def write(directory: Path, text: str) -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    (directory / "main.mlf.hcl").write_text(text)
    return directory


def changes_doing(document: dict[str, Any], *actions: str) -> dict[str, dict[str, Any]]:
    return {
        rc["address"]: rc
        for rc in document["resource_changes"]
        if rc["change"]["actions"] == list(actions)
    }


def test_create_everything():
    document = scenario("create-everything")
    assert document["format_version"] == "1.2"
    assert document["mlform_version"] == VERSION
    assert "prior_state" not in document
    assert document["errored"] is False and document["applyable"] is True
    created = changes_doing(document, "create")
    assert set(created) == {"dataset.churn", "split.churn"}
    split = created["split.churn"]
    assert (split["mode"], split["type"], split["name"]) == ("managed", "split", "churn")
    assert split["provider_name"] == "mlform/split"
    assert "index" not in split and "action_reason" not in split
    change = split["change"]
    assert change["before"] is None and change["before_sensitive"] is False
    assert change["after"]["ratio"] == {"train": 0.8, "test": 0.2}
    assert change["after"]["standardize"] == [{"columns": ["mean radius"]}]
    # what apply decides is left out of `after` and marked in `after_unknown`
    for name in ("id", "dataset", "rows", "features"):
        assert name not in change["after"]
        assert change["after_unknown"][name] is True
    assert "seed" not in change["after_unknown"]
    assert change["after_sensitive"] == {"ratio": {}, "standardize": [{"columns": [False]}]}
    assert "replace_paths" not in change
    planned = {r["address"]: r for r in document["planned_values"]["root_module"]["resources"]}
    assert planned["dataset.churn"]["values"]["source"] == "sklearn:breast_cancer"


def test_configuration_constants_and_references():
    document = scenario("create-everything")
    resources = {r["address"]: r for r in document["configuration"]["root_module"]["resources"]}
    split = resources["split.churn"]
    assert split["mode"] == "managed" and split["provider_config_key"] == "split"
    expressions = split["expressions"]
    assert expressions["dataset"] == {"references": ["dataset.churn"]}
    assert expressions["seed"] == {"constant_value": 42}
    assert expressions["standardize"] == [{"columns": {"constant_value": ["mean radius"]}}]
    assert document["configuration"]["provider_config"]["split"]["full_name"] == "mlform/split"


def test_replacement_lists_the_paths_that_force_it():
    document = scenario("replace-input-changed-and-upstream")
    replaced = changes_doing(document, "delete", "create")
    dataset, split = replaced["dataset.churn"], replaced["split.churn"]
    assert dataset["change"]["replace_paths"] == [["source"]]
    assert dataset["action_reason"] == "replace_because_cannot_update"
    assert dataset["change"]["before"]["source"] == "sklearn:breast_cancer"
    assert dataset["change"]["after"]["source"] == "sklearn:wine"
    assert dataset["change"]["after_unknown"]["id"] is True
    # the upstream id becomes unknown: that reference is what forces the replacement
    assert split["action_reason"] == "replace_because_upstream"
    assert split["change"]["replace_paths"] == [["dataset"]]
    assert split["change"]["before"]["dataset"].startswith("d000")
    assert split["change"]["after_unknown"]["dataset"] is True
    assert document["prior_state"]["values"]["root_module"]["resources"]


def test_create_before_destroy_and_requested_replacement():
    replaced = changes_doing(scenario("replace-create-before-destroy"), "create", "delete")
    assert replaced
    requested = changes_doing(scenario("replace-requested"), "delete", "create")
    assert any(rc.get("action_reason") == "replace_by_request" for rc in requested.values())
    tainted = changes_doing(scenario("replace-tainted-split"), "delete", "create")
    for rc in tainted.values():
        if rc.get("action_reason") == "replace_because_tainted":
            assert "replace_paths" not in rc["change"]


def test_delete_with_reason_and_no_ops_alongside():
    document = scenario("delete-not-in-configuration")
    deleted = changes_doing(document, "delete")
    old = deleted["dataset.old"]
    assert old["action_reason"] == "delete_because_no_resource_config"
    assert old["change"]["after"] is None
    assert old["change"]["after_unknown"] == {} and old["change"]["after_sensitive"] is False
    assert old["change"]["before"] == {
        "id": "0ld0000000000000000000000000000000000000000000000000000000000000",
        "rows": 150,
        "source": "sklearn:iris",
    }
    assert set(changes_doing(document, "no-op")) == {"dataset.churn", "split.churn"}
    planned = [r["address"] for r in document["planned_values"]["root_module"]["resources"]]
    assert "dataset.old" not in planned


def test_delete_by_index_and_by_key():
    for name, reason in (
        ("delete-count-index", "delete_because_count_index"),
        ("delete-each-key-gone", "delete_because_each_key"),
    ):
        deleted = list(changes_doing(scenario(name), "delete").values())
        assert deleted and all(rc["action_reason"] == reason for rc in deleted)
        assert all("index" in rc for rc in deleted)


def test_no_op_changes_are_included():
    document = scenario("no-changes")
    unchanged = changes_doing(document, "no-op")
    assert set(unchanged) == {"dataset.churn", "split.churn"}
    for rc in unchanged.values():
        assert rc["change"]["before"] == rc["change"]["after"]
        assert rc["change"]["after_unknown"] == {}
        assert "action_reason" not in rc
    split = unchanged["split.churn"]["change"]["after"]
    assert split["standardize"] == [{"columns": ["mean radius"]}]  # as the state records it
    assert document["applyable"] is False


def test_update_in_place():
    updated = changes_doing(scenario("update-in-place-description"), "update")
    change = updated["dataset.churn"]["change"]
    assert change["before"]["description"] == "Tumour measurements"
    assert change["after"]["description"] == "Breast cancer tumour measurements"
    assert change["after"]["id"] == change["before"]["id"]
    assert "replace_paths" not in change


def test_drift_from_refresh():
    document = scenario("replace-drift")
    (drift,) = document["resource_drift"]
    assert drift["address"] == "dataset.customers"
    assert drift["change"]["actions"] == ["update"]
    before, after = drift["change"]["before"], drift["change"]["after"]
    assert before["source_fingerprint"] == "f" + "0" * 63
    assert after["source_fingerprint"] != before["source_fingerprint"]
    assert "action_reason" not in drift
    dataset = changes_doing(document, "delete", "create")["dataset.customers"]
    assert dataset["action_reason"] == "drift"
    # the prior state is the refreshed one, as in Terraform
    (prior,) = [
        r
        for r in document["prior_state"]["values"]["root_module"]["resources"]
        if r["address"] == "dataset.customers"
    ]
    assert prior["values"]["source_fingerprint"] == after["source_fingerprint"]


def test_drift_of_a_deleted_object():
    case = SCENARIOS / "no-changes"
    result, plan = plan_directory(case, default_registry(), scenario_state(case), environ={})
    instance = plan.prior.instance(Address("dataset", "churn"))
    gone = DriftNote(instance.address, {**instance.inputs, **instance.outputs}, None)
    document = plan_json(replace(plan, drift=(gone,)), result, default_registry(), VERSION)
    (drift,) = document["resource_drift"]
    assert drift["change"]["actions"] == ["delete"]
    assert drift["change"]["after"] is None
    assert drift["change"]["before"]["source"] == "sklearn:breast_cancer"


def test_output_changes(tmp_path: Path):
    directory = write(
        tmp_path,
        """
dataset "churn" {
  source = "sklearn:breast_cancer"
}

dataset "fresh" {
  source = "sklearn:iris"
}

output "source" {
  value = dataset.churn.source
}

output "rows" {
  value = dataset.churn.rows
}

output "label" {
  value = "churn"
}

output "fresh_id" {
  value = dataset.fresh.id
}
""",
    )
    state = snapshot_of(
        [
            {
                "address": "dataset.churn",
                "inputs": {"source": "sklearn:breast_cancer"},
                "outputs": {"id": "d" * 64, "rows": 569},
            }
        ],
        {
            "source": RootOutput("sklearn:breast_cancer"),
            "label": RootOutput("old"),
            "gone": RootOutput(1),
        },
    )
    outputs = document_for(directory, state)["output_changes"]
    assert outputs["source"] == {
        "actions": ["no-op"],
        "before": "sklearn:breast_cancer",
        "after": "sklearn:breast_cancer",
        "after_unknown": False,
        "before_sensitive": False,
        "after_sensitive": False,
    }
    assert outputs["label"]["actions"] == ["update"]
    assert (outputs["label"]["before"], outputs["label"]["after"]) == ("old", "churn")
    assert outputs["rows"]["actions"] == ["create"]
    assert (outputs["rows"]["before"], outputs["rows"]["after"]) == (None, 569)
    assert outputs["gone"]["actions"] == ["delete"]
    assert (outputs["gone"]["before"], outputs["gone"]["after"]) == (1, None)
    fresh = outputs["fresh_id"]
    assert fresh["actions"] == ["create"]
    assert "after" not in fresh and fresh["after_unknown"] is True


SENSITIVE_CONFIG = """
variable "token" {
  type      = string
  sensitive = true
}

dataset "orders" {
  source      = "sklearn:iris"
  description = "orders for ${var.token}"
  tags        = { owner = "ml", secret = var.token }
}

output "token" {
  value     = var.token
  sensitive = true
}

output "owner" {
  value = dataset.orders.tags.owner
}
"""


def assert_secret_absent(document: dict[str, Any]) -> None:
    text = json.dumps(document)
    assert SECRET not in text
    assert SECRET[:8] not in text


def test_sensitive_values_are_removed(tmp_path: Path):
    directory = write(tmp_path, SENSITIVE_CONFIG)
    document = document_for(directory, snapshot_of([]), {"MLFORM_VAR_token": SECRET})
    assert_secret_absent(document)
    change = changes_doing(document, "create")["dataset.orders"]["change"]
    assert "description" not in change["after"]
    assert change["after"]["tags"] == {"owner": "ml"}  # only the secret element is removed
    assert change["after_sensitive"] == {"description": True, "tags": {"secret": True}}
    token = document["output_changes"]["token"]
    assert token["actions"] == ["create"]
    assert "after" not in token
    assert token["before_sensitive"] is True and token["after_sensitive"] is True
    assert document["planned_values"]["outputs"]["token"] == {"sensitive": True}
    assert document["variables"]["token"] == {}
    configured = document["configuration"]["root_module"]
    assert configured["outputs"]["token"] == {
        "expression": {"references": ["var.token"]},
        "sensitive": True,
    }
    assert configured["variables"]["token"]["sensitive"] is True
    (orders,) = configured["resources"]
    assert orders["expressions"]["description"] == {"references": ["var.token"]}


def test_recorded_secrets_stay_hidden_on_the_next_plan(tmp_path: Path):
    """The state records values without their marks, as apply stores them: the plan after
    an apply must hide them in `before` and in the prior state too."""
    directory = write(tmp_path, SENSITIVE_CONFIG)
    state = snapshot_of(
        [
            {
                "address": "dataset.orders",
                "inputs": {
                    "source": "sklearn:iris",
                    "description": f"orders for {SECRET}",
                    "tags": {"owner": "ml", "secret": SECRET},
                },
                "outputs": {"id": "e" * 64, "rows": 150},
            }
        ],
        {"token": RootOutput(SECRET, sensitive=True), "owner": RootOutput("ml")},
    )
    document = document_for(directory, state, {"MLFORM_VAR_token": SECRET})
    assert_secret_absent(document)
    change = changes_doing(document, "no-op")["dataset.orders"]["change"]
    assert change["before_sensitive"]["description"] is True
    assert change["before"]["id"] == "e" * 64
    (prior,) = document["prior_state"]["values"]["root_module"]["resources"]
    assert prior["sensitive_values"]["description"] is True
    assert document["prior_state"]["values"]["outputs"]["owner"]["value"] == "ml"


def test_schema_sensitive_attributes_are_removed(tmp_path: Path):
    """The endpoint's `token` is sensitive in its schema; a delete carries no marks at all."""
    directory = write(tmp_path, 'dataset "churn" {\n  source = "sklearn:iris"\n}\n')
    state = snapshot_of(
        [
            {
                "address": "endpoint.api",
                "inputs": {"model": "m" * 64, "token": SECRET},
                "outputs": {"id": "a" * 64, "url": "http://127.0.0.1:8080"},
            }
        ]
    )
    document = document_for(directory, state)
    assert_secret_absent(document)
    api = changes_doing(document, "delete")["endpoint.api"]
    assert "token" not in api["change"]["before"]
    assert api["change"]["before_sensitive"] == {"token": True}
    assert api["change"]["before"]["url"] == "http://127.0.0.1:8080"


def test_repeated_resources(tmp_path: Path):
    directory = write(
        tmp_path,
        """
dataset "part" {
  for_each    = { a = "sklearn:iris", b = "sklearn:wine" }
  source      = each.value
  description = each.key
}

split "first" {
  count   = 2
  dataset = dataset.part["a"].id
  ratio   = { train = 0.5, test = 0.5 }
  seed    = count.index
}
""",
    )
    document = document_for(directory, snapshot_of([]))
    created = changes_doing(document, "create")
    assert created['dataset.part["a"]']["index"] == "a"
    assert [created[f"split.first[{i}]"]["index"] for i in (0, 1)] == [0, 1]
    addresses = [rc["address"] for rc in document["resource_changes"]]
    assert addresses == sorted(addresses)
    resources = {r["address"]: r for r in document["configuration"]["root_module"]["resources"]}
    part, first = resources["dataset.part"], resources["split.first"]
    assert part["for_each_expression"]["constant_value"] == {
        "a": "sklearn:iris",
        "b": "sklearn:wine",
    }
    assert part["expressions"]["source"] == {"references": ["each.value"]}
    assert first["count_expression"] == {"constant_value": 2}
    assert first["expressions"]["dataset"] == {
        "references": ['dataset.part["a"].id', 'dataset.part["a"]', "dataset.part"]
    }
    assert first["expressions"]["seed"] == {"references": ["count.index"]}


@pytest.mark.parametrize(
    "name", ["create-everything", "replace-drift", "delete-not-in-configuration"]
)
def test_golden(name: str):
    text = json.dumps(scenario(name), indent=2) + "\n"
    expected = GOLDEN / f"{name}.json"
    if os.environ.get("MLFORM_UPDATE_GOLDEN"):
        expected.parent.mkdir(exist_ok=True)
        expected.write_text(text)
    assert text == expected.read_text()
