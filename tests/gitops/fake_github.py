"""A fake GitHub REST API: a real HTTP server on loopback, in its own thread, that records every
call and serves the issue-comment and commit-pulls endpoints the runner uses.

It behaves like GitHub where the runner depends on it: bearer-token check (401), paging with
``per_page`` + ``page`` and a ``Link: <...>; rel="next"`` header, 422 for a comment body over
65,536 characters, 404 for unknown comments.
"""

from __future__ import annotations

import json
import re
import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

COMMENT_LIMIT = 65_536

_ISSUE_COMMENTS = re.compile(r"^/repos/([^/]+/[^/]+)/issues/(\d+)/comments$")
_ONE_COMMENT = re.compile(r"^/repos/([^/]+/[^/]+)/issues/comments/(\d+)$")
_COMMIT_PULLS = re.compile(r"^/repos/([^/]+/[^/]+)/commits/([0-9a-f]+)/pulls$")
_RUNS = re.compile(r"^/repos/([^/]+/[^/]+)/actions/runs$")
_RUN_ARTIFACTS = re.compile(r"^/repos/([^/]+/[^/]+)/actions/runs/(\d+)/artifacts$")
_ARTIFACT_ZIP = re.compile(r"^/repos/([^/]+/[^/]+)/actions/artifacts/(\d+)/zip$")
_BLOB = re.compile(r"^/blob/(\d+)$")


@dataclass
class Call:
    """One request the fake received."""

    method: str
    path: str
    query: dict[str, list[str]]
    authorization: str | None
    body: Any


@dataclass
class FakeGitHub:
    """State and recorded calls; ``url`` is the API base to put in GITHUB_API_URL."""

    token: str
    repository: str = "acme/plans"
    max_page_size: int = 100
    comments: dict[int, list[dict[str, Any]]] = field(default_factory=dict)
    pulls_by_commit: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    workflow_runs: list[dict[str, Any]] = field(default_factory=list)
    """Workflow runs; each may carry ``artifacts``: {name: zip bytes} (served via a redirect)."""
    blob_url: str = ""
    """Where artifact downloads redirect to: the same server under another host name."""
    calls: list[Call] = field(default_factory=list)
    url: str = ""
    _next_id: int = 1000
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def add_comment(self, number: int, body: str, login: str = "someone") -> int:
        with self._lock:
            self._next_id += 1
            self.comments.setdefault(number, []).append(
                {"id": self._next_id, "body": body, "user": {"login": login},
                 "html_url": f"https://github.invalid/{self.repository}/pull/{number}"
                             f"#issuecomment-{self._next_id}"})
            return self._next_id

    def bodies(self, number: int) -> list[str]:
        return [c["body"] for c in self.comments.get(number, [])]

    def writes(self) -> list[Call]:
        return [c for c in self.calls if c.method in ("POST", "PATCH", "DELETE")]

    def handle(self, method: str, raw_path: str, authorization: str | None,
               body: Any) -> tuple[int, Any, dict[str, str]]:
        parts = urlsplit(raw_path)
        query = parse_qs(parts.query)
        with self._lock:
            self.calls.append(Call(method, parts.path, query, authorization, body))
        if m := _BLOB.match(parts.path):
            return self._blob(int(m.group(1)))
        if authorization != f"Bearer {self.token}":
            return 401, {"message": "Bad credentials"}, {}
        if m := _ISSUE_COMMENTS.match(parts.path):
            self._check_repo(m.group(1))
            number = int(m.group(2))
            if method == "GET":
                return self._page(number, query)
            if method == "POST":
                text = str((body or {}).get("body", ""))
                if len(text) > COMMENT_LIMIT:
                    return 422, {"message": "Validation Failed", "errors": [
                        {"message": "Body is too long (maximum is 65536 characters)"}]}, {}
                new_id = self.add_comment(number, text, login="github-actions[bot]")
                return 201, self._find(new_id), {}
        if (m := _ONE_COMMENT.match(parts.path)) and method == "PATCH":
            self._check_repo(m.group(1))
            found = self._find(int(m.group(2)))
            if found is None:
                return 404, {"message": "Not Found"}, {}
            text = str((body or {}).get("body", ""))
            if len(text) > COMMENT_LIMIT:
                return 422, {"message": "Validation Failed"}, {}
            found["body"] = text
            return 200, found, {}
        if (m := _ONE_COMMENT.match(parts.path)) and method == "DELETE":
            self._check_repo(m.group(1))
            for items in self.comments.values():
                items[:] = [c for c in items if c["id"] != int(m.group(2))]
            return 204, None, {}
        if (m := _COMMIT_PULLS.match(parts.path)) and method == "GET":
            self._check_repo(m.group(1))
            return 200, self.pulls_by_commit.get(m.group(2), []), {}
        if (m := _RUNS.match(parts.path)) and method == "GET":
            self._check_repo(m.group(1))
            wanted = query.get("head_sha", [""])[0]
            runs = [{k: v for k, v in r.items() if k != "artifacts"}
                    for r in self.workflow_runs if r["head_sha"] == wanted]
            return 200, {"total_count": len(runs), "workflow_runs": runs}, {}
        if (m := _RUN_ARTIFACTS.match(parts.path)) and method == "GET":
            self._check_repo(m.group(1))
            run_id = int(m.group(2))
            listed = [{"id": run_id * 100 + i, "name": name, "expired": False}
                      for r in self.workflow_runs if r["id"] == run_id
                      for i, name in enumerate(r.get("artifacts", {}))]
            return 200, {"total_count": len(listed), "artifacts": listed}, {}
        if (m := _ARTIFACT_ZIP.match(parts.path)) and method == "GET":
            self._check_repo(m.group(1))
            return 302, None, {"Location": f"{self.blob_url}/blob/{m.group(2)}"}
        return 404, {"message": "Not Found"}, {}

    def _blob(self, artifact_id: int) -> tuple[int, Any, dict[str, str]]:
        run_id, index = divmod(artifact_id, 100)
        for run in self.workflow_runs:
            if run["id"] == run_id:
                return 200, list(run.get("artifacts", {}).values())[index], {}
        return 404, {"message": "Not Found"}, {}

    def _check_repo(self, repo: str) -> None:
        if repo != self.repository:
            raise LookupError(repo)

    def _page(self, number: int, query: dict[str, list[str]]
              ) -> tuple[int, Any, dict[str, str]]:
        per_page = min(int(query.get("per_page", ["30"])[0]), self.max_page_size)
        page = int(query.get("page", ["1"])[0])
        items = self.comments.get(number, [])
        chunk = items[(page - 1) * per_page: page * per_page]
        headers = {}
        if page * per_page < len(items):
            nxt = (f"{self.url}/repos/{self.repository}/issues/{number}/comments"
                   f"?per_page={per_page}&page={page + 1}")
            headers["Link"] = f'<{nxt}>; rel="next"'
        return 200, chunk, headers

    def _find(self, comment_id: int) -> dict[str, Any] | None:
        for items in self.comments.values():
            for item in items:
                if item["id"] == comment_id:
                    return item
        return None


class _Handler(BaseHTTPRequestHandler):
    server: _Server

    def log_message(self, format: str, *args: Any) -> None:
        return  # keep the test output clean

    def _serve(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length) if length else b""
        body = json.loads(raw) if raw else None
        try:
            status, payload, headers = self.server.fake.handle(
                self.command, self.path, self.headers.get("Authorization"), body)
        except LookupError:
            status, payload, headers = 404, {"message": "Not Found"}, {}
        if isinstance(payload, bytes):
            data, kind = payload, "application/zip"
        else:
            data = b"" if payload is None else json.dumps(payload).encode()
            kind = "application/json"
        self.send_response(status)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(data)))
        for name, value in headers.items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(data)

    do_GET = do_POST = do_PATCH = do_DELETE = _serve


class _Server(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, fake: FakeGitHub) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.fake = fake


class RunningFakeGitHub:
    """Start/stop the fake in a background thread (use as a context manager)."""

    def __init__(self, fake: FakeGitHub) -> None:
        self.fake = fake
        self._server = _Server(fake)
        host, port = self._server.server_address[:2]
        fake.url = f"http://{host!s}:{port}"
        fake.blob_url = f"http://localhost:{port}"  # another origin: the token must not follow
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    def __enter__(self) -> FakeGitHub:
        self._thread.start()
        return self.fake

    def __exit__(self, *exc: object) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=5)
