"""Hypothesis strategies for the formatter tests: valid HCL, re-spaced and re-indented."""

from __future__ import annotations

from pathlib import Path

from hypothesis import strategies as st

from mlform.fmt.tokens import Kind, tokenize

CASES_DIR = Path(__file__).resolve().parents[2] / "data" / "fmt"
CASES = sorted(path.name for path in CASES_DIR.iterdir() if path.is_dir())
INPUTS = [(CASES_DIR / case / "input.mlf.hcl").read_bytes().decode("utf-8") for case in CASES]

_GAP = st.text(alphabet=" \t", max_size=5)
_INDENT = st.sampled_from(["", "  ", "    ", "\t", "        ", " "])


@st.composite
def respaced(draw: st.DrawFn) -> str:
    """A golden input with every gap between tokens re-drawn.

    Growing a gap never changes how the text tokenises, so each gap becomes a random run of
    spaces and tabs (never empty where the original had whitespace), lines get a random
    indentation, and a newline is sometimes followed by a blank line.
    """
    source = draw(st.sampled_from(INPUTS))
    out: list[str] = []
    position = 0
    for token in tokenize(source):
        start = source.index(token.text, position) if token.text else len(source)
        gap = draw(_GAP)
        if start > position and not gap:
            gap = " "
        if out and out[-1].endswith("\n") and draw(st.booleans()):
            gap = draw(_INDENT) or gap
        out.append(gap + token.text)
        if token.kind is Kind.NEWLINE and draw(st.integers(0, 4)) == 0:
            out.append("\n")
        position = start + len(token.text)
    return "".join(out)
