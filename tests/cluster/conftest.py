"""Fixtures for client tests: a fake Camunda, a clock that does not sleep, a client factory."""

from __future__ import annotations

import random
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest

from runner.cluster.client import ClusterClient
from runner.cluster.config import resolve
from runner.cluster.retry import RetryListener, RetryPolicy

from .fakes import BASE, OAUTH_URL, FakeCamunda


class FakeClock:
    """Monotonic time that advances only when something sleeps."""

    def __init__(self) -> None:
        self.t = 0.0
        self.sleeps: list[float] = []

    def monotonic(self) -> float:
        return self.t

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.t += max(0.0, seconds)

    def now(self) -> datetime:
        return datetime(2026, 1, 1, tzinfo=UTC) + timedelta(seconds=self.t)


@pytest.fixture
def fake() -> FakeCamunda:
    return FakeCamunda()


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


MakeClient = Callable[..., ClusterClient]


@pytest.fixture
def make_client(fake: FakeCamunda, clock: FakeClock) -> Iterator[MakeClient]:
    made: list[ClusterClient] = []

    def make(env: dict[str, str] | None = None, deadline: float = 30.0,
             on_retry: RetryListener | None = None, **options: Any) -> ClusterClient:
        environ = {"CAMUNDA_REST_ADDRESS": BASE, "CAMUNDA_OAUTH_URL": OAUTH_URL, **(env or {})}
        config = resolve(options, env=environ)
        client = ClusterClient(config, transport=httpx.MockTransport(fake), clock=clock,
                               policy=RetryPolicy(deadline=deadline), rng=random.Random(7),
                               on_retry=on_retry)
        made.append(client)
        return client

    yield make
    for client in made:
        client.close()
