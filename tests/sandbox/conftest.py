"""Sandbox tests run against the real sandbox process (fixtures from support.sandbox)."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest
from support.sandbox import SandboxHandle, sandbox, sandbox_factory

__all__ = ["client", "sandbox", "sandbox_factory"]

@pytest.fixture
def client(sandbox: SandboxHandle) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=sandbox.url, timeout=30.0) as http:
        yield http
