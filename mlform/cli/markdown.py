"""Plans as markdown for pull requests: what `plan --format markdown`, `show --format markdown
PLANFILE` and `comment PLANFILE` share.

A plan's review (`mlform.plans.review`) is made where the plan is, with the workspace open:
the metric history comes from the state, and the sensitive variables' values are known, so
they can be searched for and hidden. A saved plan keeps the review, so rendering it later
needs neither the state nor the secrets.
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from mlform.errors import MlformError
from mlform.plans.review import Review, review_of
from mlform.views.masking import Mask, secret_strings


def output_format(args: argparse.Namespace) -> str:
    """`text`, `json` or `markdown`, from `--format` and its older spelling `--json`."""
    chosen = getattr(args, "format", None)
    if getattr(args, "json", False):
        if chosen not in (None, "json"):
            raise MlformError(f"--json and --format {chosen} ask for two formats; give one")
        return "json"
    return chosen or "text"


def secrets(planned: Any) -> list[str]:
    """The text forms of the sensitive variables' values of a plan being made."""
    from mlform.plans.saved import split_variables

    _, hidden = split_variables(planned.result.variables)
    return secret_strings(hidden)


def review(planned: Any) -> Review:
    """The review of a plan just made, with the metric history of its workspace."""
    plan, workspace = planned.plan, planned.workspace
    history: list[Any] = []
    prior = plan.prior
    if (
        prior is not None
        and any(instance.kind == "evaluation" for instance in prior.instances)
        and workspace.home.exists()
    ):
        history = workspace.store.metric_history(workspace.key)
    return review_of(plan, workspace.key, history, Mask.of(secrets(planned)))


def plan_markdown(planned: Any, masks: list[str]) -> str:
    """`plan --format markdown`: the plan just made, as a pull-request comment."""
    from mlform.views.plan import render_plan
    from mlform.views.plan_markdown import Source, render_markdown

    mask = Mask.of(secrets(planned), masks)
    source = Source("`mlform plan` (without --format)")
    return render_markdown(review(planned), render_plan(planned.plan), source, mask)


def saved_markdown(path: Path, masks: list[str], shown_as: str | None = None) -> str:
    """A saved plan as a pull-request comment; `shown_as` is how the user named the file."""
    from mlform.plans.saved import read
    from mlform.views.plan_markdown import Source, render_markdown

    saved = read(path)
    if saved.review is None:
        raise MlformError(
            f"{path} was saved by an mlform that kept no review of the plan, which the markdown "
            f"is made of; plan again with this mlform (mlform plan --out {path.name})"
        )
    try:
        reviewed = Review.from_json(saved.review)
    except (KeyError, TypeError, ValueError) as exc:
        raise MlformError(f"{path} is a damaged saved plan ({exc}); plan again") from exc
    source = Source(f"`mlform show {shown_as or path}`")
    return render_markdown(reviewed, saved.text, source, Mask.of(patterns=masks))
