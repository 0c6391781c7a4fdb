"""The few GitHub REST API calls the workflows need, over httpx.

Configuration comes from the variables GitHub Actions sets: ``GITHUB_TOKEN`` (passed in by the
workflow), ``GITHUB_API_URL``, ``GITHUB_REPOSITORY``, ``GITHUB_EVENT_PATH``. The token only
ever travels in the Authorization header: it is never part of a URL, a message or a repr, and
pagination links are followed only on the API's own origin so it cannot leak to another host.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

from runner import __version__
from runner.errors import ConfigError, RunnerError

DEFAULT_API_URL = "https://api.github.com"
PAGE_SIZE = 100
API_VERSION = "2022-11-28"


class GitHubApiError(RunnerError):
    """GitHub answered with an error status, or could not be reached."""

    def __init__(self, message: str, *, status: int | None = None,
                 hint: str | None = None) -> None:
        super().__init__(message, hint=hint)
        self.status = status


@dataclass(frozen=True, slots=True)
class IssueComment:
    """A comment on an issue or pull request (the fields we use)."""

    id: int
    body: str
    html_url: str = ""
    user_login: str = ""


@dataclass(frozen=True, slots=True)
class PullRequest:
    """A pull request associated with a commit."""

    number: int
    state: str
    merged: bool
    html_url: str = ""
    merge_commit_sha: str | None = None
    head_sha: str | None = None
    """The last commit of the pull request's branch (what its dry run reviewed)."""


@dataclass(frozen=True, slots=True)
class WorkflowRun:
    """A workflow run (the fields we use)."""

    id: int
    path: str
    """e.g. ``.github/workflows/pull-request.yml``."""
    head_sha: str
    conclusion: str | None
    created_at: str


@dataclass(frozen=True, slots=True)
class GitHubSettings:
    """Where to talk to and as whom; built from the environment by ``from_env``."""

    repository: str
    """``owner/name``."""
    token: str = field(repr=False)
    api_url: str = DEFAULT_API_URL

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None, *,
                 repository: str | None = None) -> GitHubSettings:
        """Read GITHUB_TOKEN, GITHUB_REPOSITORY and GITHUB_API_URL; ``repository`` wins."""
        values = os.environ if env is None else env
        token = values.get("GITHUB_TOKEN", "")
        repo = repository or values.get("GITHUB_REPOSITORY", "")
        if not token:
            raise ConfigError("GITHUB_TOKEN is not set",
                              hint="pass the workflow token: env: GITHUB_TOKEN: "
                                   "${{ github.token }}")
        if repo.count("/") != 1 or not all(repo.split("/")):
            raise ConfigError(f"not a repository name: {repo!r} (expected owner/name)",
                              hint="set GITHUB_REPOSITORY or pass --repository")
        api = values.get("GITHUB_API_URL") or DEFAULT_API_URL
        return cls(repository=repo, token=token, api_url=api.rstrip("/"))


def pr_number_from_event(event_path: str | Path | None) -> int | None:
    """The pull-request number in a GitHub event payload file, or None when there is none."""
    if not event_path:
        return None
    try:
        payload = json.loads(Path(event_path).read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise ConfigError(f"cannot read the GitHub event payload {event_path}") from exc
    if not isinstance(payload, dict):
        return None
    for holder in ("pull_request", "issue"):
        block = payload.get(holder)
        if isinstance(block, dict) and isinstance(block.get("number"), int):
            return int(block["number"])
    number = payload.get("number")
    return number if isinstance(number, int) else None


class GitHubClient:
    """Issue comments and commit-to-pull-request lookups for one repository."""

    def __init__(self, settings: GitHubSettings, *,
                 transport: httpx.BaseTransport | None = None,
                 timeout: float = 30.0) -> None:
        self.settings = settings
        self._origin = httpx.URL(settings.api_url)
        self._http = httpx.Client(
            base_url=settings.api_url,
            headers={
                "Authorization": f"Bearer {settings.token}",
                "Accept": "application/vnd.github+json",
                "X-GitHub-Api-Version": API_VERSION,
                "User-Agent": f"c8migrate/{__version__}",
            },
            timeout=timeout,
            transport=transport,
        )

    def __enter__(self) -> GitHubClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        self._http.close()

    @property
    def _repo(self) -> str:
        return f"/repos/{self.settings.repository}"

    def iter_issue_comments(self, number: int) -> Iterator[IssueComment]:
        """Every comment of an issue or pull request, following the pagination links."""
        url: str | None = f"{self._repo}/issues/{number}/comments?per_page={PAGE_SIZE}"
        while url is not None:
            response = self._send("GET", url)
            for item in _json_list(response):
                yield _comment(item)
            url = self._next_page(response)

    def create_issue_comment(self, number: int, body: str) -> IssueComment:
        response = self._send("POST", f"{self._repo}/issues/{number}/comments",
                              json={"body": body})
        return _comment(_json_object(response))

    def update_issue_comment(self, comment_id: int, body: str) -> IssueComment:
        response = self._send("PATCH", f"{self._repo}/issues/comments/{comment_id}",
                              json={"body": body})
        return _comment(_json_object(response))

    def delete_issue_comment(self, comment_id: int) -> None:
        self._send("DELETE", f"{self._repo}/issues/comments/{comment_id}")

    def pulls_for_commit(self, sha: str) -> list[PullRequest]:
        """Pull requests associated with a commit (for a merge commit: the merged one)."""
        response = self._send("GET", f"{self._repo}/commits/{sha}/pulls?per_page={PAGE_SIZE}")
        pulls = []
        for item in _json_list(response):
            pulls.append(PullRequest(
                number=int(item["number"]),
                state=str(item.get("state", "")),
                merged=item.get("merged_at") is not None,
                html_url=str(item.get("html_url", "")),
                merge_commit_sha=item.get("merge_commit_sha"),
                head_sha=(item.get("head") or {}).get("sha"),
            ))
        return pulls

    def workflow_runs_for(self, head_sha: str, *, event: str = "pull_request"
                          ) -> list[WorkflowRun]:
        """Runs of any workflow for a commit (first page of 100: the newest ones)."""
        response = self._send("GET", f"{self._repo}/actions/runs?head_sha={head_sha}"
                                     f"&event={event}&per_page={PAGE_SIZE}")
        runs = _json_object(response).get("workflow_runs") or []
        return [WorkflowRun(id=int(r["id"]), path=str(r.get("path", "")),
                            head_sha=str(r.get("head_sha", "")), conclusion=r.get("conclusion"),
                            created_at=str(r.get("created_at", "")))
                for r in runs if isinstance(r, dict)]

    def run_artifact_zip(self, run_id: int, name: str, *, max_bytes: int = 50_000_000
                         ) -> bytes | None:
        """The zip of the run's artifact called ``name``; None when absent or expired.

        GitHub answers the download with a redirect to its blob storage on another host;
        httpx drops the Authorization header on such a redirect, so the token stays here.
        """
        response = self._send("GET", f"{self._repo}/actions/runs/{run_id}/artifacts"
                                     f"?name={name}&per_page={PAGE_SIZE}")
        artifacts = [a for a in _json_object(response).get("artifacts") or []
                     if isinstance(a, dict) and a.get("name") == name and not a.get("expired")]
        if not artifacts:
            return None
        url = f"{self._repo}/actions/artifacts/{int(artifacts[0]['id'])}/zip"
        download = self._send("GET", url, follow_redirects=True)
        if len(download.content) > max_bytes:
            raise GitHubApiError(f"artifact {name!r} of run {run_id} is larger than "
                                 f"{max_bytes} bytes")
        return download.content

    def _next_page(self, response: httpx.Response) -> str | None:
        nxt = response.links.get("next", {}).get("url")
        if not nxt:
            return None
        url = httpx.URL(nxt)
        if (url.scheme, url.host, url.port) != (self._origin.scheme, self._origin.host,
                                                self._origin.port):
            raise GitHubApiError("GitHub sent a pagination link to another host; refused")
        return str(url)

    def _send(self, method: str, url: str, *, json: Any = None,
              follow_redirects: bool = False) -> httpx.Response:
        try:
            response = self._http.request(method, url, json=json,
                                          follow_redirects=follow_redirects)
        except httpx.HTTPError as exc:
            raise GitHubApiError(f"cannot reach the GitHub API at {self.settings.api_url}: "
                                 f"{type(exc).__name__}") from exc
        if response.status_code >= 400:
            raise GitHubApiError(
                f"GitHub API {method} {response.request.url.path} answered "
                f"{response.status_code}: {_error_message(response)}",
                status=response.status_code, hint=_hint(response.status_code))
        return response


def _comment(item: Mapping[str, Any]) -> IssueComment:
    user = item.get("user")
    return IssueComment(
        id=int(item["id"]),
        body=str(item.get("body") or ""),
        html_url=str(item.get("html_url", "")),
        user_login=str(user.get("login", "")) if isinstance(user, dict) else "",
    )


def _json_list(response: httpx.Response) -> list[dict[str, Any]]:
    data = _json(response)
    if not isinstance(data, list):
        raise GitHubApiError(f"GitHub API {response.request.url.path}: expected a list")
    return [d for d in data if isinstance(d, dict)]


def _json_object(response: httpx.Response) -> dict[str, Any]:
    data = _json(response)
    if not isinstance(data, dict):
        raise GitHubApiError(f"GitHub API {response.request.url.path}: expected an object")
    return data


def _json(response: httpx.Response) -> Any:
    try:
        return response.json()
    except ValueError as exc:
        raise GitHubApiError(f"GitHub API {response.request.url.path}: not JSON") from exc


def _error_message(response: httpx.Response) -> str:
    try:
        data = response.json()
    except ValueError:
        return response.reason_phrase or "error"
    if isinstance(data, dict) and isinstance(data.get("message"), str):
        return str(data["message"])
    return response.reason_phrase or "error"


def _hint(status: int) -> str | None:
    if status in (401, 403):
        return ("the token lacks permission: the job needs `permissions: pull-requests: write` "
                "(forks get a read-only token and no comment)")
    if status == 404:
        return "check the repository name and the pull-request number"
    return None
