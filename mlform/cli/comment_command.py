"""`mlform comment PLANFILE`: post a saved plan on its pull request, or update the earlier post.

The comment is `mlform show --format markdown PLANFILE`, posted through GitHub's REST API
(or GitLab's with `--gitlab`); its hidden marker names the workspace, so the next run
edits it instead of adding another (`mlform.comments`).
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from mlform.errors import MlformError


def add_parser(commands: argparse._SubParsersAction) -> None:
    """Add `comment` to the subcommands of `mlform`."""
    # here, not at the top: arguments.py imports this module
    from mlform.cli.arguments import _positive, mask_option

    comment = commands.add_parser(
        "comment",
        help="post a saved plan on its pull request (or merge request), updating its last post",
    )
    comment.add_argument("plan_file", metavar="PLANFILE", help="a plan saved by plan --out")
    comment.add_argument(
        "--repo",
        metavar="OWNER/NAME",
        help="the GitHub repository (default: GITHUB_REPOSITORY); with --gitlab, the "
        "project's ID or path (default: CI_PROJECT_ID)",
    )
    comment.add_argument(
        "--pr",
        type=_positive,
        metavar="N",
        help="the pull request's number (default: from the event in GITHUB_EVENT_PATH); with "
        "--gitlab, the merge request's IID (default: CI_MERGE_REQUEST_IID)",
    )
    comment.add_argument(
        "--gitlab",
        action="store_true",
        help="post a note on a GitLab merge request (token: GITLAB_TOKEN; API: CI_API_V4_URL)",
    )
    mask_option(comment)


def run(args: argparse.Namespace) -> int:
    from mlform.cli.markdown import saved_markdown
    from mlform.comments.post import Outcome, Thread, post
    from mlform.plans.saved import read
    from mlform.views.plan_markdown import marker

    path = Path(args.plan_file)
    if not path.is_file():
        raise MlformError(
            f'"{args.plan_file}" is not a file; give the plan saved by mlform plan --out FILE'
        )
    body = saved_markdown(path, args.mask, args.plan_file)
    workspace = read(path).workspace
    environ = dict(os.environ)
    thread: Thread
    if args.gitlab:
        from mlform.comments import gitlab

        thread = gitlab.GitLabThread(environ, gitlab.merge_request(environ, args.repo, args.pr))
    else:
        from mlform.comments import github

        thread = github.GitHubThread(environ, github.pull_request(environ, args.repo, args.pr))
    posted = post(thread, marker(workspace), body)
    link = f": {posted.comment.url}" if posted.comment.url else "."
    on = f"workspace {workspace} on {thread.where}"
    if posted.outcome is Outcome.CREATED:
        message = f"Posted the plan of {on}{link}"
    elif posted.outcome is Outcome.UPDATED:
        message = f"Updated the plan comment of {on}, posted by an earlier run{link}"
    else:
        message = f"The plan comment of {on} already shows this plan{link}"
    sys.stdout.write(message + "\n")
    return 0
