"""The argument parser: GNU-style `--flag` and Terraform's single-dash `-flag=value` alike."""

from __future__ import annotations

import argparse
import sys
from typing import NoReturn

from mlform import __version__
from mlform.cli import comment_command, gc_command, metrics_command


class UsageError(Exception):
    pass


class _Parser(argparse.ArgumentParser):
    """Usage errors exit 1, as every other error does (DESIGN §7)."""

    def error(self, message: str) -> NoReturn:
        raise UsageError(
            f"{message}\n\n{self.format_usage().strip()}\nRun `{self.prog} --help` for more."
        )


class _VariableAction(argparse.Action):
    """`--var` and `--var-file` share one ordered list: later ones win, as in Terraform."""

    def __call__(
        self,
        parser: argparse.ArgumentParser,
        namespace: argparse.Namespace,
        values: object,
        option_string: str | None = None,
    ) -> None:
        items = list(getattr(namespace, "variable_inputs", None) or [])
        items.append((self.dest, str(values)))
        namespace.variable_inputs = items


def _directory(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "directory",
        nargs="?",
        default=".",
        metavar="DIR",
        help="the configuration directory (default: the working directory)",
    )


def _variables(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--var",
        dest="var",
        action=_VariableAction,
        metavar="NAME=VALUE",
        help="set a variable; may be repeated",
    )
    parser.add_argument(
        "--var-file",
        dest="var-file",
        action=_VariableAction,
        metavar="FILE",
        help="read variables from a file of NAME = VALUE lines; may be repeated",
    )


def state_home_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--state",
        metavar="PATH",
        help="the state home (default: MLFORM_STATE, mlform { state }, ./state)",
    )


def lock_timeout_option(parser: argparse.ArgumentParser, help_text: str) -> None:
    parser.add_argument("--lock-timeout", default="0s", metavar="DURATION", help=help_text)


def _state_options(parser: argparse.ArgumentParser) -> None:
    state_home_option(parser)
    parser.add_argument(
        "--workspace",
        default="default",
        metavar="NAME",
        help="the workspace name (default: default)",
    )


def _boolean(text: str) -> bool:
    lowered = text.lower()
    if lowered in ("true", "1", "yes"):
        return True
    if lowered in ("false", "0", "no"):
        return False
    raise argparse.ArgumentTypeError(f'expected true or false, not "{text}"')


def _positive(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f'expected a whole number, not "{text}"') from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be 1 or more, not {value}")
    return value


def _run_options(parser: argparse.ArgumentParser, command: str) -> None:
    """What plan, apply and destroy share."""
    _directory(parser)
    _variables(parser)
    _state_options(parser)
    if command != "destroy":
        parser.add_argument(
            "--replace",
            action="append",
            default=[],
            metavar="ADDR",
            help="replace this resource instance even if unchanged; may be repeated",
        )
    parser.add_argument(
        "--target",
        action="append",
        default=[],
        metavar="ADDR",
        help="limit the work to this resource or instance and its dependencies; may be repeated",
    )
    parser.add_argument(
        "--refresh",
        type=_boolean,
        default=True,
        metavar="BOOL",
        help="read every recorded object for drift first (default true; --refresh=false skips it)",
    )
    parser.add_argument(
        "--verify",
        action="store_true",
        help="check stored artifacts by full digest, not only that they exist",
    )
    parser.add_argument(
        "--parallelism",
        type=_positive,
        default=4,
        metavar="N",
        help="how many resources to work on at once (default 4)",
    )
    lock_timeout_option(
        parser,
        "how long to wait for the workspace lock, like 30s or 5m (default 0s); plans take no lock",
    )
    parser.add_argument("--no-color", action="store_true", help="never colour the output")


def mask_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--mask",
        action="append",
        default=[],
        metavar="REGEX",
        help="hide text matching this regular expression in the markdown; may be repeated",
    )


def _format_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--format",
        choices=("text", "json", "markdown"),
        metavar="FORMAT",
        help="text (the default), json (as --json) or markdown (a pull-request comment)",
    )
    mask_option(parser)


def _approval(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--auto-approve", action="store_true", help="skip the yes prompt (for CI and scripts)"
    )


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="mlform",
        description="Declare datasets, splits, models, evaluations and endpoints in HCL; "
        "plan and apply only what changed.",
    )
    parser.add_argument("--version", action="version", version=f"mlform {__version__}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)

    validate = commands.add_parser(
        "validate", help="check the configuration without running anything"
    )
    _directory(validate)
    _variables(validate)
    validate.add_argument("--json", action="store_true", help="print the diagnostics as JSON")
    validate.add_argument("--no-color", action="store_true", help="never colour the output")

    plan = commands.add_parser("plan", help="show what apply would change, and why")
    _run_options(plan, "plan")
    plan.add_argument(
        "--detailed-exitcode",
        action="store_true",
        help="exit 0 without changes, 2 with changes, 1 on error",
    )
    plan.add_argument(
        "--destroy", action="store_true", help="plan to destroy every recorded instance"
    )
    plan.add_argument(
        "--out",
        metavar="FILE",
        help="save the plan to FILE; mlform apply FILE then does exactly what it shows",
    )
    plan.add_argument(
        "--json", action="store_true", help="print the plan in Terraform's JSON plan format"
    )
    _format_option(plan)

    apply = commands.add_parser("apply", help="plan, ask, then make the changes")
    _run_options(apply, "apply")
    _approval(apply)

    destroy = commands.add_parser("destroy", help="destroy every recorded instance")
    _run_options(destroy, "destroy")
    _approval(destroy)

    show = commands.add_parser("show", help="print the recorded state, or a saved plan")
    _directory(show)
    _state_options(show)
    show.add_argument(
        "--json",
        action="store_true",
        help="print it in Terraform's JSON state format (a saved plan: its JSON plan format)",
    )
    _format_option(show)
    show.add_argument("--no-color", action="store_true", help="never colour the output")

    output = commands.add_parser("output", help="print the root outputs of the last apply")
    output.add_argument("name", nargs="?", metavar="NAME", help="one output (default: all)")
    _directory(output)
    _state_options(output)
    output.add_argument("--json", action="store_true", help="print JSON, as terraform output -json")
    output.add_argument("--raw", action="store_true", help="print a string output as it is")

    init = commands.add_parser(
        "init", help="check the configuration, providers and state home (never required)"
    )
    _directory(init)
    _state_options(init)

    unlock = commands.add_parser(
        "force-unlock", help="release a workspace lock whose holder is gone"
    )
    unlock.add_argument(
        "lock_id", metavar="ID", help="the lock's ID, from the State is locked message"
    )
    _directory(unlock)
    _state_options(unlock)

    state = commands.add_parser("state", help="list, show or remove recorded resource instances")
    state_commands = state.add_subparsers(
        dest="state_command", metavar="SUBCOMMAND", parser_class=_Parser
    )
    state_commands.required = True
    for name, help_text in (
        ("list", "print the address of every recorded instance, one per line"),
        ("show", "print one recorded instance as name = value lines"),
        (
            "rm",
            "forget one instance without destroying anything (it is created again by the next apply)",
        ),
    ):
        sub = state_commands.add_parser(name, help=help_text)
        if name != "list":
            sub.add_argument(
                "address",
                metavar="ADDR",
                help='a resource instance address, e.g. model.churn["deep"]',
            )
        _directory(sub)
        _state_options(sub)
        if name == "rm":
            lock_timeout_option(sub, "how long to wait for the workspace lock (default 0s)")

    gc_command.add_parser(commands)
    comment_command.add_parser(commands)
    metrics_command.add_parser(commands)

    graph = commands.add_parser("graph", help="print the dependency graph as DOT")
    _directory(graph)
    _variables(graph)

    fmt = commands.add_parser("fmt", help="lay files out the way terraform fmt does")
    fmt.add_argument(
        "paths",
        nargs="*",
        default=["."],
        metavar="PATH",
        help="files or directories (default: the working directory)",
    )
    fmt.add_argument(
        "--check", action="store_true", help="change nothing; exit 3 when a file would change"
    )
    fmt.add_argument("--diff", action="store_true", help="print the changes as a unified diff")
    fmt.add_argument("--recursive", action="store_true", help="also format subdirectories")
    fmt.add_argument("--no-color", action="store_true", help="never colour the output")
    return parser


def normalize_flags(argv: list[str]) -> list[str]:
    """Accept Terraform's spellings: `-out=FILE`, `-json`, `-var name=value`."""
    result = []
    for arg in argv:
        if arg.startswith("-") and not arg.startswith("--") and len(arg) > 2 and arg[1].isalpha():
            name = arg[1:].split("=", 1)[0]
            if len(name) > 1:
                arg = "-" + arg
        result.append(arg)
    return result


_VALUE_OPTIONS = {
    "--var",
    "--var-file",
    "--state",
    "--workspace",
    "--replace",
    "--target",
    "--refresh",
    "--parallelism",
    "--lock-timeout",
    "--out",
    "--format",
    "--mask",
    "--repo",
    "--pr",
}
_GROUPS = {"state"}  # commands whose first positional is a subcommand


def positionals_last(argv: list[str]) -> list[str]:
    """Move a command's positional arguments after its options.

    argparse assigns every positional at the first run of them, so in
    `state show ADDR --state X DIR` it would take ADDR alone and reject DIR; users write
    options anywhere, as Terraform allows.
    """
    head: list[str] = []
    rest = list(argv)
    while rest and not rest[0].startswith("-"):
        head.append(rest.pop(0))
        if head[-1] not in _GROUPS:
            break
    options: list[str] = []
    positionals: list[str] = []
    index = 0
    while index < len(rest):
        token = rest[index]
        if token == "--":  # everything after is positional, even "-odd-dir"
            return [*head, *options, *positionals, "--", *rest[index + 1 :]]
        if token.startswith("-") and len(token) > 1:
            options.append(token)
            if token in _VALUE_OPTIONS and index + 1 < len(rest):
                options.append(rest[index + 1])
                index += 1
        else:
            positionals.append(token)
        index += 1
    return head + options + positionals


def parse(argv: list[str] | None = None) -> argparse.Namespace:
    arguments = normalize_flags(list(sys.argv[1:] if argv is None else argv))
    args = build_parser().parse_args(positionals_last(arguments))
    if getattr(args, "variable_inputs", None) is None:
        args.variable_inputs = []
    return args
