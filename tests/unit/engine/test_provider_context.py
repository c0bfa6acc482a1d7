"""What the core tells providers besides a resource's inputs: the configuration's provider
blocks (`provider "docker" { host = ... }`) in plan and apply requests, the workspace in apply
requests, the lifecycle's create_before_destroy in validate requests, and, for a provider that
asks (`plans_every_change`), a plan request for every change, whose findings stop the plan."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from mlform.diagnostics import Severity
from mlform.engine.events import NullEvents
from mlform.engine.workspace import StateOptions, Workspace
from mlform.plans.planner import plan_directory
from mlform.plans.refresh import ReadContext, refresh
from mlform.sdk import (
    ApplyRequest,
    ApplyResponse,
    PlanRequest,
    PlanResponse,
    ProviderDiagnostic,
    ValidateRequest,
    ValidateResponse,
)
from mlform.validation.check import validate_directory
from tests.unit.engine.toy import ToyProvider, registry

CONFIG = """
provider "docker" {
  host = "unix:///run/test/docker.sock"
}

toy "a" {
  value = "%s"
}

toy "b" {
  value    = "b"
  upstream = toy.a
  lifecycle {
    create_before_destroy = true
  }
}

output "b" {
  value = toy.b.result
}
"""


class WatchfulToy(ToyProvider):
    """A toy that asks to plan every change, and records what each request held."""

    plans_every_change = True

    def __init__(self) -> None:
        super().__init__()
        self.plans: list[PlanRequest] = []
        self.applies: list[ApplyRequest] = []
        self.validations: list[ValidateRequest] = []
        self.refuse: str | None = None

    def validate(self, request: ValidateRequest) -> ValidateResponse:
        self.validations.append(request)
        return ValidateResponse()

    def plan(self, request: PlanRequest) -> PlanResponse:
        self.plans.append(request)
        found = []
        if self.refuse is not None and request.address == self.refuse:
            found = [ProviderDiagnostic.error("the engine does not answer", ("value",))]
        return PlanResponse(diagnostics=found, build_inputs=None)

    def apply(self, request: ApplyRequest) -> ApplyResponse:
        self.applies.append(request)
        return super().apply(request)


class Project:
    def __init__(self, root: Path):
        self.directory = root / "config"
        self.directory.mkdir()
        self.state = root / "state"
        self.provider = WatchfulToy()
        self.registry = registry(self.provider)

    def write(self, value: str) -> None:
        (self.directory / "main.mlf.hcl").write_text(CONFIG % value)

    def plan(self, *, destroy: bool = False) -> tuple[Any, Any, Workspace]:
        opened: dict[str, Workspace] = {}

        def state(config: Any) -> Any:
            opened["workspace"] = Workspace(config, StateOptions(str(self.state), "default", {}))
            context = ReadContext(config.directory, opened["workspace"].artifacts())
            return refresh(opened["workspace"].snapshot(), self.registry, context)

        result, plan = plan_directory(
            self.directory,
            self.registry,
            state,
            environ={},
            destroy=destroy,
            builds=lambda config: opened["workspace"].build_context(None),
        )
        return result, plan, opened["workspace"]

    def apply(self, *, destroy: bool = False) -> Any:
        from mlform.engine.apply import apply_plan

        result, plan, workspace = self.plan(destroy=destroy)
        assert not result.diagnostics.has_errors, [str(d) for d in result.diagnostics]
        with workspace:
            return apply_plan(
                self.directory, self.registry, plan, workspace, NullEvents(), environ={}
            )


def test_provider_blocks_and_the_workspace_reach_the_provider(tmp_path: Path) -> None:
    project = Project(tmp_path)
    project.write("a")
    applied = project.apply()
    assert applied.ok, applied.problems
    settings = {"docker": {"host": "unix:///run/test/docker.sock"}}
    assert project.provider.plans and all(p.providers == settings for p in project.provider.plans)
    assert {a.address for a in project.provider.applies} == {"toy.a", "toy.b"}
    for request in project.provider.applies:
        assert request.providers == settings
        assert request.workspace.endswith(":default")


def test_validate_hears_of_create_before_destroy(tmp_path: Path) -> None:
    project = Project(tmp_path)
    project.write("a")
    validate_directory(project.directory, project.registry, environ={})
    by_address = {v.address: v.create_before_destroy for v in project.provider.validations}
    assert by_address == {"toy.a": False, "toy.b": True}


def test_every_change_is_planned_when_the_provider_asks(tmp_path: Path) -> None:
    project = Project(tmp_path)
    project.write("a")
    # a create whose upstream is created too: its inputs are known only after apply
    project.plan()
    unknown = [p for p in project.provider.plans if p.address == "toy.b"]
    assert unknown and unknown[0].prior_inputs is None
    assert project.apply().ok
    # an update in place: planned with the prior object
    project.provider.plans.clear()
    (project.directory / "main.mlf.hcl").write_text(
        (CONFIG % "a").replace('value = "a"', 'value = "a"\n  description = "now"')
    )
    _, _, workspace = project.plan()
    workspace.close()
    updated = [p for p in project.provider.plans if p.address == "toy.a"]
    assert updated and updated[0].prior_outputs is not None
    assert updated[0].proposed_inputs["description"] == "now"
    # its findings are the plan's
    project.provider.refuse = "toy.a"
    result, _, workspace = project.plan()
    workspace.close()
    errors = [d for d in result.diagnostics if d.severity is Severity.ERROR]
    assert [(d.address, d.message) for d in errors] == [("toy.a", "the engine does not answer")]


def test_destroy_reads_the_outputs_of_a_tainted_instance_as_unknown(tmp_path: Path) -> None:
    project = Project(tmp_path)
    project.write("a")
    (project.directory / "main.mlf.hcl").write_text(
        (CONFIG % "a").replace('value    = "b"', 'value    = "b"\n  fail     = true')
    )
    failed = project.apply()
    assert not failed.ok  # toy.b is tainted, with no outputs; output "b" refers to one
    destroyed = project.apply(destroy=True)
    assert destroyed.ok, destroyed.problems
