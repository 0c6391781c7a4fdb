"""The GitHub REST client against the fake GitHub API (real HTTP on loopback)."""

from __future__ import annotations

import json
from pathlib import Path

import httpx
import pytest
from conftest import TOKEN
from fake_github import FakeGitHub

from runner.errors import ConfigError
from runner.gitops.github import (
    GitHubApiError,
    GitHubClient,
    GitHubSettings,
    pr_number_from_event,
)


def client_for(fake: FakeGitHub, token: str = TOKEN) -> GitHubClient:
    return GitHubClient(GitHubSettings(repository=fake.repository, token=token,
                                       api_url=fake.url))


def test_lists_every_comment_across_pages(github: FakeGitHub) -> None:
    github.max_page_size = 7
    for i in range(23):
        github.add_comment(5, f"comment {i}")

    with client_for(github) as client:
        bodies = [c.body for c in client.iter_issue_comments(5)]

    assert bodies == [f"comment {i}" for i in range(23)]
    pages = [c.query.get("page", ["1"])[0] for c in github.calls]
    assert pages == ["1", "2", "3", "4"]
    assert all(c.authorization == f"Bearer {TOKEN}" for c in github.calls)


def test_create_update_delete_and_commit_pulls(github: FakeGitHub) -> None:
    github.pulls_by_commit["abc123"] = [
        {"number": 9, "state": "closed", "merged_at": "2026-01-01T00:00:00Z",
         "html_url": "https://github.invalid/pull/9", "merge_commit_sha": "abc123"}]

    with client_for(github) as client:
        created = client.create_issue_comment(3, "hello")
        updated = client.update_issue_comment(created.id, "hello again")
        client.delete_issue_comment(created.id)
        pulls = client.pulls_for_commit("abc123")

    assert updated.id == created.id and updated.body == "hello again"
    assert github.bodies(3) == []
    assert [(p.number, p.merged) for p in pulls] == [(9, True)]


def test_bad_token_is_an_api_error_with_a_permissions_hint_and_no_token(
        github: FakeGitHub) -> None:
    with client_for(github, token="wrong-token") as client, \
            pytest.raises(GitHubApiError) as caught:
        list(client.iter_issue_comments(1))

    assert caught.value.status == 401
    assert "Bad credentials" in caught.value.message
    assert caught.value.hint is not None and "pull-requests: write" in caught.value.hint
    assert "wrong-token" not in caught.value.message + caught.value.hint


def test_pagination_links_to_another_host_are_refused() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, json=[], headers={
            "Link": '<https://evil.invalid/steal?page=2>; rel="next"'})

    settings = GitHubSettings(repository="a/b", token=TOKEN, api_url="https://api.github.test")
    with GitHubClient(settings, transport=httpx.MockTransport(handler)) as client, \
            pytest.raises(GitHubApiError, match="another host"):
        list(client.iter_issue_comments(1))


def test_unreachable_api_is_an_api_error() -> None:
    settings = GitHubSettings(repository="a/b", token=TOKEN, api_url="http://127.0.0.1:9")
    with GitHubClient(settings, timeout=2) as client, \
            pytest.raises(GitHubApiError, match="cannot reach"):
        client.create_issue_comment(1, "x")


def test_settings_from_env_and_the_token_stays_out_of_repr() -> None:
    settings = GitHubSettings.from_env({"GITHUB_TOKEN": TOKEN, "GITHUB_REPOSITORY": "o/r",
                                        "GITHUB_API_URL": "https://ghe.example/api/v3/"})

    assert (settings.repository, settings.api_url) == ("o/r", "https://ghe.example/api/v3")
    assert TOKEN not in repr(settings)
    with pytest.raises(ConfigError, match="GITHUB_TOKEN"):
        GitHubSettings.from_env({"GITHUB_REPOSITORY": "o/r"})
    with pytest.raises(ConfigError, match="owner/name"):
        GitHubSettings.from_env({"GITHUB_TOKEN": TOKEN, "GITHUB_REPOSITORY": "nope"})


@pytest.mark.parametrize(("payload", "number"), [
    ({"pull_request": {"number": 42}, "number": 42}, 42),
    ({"issue": {"number": 7}}, 7),
    ({"ref": "refs/heads/main"}, None),
])
def test_pr_number_from_event(tmp_path: Path, payload: dict[str, object],
                              number: int | None) -> None:
    event = tmp_path / "event.json"
    event.write_text(json.dumps(payload), encoding="utf-8")

    assert pr_number_from_event(event) == number
    assert pr_number_from_event(None) is None
