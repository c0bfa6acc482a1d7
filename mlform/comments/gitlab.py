"""Merge-request notes through GitLab's REST API (v4). In a merge-request pipeline everything
comes from the environment: the API from `CI_API_V4_URL`, the project from `CI_PROJECT_ID`,
the merge request from `CI_MERGE_REQUEST_IID`, and the token from `GITLAB_TOKEN` (a project
or personal access token with the `api` scope, sent as `PRIVATE-TOKEN`).

Without `GITLAB_TOKEN`, the job's own `CI_JOB_TOKEN` is tried (as `JOB-TOKEN`), but GitLab
lets job tokens reach only a few endpoints, and merge-request notes are not among them
today: the refusal then says to set `GITLAB_TOKEN`.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

from mlform.comments.errors import CommentError
from mlform.comments.http import Api, HttpError, next_link, rate_limited, retry_hint
from mlform.comments.post import Comment

DEFAULT_API = "https://gitlab.com/api/v4"
PAGE_SIZE = 100
_TOKEN_ADVICE = (
    "create a project access token with the `api` scope and at least the Reporter role, and "
    "store it as a masked CI/CD variable named GITLAB_TOKEN"
)


@dataclass(frozen=True)
class MergeRequest:
    project: str  # the numeric ID, or the path `group/project`
    iid: int


def merge_request(
    environ: Mapping[str, str], project: str | None = None, iid: int | None = None
) -> MergeRequest:
    """The merge request to comment on: the flags, else the pipeline's environment."""
    project = project or environ.get("CI_PROJECT_ID")
    if not project:
        raise CommentError(
            "no GitLab project to comment on: CI_PROJECT_ID is not set; run in GitLab CI or "
            "give --repo PROJECT (its ID or its path, like group/project)"
        )
    if iid is None:
        text = environ.get("CI_MERGE_REQUEST_IID", "").strip()
        if not text.isdigit():
            raise CommentError(
                "no merge request to comment on: CI_MERGE_REQUEST_IID is not set, as in every "
                "pipeline that is not a merge-request pipeline. Run mlform comment in a job with "
                '`rules: - if: $CI_PIPELINE_SOURCE == "merge_request_event"`, or give --pr IID.'
            )
        iid = int(text)
    return MergeRequest(project, iid)


class GitLabThread:
    """The notes of one merge request."""

    def __init__(self, environ: Mapping[str, str], target: MergeRequest):
        token = environ.get("GITLAB_TOKEN", "").strip()
        job_token = environ.get("CI_JOB_TOKEN", "").strip()
        if token:
            headers = {"PRIVATE-TOKEN": token}
        elif job_token:
            headers = {"JOB-TOKEN": job_token}
        else:
            raise CommentError(
                f"GITLAB_TOKEN is not set, so mlform cannot post on GitLab: {_TOKEN_ADVICE}."
            )
        self.job_token = not token
        self.api = Api(environ.get("CI_API_V4_URL") or DEFAULT_API, headers, "GitLab")
        self.target = target
        project_url = environ.get("CI_MERGE_REQUEST_PROJECT_URL") or environ.get("CI_PROJECT_URL")
        self._web = f"{project_url}/-/merge_requests/{target.iid}" if project_url else None
        self._notes = (
            f"/projects/{quote(target.project, safe='')}/merge_requests/{target.iid}/notes"
        )

    @property
    def where(self) -> str:
        return f"{self.target.project}!{self.target.iid}"

    def comments(self) -> Iterator[Comment]:
        query = {"per_page": PAGE_SIZE, "sort": "asc", "order_by": "created_at"}
        url: str | None = self.api.url(self._notes, query)
        while url is not None:
            response = self._call("GET", url)
            if not isinstance(response.data, list):
                raise CommentError(self._unexpected("the list of notes"))
            for item in response.data:
                if isinstance(item, Mapping) and not item.get("system"):
                    yield self._comment(item)
            following = response.headers.get("x-next-page", "").strip()
            if following.isdigit():
                url = self.api.url(self._notes, {**query, "page": int(following)})
            else:
                url = next_link(response.headers)

    def create(self, body: str) -> Comment:
        return self._comment(self._call("POST", self.api.url(self._notes), {"body": body}).data)

    def update(self, comment: Comment, body: str) -> Comment:
        url = self.api.url(f"{self._notes}/{comment.id}")
        return self._comment(self._call("PUT", url, {"body": body}).data)

    def _call(self, method: str, url: str, body: Any = None) -> Any:
        try:
            return self.api.request(method, url, body)
        except HttpError as exc:
            raise CommentError(self._explain(exc)) from None

    def _explain(self, error: HttpError) -> str:
        status, said = error.status, error.detail
        answer = f"GitLab answered {status}" + (f" ({said})" if said else "")
        if rate_limited(error.response):
            return (
                f"{answer}: the API's rate limit is used up, so the plan of {self.where} was "
                f"not posted; {retry_hint(error.response.headers)}, then retry the job."
            )
        if self.job_token and status in (401, 403, 404):
            return (
                f"{answer}: the job token (CI_JOB_TOKEN) may not write merge-request notes; "
                f"{_TOKEN_ADVICE}."
            )
        if status == 401:
            return (
                f"{answer}: the token in GITLAB_TOKEN was refused (wrong, expired or revoked); "
                f"{_TOKEN_ADVICE}."
            )
        if status == 403:
            return (
                f"{answer}: the token may not comment on {self.where}; it needs the `api` scope "
                "and at least the Reporter role in the project."
            )
        if status == 404:
            return (
                f"{answer}: {self.where} was not found, or the token cannot see it. Check "
                "--repo and --pr (CI_PROJECT_ID, CI_MERGE_REQUEST_IID) and CI_API_V4_URL."
            )
        if status in (400, 422):
            return f"{answer}: GitLab refused the note as invalid."
        if status >= 500:
            return f"{answer}: GitLab failed to answer {error.method}; retry the job later."
        return f"{answer} to {error.method} {error.url}; the plan of {self.where} was not posted."

    def _comment(self, item: Any) -> Comment:
        if not isinstance(item, Mapping) or not isinstance(item.get("id"), int):
            raise CommentError(self._unexpected("a note"))
        body = item.get("body")
        url = f"{self._web}#note_{item['id']}" if self._web else None
        return Comment(item["id"], body if isinstance(body, str) else "", url)

    def _unexpected(self, what: str) -> str:
        return (
            f"GitLab's API at {self.api.base} did not answer with {what}; check CI_API_V4_URL "
            "(it must end in /api/v4)"
        )
