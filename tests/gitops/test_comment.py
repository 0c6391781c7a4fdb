"""The sticky comment: found by its marker, edited in place, never duplicated, always bounded."""

from __future__ import annotations

import pytest
from conftest import TOKEN
from fake_github import FakeGitHub

from runner.gitops.changed import DeletedPlan
from runner.gitops.comment import (
    CommentContext,
    compose,
    marker,
    report_budget,
    upsert_comment,
)
from runner.gitops.github import GitHubClient, GitHubSettings
from runner.reporters.base import GITHUB_COMMENT_LIMIT

TAG = marker("plan", "plans")


def client_for(fake: FakeGitHub) -> GitHubClient:
    return GitHubClient(GitHubSettings(repository=fake.repository, token=TOKEN,
                                       api_url=fake.url))


def test_first_run_creates_second_edits_the_same_comment_found_past_the_first_page(
        github: FakeGitHub) -> None:
    github.max_page_size = 10
    for i in range(25):
        github.add_comment(8, f"review chatter {i}")

    with client_for(github) as client:
        first = upsert_comment(client, 8, TAG, f"{TAG}\nrun 1")
        for i in range(12):
            github.add_comment(8, f"more chatter {i}")
        second = upsert_comment(client, 8, TAG, f"{TAG}\nrun 2")
        third = upsert_comment(client, 8, TAG, f"{TAG}\nrun 2")

    assert (first.action, second.action, third.action) == ("created", "updated", "unchanged")
    assert first.comment_id == second.comment_id == third.comment_id
    ours = [b for b in github.bodies(8) if TAG in b]
    assert ours == [f"{TAG}\nrun 2"]
    assert [c.method for c in github.writes()] == ["POST", "PATCH"]


def test_other_keys_and_other_kinds_are_separate_comments(github: FakeGitHub) -> None:
    with client_for(github) as client:
        upsert_comment(client, 1, TAG, f"{TAG}\nplans")
        staging = marker("plan", "staging")
        upsert_comment(client, 1, staging, f"{staging}\nstaging")
        outcome = marker("outcome", "plans")
        upsert_comment(client, 1, outcome, f"{outcome}\napplied")

    assert len(github.bodies(1)) == 3


def test_duplicates_left_by_a_race_are_collapsed_into_the_oldest(github: FakeGitHub) -> None:
    oldest = github.add_comment(2, f"{TAG}\nold A")
    github.add_comment(2, f"{TAG}\nold B")

    with client_for(github) as client:
        result = upsert_comment(client, 2, TAG, f"{TAG}\nnew")

    assert (result.action, result.comment_id, result.duplicates_removed) == ("updated", oldest, 1)
    assert github.bodies(2) == [f"{TAG}\nnew"]


def test_compose_keeps_a_huge_report_under_the_limit_and_says_it_was_cut() -> None:
    context = CommentContext(commit="0123456789abcdef", run_url="https://ci.invalid/run/1",
                             artifact_url="https://ci.invalid/run/1#artifacts")
    deleted = [DeletedPlan("plans/old.yaml", "old")]
    huge = "<details><summary>x</summary>\n\n```\n" + ("| row | 1 |\n" * 20_000)

    body = compose(TAG, ["**1 plan**"], huge, context, deleted=deleted)

    assert len(body) <= GITHUB_COMMENT_LIMIT
    assert body.startswith(TAG)
    assert "the full report is in the workflow artifact" in body
    assert "plans/old.yaml" in body and "https://ci.invalid/run/1#artifacts" in body
    cut = body.split("> [!NOTE]")[0]
    assert cut.count("```") % 2 == 0 and cut.count("<details>") == cut.count("</details>")


def test_report_budget_is_exactly_the_room_compose_leaves() -> None:
    context = CommentContext(commit="abc")
    room = report_budget(TAG, ["s"], context)
    fits = "y" * room

    body = compose(TAG, ["s"], fits, context)

    assert len(body) == GITHUB_COMMENT_LIMIT
    assert "cut to fit" not in body


def test_upsert_refuses_bodies_without_marker_or_over_the_limit(github: FakeGitHub) -> None:
    with client_for(github) as client:
        with pytest.raises(ValueError, match="marker"):
            upsert_comment(client, 1, TAG, "no marker")
        with pytest.raises(ValueError, match="limit"):
            upsert_comment(client, 1, TAG, TAG + "x" * GITHUB_COMMENT_LIMIT)
    assert github.calls == []


def test_marker_keys_are_restricted() -> None:
    assert marker("plan", "prod/eu-1") == "<!-- c8migrate:plan key=prod/eu-1 -->"
    with pytest.raises(ValueError):
        marker("plan", "a -->evil")
