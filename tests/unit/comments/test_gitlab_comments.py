"""Posting on GitLab, against a local server speaking its merge-request notes API."""

from __future__ import annotations

import pytest

from mlform.comments.errors import CommentError
from mlform.comments.gitlab import GitLabThread, MergeRequest, merge_request
from mlform.comments.post import Outcome, post
from tests.unit.comments.hosts import Failure, GitLab, serving

TOKEN = "glpat-t0ken-never-printed"
MARKER = "<!-- mlform:workspace=examples/churn:default -->"
NOTES = "/api/v4/projects/group%2Fchurn/merge_requests/7/notes"
QUERY = {"per_page": "100", "sort": "asc", "order_by": "created_at"}


@pytest.fixture
def gitlab():
    with serving(GitLab()) as host:
        yield host


def environ(host: GitLab, **more: str) -> dict[str, str]:
    return {
        "CI_API_V4_URL": f"{host.url}/api/v4",
        "CI_PROJECT_ID": "group/churn",
        "CI_MERGE_REQUEST_IID": "7",
        "CI_PROJECT_URL": "https://gitlab.test/group/churn",
        "GITLAB_TOKEN": TOKEN,
        **more,
    }


def thread(host: GitLab, **more: str) -> GitLabThread:
    variables = environ(host, **more)
    return GitLabThread(variables, merge_request(variables))


@pytest.mark.parametrize("link_only", [False, True], ids=["x-next-page", "link"])
def test_posts_once_then_updates_its_own_note(gitlab: GitLab, link_only: bool) -> None:
    gitlab.link_only = link_only
    gitlab.add(f"{MARKER}\nwritten by the system?", system=True)  # system notes never count
    gitlab.add("a question", system=False)
    gitlab.add("an answer", system=False)
    first = f"{MARKER}\n### plan one\n"

    created = post(thread(gitlab), MARKER, first)
    assert created.outcome is Outcome.CREATED
    assert created.comment.url == "https://gitlab.test/group/churn/-/merge_requests/7#note_1004"
    reads = [(r.path, r.query) for r in gitlab.requests if r.method == "GET"]
    assert reads == [(NOTES, QUERY), (NOTES, {**QUERY, "page": "2"})]
    write = gitlab.requests[-1]
    assert (write.method, write.path, write.query, write.body) == (
        "POST",
        NOTES,
        {},
        {"body": first},
    )
    for request in gitlab.requests:
        assert request.headers["private-token"] == TOKEN
        assert "authorization" not in request.headers and "job-token" not in request.headers
        assert request.headers["user-agent"].startswith("mlform/")

    gitlab.requests.clear()
    second = f"{MARKER}\n### plan two\n"
    updated = post(thread(gitlab), MARKER, second)
    assert updated.outcome is Outcome.UPDATED and updated.comment.id == created.comment.id
    write = gitlab.requests[-1]
    assert (write.method, write.path, write.body) == (
        "PUT",
        f"{NOTES}/{created.comment.id}",
        {"body": second},
    )
    assert post(thread(gitlab), MARKER, second).outcome is Outcome.UNCHANGED


def test_the_job_token_is_tried_and_its_refusal_explained(gitlab: GitLab) -> None:
    gitlab.failures.append(Failure(401, {"message": "401 Unauthorized"}))
    job = thread(gitlab, GITLAB_TOKEN="", CI_JOB_TOKEN="job-t0ken")
    with pytest.raises(CommentError) as raised:
        post(job, MARKER, "body")
    assert gitlab.requests[0].headers["job-token"] == "job-t0ken"
    message = str(raised.value)
    assert "the job token (CI_JOB_TOKEN) may not write merge-request notes" in message
    assert "store it as a masked CI/CD variable named GITLAB_TOKEN" in message
    assert "job-t0ken" not in message


@pytest.mark.parametrize(
    ("failure", "expected"),
    [
        (Failure(401, {"message": "401 Unauthorized"}), "the token in GITLAB_TOKEN was refused"),
        (Failure(403, {"message": "403 Forbidden"}), "it needs the `api` scope"),
        (Failure(404, {"message": "404 Project Not Found"}), "group/churn!7 was not found"),
        (Failure(400, {"message": {"note": ["is too long"]}}), "refused the note as invalid"),
        (
            Failure(429, {"message": "Retry later"}, {"RateLimit-Reset": "4102444800"}),
            "rate limit is used up, so the plan of group/churn!7 was not posted; the limit "
            "resets at 00:00:00 UTC",
        ),
        (Failure(503, None), "GitLab answered 503: GitLab failed to answer GET"),
    ],
)
def test_refusals(gitlab: GitLab, failure: Failure, expected: str) -> None:
    gitlab.failures.append(failure)
    with pytest.raises(CommentError) as raised:
        post(thread(gitlab), MARKER, "body")
    assert expected in str(raised.value) and TOKEN not in str(raised.value)


def test_the_merge_request_comes_from_the_flags_or_the_pipeline() -> None:
    assert merge_request({"CI_PROJECT_ID": "42", "CI_MERGE_REQUEST_IID": "3"}) == MergeRequest(
        "42", 3
    )
    assert merge_request({}, "group/churn", 5) == MergeRequest("group/churn", 5)
    with pytest.raises(CommentError, match="CI_MERGE_REQUEST_IID is not set"):
        merge_request({"CI_PROJECT_ID": "42"})
    with pytest.raises(CommentError, match="CI_PROJECT_ID is not set"):
        merge_request({})
    with pytest.raises(CommentError, match="GITLAB_TOKEN is not set"):
        GitLabThread({}, MergeRequest("42", 3))
