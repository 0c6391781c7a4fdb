"""Fixtures of the gitops tests: the fake GitHub API on loopback."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fake_github import FakeGitHub, RunningFakeGitHub
from support.sandbox import sandbox, sandbox_factory  # noqa: F401  (fixtures)

TOKEN = "ghs_test-token-DO-NOT-LEAK-7f3a9c"
"""A recognisable token: tests search every posted body and output for it."""


@pytest.fixture
def github() -> Iterator[FakeGitHub]:
    with RunningFakeGitHub(FakeGitHub(token=TOKEN)) as fake:
        yield fake
