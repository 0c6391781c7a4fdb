"""Fixtures of the flow tests: the real sandbox process seeded with the demo seed."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from support.sandbox import SandboxHandle, StartSandbox, sandbox, sandbox_factory

from runner.cluster.client import ClusterClient
from runner.cluster.config import resolve

__all__ = ["sandbox", "sandbox_factory"]

REPO = Path(__file__).resolve().parents[2]
PLANS = REPO / "plans"
SEED = PLANS / "demo-seed.yaml"


@pytest.fixture
def demo_sandbox(sandbox_factory: StartSandbox) -> SandboxHandle:
    """A sandbox (8.8) holding the demo's deployments and instances."""
    return sandbox_factory(seed=SEED)


def client_for(handle: SandboxHandle, **options: object) -> ClusterClient:
    """A client for ``handle`` configured only from ``options`` (no environment)."""
    return ClusterClient(resolve({"address": handle.url, **options}, env={}))


@pytest.fixture
def demo_client(demo_sandbox: SandboxHandle) -> Iterator[ClusterClient]:
    with client_for(demo_sandbox) as client:
        yield client
