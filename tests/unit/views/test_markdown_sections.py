"""The pieces of the markdown comment: wording of reasons, escaping, numbers, masks."""

from __future__ import annotations

import pytest

from mlform.errors import MlformError
from mlform.plans.review import MetricChange, Review, ReviewedChange
from mlform.views.markdown_sections import Work, code, escape, head, number, reason, work_of
from mlform.views.masking import Mask, secret_strings
from mlform.views.plan_markdown import Source, length, marker, render_markdown


def change(address: str, action: str = "create", **fields) -> ReviewedChange:
    return ReviewedChange(address, action, fields.pop("reason", "none"), **fields)


@pytest.mark.parametrize(
    ("item", "work"),
    [
        (change("model.churn"), Work.RETRAIN),
        (change("model.churn", "delete-then-create"), Work.RETRAIN),
        (change("evaluation.churn", "create-then-delete"), Work.REEVALUATE),
        (change("endpoint.churn"), Work.REDEPLOY),
        (change("endpoint.churn", "update", attributes=("model",)), Work.REDEPLOY),
        (change("endpoint.churn", "update", attributes=("tags",)), Work.UPDATE),
        (change("dataset.churn", "update", attributes=("description",)), Work.UPDATE),
        (change("split.churn"), Work.REBUILD),
        (change("report.weekly"), Work.BUILD),
        (change("model.churn", restored_built="2026-03-01T10:00:00+00:00"), Work.RESTORE),
        (change("model.churn", "delete"), Work.DESTROY),
    ],
)
def test_each_change_is_one_kind_of_work(item: ReviewedChange, work: Work) -> None:
    assert work_of(item) is work


def test_reasons_read_as_a_reviewer_asks() -> None:
    restored = change(
        "model.churn",
        "delete-then-create",
        reason="replace_because_cannot_update",
        attributes=("params",),
        restored_built="2026-03-01T10:00:00+00:00",
        restored_seconds=600.0,
        expected_seconds=600.0,
    )
    assert reason(restored) == (
        "replaced: `params` changed; the identical build of 2026-03-01 10:00 is restored, "
        "about 10 min of work saved"
    )
    upstream = change(
        "evaluation.churn",
        "delete-then-create",
        reason="replace_because_upstream",
        upstream=("model.churn",),
        expected_seconds=30.0,
    )
    assert reason(upstream) == "replaced: `model.churn` will be replaced (about 30 s)"
    drifted = change("dataset.a", "delete-then-create", reason="drift", drift="source <b>@x</b>")
    assert reason(drifted) == "replaced: source \\<b\\>&#64;x\\</b\\>"
    assert reason(change("dataset.a", "delete"), destroy_plan=True) == "destroy requested"


def test_text_from_outside_cannot_format_mention_or_inject() -> None:
    assert escape("**bold** <script> @team | x") == (
        "\\*\\*bold\\*\\* \\<script\\> &#64;team \\| x"
    )
    assert code('model.m["a`b"]') == '``model.m["a`b"]``'
    assert code("`edge`") == "`` `edge` ``"


def test_numbers() -> None:
    assert number(0.84123) == "0.8412"
    assert number(12345.6) == "12,346"
    assert number(0.0031, signed=True) == "+0.0031"
    assert number(-2.0, signed=True) == "-2"
    assert number(0.0, signed=True) == "±0"


def test_the_marker_cannot_end_its_html_comment_early() -> None:
    assert marker("examples/quickstart:default") == (
        "<!-- mlform:workspace=examples/quickstart:default -->"
    )
    assert "-->" not in marker("a-->b:default")[:-3]


def test_targets_warnings_metrics_without_history_and_output_only_changes() -> None:
    review = Review(
        "w:default",
        has_changes=True,
        targets=("model.churn",),
        warnings=("Resource targeting is in effect",),
        outputs=("auc",),
        metrics=(MetricChange("evaluation.churn", "auc", 0.9),),
    )
    text = head(review)
    assert "**No changes to resources.** Applying this plan only records new output values." in text
    assert "Limited to --target `model.churn`" in text
    assert "> **Warning:** Resource targeting is in effect" in text
    assert "| `evaluation.churn` | auc | 0.9 | - | - | kept |" in text


def test_masks() -> None:
    mask = Mask.of(["hunter22", "no"], [r"sk-[a-z0-9]+"])
    assert mask("pw hunter22, key sk-abc123, no change") == (
        "pw (sensitive value), key (masked), no change"
    )
    assert mask("postgresql://ml:pw@db/state") == "postgresql://ml:***@db/state"
    with pytest.raises(MlformError, match="not a valid regular expression"):
        Mask.of(patterns=["("])
    with pytest.raises(MlformError, match="matches the empty string"):
        Mask.of(patterns=["x*"])
    assert secret_strings({"a": {"b": ["secret", 12345, True]}, "c": None}) == [
        "secret",
        "12345",
    ]


def test_masks_apply_to_everything_but_the_marker() -> None:
    review = Review(
        "team/secret-project:default",
        to_add=1,
        has_changes=True,
        changes=(change("dataset.secret"),),
    )
    text = render_markdown(
        review, "  + dataset.secret\n", Source("`mlform show p`"), Mask.of(patterns=["secret"])
    )
    assert text.startswith("<!-- mlform:workspace=team/secret-project:default -->\n")
    assert text.count("secret") == 1  # in the marker only
    assert "`dataset.(masked)`" in text and "+   dataset.(masked)" in text


def test_length_counts_as_github_does() -> None:
    assert length("abc") == 3
    assert length("─") == 1
    assert length("😀") == 2
