"""Local stand-ins for GitHub's and GitLab's comment APIs: real HTTP servers on 127.0.0.1, in a
thread, that keep comments, page through them, record every request exactly as it came,
and answer with an injected error when a test asks for one."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit


@dataclass
class Request:
    method: str
    path: str
    query: dict[str, str]
    headers: dict[str, str]
    """Lower-cased names: HTTP's are case-insensitive (urllib sends `X-github-api-version`)."""
    body: Any


@dataclass
class Failure:
    status: int
    body: Any = None
    headers: dict[str, str] = field(default_factory=dict)


class Host(ThreadingHTTPServer):
    """What both stand-ins share: the comments, the requests seen, the failures to give."""

    daemon_threads = True
    page_size = 2  # small, so that a few comments take several pages

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.requests: list[Request] = []
        self.comments: list[dict[str, Any]] = []
        self.failures: list[Failure] = []  # given to the next requests, in order
        self.next_id = 1001
        self.threads: dict[int, str | None] = {}

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}"

    def add(self, body: str, thread: str | None = None, **fields: Any) -> dict[str, Any]:
        """A comment on the pull request at `thread` (a list path); None: on every one."""
        comment = {"id": self.next_id, "body": body, **fields}
        self.next_id += 1
        self.comments.append(comment)
        self.threads[comment["id"]] = thread
        return comment

    def respond(self, request: Request) -> tuple[int, Any, dict[str, str]]:
        raise NotImplementedError

    def page(self, request: Request) -> tuple[list[dict[str, Any]], int, int]:
        number = int(request.query.get("page", "1"))
        start = (number - 1) * self.page_size
        shown = [c for c in self.comments if self.threads[c["id"]] in (None, request.path)]
        pages = max(1, -(-len(shown) // self.page_size))
        return shown[start : start + self.page_size], number, pages


class GitHub(Host):
    """`/repos/{owner}/{name}/issues/{n}/comments` and `/repos/.../issues/comments/{id}`."""

    def respond(self, request: Request) -> tuple[int, Any, dict[str, str]]:
        parts = request.path.strip("/").split("/")
        if parts[:1] != ["repos"] or len(parts) < 6 or parts[3] != "issues":
            return 404, {"message": "Not Found"}, {}
        if parts[4] == "comments" and len(parts) == 6 and request.method == "PATCH":
            comment = next((c for c in self.comments if str(c["id"]) == parts[5]), None)
            if comment is None:
                return 404, {"message": "Not Found"}, {}
            comment["body"] = request.body["body"]
            return 200, comment, {}
        if len(parts) == 6 and parts[5] == "comments" and request.method == "GET":
            items, number, pages = self.page(request)
            links = []
            base = f"{self.url}{request.path}?per_page={request.query.get('per_page', '30')}"
            if number < pages:
                links.append(f'<{base}&page={number + 1}>; rel="next"')
            links.append(f'<{base}&page={pages}>; rel="last"')
            return 200, items, {"Link": ", ".join(links)}
        if len(parts) == 6 and parts[5] == "comments" and request.method == "POST":
            comment = self.add(request.body["body"], request.path)
            comment["html_url"] = (
                f"https://github.test/{parts[1]}/{parts[2]}/pull/{parts[4]}#issuecomment-{comment['id']}"
            )
            return 201, comment, {}
        return 404, {"message": "Not Found"}, {}


class GitLab(Host):
    """`/api/v4/projects/{id}/merge_requests/{iid}/notes[/{note_id}]`; `link_only` pages with
    a Link header alone, as GitLab does for some collections."""

    link_only = False

    def respond(self, request: Request) -> tuple[int, Any, dict[str, str]]:
        parts = request.path.strip("/").split("/")
        if parts[:3] != ["api", "v4", "projects"] or len(parts) < 7 or parts[6] != "notes":
            return 404, {"message": "404 Not found"}, {}
        if len(parts) == 7 and request.method == "GET":
            items, number, pages = self.page(request)
            headers = {"X-Page": str(number), "X-Total-Pages": str(pages)}
            following = str(number + 1) if number < pages else ""
            if self.link_only:
                if following:
                    query = "&".join(
                        f"{k}={v}" for k, v in {**request.query, "page": following}.items()
                    )
                    headers["Link"] = f'<{self.url}{request.path}?{query}>; rel="next"'
            else:
                headers["X-Next-Page"] = following
            return 200, items, headers
        if len(parts) == 7 and request.method == "POST":
            return 201, self.add(request.body["body"], request.path, system=False), {}
        if len(parts) == 8 and request.method == "PUT":
            note = next((c for c in self.comments if str(c["id"]) == parts[7]), None)
            if note is None:
                return 404, {"message": "404 Not found"}, {}
            note["body"] = request.body["body"]
            return 200, note, {}
        return 404, {"message": "404 Not found"}, {}


class _Handler(BaseHTTPRequestHandler):
    server: Host

    def _handle(self) -> None:
        url = urlsplit(self.path)
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length) if length else b""
        request = Request(
            self.command,
            url.path,
            {k: v[-1] for k, v in parse_qs(url.query).items()},
            {name.lower(): value for name, value in self.headers.items()},
            json.loads(raw) if raw else None,
        )
        self.server.requests.append(request)
        if self.server.failures:
            failure = self.server.failures.pop(0)
            status, body, headers = failure.status, failure.body, failure.headers
        else:
            status, body, headers = self.server.respond(request)
        data = json.dumps(body).encode() if body is not None else b""
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        for name, value in headers.items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(data)

    do_GET = do_POST = do_PATCH = do_PUT = _handle

    def log_message(self, format: str, *args: Any) -> None:  # quiet
        pass


@contextmanager
def serving(host: Host) -> Iterator[Host]:
    thread = threading.Thread(target=host.serve_forever, daemon=True)
    thread.start()
    try:
        yield host
    finally:
        host.shutdown()
        host.server_close()
        thread.join()
