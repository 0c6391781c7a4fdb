"""Pytest fixtures for the sandbox process, and a small admin helper.

Use them from a conftest.py with ``from support.sandbox import sandbox, sandbox_factory``.

* ``sandbox``: a function-scoped sandbox running as 8.8, no auth, empty.
* ``sandbox_factory(**opts)``: start more (``server_version``, ``seed``, ``auth``,
  ``extra_args``); all are stopped at the end of the test.

Each returns a ``SandboxHandle``: ``url``, the process, and the admin calls ``seed(dict)``,
``stats()``, ``faults(dict)``, ``reset()``, ``deploy_files(*paths)``, ``revoke_tokens()``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from runner.sandbox.process import SandboxAuth, SandboxProcess, start_sandbox

REPO = Path(__file__).resolve().parents[2]


def invoice_seed(count: int) -> dict[str, Any]:
    """A seed document: both invoice-approval versions from plans/bpmn deployed, and ``count``
    instances of version 1 waiting at Task_ApproveInvoice (the invoice plan migrates them)."""
    return {
        "deploy": [{"resourceName": name,
                    "xml": (REPO / "plans" / "bpmn" / name).read_text("utf-8")}
                   for name in ("invoice-approval.v1.bpmn", "invoice-approval.v2.bpmn")],
        "instances": [{"process": "invoice-approval", "version": 1, "count": count,
                       "waitAt": ["Task_ApproveInvoice"], "variables": {"amount": 10}}],
    }


class SandboxHandle:
    """A running sandbox plus its admin endpoints (never used by the runner itself)."""

    def __init__(self, process: SandboxProcess) -> None:
        self.process = process
        self.url = process.url
        self.admin = httpx.Client(base_url=self.url, timeout=60.0)

    def _ok(self, response: httpx.Response) -> Any:
        if response.status_code >= 400:
            raise AssertionError(f"sandbox admin call failed: {response.status_code} "
                                 f"{response.text}\nsandbox stderr:\n{self.process.stderr}")
        return response.json() if response.content else None

    def seed(self, document: dict[str, Any]) -> dict[str, Any]:
        """Deploy and create instances (seed format of docs/sandbox.md); the summary."""
        result: dict[str, Any] = self._ok(self.admin.post("/sandbox/seed", json=document))
        return result

    def deploy_files(self, *paths: str | Path) -> dict[str, Any]:
        """Deploy BPMN files (read here, sent inline) through the seed endpoint."""
        resources = [{"resourceName": Path(p).name, "xml": Path(p).read_text("utf-8")}
                     for p in paths]
        return self.seed({"deploy": resources})

    def stats(self) -> dict[str, Any]:
        result: dict[str, Any] = self._ok(self.admin.get("/sandbox/stats"))
        return result

    def faults(self, plan: dict[str, Any]) -> None:
        self._ok(self.admin.post("/sandbox/faults", json=plan))

    def reset(self) -> None:
        self._ok(self.admin.post("/sandbox/reset"))

    def revoke_tokens(self) -> int:
        result: dict[str, int] = self._ok(self.admin.post("/sandbox/revoke-tokens"))
        return result["revoked"]

    def close(self) -> None:
        self.admin.close()
        self.process.stop()


StartSandbox = Callable[..., SandboxHandle]


@pytest.fixture
def sandbox_factory() -> Iterator[StartSandbox]:
    """Start sandboxes with options; every one is stopped when the test ends."""
    started: list[SandboxHandle] = []

    def start(*, server_version: str = "8.8.0", seed: str | Path | None = None,
              auth: SandboxAuth | None = None, extra_args: tuple[str, ...] = ()
              ) -> SandboxHandle:
        handle = SandboxHandle(start_sandbox(server_version=server_version, seed=seed,
                                             auth=auth, extra_args=extra_args))
        started.append(handle)
        return handle

    yield start
    for handle in started:
        handle.close()


@pytest.fixture
def sandbox(sandbox_factory: StartSandbox) -> SandboxHandle:
    """An empty sandbox speaking 8.8 without auth."""
    return sandbox_factory()
