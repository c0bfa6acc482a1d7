"""syntax.parse_file and line endings: HCL ends a line at "\n" or "\r\n" only, and takes a
carriage return not followed by a newline (a "lone CR") for an invalid character everywhere
but in a comment. Each case is checked against HashiCorp's parser (hclcheck) when built: it
must reject the same text, with a diagnostic at the same line and column, and accept the rest.
"""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import pytest

from mlform.language.syntax import SyntaxFailure, parse_file


def problems(text: str) -> list[tuple[int, int, str]]:
    """(line, column, message) of every diagnostic, whether the parse failed or not."""
    try:
        _, diagnostics = parse_file(text, "main.mlf.hcl")
    except SyntaxFailure as failure:
        diagnostics = failure.diagnostics
    return [(d.range.line, d.range.column, d.message) for d in diagnostics if d.range]


def oracle(hclcheck: Path, tmp_path: Path, text: str) -> tuple[bool, set[tuple[int, int]]]:
    """Whether HCL rejects the text, and the (line, column) of each of its diagnostics."""
    path = tmp_path / "main.mlf.hcl"
    path.write_bytes(text.encode("utf-8"))  # bytes: the line endings are the point
    completed = subprocess.run(
        [str(hclcheck), "parse", str(path)], capture_output=True, text=True, timeout=30
    )
    positions = {
        (int(m.group(1)), int(m.group(2)))
        for m in re.finditer(r"^.*?:(\d+):(\d+): ", completed.stdout, re.MULTILINE)
    }
    return completed.returncode != 0, positions


# rejected ------------------------------------------------------------------------------------

REJECTED = [
    # (id, text, line, column, message fragment)
    ("file-start", "\rx = 1\ny = )\n", 1, 1, "carriage return"),
    ("only-a-carriage-return", "\r", 1, 1, "carriage return"),
    ("between-tokens", "x =\r1\n", 1, 4, "carriage return"),
    ("instead-of-newline", "x = 1\ry = 2\n", 1, 6, "carriage return"),
    ("before-crlf", "x = 1\r\r\ny = 2\r\n", 1, 6, "carriage return"),
    ("at-end-of-file", "x = 1\r", 1, 6, "carriage return"),
    ("on-a-crlf-line", "x = 1\r\ny = 2 \r  \r\n", 2, 7, "carriage return"),
    ("between-label-and-brace", 'b "l"\r{\n}\n', 1, 6, "carriage return"),
    ("in-brackets", "x = [1,\r2]\n", 1, 8, "carriage return"),
    ("in-parentheses", "x = (1 +\r2)\n", 1, 9, "carriage return"),
    ("after-unicode", 'x = "é" +\r1\n', 1, 10, "carriage return"),
    ("after-byte-order-mark", "\ufeffx =\r1\n", 1, 4, "carriage return"),
    ("quoted-string", 'x = "a\rb"\n', 1, 7, "write \\r"),
    ("quoted-string-end", 'x = "a\r"\n', 1, 7, "write \\r"),
    ("after-backslash", 'x = "a\\\rb"\n', 1, 8, "write \\r"),
    ("after-escaped-interpolation", 'x = "$${\r}"\n', 1, 9, "write \\r"),
    ("interpolation", 'x = "${1 +\r2}"\n', 1, 11, "carriage return"),
    ("directive", 'x = "%{ if true\r}a%{ endif }"\n', 1, 16, "carriage return"),
    ("heredoc", "x = <<EOT\na\rb\nEOT\n", 2, 2, "a heredoc cannot hold one"),
    ("heredoc-crlf", "x = <<EOT\r\na\rb\r\nEOT\r\n", 2, 2, "a heredoc cannot hold one"),
    ("heredoc-header", "x = <<EOT\ra\nEOT\n", 1, 10, "carriage return"),
    ("heredoc-closing-marker", "x = <<EOT\na\nEOT\r\r\n", 3, 4, "a heredoc cannot hold one"),
    ("heredoc-closing-marker-at-end", "x = <<EOT\na\r\nEOT\r", 3, 4, "a heredoc cannot hold"),
    ("string-in-heredoc", 'x = <<EOT\n${"a\rb"}\nEOT\n', 2, 5, "write \\r"),
    # allowed in a comment, where it does not count as a line break
    ("after-comment-with-one", "# a\rb\nx =\r1\n", 2, 4, "carriage return"),
    ("other-error-after-comment", "# a\rb\ny = )\n", 2, 5, 'unexpected character ")"'),
    ("other-error-after-block-comment", "/* a\rb\nc */ y = )\n", 2, 10, 'unexpected character ")"'),
]


@pytest.mark.parametrize(
    ("text", "line", "column", "fragment"), [r[1:] for r in REJECTED], ids=[r[0] for r in REJECTED]
)
def test_rejected_with_position(text: str, line: int, column: int, fragment: str) -> None:
    found = problems(text)
    assert any((ln, col) == (line, column) and fragment in m for ln, col, m in found), found


@pytest.mark.parametrize(
    ("text", "line", "column"), [r[1:4] for r in REJECTED], ids=[r[0] for r in REJECTED]
)
def test_rejected_by_hcl_at_the_same_position(
    text: str, line: int, column: int, hclcheck: Path, tmp_path: Path
) -> None:
    rejected, positions = oracle(hclcheck, tmp_path, text)
    assert rejected and (line, column) in positions, positions


def test_the_message_says_what_to_do() -> None:
    with pytest.raises(SyntaxFailure) as failure:
        parse_file("\rx = 1\n", "main.mlf.hcl")
    (diagnostic,) = failure.value.diagnostics
    assert str(diagnostic) == (
        'main.mlf.hcl:1:1: this carriage return ("\\r") is not followed by a newline, and HCL '
        "accepts one only in a comment: save the file with LF or CRLF line endings"
    )


# accepted, with every position where HCL puts it ---------------------------------------------

ACCEPTED = [
    # (id, text, (line, column) of the value of x)
    ("crlf", "a = 1\r\nx = 2\r\n", (2, 5)),
    ("crlf-blank-lines-first", "\r\n\r\nx = 1\r\n", (3, 5)),
    ("crlf-trailing-space", "a = 1 \r\nx = 2\r\n", (2, 5)),
    ("crlf-block", "b {\r\n  a = 1\r\n}\r\nx = 2\r\n", (4, 5)),
    ("crlf-list", "x = [\r\n  1,\r\n]\r\n", (1, 5)),
    ("hash-comment", "# a\rb\nx = 1\n", (2, 5)),
    ("slash-comment", "// a\rb\nx = 1\n", (2, 5)),
    ("comment-before-crlf", "# a\r\r\nx = 1\r\n", (2, 5)),
    ("comment-at-end-of-file", "x = 1 # a\r", (1, 5)),
    ("inline-block-comment", "x = /* a\rb */ 1\n", (1, 15)),
    ("block-comment-over-lines", "/* a\rb\nc */\nx = 1\n", (3, 5)),
    ("comment-in-interpolation", 'a = "${1 /* b\rc */}"\nx = 1\n', (2, 5)),
    ("comment-in-heredoc-interpolation", "a = <<EOT\n${1 /* b\rc */}\nEOT\nx = 1\n", (4, 5)),
    ("heredoc-crlf", "a = <<EOT\r\nb\r\nEOT\r\nx = 1\r\n", (4, 5)),
    ("heredoc-trim-crlf", "a = <<-EOT\r\n  b\r\n  EOT\r\nx = 1\r\n", (4, 5)),
]


@pytest.mark.parametrize(
    ("text", "position"), [r[1:] for r in ACCEPTED], ids=[r[0] for r in ACCEPTED]
)
def test_accepted_without_shifting_positions(text: str, position: tuple[int, int]) -> None:
    file, diagnostics = parse_file(text, "main.mlf.hcl")
    assert not diagnostics, [str(d) for d in diagnostics]
    where = file.body.attributes["x"].expression.range
    assert (where.line, where.column) == position


@pytest.mark.parametrize("text", [r[1] for r in ACCEPTED], ids=[r[0] for r in ACCEPTED])
def test_accepted_by_hcl_too(text: str, hclcheck: Path, tmp_path: Path) -> None:
    rejected, positions = oracle(hclcheck, tmp_path, text)
    assert not rejected, positions


def test_lines_quoted_keep_a_comment_carriage_return() -> None:
    file, _ = parse_file("# a\rb\r\nx = 1\r\n", "main.mlf.hcl")
    assert file.lines == ("# a\rb", "x = 1")
