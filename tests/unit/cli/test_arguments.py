from __future__ import annotations

import pytest

from mlform.cli.arguments import normalize_flags, parse, positionals_last


@pytest.mark.parametrize(
    ("argv", "expected"),
    [
        (["plan", "dir", "--var", "a=1"], ["plan", "--var", "a=1", "dir"]),
        (
            ["state", "show", "m.x", "--state", "s", "dir"],
            ["state", "show", "--state", "s", "m.x", "dir"],
        ),
        (["fmt", "--check", "a", "b"], ["fmt", "--check", "a", "b"]),
        (["--version"], ["--version"]),
        (["validate", "--", "-odd-dir"], ["validate", "--", "-odd-dir"]),
        (["plan", "d", "--state", "s", "--", "-x"], ["plan", "--state", "s", "d", "--", "-x"]),
    ],
)
def test_positionals_go_after_options(argv, expected):
    assert positionals_last(argv) == expected


def test_terraform_single_dash_flags():
    assert normalize_flags(["plan", "-out=p.mlplan", "-json", "-v"]) == [
        "plan",
        "--out=p.mlplan",
        "--json",
        "-v",
    ]


def test_var_and_var_file_keep_their_order():
    args = parse(["plan", "--var-file", "a.mlfvars", "--var", "x=1", "-var-file=b.mlfvars"])
    assert args.variable_inputs == [
        ("var-file", "a.mlfvars"),
        ("var", "x=1"),
        ("var-file", "b.mlfvars"),
    ]


def test_state_show_takes_its_directory_after_options():
    args = parse(["state", "show", 'model.m["deep"]', "--workspace", "prod", "configs/churn"])
    assert (args.state_command, args.address, args.workspace, args.directory) == (
        "show",
        'model.m["deep"]',
        "prod",
        "configs/churn",
    )
