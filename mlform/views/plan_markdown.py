"""A plan as a pull-request comment: what a reviewer reads first, then the whole plan.

The comment opens with a hidden marker naming the workspace (so `mlform comment` finds and
updates its own comment), a header, the summary line, a warning banner when anything is
destroyed or an endpoint replaced, and short lists of the work per kind (retrain,
re-evaluate, redeploy, restore from cache, destroy, ...), each instance with its reason. Then
the expected apply time, the metrics of the evaluations already applied, the drift refresh
found, and the full text plan in a collapsed block.

It fits GitHub's limit on a comment's length: the full plan is shortened in its middle
first, with a note saying how much was left out and how to see it; the header, summary,
banner and lists stay whole (only a plan far beyond any reviewer's patience, with thousands
of instances, has its lists cut, each saying how many it leaves out).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import quote

from mlform.plans.review import Review
from mlform.views import markdown_sections as sections

COMMENT_LIMIT = 65_536
"""GitHub's limit on the length of a comment (GitLab's is far higher)."""
MARKER = "<!-- mlform:workspace={key} -->"
_SHORTEST_PLAN = 4_000  # what the full plan keeps at least, before the lists are cut
_CAPS = (None, 200, 100, 50, 20, 10, 5, 0)  # list lengths tried, in order, when too long
_NEAR = 60  # lines to look for a blank line to cut at
_SYMBOL = re.compile(r"^(\s+)([-+~])(?=\s)")


@dataclass(frozen=True)
class Source:
    """Where the full plan can be seen whole, for the note in a shortened one."""

    command: str  # `mlform show plan.mlplan`


def marker(workspace: str) -> str:
    """The hidden line that identifies the comment of one workspace."""
    key = quote(workspace, safe="/:@+,=").replace("--", "-%2D")
    return MARKER.format(key=key)


def render_markdown(
    review: Review,
    plan_text: str,
    source: Source,
    mask: Callable[[str], str] = lambda text: text,
    limit: int = COMMENT_LIMIT,
) -> str:
    """The comment, at most `limit` characters (counted as GitHub counts them). `mask`
    hides what must not be posted (secrets, `--mask` patterns) in everything but the marker."""
    head = ""
    for cap in _CAPS:
        head = marker(review.workspace) + "\n" + mask(sections.head(review, cap))
        if length(head) + _SHORTEST_PLAN <= limit or cap == 0:
            break
    lines = [_diff_line(line) for line in mask(plan_text).rstrip("\n").split("\n")]
    return head + "\n" + _details(lines, source, limit - length(head) - 1)


def length(text: str) -> int:
    """The length GitHub enforces its limit on, in UTF-16 code units (never fewer than
    characters), so a plan full of emoji still fits."""
    return len(text.encode("utf-16-le")) // 2


def _diff_line(line: str) -> str:
    """A plan line for a ```diff block: its action symbol moved to the first column, so
    GitHub colours it (`+` green, `-` red, `!` for `~`, as Atlantis does)."""
    found = _SYMBOL.match(line)
    if found is None:
        return line
    symbol = "!" if found[2] == "~" else found[2]
    return symbol + found[1] + line[found.end() :]


def _fence(lines: list[str]) -> str:
    longest = max((len(run) for line in lines for run in re.findall(r"`+", line)), default=0)
    return "`" * max(3, longest + 1)


def _details(lines: list[str], source: Source, budget: int) -> str:
    """The full plan in a collapsed block; shortened in the middle to fit `budget`."""
    fence = _fence(lines)
    whole = _block(f"Full plan ({_count(len(lines), 'line')})", [(fence, lines)])
    if length(whole) <= budget:
        return whole
    room = budget - 1_000  # what the lines may take; the rest is the block and the note
    while True:
        keep_head, keep_tail = _shortened(lines, room)
        left_out = lines[keep_head : len(lines) - keep_tail]
        omitted = sum(length(line) + 1 for line in left_out)
        note = (
            f"*{_count(len(left_out), 'line')} ({omitted:,} characters) of the plan are left "
            f"out here to fit the comment. See the whole plan with {source.command}.*"
        )
        summary = f"Full plan ({_count(len(lines), 'line')}, shortened in the middle)"
        tail = lines[len(lines) - keep_tail :]
        block = _block(summary, [(fence, lines[:keep_head]), (note, None), (fence, tail)])
        if length(block) <= budget or keep_head + keep_tail == 0:
            return block
        room -= length(block) - budget


def _shortened(lines: list[str], budget: int) -> tuple[int, int]:
    """How many lines to keep from the start and from the end: about two thirds of the
    budget for the start (the drift and the first changes), the rest for the end (the
    summary)."""
    head_budget = max(0, budget * 2 // 3)
    tail_budget = max(0, budget - head_budget)
    keep_head = used = 0
    while keep_head < len(lines) and used + length(lines[keep_head]) + 1 <= head_budget:
        used += length(lines[keep_head]) + 1
        keep_head += 1
    keep_tail = used = 0
    while (
        keep_tail < len(lines) - keep_head
        and used + length(lines[-1 - keep_tail]) + 1 <= tail_budget
    ):
        used += length(lines[-1 - keep_tail]) + 1
        keep_tail += 1
    return _on_blank_lines(lines, keep_head, keep_tail)


def _on_blank_lines(lines: list[str], keep_head: int, keep_tail: int) -> tuple[int, int]:
    """The cut moved back to blank lines, when one is near, so that no instance's block is
    cut in two."""
    head = keep_head
    while head > keep_head - _NEAR and head > 0 and lines[head - 1].strip():
        head -= 1
    start = tail = len(lines) - keep_tail
    while tail < start + _NEAR and tail < len(lines) and lines[tail - 1].strip():
        tail += 1
    head = head - 1 if head > 0 and not lines[head - 1].strip() else keep_head
    tail = tail if tail < len(lines) and not lines[tail - 1].strip() else start
    return head, len(lines) - tail


def _block(summary: str, parts: list[tuple[str, list[str] | None]]) -> str:
    """`<details>` holding code blocks (fence, lines) and notes (text, None)."""
    out = [f"<details><summary>{summary}</summary>", ""]
    for text, lines in parts:
        if lines is None:
            out += [text, ""]
        elif lines:
            out += [text + "diff", *lines, text, ""]
    out.append("</details>")
    return "\n".join(out) + "\n"


def _count(number: int, noun: str) -> str:
    return f"{number:,} {noun}{'' if number == 1 else 's'}"
