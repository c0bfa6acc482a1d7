"""One function per command: read the parsed arguments, call the core, hand results to views.

Each returns the process exit code.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from mlform.diagnostics import Diagnostic, Severity
from mlform.errors import MlformError
from mlform.views.terminal import Terminal

EXIT_FMT_CHANGED = 3


def _directory(args: argparse.Namespace) -> Path:
    directory = Path(args.directory)
    if not directory.exists():
        raise MlformError(f'the configuration directory "{args.directory}" does not exist')
    if not directory.is_dir():
        raise MlformError(
            f'"{args.directory}" is a file; give the directory holding the *.mlf.hcl files'
        )
    return directory


def _validate(args: argparse.Namespace):  # type: ignore[no-untyped-def]
    from mlform.language.variables import VariableInput
    from mlform.sdk import default_registry
    from mlform.validation import validate_directory

    inputs = [VariableInput(kind, text) for kind, text in args.variable_inputs]
    return validate_directory(_directory(args), default_registry(), inputs)


def _source_line(result):  # type: ignore[no-untyped-def]
    def line(diagnostic: Diagnostic) -> str | None:
        return result.config.source_line(diagnostic.range) if diagnostic.range else None

    return line


def validate(args: argparse.Namespace) -> int:
    from mlform.views import diagnostics as view

    result = _validate(args)
    ordered = result.diagnostics.sorted()
    if args.json:
        sys.stdout.write(view.to_json(ordered, _source_line(result)) + "\n")
        return 1 if result.diagnostics.has_errors else 0
    err = Terminal(sys.stderr, color=False if args.no_color else None)
    view.render(ordered, err, _source_line(result))
    if result.diagnostics.has_errors:
        err.print(f"\nThe configuration is not valid: {view.summary(ordered)}.", "bold red")
        return 1
    out = Terminal(color=False if args.no_color else None)
    note = f" ({view.summary(ordered)})" if ordered else ""
    out.print(f"Success! The configuration is valid{note}.", "bold green")
    return 0


def plan(args: argparse.Namespace) -> int:
    import os

    from mlform.addresses import Address
    from mlform.language.variables import VariableInput
    from mlform.plans.planner import plan_directory, read_snapshot
    from mlform.sdk import default_registry
    from mlform.views import diagnostics as view
    from mlform.views.plan import print_plan

    replace = [str(Address.parse(text)) for text in args.replace]
    inputs = [VariableInput(kind, text) for kind, text in args.variable_inputs]
    environ = dict(os.environ)
    result, planned = plan_directory(
        _directory(args),
        default_registry(),
        lambda config: read_snapshot(config, args.state, args.workspace, environ)[1],
        inputs,
        environ,
        replace,
    )
    ordered = result.diagnostics.sorted()
    err = Terminal(sys.stderr, color=False if args.no_color else None)
    view.render(ordered, err, _source_line(result))
    if result.diagnostics.has_errors:
        err.print(
            f"\nNo plan: the configuration is not valid ({view.summary(ordered)}).", "bold red"
        )
        return 1
    known = {str(instance.address) for instance in result.instances.values()}
    for address in replace:
        if address not in known:
            err.print(
                f"warning: --replace {address}: no such resource instance in the configuration",
                "bold yellow",
            )
    print_plan(planned, Terminal(color=False if args.no_color else None))
    if args.detailed_exitcode and planned.has_changes:
        return 2
    return 0


def state(args: argparse.Namespace) -> int:
    from mlform.cli.state_commands import run

    return run(args, _directory(args))


def graph(args: argparse.Namespace) -> int:
    from mlform.views import diagnostics as view
    from mlform.views.graph import instance_graph_dot

    result = _validate(args)
    errors = [d for d in result.diagnostics.sorted() if d.severity is Severity.ERROR]
    if errors:
        err = Terminal(sys.stderr)
        view.render(errors, err, _source_line(result))
        err.print(
            f"\nNo graph: the configuration is not valid ({view.summary(errors)}).", "bold red"
        )
        return 1
    sys.stdout.write(instance_graph_dot(result))
    return 0


def fmt(args: argparse.Namespace) -> int:
    from mlform.cli.formatting import format_paths

    return format_paths(args)
