"""Pull-request comments through GitHub's REST API (issue comments: a pull request is an
issue). In GitHub Actions everything comes from the environment: the token from
`GITHUB_TOKEN`, the repository from `GITHUB_REPOSITORY`, the pull request from the event
file at `GITHUB_EVENT_PATH`, the API from `GITHUB_API_URL` (GitHub Enterprise Server too).
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

from mlform.comments.errors import CommentError
from mlform.comments.http import Api, HttpError, next_link, rate_limited, retry_hint
from mlform.comments.post import Comment

DEFAULT_API = "https://api.github.com"
API_VERSION = "2022-11-28"
PAGE_SIZE = 100
_REPOSITORY = re.compile(r"^[A-Za-z0-9_.-]+/[A-Za-z0-9_.-]+$")
_PULL_REF = re.compile(r"^refs/pull/(\d+)/")
_PERMISSIONS = (
    "give the job `permissions: pull-requests: write` (and `contents: read`) in the workflow; "
    "a pull request from a fork gets a read-only token, so comment from a workflow that runs "
    "in the base repository"
)


@dataclass(frozen=True)
class PullRequest:
    repository: str  # owner/name
    number: int


def pull_request(
    environ: Mapping[str, str], repository: str | None = None, number: int | None = None
) -> PullRequest:
    """The pull request to comment on: the flags, else the Actions environment."""
    repository = repository or environ.get("GITHUB_REPOSITORY")
    if not repository:
        hint = " (on GitLab CI, add --gitlab)" if environ.get("GITLAB_CI") else ""
        raise CommentError(
            "no repository to comment on: GITHUB_REPOSITORY is not set; run in GitHub Actions "
            f"or give --repo OWNER/NAME{hint}"
        )
    if not _REPOSITORY.match(repository):
        raise CommentError(f'"{repository}" is not a GitHub repository; write OWNER/NAME')
    if number is None:
        number = _number_from_event(environ)
    if number is None:
        event = environ.get("GITHUB_EVENT_NAME", "")
        raise CommentError(
            "no pull request to comment on: this run "
            + (f'was triggered by a "{event}" event, which ' if event else "")
            + "names none. Run mlform comment in a workflow triggered by pull_request, or give "
            "--pr NUMBER."
        )
    return PullRequest(repository, number)


def _number_from_event(environ: Mapping[str, str]) -> int | None:
    path = environ.get("GITHUB_EVENT_PATH")
    if path:
        try:
            with open(path, encoding="utf-8") as file:
                event = json.load(file)
        except (OSError, ValueError) as exc:
            raise CommentError(
                f"cannot read the GitHub event file {path} (GITHUB_EVENT_PATH): {exc}; "
                "give --pr NUMBER"
            ) from exc
        if isinstance(event, Mapping):
            for found in (
                _get(event, "pull_request", "number"),
                _get(event, "issue", "number") if _get(event, "issue", "pull_request") else None,
            ):
                if isinstance(found, int) and not isinstance(found, bool):
                    return found
    matched = _PULL_REF.match(environ.get("GITHUB_REF", ""))
    return int(matched.group(1)) if matched else None


def _get(document: Mapping[str, Any], *path: str) -> Any:
    value: Any = document
    for name in path:
        value = value.get(name) if isinstance(value, Mapping) else None
    return value


class GitHubThread:
    """The comments of one pull request."""

    def __init__(self, environ: Mapping[str, str], target: PullRequest):
        token = environ.get("GITHUB_TOKEN", "").strip()
        if not token:
            raise CommentError(
                "GITHUB_TOKEN is not set, so mlform cannot post on GitHub. In a workflow, add "
                "`env: GITHUB_TOKEN: ${{ secrets.GITHUB_TOKEN }}` to the step, and " + _PERMISSIONS
            )
        headers = {
            "Authorization": f"Bearer {token}",
            "Accept": "application/vnd.github+json",
            "X-GitHub-Api-Version": API_VERSION,
        }
        self.api = Api(environ.get("GITHUB_API_URL") or DEFAULT_API, headers, "GitHub")
        self.target = target
        owner, name = target.repository.split("/")
        self._repository = f"/repos/{quote(owner, safe='')}/{quote(name, safe='')}"

    @property
    def where(self) -> str:
        return f"{self.target.repository}#{self.target.number}"

    def comments(self) -> Iterator[Comment]:
        path = f"{self._repository}/issues/{self.target.number}/comments"
        url: str | None = self.api.url(path, {"per_page": PAGE_SIZE})
        while url is not None:
            response = self._call("GET", url)
            if not isinstance(response.data, list):
                raise CommentError(self._unexpected("the list of comments"))
            for item in response.data:
                yield _comment(item)
            url = next_link(response.headers)

    def create(self, body: str) -> Comment:
        path = f"{self._repository}/issues/{self.target.number}/comments"
        return _comment(self._call("POST", self.api.url(path), {"body": body}).data)

    def update(self, comment: Comment, body: str) -> Comment:
        path = f"{self._repository}/issues/comments/{comment.id}"
        return _comment(self._call("PATCH", self.api.url(path), {"body": body}).data)

    def _call(self, method: str, url: str, body: Any = None) -> Any:
        try:
            return self.api.request(method, url, body)
        except HttpError as exc:
            raise CommentError(self._explain(exc)) from None

    def _explain(self, error: HttpError) -> str:
        status, said = error.status, error.detail
        answer = f"GitHub answered {status}" + (f" ({said})" if said else "")
        if rate_limited(error.response):
            return (
                f"{answer}: the API's rate limit for this token is used up, so the plan of "
                f"{self.where} was not posted; {retry_hint(error.response.headers)}, then run "
                "mlform comment again (re-run the job)."
            )
        if status == 401:
            return (
                f"{answer}: the token in GITHUB_TOKEN was refused (wrong, expired or revoked). "
                "In Actions pass `${{ secrets.GITHUB_TOKEN }}`; elsewhere a token with "
                "pull-request write access."
            )
        if status == 403:
            return f"{answer}: the token may not comment on {self.where}; {_PERMISSIONS}."
        if status == 404:
            return (
                f"{answer}: {self.where} was not found, or the token cannot see it. Check "
                "--repo and --pr (GITHUB_REPOSITORY and the event), GITHUB_API_URL, and that "
                "the token can read the repository."
            )
        if status == 422:
            return (
                f"{answer}: GitHub refused the comment as invalid; if it says the body is too "
                "long, report it: mlform keeps plan comments within GitHub's limit."
            )
        if status >= 500:
            return f"{answer}: GitHub failed to answer {error.method}; run the job again later."
        return f"{answer} to {error.method} {error.url}; the plan of {self.where} was not posted."

    def _unexpected(self, what: str) -> str:
        return (
            f"GitHub's API at {self.api.base} did not answer with {what}; check GITHUB_API_URL "
            "(it must be the REST API, like https://api.github.com)"
        )


def _comment(item: Any) -> Comment:
    if not isinstance(item, Mapping) or not isinstance(item.get("id"), int):
        raise CommentError(
            "GitHub's API answered with something that is not a comment; check GITHUB_API_URL"
        )
    body = item.get("body")
    url = item.get("html_url")
    return Comment(item["id"], body if isinstance(body, str) else "", url if url else None)
