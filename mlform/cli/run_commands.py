"""`mlform plan`, `apply` and `destroy`: refresh, plan, show, ask, carry out, report."""

from __future__ import annotations

import argparse
import json
import os
import sys
import uuid
from contextlib import suppress
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from mlform.errors import MlformError
from mlform.urls import masked
from mlform.views.terminal import Terminal

EXIT_CHANGES = 2


@dataclass
class _Planned:
    """A plan and what it was made with: the workspace, and the lock apply holds."""

    result: Any
    plan: Any
    workspace: Any = None
    fingerprints: Any = None
    lock: Any = None
    notes: list[str] = field(default_factory=list)


def _make_plan(
    args: argparse.Namespace, directory: Path, operation: str | None, planned: _Planned
) -> None:
    """Validate, open the workspace (taking its lock for `operation`), refresh and plan,
    filling in `planned` as it goes (so that the caller can release what was taken even
    when interrupted half-way)."""
    from mlform.addresses import Address
    from mlform.engine.workspace import StateOptions, Workspace
    from mlform.language.variables import VariableInput
    from mlform.plans.planner import plan_directory
    from mlform.plans.refresh import ReadContext, refresh
    from mlform.sdk import default_registry
    from mlform.state.locking import acquire, parse_duration

    registry = default_registry()
    environ = dict(os.environ)
    timeout = parse_duration(args.lock_timeout)
    replace = [str(Address.parse(text)) for text in getattr(args, "replace", [])]
    targets = [Address.parse(text) for text in args.target]

    def state(config: Any) -> Any:
        options = StateOptions(args.state, args.workspace, environ, args.verify)
        workspace = Workspace(config, options)
        planned.workspace = workspace
        if operation is not None:
            planned.lock = acquire(workspace.store, workspace.key, operation, timeout)
            planned.notes += planned.lock.notes
        snapshot = workspace.snapshot()
        planned.fingerprints = workspace.fingerprinter(best_effort=operation is None)
        if not args.refresh or snapshot.empty:
            return snapshot
        context = ReadContext(
            config.directory,
            workspace.artifacts(),
            planned.fingerprints,
            args.verify,
            args.parallelism,
        )
        return refresh(snapshot, registry, context)

    planned.result, planned.plan = plan_directory(
        directory,
        registry,
        state,
        [VariableInput(kind, text) for kind, text in args.variable_inputs],
        environ,
        replace,
        targets,
        destroy=operation == "destroy" or getattr(args, "destroy", False),
        # called once `state` has opened the workspace the configuration names
        builds=lambda config: planned.workspace.build_context(planned.fingerprints),
    )


def _release(planned: _Planned) -> None:
    from mlform.state.locking import LockNotFoundError

    if planned.workspace is None:
        return
    if planned.lock is not None:
        with suppress(LockNotFoundError):
            planned.workspace.store.unlock(planned.lock.info.id)
        planned.lock = None
    planned.workspace.close()


def _report_diagnostics(planned: _Planned, err: Terminal, what: str) -> bool:
    """Print the diagnostics; whether there were errors (then nothing can go on)."""
    from mlform.views import diagnostics as view

    result = planned.result
    ordered = result.diagnostics.sorted()
    view.render(ordered, err, view.lines_of(result.config))
    if result.diagnostics.has_errors:
        err.print(
            f"\n{what}: the configuration is not valid ({view.summary(ordered)}).", "bold red"
        )
        return True
    return False


def _replace_warnings(args: argparse.Namespace, planned: _Planned, err: Terminal) -> None:
    known = {str(instance.address) for instance in planned.result.instances.values()}
    for address in getattr(args, "replace", []):
        if address not in known:
            err.print(
                f"warning: --replace {address}: no such resource instance in the configuration",
                "bold yellow",
            )


def plan(args: argparse.Namespace, directory: Path) -> int:
    from mlform.cli.markdown import output_format
    from mlform.views.plan import print_plan

    output_format(args)  # a usage error before any work

    err = Terminal(sys.stderr, color=False if args.no_color else None)
    out = Terminal(color=False if args.no_color else None)
    planned = _Planned(None, None)
    try:
        _make_plan(args, directory, None, planned)
        if _report_diagnostics(planned, err, "No plan"):
            return 1
        _replace_warnings(args, planned, err)
        shown = output_format(args)
        if shown == "json":
            sys.stdout.write(json.dumps(_plan_document(planned)) + "\n")
        elif shown == "markdown":
            from mlform.cli.markdown import plan_markdown

            sys.stdout.write(plan_markdown(planned, args.mask))
        else:
            print_plan(planned.plan, out)
        if args.out:
            _save(args, planned, Path(args.out))
            if shown == "text":
                out.print()
                out.print(f"Saved the plan to: {args.out}")
                out.print(f"To perform exactly these actions, run: mlform apply {args.out}")
    finally:
        _release(planned)
    if args.detailed_exitcode and planned.plan.has_changes:
        return EXIT_CHANGES
    return 0


def apply(args: argparse.Namespace, directory: Path) -> int:
    return _carry_out(args, directory, "apply")


def _plan_document(planned: _Planned) -> dict[str, Any]:
    from mlform import __version__
    from mlform.sdk import default_registry
    from mlform.views.plan_json import plan_json

    return plan_json(planned.plan, planned.result, default_registry(), __version__)


def _save(args: argparse.Namespace, planned: _Planned, path: Path) -> None:
    from mlform.cli import markdown
    from mlform.plans import saved as saved_plans
    from mlform.views.masking import Mask
    from mlform.views.plan import render_plan

    plan, result = planned.plan, planned.result
    plain, hidden = saved_plans.split_variables(result.variables)
    salt = saved_plans.new_salt()
    prior = plan.prior
    saved_plans.write(
        path,
        saved_plans.SavedPlan(
            workspace=planned.workspace.key,
            lineage=prior.lineage if prior is not None else None,
            serial=prior.serial if prior is not None else 0,
            directory=str(result.config.directory.resolve()),
            files=saved_plans.configuration_files(result.config.directory, salt),
            variables=plain,
            sensitive={name: saved_plans.keyed_hash(salt, v) for name, v in hidden.items()},
            salt=salt,
            sources=saved_plans.source_fingerprints(plan),
            actions=saved_plans.planned_actions(plan),
            text=Mask.of(markdown.secrets(planned))(render_plan(plan)),
            document=_plan_document(planned),
            destroy=plan.destroy,
            targets=[str(t) for t in plan.targets],
            replace=list(getattr(args, "replace", [])),
            state=str(planned.workspace.home.directory)
            if planned.workspace.home.is_local
            else None,
            review=markdown.review(planned).to_json(),
        ),
    )


def apply_saved(args: argparse.Namespace, path: Path) -> int:
    """`apply FILE`: exactly the saved plan, or a refusal saying what changed since."""
    import tempfile

    from mlform.plans import saved as saved_plans

    saved = saved_plans.read(path)
    directory = Path(saved.directory)
    if not directory.is_dir():
        raise MlformError(
            f"the plan in {path} was made for the configuration in {directory}, which no longer "
            "exists; plan again where the configuration is"
        )
    changed = _changed_files(saved.files, saved_plans.configuration_files(directory, saved.salt))
    if changed:
        raise MlformError(
            f"the configuration changed since the plan in {path} was made ({', '.join(changed)}); "
            "the plan no longer shows what apply would do. Plan again and review it."
        )
    color = False if args.no_color else None
    out, err = Terminal(color=color), Terminal(sys.stderr, color=color)
    with tempfile.TemporaryDirectory(prefix="mlform-plan-") as scratch:
        variables = Path(scratch) / "planned.mlfvars"
        variables.write_text(
            "".join(
                f"{name} = {saved_plans.hcl_literal(value)}\n"
                for name, value in sorted(saved.variables.items())
            )
        )
        args.variable_inputs = [*args.variable_inputs, ("var-file", str(variables))]
        args.target, args.replace = saved.targets, saved.replace
        if args.state is None and not os.environ.get("MLFORM_STATE") and saved.state:
            args.state = saved.state  # the state it was planned against, wherever apply runs
        operation = "destroy" if saved.destroy else "apply"
        planned = _Planned(None, None)
        try:
            _make_plan(args, directory, operation, planned)
            for note in planned.notes:
                err.print(note, "yellow")
            if _report_diagnostics(planned, err, "Nothing was applied"):
                return 1
            _check_saved(path, saved, planned)
            out.print(saved.text.rstrip("\n"))
            out.print()
            if not planned.plan.has_changes:
                out.print(_summary(operation, (0, 0, 0)), "bold green")
                return 0
            return _execute(args, directory, operation, planned, out, err)
        finally:
            _release(planned)


def _changed_files(planned: dict[str, str], now: dict[str, str]) -> list[str]:
    return sorted(name for name in set(planned) | set(now) if planned.get(name) != now.get(name))


def _check_saved(path: Path, saved: Any, planned: _Planned) -> None:
    """Refuse a saved plan that no longer holds, naming what changed."""
    from mlform.plans import saved as saved_plans

    plan, workspace = planned.plan, planned.workspace
    again = f"Plan again (mlform plan --out {path.name}), review it, and apply that."
    if workspace.key != saved.workspace:
        raise MlformError(
            f"the plan in {path} was made for workspace {saved.workspace}, not {workspace.key}; "
            "apply it with the --workspace it was planned with, or plan again here."
        )
    prior = plan.prior
    if saved.lineage is not None and prior.lineage != saved.lineage:
        now = f"lineage {prior.lineage}" if prior.lineage else "nothing recorded for it"
        raise MlformError(
            f"the plan in {path} was made against another state (lineage {saved.lineage}); "
            f"this state home ({masked(workspace.home)}) has {now}. Apply it with the state it was "
            f"planned with, or plan again here."
        )
    if (prior.lineage, prior.serial) != (saved.lineage, saved.serial):
        raise MlformError(
            f"the plan in {path} is stale: it was made against serial {saved.serial} of the "
            f"state, which is now at serial {prior.serial} (something was applied since). {again}"
        )
    _, hidden = saved_plans.split_variables(planned.result.variables)
    differing = sorted(
        name
        for name in set(saved.sensitive) | set(hidden)
        if name not in hidden
        or name not in saved.sensitive
        or saved_plans.keyed_hash(saved.salt, hidden[name]) != saved.sensitive[name]
    )
    if differing:
        raise MlformError(
            f"the sensitive variable{'s' if len(differing) > 1 else ''} "
            f"{', '.join(differing)} differ{'' if len(differing) > 1 else 's'} from the value "
            f"planned in {path}. Give the same value{'s' if len(differing) > 1 else ''} "
            f"(environment, --var or a variable file), or {again[0].lower()}{again[1:]}"
        )
    seen = saved_plans.source_fingerprints(plan)
    moved = sorted(
        a for a, fingerprint in saved.sources.items() if seen.get(a, fingerprint) != fingerprint
    )
    drifted = sorted(str(n.address) for n in plan.drift if str(n.address) in saved.sources)
    if moved or drifted:
        names = ", ".join(sorted(set(moved) | set(drifted)))
        raise MlformError(
            f"the data changed after the plan in {path} was reviewed: the source of {names} is "
            f"not what the plan saw. {again}"
        )
    if saved_plans.planned_actions(plan) != saved.actions:
        raise MlformError(
            f"the plan in {path} no longer matches what apply would do (something it reads "
            f"changed). {again}"
        )


def destroy(args: argparse.Namespace, directory: Path) -> int:
    return _carry_out(args, directory, "destroy")


def _carry_out(args: argparse.Namespace, directory: Path, operation: str) -> int:
    from mlform.views.plan import print_plan

    color = False if args.no_color else None
    out, err = Terminal(color=color), Terminal(sys.stderr, color=color)
    if not args.auto_approve and not sys.stdin.isatty():
        raise MlformError(
            f"{operation} asks for approval, and there is no terminal to ask on. Review the "
            f"plan (mlform plan{' --destroy' if operation == 'destroy' else ''}), then run "
            f"mlform {operation} --auto-approve."
        )
    planned = _Planned(None, None)
    try:
        _make_plan(args, directory, operation, planned)
        for note in planned.notes:
            err.print(note, "yellow")
        if _report_diagnostics(planned, err, f"Nothing was {_done(operation)}"):
            return 1
        _replace_warnings(args, planned, err)
        print_plan(planned.plan, out)
        if not planned.plan.has_changes:
            out.print()
            out.print(_summary(operation, (0, 0, 0)), "bold green")
            return 0
        if not args.auto_approve and not _approved(operation, planned, out):
            err.print(f"\n{operation.capitalize()} cancelled: nothing was changed.", "bold")
            return 1
        out.print()
        return _execute(args, directory, operation, planned, out, err)
    finally:
        _release(planned)


def _done(operation: str) -> str:
    return "destroyed" if operation == "destroy" else "applied"


def _approved(operation: str, planned: _Planned, out: Terminal) -> bool:
    key = planned.workspace.key if planned.workspace is not None else "?"
    if operation == "destroy":
        question = (
            f"Do you really want to destroy every resource of workspace {key}?\n"
            "  mlform will destroy everything shown above. There is no undo.\n"
            "  Only 'yes' will be accepted to confirm."
        )
    else:
        question = (
            "Do you want to perform these actions?\n"
            "  mlform will perform the actions described above.\n"
            "  Only 'yes' will be accepted to approve."
        )
    out.print()
    out.print(question, "bold")
    out.write("\n  Enter a value: ")
    out.stream.flush()
    try:
        answer = input()
    except EOFError:
        return False
    return answer.strip() == "yes"


def _execute(
    args: argparse.Namespace,
    directory: Path,
    operation: str,
    planned: _Planned,
    out: Terminal,
    err: Terminal,
) -> int:
    from mlform.engine.apply import apply_plan
    from mlform.language.variables import VariableInput
    from mlform.sdk import default_registry
    from mlform.state.objects import Run, RunOperation, RunStatus
    from mlform.vcs import git_commit
    from mlform.views.apply import ApplyView

    workspace = planned.workspace
    commit = git_commit(directory)
    run = Run(
        id=str(uuid.uuid4()),
        operation=RunOperation(operation),
        status=RunStatus.RUNNING,
        started=datetime.now(UTC),
        who=planned.lock.info.who if planned.lock is not None else "",
        config_commit=commit,
        serial=planned.plan.prior.serial if planned.plan.prior is not None else None,
    )
    workspace.store.record_run(workspace.key, run)
    view = ApplyView(out)
    try:
        with view:
            result = apply_plan(
                directory,
                default_registry(),
                planned.plan,
                workspace,
                view,
                inputs=[VariableInput(kind, text) for kind, text in args.variable_inputs],
                parallelism=args.parallelism,
                config_commit=commit,
            )
    except KeyboardInterrupt:  # the second interrupt: stop now, with what completed recorded
        err.print("\nStopped. Everything that completed is recorded; run plan to see the rest.")
        sys.stderr.flush()
        os._exit(130)
    if not result.interrupted and not planned.plan.targets:
        _record_outputs(planned, result, operation)
    counts = result.count()
    run = replace(
        run,
        status=RunStatus.SUCCEEDED if result.ok else RunStatus.FAILED,
        finished=datetime.now(UTC),
        summary={
            "added": counts[0],
            "changed": counts[1],
            "destroyed": counts[2],
            "failed": [str(o.job.address) for o in result.failed],
            "skipped": [str(a) for a in result.skipped],
            "resources": {
                str(o.job.address): {"action": o.job.action.value, "seconds": o.seconds}
                for o in result.outcomes
            },
        },
    )
    workspace.store.record_run(workspace.key, run)
    return _report(operation, planned, result, view, out, err)


def _record_outputs(planned: _Planned, result: Any, operation: str) -> None:
    from mlform.engine.apply import outputs_to_record
    from mlform.state.objects import RootOutput

    workspace = planned.workspace
    prior = planned.plan.prior
    recorded = dict(getattr(prior, "outputs", {}) or {})
    configured = planned.result.config.outputs
    if operation == "destroy":
        new: dict[str, Any] = {}
    else:
        new = {name: value for name, value in recorded.items() if name in configured}
        for name, (value, sensitive) in outputs_to_record(result.outputs, configured).items():
            new[name] = RootOutput(value, sensitive)
    if new != recorded:
        workspace.store.record_outputs(workspace.key, new)


def _summary(operation: str, counts: tuple[int, int, int]) -> str:
    added, changed, destroyed = counts
    if operation == "destroy":
        return f"Destroy complete! Resources: {destroyed} destroyed."
    return f"Apply complete! Resources: {added} added, {changed} changed, {destroyed} destroyed."


def _report(
    operation: str, planned: _Planned, result: Any, view: Any, out: Terminal, err: Terminal
) -> int:
    from mlform.views import diagnostics as diagnostics_view
    from mlform.views.plan import format_duration

    line = diagnostics_view.lines_of(planned.result.config)
    if view.warnings:
        err.print()
        diagnostics_view.render(view.warnings, err, line)
    problems = [p for _, _, found in view.failures for p in found] + list(result.problems)
    if problems:
        err.print()
        diagnostics_view.render(problems, err, line)
    out.print()
    if result.ok:
        out.print(_summary(operation, result.count()), "bold green")
        restored = [o.restored for o in result.outcomes if o.restored is not None]
        if restored:
            saved = sum(build.duration or 0.0 for build in restored)
            out.print(
                f"Restored from cache: {len(restored)} of them, about "
                f"{format_duration(saved)} of work saved."
            )
        if operation == "apply":
            _print_outputs(planned, result, out)
        return 0
    added, changed, destroyed = result.count()
    done = f"{added} added, {changed} changed, {destroyed} destroyed"
    if result.interrupted:
        err.print(
            f"{operation.capitalize()} interrupted. Completed and recorded: {done}.", "bold red"
        )
    else:
        failed = ", ".join(str(o.job.address) for o in result.failed) or "none"
        err.print(
            f"{operation.capitalize()} failed: {len(result.failed)} failed ({failed}); "
            f"completed and recorded: {done}.",
            "bold red",
        )
    if result.skipped:
        skipped = ", ".join(str(a) for a in result.skipped)
        err.print(f"Not started, because what they depend on did not complete: {skipped}.")
    if result.interrupted:
        err.print(f"Run mlform {operation} again to continue from what completed.")
    else:
        err.print(
            f"Fix the cause and run mlform {operation} again: it continues from what completed."
        )
    return 1


def _print_outputs(planned: _Planned, result: Any, out: Terminal) -> None:
    from mlform.engine.apply import outputs_to_record
    from mlform.views.state import assignments

    values = outputs_to_record(result.outputs, planned.result.config.outputs)
    if not values:
        return
    out.print()
    out.print("Outputs:", "bold")
    out.print()
    shown = {name: value for name, (value, _) in values.items()}
    hidden = {name for name, (_, sensitive) in values.items() if sensitive}
    for line in assignments(shown, hidden, marker="<sensitive>"):
        out.print(line)
