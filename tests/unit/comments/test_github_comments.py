"""Posting on GitHub, against a local server speaking its REST API: the exact requests, the
pagination of existing comments, the update path, and every refusal."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from mlform.comments.errors import CommentError
from mlform.comments.github import GitHubThread, PullRequest, pull_request
from mlform.comments.post import Outcome, post
from tests.unit.comments.hosts import Failure, GitHub, serving

TOKEN = "ghs_t0ken-never-printed"
MARKER = "<!-- mlform:workspace=examples/churn:default -->"
PATH = "/repos/acme/churn/issues/12/comments"


@pytest.fixture
def github():
    with serving(GitHub()) as host:
        yield host


def thread(host: GitHub) -> GitHubThread:
    environ = {"GITHUB_TOKEN": TOKEN, "GITHUB_API_URL": host.url}
    return GitHubThread(environ, PullRequest("acme/churn", 12))


def test_posts_once_then_updates_its_own_comment_found_on_a_later_page(github: GitHub) -> None:
    github.add("LGTM")
    github.add(f"> {MARKER}\n> quoted in a reply: not ours")
    github.add("<!-- mlform:workspace=examples/other:default -->\nanother workspace's plan")
    github.add("one more")
    github.add("and another")
    first = f"{MARKER}\n### plan one\n"

    created = post(thread(github), MARKER, first)
    assert created.outcome is Outcome.CREATED
    assert created.comment.url == "https://github.test/acme/churn/pull/12#issuecomment-1006"
    reads = [r for r in github.requests if r.method == "GET"]
    assert [(r.path, r.query) for r in reads] == [
        (PATH, {"per_page": "100"}),
        (PATH, {"per_page": "100", "page": "2"}),
        (PATH, {"per_page": "100", "page": "3"}),
    ]
    write = github.requests[-1]
    assert (write.method, write.path, write.query, write.body) == (
        "POST",
        PATH,
        {},
        {"body": first},
    )
    for request in github.requests:
        assert request.headers["authorization"] == f"Bearer {TOKEN}"
        assert request.headers["accept"] == "application/vnd.github+json"
        assert request.headers["x-github-api-version"] == "2022-11-28"
        assert request.headers["user-agent"].startswith("mlform/")
    assert write.headers["content-type"] == "application/json"

    github.add("a reviewer's comment after the plan")
    github.requests.clear()
    second = f"{MARKER}\n### plan two\n"
    updated = post(thread(github), MARKER, second)
    assert updated.outcome is Outcome.UPDATED and updated.comment.id == created.comment.id
    write = github.requests[-1]
    assert (write.method, write.path, write.body) == (
        "PATCH",
        f"/repos/acme/churn/issues/comments/{created.comment.id}",
        {"body": second},
    )
    assert len(github.comments) == 7 and github.comments[5]["body"] == second

    github.requests.clear()
    github.comments[5]["body"] = second.replace("\n", "\r\n")  # as GitHub may give it back
    unchanged = post(thread(github), MARKER, second)
    assert unchanged.outcome is Outcome.UNCHANGED
    assert {r.method for r in github.requests} == {"GET"}


@pytest.mark.parametrize(
    ("failure", "expected"),
    [
        (
            Failure(401, {"message": "Bad credentials"}),
            "GitHub answered 401 (Bad credentials): the token in GITHUB_TOKEN was refused",
        ),
        (
            Failure(403, {"message": "Resource not accessible by integration"}),
            "may not comment on acme/churn#12; give the job `permissions: pull-requests: write`",
        ),
        (
            Failure(
                403,
                {"message": "API rate limit exceeded"},
                {"x-ratelimit-remaining": "0", "x-ratelimit-reset": "4102444800"},
            ),
            "rate limit for this token is used up, so the plan of acme/churn#12 was not posted; "
            "the limit resets at 00:00:00 UTC",
        ),
        (
            Failure(403, {"message": "secondary rate limit"}, {"Retry-After": "30"}),
            "try again in 30 s, then run mlform comment again",
        ),
        (Failure(429, None, {"Retry-After": "600"}), "try again in 10 min"),
        (
            Failure(404, {"message": "Not Found"}),
            "acme/churn#12 was not found, or the token cannot see it",
        ),
        (
            Failure(422, {"message": "Validation Failed", "errors": [{"message": "too long"}]}),
            "GitHub answered 422 (Validation Failed; too long): GitHub refused the comment",
        ),
        (Failure(502, None), "GitHub answered 502: GitHub failed to answer GET"),
    ],
)
def test_refusals_say_what_happened_and_what_to_do(
    github: GitHub, failure: Failure, expected: str
) -> None:
    github.failures.append(failure)
    with pytest.raises(CommentError) as raised:
        post(thread(github), MARKER, f"{MARKER}\nplan")
    assert expected in str(raised.value)
    assert TOKEN not in str(raised.value)


def test_a_failed_update_is_reported_too(github: GitHub) -> None:
    github.add(f"{MARKER}\nold plan")
    github.failures += [Failure(200, [{"id": 1001, "body": f"{MARKER}\nold"}]), Failure(403)]
    with pytest.raises(CommentError, match="GitHub answered 403: the token may not comment"):
        post(thread(github), MARKER, f"{MARKER}\nnew plan")
    assert github.requests[-1].method == "PATCH"


def test_the_token_goes_nowhere_but_the_api(github: GitHub) -> None:
    github.failures.append(
        Failure(200, [], {"Link": '<https://elsewhere.test/steal?page=2>; rel="next"'})
    )
    with pytest.raises(CommentError, match="another host than http://127.0.0.1"):
        post(thread(github), MARKER, "body")


def test_a_redirect_to_another_host_is_not_followed(github: GitHub) -> None:
    github.failures.append(Failure(301, None, {"Location": "http://elsewhere.invalid/steal"}))
    with pytest.raises(CommentError, match="redirected to http://elsewhere.invalid, another"):
        post(thread(github), MARKER, "body")


def test_an_unreachable_api() -> None:
    host = GitHub()
    url = host.url
    host.server_close()  # nothing listens there any more
    environ = {"GITHUB_TOKEN": TOKEN, "GITHUB_API_URL": url}
    with pytest.raises(CommentError, match=f"cannot reach the GitHub API at {url}"):
        post(GitHubThread(environ, PullRequest("acme/churn", 12)), MARKER, "body")


def test_the_pull_request_comes_from_the_flags_or_the_actions_environment(tmp_path: Path) -> None:
    event = tmp_path / "event.json"
    event.write_text(json.dumps({"action": "synchronize", "pull_request": {"number": 7}}))
    environ = {"GITHUB_REPOSITORY": "acme/churn", "GITHUB_EVENT_PATH": str(event)}
    assert pull_request(environ) == PullRequest("acme/churn", 7)
    assert pull_request(environ, "acme/other", 9) == PullRequest("acme/other", 9)
    event.write_text(json.dumps({"issue": {"number": 8, "pull_request": {"url": "..."}}}))
    assert pull_request(environ).number == 8  # an issue_comment event on a pull request
    event.write_text(json.dumps({"ref": "refs/heads/main"}))
    with pytest.raises(CommentError, match='triggered by a "push" event, which names none'):
        pull_request({**environ, "GITHUB_EVENT_NAME": "push"})
    assert pull_request({**environ, "GITHUB_REF": "refs/pull/31/merge"}).number == 31
    with pytest.raises(CommentError, match="GITHUB_REPOSITORY is not set.*add --gitlab"):
        pull_request({"GITLAB_CI": "true"}, None, 3)
    with pytest.raises(CommentError, match="is not a GitHub repository; write OWNER/NAME"):
        pull_request({}, "acme", 3)
    event.write_text("{not json")
    with pytest.raises(CommentError, match="cannot read the GitHub event file"):
        pull_request(environ)


def test_no_token_says_how_to_give_one() -> None:
    with pytest.raises(CommentError, match=r"GITHUB_TOKEN is not set.*secrets\.GITHUB_TOKEN"):
        GitHubThread({}, PullRequest("acme/churn", 12))
    with pytest.raises(CommentError, match="is not an http"):
        GitHubThread(
            {"GITHUB_TOKEN": "t", "GITHUB_API_URL": "api.github.com"}, PullRequest("a/b", 1)
        )
