"""The apply and destroy walks, on a real SQLite state, with the toy provider."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from mlform.addresses import Address
from mlform.engine.apply import ApplyResult, apply_plan
from mlform.engine.events import NullEvents
from mlform.engine.workspace import StateOptions, Workspace
from mlform.plans.action import Action, ActionReason
from mlform.plans.changes import Plan
from mlform.plans.planner import plan_directory
from mlform.plans.refresh import ReadContext, refresh
from mlform.state.objects import ObjectStatus
from tests.unit.engine.toy import ToyProvider, registry

CHAIN = """
toy "a" {
  value = "%s"
}

toy "b" {
  value    = "b"
  upstream = toy.a
}

toy "c" {
  value    = "c"
  upstream = toy.b
}
"""


class Project:
    def __init__(self, root: Path):
        self.directory = root / "config"
        self.directory.mkdir()
        self.state = root / "state"
        self.provider = ToyProvider()
        self.registry = registry(self.provider)

    def write(self, text: str) -> None:
        (self.directory / "main.mlf.hcl").write_text(text)

    def plan(self, workspace: str = "default", **options: Any) -> tuple[Plan, Workspace]:
        opened: dict[str, Workspace] = {}

        def state(config: Any) -> Any:
            opened["workspace"] = Workspace(config, StateOptions(str(self.state), workspace, {}))
            snapshot = opened["workspace"].snapshot()
            context = ReadContext(config.directory, opened["workspace"].artifacts())
            return refresh(snapshot, self.registry, context)

        result, plan = plan_directory(
            self.directory,
            self.registry,
            state,
            environ={},
            builds=lambda config: opened["workspace"].build_context(None),
            **options,
        )
        assert not result.diagnostics.has_errors, [str(d) for d in result.diagnostics]
        return plan, opened["workspace"]

    def apply(
        self, parallelism: int = 4, workspace: str = "default", **options: Any
    ) -> tuple[Plan, ApplyResult]:
        plan, opened = self.plan(workspace, **options)
        with opened:
            result = apply_plan(
                self.directory,
                self.registry,
                plan,
                opened,
                NullEvents(),
                environ={},
                parallelism=parallelism,
            )
        return plan, result

    def snapshot(self) -> Any:
        _, workspace = self.plan()
        with workspace:
            return workspace.snapshot()


@pytest.fixture
def project(tmp_path: Path) -> Project:
    return Project(tmp_path)


def actions(plan: Plan) -> dict[str, Action]:
    return {str(c.address): c.action for c in plan.changes}


def test_a_chain_is_created_in_dependency_order_and_then_unchanged(project: Project) -> None:
    project.write(CHAIN % "a")
    _, result = project.apply()
    assert result.ok and result.count() == (3, 0, 0)
    assert project.provider.applied() == ["toy.a", "toy.b", "toy.c"]
    snapshot = project.snapshot()
    b = snapshot.instance(Address.parse("toy.b"))
    a = snapshot.instance(Address.parse("toy.a"))
    assert b.inputs["upstream"] == a.id  # the dependent was built from the real id
    assert b.dependencies == (Address.parse("toy.a"),)
    assert set(b.artifacts) == {"out"}
    assert (project.state / "artifacts").is_dir()
    again, _ = project.plan()
    assert not again.has_changes


def test_a_failed_create_is_tainted_and_only_its_dependents_are_skipped(project: Project) -> None:
    project.write(
        CHAIN.replace('value    = "b"', 'value    = "b"\n  fail     = true') % "a"
        + '\ntoy "d" {\n  value = "d"\n}\n'
    )
    _, result = project.apply()
    assert not result.ok
    assert [str(o.job.address) for o in result.failed] == ["toy.b"]
    assert [str(a) for a in result.skipped] == ["toy.c"]
    assert result.count() == (2, 0, 0)  # toy.a and toy.d
    problem = result.failed[0].problems[0]
    assert problem.message == "it was told to fail"
    assert problem.range is not None and problem.range.line == 8  # the fail = true line
    snapshot = project.snapshot()
    assert snapshot.instance(Address.parse("toy.b")).status is ObjectStatus.TAINTED
    assert snapshot.instance(Address.parse("toy.c")) is None

    project.write(CHAIN % "a" + '\ntoy "d" {\n  value = "d"\n}\n')
    plan, result = project.apply()
    change = plan.change(Address.parse("toy.b"))
    assert change.reason is ActionReason.REPLACE_BECAUSE_TAINTED
    assert actions(plan)["toy.c"] is Action.CREATE
    assert result.ok


def test_an_upstream_that_comes_out_unchanged_spares_its_dependents(project: Project) -> None:
    project.write(CHAIN % "a")
    project.apply()
    project.write(CHAIN % "A")  # replaced, but the toy's id ignores case
    plan, result = project.apply()
    assert actions(plan) == {
        "toy.a": Action.DELETE_THEN_CREATE,
        "toy.b": Action.DELETE_THEN_CREATE,
        "toy.c": Action.DELETE_THEN_CREATE,
    }
    assert plan.change(Address.parse("toy.b")).reason is ActionReason.REPLACE_BECAUSE_UPSTREAM
    assert result.ok
    assert [str(a) for a in result.unchanged] == ["toy.b", "toy.c"]
    assert project.provider.applied()[-1] == "toy.a"
    assert project.provider.applied().count("toy.b") == 1
    assert not project.plan()[0].has_changes


def test_independent_resources_run_in_parallel_up_to_the_limit(project: Project) -> None:
    project.write(
        "".join(f'toy "t{i}" {{\n  value = "{i}"\n  sleep = 0.3\n}}\n\n' for i in range(6))
    )
    project.apply(parallelism=3)
    assert project.provider.most_running == 3
    project.write(
        "".join(f'toy "u{i}" {{\n  value = "{i}"\n  sleep = 0.1\n}}\n\n' for i in range(3))
    )
    project.provider.most_running = 0
    project.apply(parallelism=1)
    assert project.provider.most_running == 1


def test_removed_resources_are_deleted_dependents_first(project: Project) -> None:
    project.write(CHAIN % "a")
    project.apply()
    project.write('toy "other" {\n  value = "o"\n}\n')
    plan, result = project.apply()
    assert actions(plan)["toy.a"] is Action.DELETE
    assert plan.change(Address.parse("toy.a")).reason is (
        ActionReason.DELETE_BECAUSE_NO_RESOURCE_CONFIG
    )
    assert project.provider.deleted() == ["toy.c", "toy.b", "toy.a"]
    assert result.count() == (1, 0, 3)
    assert [str(a) for a in project.snapshot().addresses()] == ["toy.other"]


def test_destroy_deletes_everything_in_reverse_order(project: Project) -> None:
    project.write(CHAIN % "a")
    project.apply()
    plan, result = project.apply(destroy=True)
    assert set(actions(plan).values()) == {Action.DELETE}
    assert project.provider.deleted() == ["toy.c", "toy.b", "toy.a"]
    assert result.ok and result.count() == (0, 0, 3)
    assert project.snapshot().empty
    assert (project.state / "artifacts").is_dir()  # stored results stay for the build cache


def test_prevent_destroy_stops_the_whole_plan(project: Project) -> None:
    project.write(CHAIN % "a")
    project.apply()
    project.write(
        (CHAIN % "a").replace(
            'toy "a" {', 'toy "a" {\n  lifecycle {\n    prevent_destroy = true\n  }'
        )
    )
    opened: dict[str, Workspace] = {}

    def state(config: Any) -> Any:
        opened["w"] = Workspace(config, StateOptions(str(project.state), "default", {}))
        return opened["w"].snapshot()

    result, _ = plan_directory(project.directory, project.registry, state, environ={}, destroy=True)
    opened["w"].close()
    errors = result.diagnostics.errors
    assert len(errors) == 1
    assert errors[0].address == "toy.a"
    assert "prevent_destroy" in errors[0].message and "Nothing was changed" in errors[0].message
    assert errors[0].range is not None and errors[0].range.line == 3


def test_a_target_limits_the_work_to_it_and_its_dependencies(project: Project) -> None:
    project.write(CHAIN % "a")
    plan, result = project.apply(targets=[Address.parse("toy.b")])
    assert sorted(actions(plan)) == ["toy.a", "toy.b"]
    assert any("targeting is in effect" in w for w in plan.warnings)
    assert result.ok
    assert sorted(str(a) for a in project.snapshot().addresses()) == ["toy.a", "toy.b"]


def test_drift_replaces_what_drifted_and_cuts_off_when_it_comes_out_the_same(
    project: Project,
) -> None:
    project.write(CHAIN % "a")
    project.apply()
    project.provider.drifted = {"toy.a"}
    plan, workspace = project.plan()
    workspace.close()
    assert [str(n.address) for n in plan.drift] == ["toy.a"]
    change = plan.change(Address.parse("toy.a"))
    assert change.reason is ActionReason.DRIFT and change.drift == "it was poked"
    assert plan.change(Address.parse("toy.b")).reason is ActionReason.REPLACE_BECAUSE_UPSTREAM
    _, result = project.apply()
    project.provider.drifted = set()
    assert result.ok and [str(a) for a in result.unchanged] == ["toy.b", "toy.c"]
    assert not project.plan()[0].has_changes


def test_a_description_is_updated_in_place(project: Project) -> None:
    project.write(CHAIN % "a")
    project.apply()
    project.write((CHAIN % "a").replace('value = "a"', 'value = "a"\n  description = "new"'))
    plan, result = project.apply()
    assert actions(plan)["toy.a"] is Action.UPDATE
    assert actions(plan)["toy.b"] is Action.NO_OP
    assert result.count() == (0, 1, 0)
    before = project.snapshot().instance(Address.parse("toy.b"))
    updated = project.snapshot().instance(Address.parse("toy.a"))
    assert updated.inputs["description"] == "new"
    assert set(updated.artifacts) == {"out"}  # the files of the result it keeps
    assert before.inputs["upstream"] == updated.id


def test_root_outputs_are_planned_from_the_recorded_ones(project: Project) -> None:
    project.write(CHAIN % "a" + '\noutput "result" {\n  value = toy.c.result\n}\n')
    plan, _ = project.plan()
    assert plan.outputs["result"].action is Action.CREATE


def test_a_missing_artifact_is_drift_and_the_instance_is_built_again(project: Project) -> None:
    project.write(CHAIN % "a")
    project.apply()
    snapshot = project.snapshot()
    digest = snapshot.instance(Address.parse("toy.c")).artifacts["out"]
    from mlform.artifacts.store import LocalArtifactStore

    LocalArtifactStore(project.state / "artifacts").delete(digest)
    plan, workspace = project.plan()
    workspace.close()
    assert [(str(n.address), n.after) for n in plan.drift] == [("toy.c", None)]
    assert actions(plan)["toy.c"] is Action.CREATE
    _, result = project.apply()
    assert result.ok and project.provider.applied().count("toy.c") == 2
    assert not project.plan()[0].has_changes

    # gone and no longer configured: apply only forgets the record
    digest = project.snapshot().instance(Address.parse("toy.c")).artifacts["out"]
    LocalArtifactStore(project.state / "artifacts").delete(digest)
    project.write((CHAIN % "a").split('toy "c"')[0])
    plan, _ = project.apply()
    assert plan.forget == (Address.parse("toy.c"),) and "toy.c" not in actions(plan)
    assert "toy.c" not in project.provider.deleted()
    assert [str(a) for a in project.snapshot().addresses()] == ["toy.a", "toy.b"]


def test_a_build_is_restored_after_destroy_and_in_another_workspace(project: Project) -> None:
    project.write(CHAIN % "a")
    project.apply()
    built = {str(i.address): i.id for i in project.snapshot().instances}
    project.apply(destroy=True)
    assert project.snapshot().empty

    plan, result = project.apply()
    hits = {str(c.address): c.restored_from_cache for c in plan.changes}
    assert hits["toy.a"] is not None  # known at plan time: the plan says so
    assert hits["toy.b"] is None  # its upstream id is known only once toy.a is restored
    assert result.ok and all(o.restored is not None for o in result.outcomes)
    assert project.provider.applied() == ["toy.a", "toy.b", "toy.c"]  # no second build
    assert {str(i.address): i.id for i in project.snapshot().instances} == built

    _, other = project.apply(workspace="review")
    assert other.ok and all(o.restored is not None for o in other.outcomes)
    assert project.provider.applied() == ["toy.a", "toy.b", "toy.c"]

    project.provider.flavour = "spicy"  # what shapes the result changed: no stale restore
    _, again = project.apply(workspace="third")
    assert again.ok and all(o.restored is None for o in again.outcomes)
    assert project.provider.applied()[3:] == ["toy.a", "toy.b", "toy.c"]


def test_a_restored_build_needs_its_files(project: Project) -> None:
    from mlform.artifacts.store import LocalArtifactStore

    project.write(CHAIN % "a")
    project.apply()
    stored = project.snapshot().instance(Address.parse("toy.a")).artifacts["out"]
    project.apply(destroy=True)
    LocalArtifactStore(project.state / "artifacts").delete(stored)
    plan, result = project.apply()
    assert plan.change(Address.parse("toy.a")).restored_from_cache is None
    assert result.ok and project.provider.applied().count("toy.a") == 2


def test_a_provider_sees_every_upstream_object_by_id(project: Project) -> None:
    project.write(CHAIN % "a")
    _, result = project.apply()
    assert result.ok
    snapshot = project.snapshot()
    a, b = (snapshot.instance(Address.parse(f"toy.{name}")) for name in "ab")
    seen = project.provider.upstream["toy.c"]
    assert set(seen) == {a.id, b.id}  # the direct upstream and the one above it
    assert seen[b.id]["upstream"] == a.id and seen[b.id]["result"] == "b"
    assert project.provider.upstream["toy.a"] == {}


def test_a_result_that_fails_its_gate_is_recorded_and_stops_its_dependents(
    project: Project,
) -> None:
    project.write(CHAIN.replace('value    = "b"', 'value    = "b"\n  reject   = true') % "a")
    _, result = project.apply()
    assert not result.ok
    assert [str(o.job.address) for o in result.failed] == ["toy.b"]
    assert result.failed[0].problems[0].message == "the score is too low"
    assert [str(a) for a in result.skipped] == ["toy.c"]
    b = project.snapshot().instance(Address.parse("toy.b"))
    assert b.status is ObjectStatus.READY and b.outputs["result"] == "b"
    again, _ = project.plan()
    assert actions(again) == {  # the gate's result stands as recorded
        "toy.a": Action.NO_OP,
        "toy.b": Action.NO_OP,
        "toy.c": Action.CREATE,
    }
    project.apply(destroy=True)
    _, result = project.apply()  # built again, not restored: it fails its gate again
    assert not result.ok and [str(o.job.address) for o in result.failed] == ["toy.b"]
    assert result.failed[0].restored is None


def test_every_applied_result_adds_its_metrics_to_the_history(project: Project) -> None:
    project.write('toy "e" {\n  value = "e"\n  score = 0.5\n}\n')
    project.apply()
    project.write('toy "e" {\n  value = "f"\n  score = 0.75\n}\n')
    project.apply()
    _, workspace = project.plan()
    with workspace:
        history = workspace.store.metric_history(workspace.key, Address.parse("toy.e"))
    assert [(p.name, p.value, p.slice) for p in history] == [
        ("score", 0.5, None),
        ("score", 0.75, None),
    ]
