"""The broken-configuration corpus (tests/data/broken): a user's mistake is a diagnostic.

Each case is a directory of `*.mlf.hcl` files (and variables or data files when it needs
them), an `expected.txt` with one expected diagnostic a line, and an optional `args.txt` of
extra command-line arguments. An expected line reads

    FILE:LINE:COL: ADDRESS: message fragment
    FILE:LINE:COL: message fragment            (a diagnostic without an address)

FILE, LINE, COL and ADDRESS must match exactly; the fragment must occur in the message.
`mlform validate` runs in the case directory, as a user runs it, so FILE is a bare name.

Every case must: exit 1; report every expected diagnostic, in text and in JSON; never print a
traceback or the "this is a bug in mlform" notice; follow every positioned diagnostic with
its source line and a caret. Cases named `syntax-*` and `hcl-*` must also be rejected by
HashiCorp's own parser (the hclcheck oracle); every other case must be accepted by it, so
that it tests what it says and not a syntax error by accident.
"""

from __future__ import annotations

import json
import os
import re
import shlex
import subprocess
import sys
from collections.abc import Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import pytest

CORPUS = Path(__file__).resolve().parents[1] / "data" / "broken"
CASES = sorted(p.name for p in CORPUS.iterdir() if p.is_dir())
SYNTAX_FAMILIES = ("syntax-", "hcl-")
CATEGORIES = (
    "syntax-", "hcl-", "schema-", "semantics-", "type-", "reference-", "cycle-", "variable-",
    "function-", "split-", "count-", "for-each-", "each-", "eval-",
)  # fmt: skip

ADDRESS = r"[a-z_][a-z0-9_]*\.[A-Za-z0-9_-]+(?:\[[^\]]+\])?"
HEAD = re.compile(r"^(?P<file>[^\s:][^:]*):(?P<line>\d+):(?P<col>\d+): (?P<rest>.*)$")
SOURCE = re.compile(r"^  (?P<line>\d+) \| ")
CARET = re.compile(r"^  (?P<gutter> +) \| *\^+$")


@dataclass(frozen=True)
class Expected:
    file: str
    line: int
    column: int
    address: str | None
    fragment: str

    @property
    def position(self) -> str:
        return f"{self.file}:{self.line}:{self.column}"

    def __str__(self) -> str:
        address = f"{self.address}: " if self.address else ""
        return f"{self.position}: {address}{self.fragment}"


def parse_expected(text: str) -> list[Expected]:
    found = []
    for raw in text.splitlines():
        if not raw.strip() or raw.startswith("#"):
            continue
        match = HEAD.match(raw)
        assert match, f"not FILE:LINE:COL: [ADDRESS: ]MESSAGE: {raw!r}"
        rest = match["rest"]
        address = re.match(rf"^({ADDRESS}): ", rest)
        found.append(
            Expected(
                match["file"], int(match["line"]), int(match["col"]),
                address.group(1) if address else None,
                rest[address.end():] if address else rest,
            )
        )  # fmt: skip
    return found


@dataclass(frozen=True)
class Run:
    code: int
    stdout: str
    stderr: str

    @property
    def output(self) -> str:
        return self.stdout + self.stderr


def _run(case: str, cache: Path) -> Run:
    directory = CORPUS / case
    args_file = directory / "args.txt"
    args = shlex.split(args_file.read_text()) if args_file.exists() else []
    environment = {k: v for k, v in os.environ.items() if not k.startswith("MLFORM_")}
    environment["MLFORM_CACHE_DIR"] = str(cache)
    environment["NO_COLOR"] = "1"
    completed = subprocess.run(
        [sys.executable, "-m", "mlform", "validate", *args],
        cwd=directory, env=environment, capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    return Run(completed.returncode, completed.stdout, completed.stderr)


@pytest.fixture(scope="session")
def corpus_runs(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[dict[str, Future[Run]]]:
    """The run of each selected case, started together: the CLI takes most of a second to
    start, and the cases are independent."""
    selected = sorted(
        {
            item.callspec.params["case"]
            for item in request.session.items
            if getattr(item, "callspec", None) is not None and "case" in item.callspec.params
            and item.path == Path(__file__)
        }
    )  # fmt: skip
    cache = tmp_path_factory.mktemp("mlform-cache")
    with ThreadPoolExecutor(max_workers=max(2, (os.cpu_count() or 1) * 2)) as pool:
        yield {case: pool.submit(_run, case, cache) for case in selected}


def test_corpus_size_and_categories() -> None:
    assert len(CASES) >= 45, len(CASES)
    for category in CATEGORIES:
        assert any(case.startswith(category) for case in CASES), category
    uncategorised = [c for c in CASES if not c.startswith(CATEGORIES)]
    assert not uncategorised, uncategorised


@pytest.mark.parametrize("case", CASES)
def test_case_is_well_formed(case: str) -> None:
    directory = CORPUS / case
    assert list(directory.glob("*.mlf.hcl")), "a case needs at least one *.mlf.hcl file"
    expected = parse_expected((directory / "expected.txt").read_text())
    assert expected, "expected.txt lists no diagnostic"
    for item in expected:
        assert (directory / item.file).is_file(), f"{item}: no file {item.file}"


@pytest.mark.parametrize("case", CASES)
def test_broken_configuration(case: str, corpus_runs: dict[str, Future[Run]]) -> None:
    """`mlform validate` in a separate process, as a user runs it."""
    text = corpus_runs[case].result()
    expected = parse_expected((CORPUS / case / "expected.txt").read_text())

    # exit 1, every expected diagnostic, never a traceback
    context = f"\n--- stdout\n{text.stdout}\n--- stderr\n{text.stderr}"
    assert text.code == 1, f"exit code {text.code}{context}"
    assert "Traceback" not in text.output, context
    assert "This is a bug in mlform" not in text.output, context
    lines = text.stderr.splitlines()
    heads = [(i, HEAD.match(line)) for i, line in enumerate(lines)]
    heads = [(i, m) for i, m in heads if m is not None]
    for item in expected:
        assert any(_text_matches(item, m) for _, m in heads), f"missing: {item}{context}"

    # each positioned diagnostic quotes its source line, with a caret under the column
    for i, head in heads:
        assert i + 2 < len(lines), f"no source line after {lines[i]!r}{context}"
        source, caret = SOURCE.match(lines[i + 1]), CARET.match(lines[i + 2])
        assert source and source["line"] == head["line"], (
            f"no source line after {lines[i]!r}{context}"
        )
        assert caret, f"no caret line after {lines[i]!r}{context}"
        assert len(caret["gutter"]) == len(head["line"]), context
        caret_column = lines[i + 2].index("^") - len(f"  {caret['gutter']} | ") + 1
        quoted = lines[i + 1][len(f"  {head['line']} | ") :]
        assert caret_column == int(head["col"]) or caret_column == len(quoted) + 1, (
            f"caret at column {caret_column}, diagnostic at {head['col']}{context}"
        )


@pytest.mark.parametrize("case", CASES)
def test_broken_configuration_json(
    case: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """`mlform validate --json`: one valid document, not valid, with every expected diagnostic.
    In-process, to keep the run short; the text test above runs the real command."""
    from mlform.cli.main import main

    directory = CORPUS / case
    args_file = directory / "args.txt"
    args = shlex.split(args_file.read_text()) if args_file.exists() else []
    for name in [k for k in os.environ if k.startswith("MLFORM_")]:
        monkeypatch.delenv(name)
    monkeypatch.setenv("MLFORM_CACHE_DIR", "off")
    monkeypatch.chdir(directory)
    code = main(["validate", "--json", *args])
    captured = capsys.readouterr()
    assert code == 1, captured.out + captured.err
    assert "Traceback" not in captured.err, captured.err
    document = json.loads(captured.out)
    expected = parse_expected((directory / "expected.txt").read_text())
    assert document["valid"] is False
    assert document["error_count"] >= 1
    diagnostics = document["diagnostics"]
    for item in expected:
        assert any(_json_matches(item, d) for d in diagnostics), (
            f"missing from --json: {item}\n{json.dumps(diagnostics, indent=2)}"
        )


def _text_matches(item: Expected, head: re.Match[str]) -> bool:
    if (head["file"], int(head["line"]), int(head["col"])) != (item.file, item.line, item.column):
        return False
    rest = head["rest"]
    address = re.match(rf"^({ADDRESS}): ", rest)
    if item.address is None:
        return address is None and item.fragment in rest
    return (
        address is not None
        and address.group(1) == item.address
        and item.fragment in rest[address.end() :]
    )


def _json_matches(item: Expected, diagnostic: dict[str, object]) -> bool:
    where = diagnostic.get("range")
    if not isinstance(where, dict) or diagnostic.get("severity") != "error":
        return False
    start = where["start"]
    return (
        (where["filename"], start["line"], start["column"]) == (item.file, item.line, item.column)
        and diagnostic.get("address") == item.address
        and item.fragment in str(diagnostic["summary"])
    )


@pytest.mark.parametrize("case", CASES)
def test_oracle_agrees(case: str, hclcheck: Path) -> None:
    """HashiCorp's parser rejects the syntax cases and accepts all the others."""
    directory = CORPUS / case
    files = sorted(p.name for p in directory.glob("*.mlf.hcl"))
    completed = subprocess.run(
        [str(hclcheck), "parse", *files], cwd=directory, capture_output=True, text=True, timeout=60
    )
    if case.startswith(SYNTAX_FAMILIES):
        assert completed.returncode == 1, f"HCL accepts this case:\n{completed.stdout}"
    else:
        assert completed.returncode == 0, f"HCL rejects this case:\n{completed.stdout}"
