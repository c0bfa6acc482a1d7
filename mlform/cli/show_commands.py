"""`mlform show`, `output`, `init` and `force-unlock`: read the state, check the setup."""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path
from typing import Any

from mlform import __version__
from mlform.errors import MlformError
from mlform.urls import masked
from mlform.views.terminal import Terminal


def _workspace(args: argparse.Namespace, directory: Path) -> Any:
    from mlform.engine.workspace import StateOptions, open_workspace

    return open_workspace(directory, StateOptions(args.state, args.workspace, dict(os.environ)))


def show(args: argparse.Namespace, directory: Path) -> int:
    from mlform.cli.markdown import output_format
    from mlform.sdk import default_registry

    if output_format(args) == "markdown":
        raise MlformError(
            "--format markdown renders a saved plan, for a pull request; give the plan file "
            "(mlform plan --out plan.mlplan, then mlform show --format markdown plan.mlplan)"
        )
    with _workspace(args, directory) as workspace:
        snapshot = workspace.snapshot()
    registry = default_registry()
    if output_format(args) == "json":
        from mlform.views.state import state_json

        sys.stdout.write(json.dumps(state_json(snapshot, registry, __version__)) + "\n")
        return 0
    from mlform.views.state import state_lines

    out = Terminal(color=False if args.no_color else None)
    for text, style in state_lines(snapshot, registry):
        out.print(text, style)
    return 0


def show_saved(args: argparse.Namespace, path: Path) -> int:
    """A saved plan as it was reviewed: its text, its Terraform JSON plan, or the markdown of a
    pull-request comment."""
    from mlform.cli.markdown import output_format, saved_markdown
    from mlform.plans.saved import read

    shown = output_format(args)
    if shown == "markdown":
        sys.stdout.write(saved_markdown(path, args.mask, args.directory))
        return 0
    saved = read(path)
    if shown == "json":
        if saved.document is None:
            raise MlformError(f"{path} holds no JSON rendering; plan again with this mlform")
        sys.stdout.write(json.dumps(saved.document) + "\n")
        return 0
    sys.stdout.write(saved.text)
    return 0


def output(args: argparse.Namespace, directory: Path) -> int:
    from mlform.language.values import render
    from mlform.views.state import assignments, output_type

    with _workspace(args, directory) as workspace:
        snapshot = workspace.snapshot()
    outputs = snapshot.outputs
    if args.name is not None:
        if args.name not in outputs:
            known = ", ".join(sorted(outputs)) or "none were recorded yet"
            raise MlformError(
                f'no output named "{args.name}" in the state of workspace {workspace.key} '
                f"(outputs: {known}). Declare it in an output block and run mlform apply."
            )
        value = outputs[args.name].value
        if args.json:
            sys.stdout.write(json.dumps(value) + "\n")
        elif args.raw:
            if isinstance(value, (dict, list)) or value is None:
                raise MlformError(
                    f'output "{args.name}" is {"null" if value is None else "a collection"}, '
                    "which --raw cannot print as it is; use --json"
                )
            text = value if isinstance(value, str) else json.dumps(value)
            sys.stdout.write(text)
        else:
            sys.stdout.write(render(value) + "\n")
        return 0
    if args.json:
        document = {
            name: {
                "sensitive": recorded.sensitive,
                "type": output_type(recorded.value),
                "value": recorded.value,
            }
            for name, recorded in sorted(outputs.items())
        }
        sys.stdout.write(json.dumps(document) + "\n")
        return 0
    if not outputs:
        sys.stderr.write(
            "Warning: no outputs found. The state has no output values: declare output blocks "
            "in the configuration and run mlform apply.\n"
        )
        return 0
    values = {name: recorded.value for name, recorded in outputs.items()}
    hidden = {name for name, recorded in outputs.items() if recorded.sensitive}
    sys.stdout.write(
        "".join(line + "\n" for line in assignments(values, hidden, marker="<sensitive>"))
    )
    return 0


def init(args: argparse.Namespace, directory: Path) -> int:
    from mlform.sdk import default_registry
    from mlform.validation import validate_directory
    from mlform.views import diagnostics as view

    out = Terminal()
    err = Terminal(sys.stderr)
    registry = default_registry()
    out.print(f"Initializing mlform in {directory}...", "bold")
    result = validate_directory(directory, registry, environ=dict(os.environ))
    errors = [d for d in result.diagnostics.sorted() if d.severity.name == "ERROR"]
    kinds = sorted({resource.kind for resource in result.config.resources.values()})
    for kind in kinds:
        if kind in registry:
            provider = registry.get(kind)
            out.print(f"- Provider {kind}: version {provider.version}")
    with _workspace(args, directory) as workspace:
        home = workspace.home
        store = workspace.store
        store.create_workspace(workspace.key)
        snapshot = workspace.snapshot()
        version = store.schema_version()
        out.print(f"- State: {store.url} (schema version {version}; from {home.origin})")
        out.print(f"- Artifacts: {masked(home.artifacts)}")
        out.print(
            f"- Workspace: {workspace.key} ({len(snapshot.instances)} resource instances, "
            f"serial {snapshot.serial})"
        )
    if errors:
        err.print("")
        view.render(errors, err, view.lines_of(result.config))
        err.print(
            f"\nThe state is ready, but the configuration is not valid ({view.summary(errors)}).",
            "bold red",
        )
        return 1
    out.print("")
    out.print("mlform has been successfully initialized!", "bold green")
    out.print("Run mlform plan to see what apply would do.")
    return 0


def force_unlock(args: argparse.Namespace, directory: Path) -> int:
    with _workspace(args, directory) as workspace:
        info = workspace.store.force_unlock(args.lock_id)
    Terminal().print(
        f"mlform state has been successfully unlocked! Released the lock {info.describe()}.",
        "bold green",
    )
    return 0
