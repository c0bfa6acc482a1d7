"""`mlform gc [--dry-run] [DIR]`: remove the stored artifacts no workspace uses.

A destroyed or replaced resource's results stay in the artifact store, as cached builds an
apply can restore, until gc removes them. What is garbage, and why no apply can run into a
collection, is `mlform.state.collect`'s; this module parses the command line and prints.
"""

from __future__ import annotations

import argparse
import os
import sys
from typing import TYPE_CHECKING

from mlform.errors import MlformError
from mlform.urls import masked
from mlform.views.terminal import Terminal

if TYPE_CHECKING:  # imported when run: building the parser must stay cheap
    from mlform.state.collect import GarbageCollection

_UNITS = ("B", "kB", "MB", "GB", "TB", "PB")


def add_parser(commands: argparse._SubParsersAction) -> None:
    """Add `gc` to the subcommands of `mlform`."""
    # here, not at the top: arguments.py imports this module
    from mlform.cli.arguments import _directory, lock_timeout_option, state_home_option

    gc = commands.add_parser(
        "gc", help="remove stored artifacts that no workspace uses, and their cached builds"
    )
    _directory(gc)
    state_home_option(gc)
    gc.add_argument(
        "--dry-run", action="store_true", help="list what would be removed; change nothing"
    )
    lock_timeout_option(
        gc, "how long to wait for the lock of every workspace, like 30s or 5m (default 0s)"
    )
    gc.add_argument("--no-color", action="store_true", help="never colour the output")


def run(args: argparse.Namespace) -> int:
    from mlform.artifacts.store import LocalArtifactStore
    from mlform.cli.commands import _directory as configuration_directory
    from mlform.engine.workspace import StateOptions, open_workspace
    from mlform.state.collect import collect_garbage
    from mlform.state.locking import parse_duration

    directory = configuration_directory(args)
    timeout = parse_duration(args.lock_timeout)
    with open_workspace(directory, StateOptions(args.state, environ=dict(os.environ))) as workspace:
        files = workspace.artifacts()
        if not isinstance(files, LocalArtifactStore):  # a URL: no local store to collect from
            raise MlformError(
                f"mlform gc removes artifacts from a local directory, and the artifacts of the "
                f"state {masked(workspace.home)} are at {masked(files.location)}; remove unused "
                "ones there with the storage's own tools for now"
            )
        collected = collect_garbage(
            workspace.store, files, dry_run=args.dry_run, lock_timeout=timeout
        )
    color = False if args.no_color else None
    err = Terminal(sys.stderr, color=color)
    for note in collected.notes:
        err.print(note, "yellow")
    out = Terminal(color=color)
    for text, style in report_lines(collected):
        out.print(text, style)
    return 0


def report_lines(collected: GarbageCollection) -> list[tuple[str, str | None]]:
    """What gc prints, line by line with a rich style: with --dry-run, each artifact, build
    and unfinished write that would go, then a summary; otherwise the summary alone."""
    if collected.empty:
        return [("Nothing to collect: every stored artifact is in use.", "bold green")]
    artifacts = _count(len(collected.artifacts), "artifact")
    builds = _count(len(collected.builds), "cached build")
    partial = _count(collected.partial_writes, "unfinished write")
    if not collected.dry_run:
        lines: list[tuple[str, str | None]] = []
        if collected.artifacts or collected.builds:
            freed = human_size(collected.freed)
            lines.append((f"Removed {artifacts} ({freed} freed) and {builds}.", "bold green"))
        if collected.partial_writes:
            lines.append((f"Removed {partial} left by interrupted applies.", "bold green"))
        return lines
    lines = [("mlform gc would remove:", "bold")]
    for artifact in collected.artifacts:
        if not artifact.recorded:
            why = "not recorded in the state: left by an interrupted apply"
        elif artifact.stored:
            why = "used by no workspace"
        else:
            why = "used by no workspace; its file is gone already"
        size = human_size(artifact.size) if artifact.stored else "no file"
        lines.append((f"  - artifact {artifact.digest} ({size}, {why})", None))
    for build in collected.builds:
        lines.append((f"  - cached build {build.build_key} ({build.kind})", None))
    if collected.partial_writes:
        lines.append((f"  - {partial} older than an hour", None))
    summary = ""
    if collected.artifacts or collected.builds:
        summary = f"{artifacts} ({human_size(collected.freed)}) and {builds}"
    if collected.partial_writes:
        summary = f"{summary}, and {partial}" if summary else partial
    lines.append(("", None))
    lines.append(
        (f"Dry run: would remove {summary}. Nothing was changed; run mlform gc to do it.", "bold")
    )
    return lines


def human_size(size: int) -> str:
    """`809 B`, `1.2 kB`, `12.4 MB`: decimal units, one decimal place past bytes."""
    if size < 1000:
        return f"{size} B"
    value = size / 1000
    for unit in _UNITS[1:-1]:
        if round(value, 1) < 1000:
            return f"{value:.1f} {unit}"
        value /= 1000
    return f"{value:.1f} {_UNITS[-1]}"


def _count(number: int, noun: str) -> str:
    return f"{number} {noun}{'' if number == 1 else 's'}"
