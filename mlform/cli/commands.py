"""One function per command: read the parsed arguments, call the core, hand results to views.

Each returns the process exit code.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from mlform.diagnostics import Severity
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


def validate(args: argparse.Namespace) -> int:
    from mlform.views import diagnostics as view

    result = _validate(args)
    ordered = result.diagnostics.sorted()
    if args.json:
        sys.stdout.write(view.to_json(ordered, view.lines_of(result.config)) + "\n")
        return 1 if result.diagnostics.has_errors else 0
    err = Terminal(sys.stderr, color=False if args.no_color else None)
    view.render(ordered, err, view.lines_of(result.config))
    if result.diagnostics.has_errors:
        err.print(f"\nThe configuration is not valid: {view.summary(ordered)}.", "bold red")
        return 1
    out = Terminal(color=False if args.no_color else None)
    note = f" ({view.summary(ordered)})" if ordered else ""
    out.print(f"Success! The configuration is valid{note}.", "bold green")
    return 0


def plan(args: argparse.Namespace) -> int:
    from mlform.cli import run_commands

    return run_commands.plan(args, _directory(args))


def apply(args: argparse.Namespace) -> int:
    from mlform.cli import run_commands

    if Path(args.directory).is_file():  # a saved plan
        return run_commands.apply_saved(args, Path(args.directory))
    return run_commands.apply(args, _directory(args))


def destroy(args: argparse.Namespace) -> int:
    from mlform.cli import run_commands

    return run_commands.destroy(args, _directory(args))


def show(args: argparse.Namespace) -> int:
    from mlform.cli import show_commands

    if Path(args.directory).is_file():  # a saved plan
        return show_commands.show_saved(args, Path(args.directory))
    return show_commands.show(args, _directory(args))


def output(args: argparse.Namespace) -> int:
    from mlform.cli import show_commands

    return show_commands.output(args, _directory(args))


def init(args: argparse.Namespace) -> int:
    from mlform.cli import show_commands

    return show_commands.init(args, _directory(args))


def force_unlock(args: argparse.Namespace) -> int:
    from mlform.cli import show_commands

    return show_commands.force_unlock(args, _directory(args))


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
        view.render(errors, err, view.lines_of(result.config))
        err.print(
            f"\nNo graph: the configuration is not valid ({view.summary(errors)}).", "bold red"
        )
        return 1
    sys.stdout.write(instance_graph_dot(result))
    return 0


def fmt(args: argparse.Namespace) -> int:
    from mlform.cli.formatting import format_paths

    return format_paths(args)


def metrics(args: argparse.Namespace) -> int:
    from mlform.cli import metrics_command

    return metrics_command.run(args)


def gc(args: argparse.Namespace) -> int:
    from mlform.cli import gc_command

    return gc_command.run(args)


def comment(args: argparse.Namespace) -> int:
    from mlform.cli import comment_command

    return comment_command.run(args)
