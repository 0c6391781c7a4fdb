"""Starting a batch migration exactly once: re-send only what clearly was not sent, look for
the batch when the outcome is unknown, and never call an unconfirmed start a success."""

from __future__ import annotations

import json
import random
from collections.abc import Callable
from typing import Any

import httpx
import pytest

from runner.cluster.batch_start import FIND_WINDOW, BatchStartUnknown
from runner.cluster.client import ClusterClient
from runner.cluster.config import resolve
from runner.cluster.retry import RetryPolicy
from runner.engine.state import Instruction
from runner.plan.model import InstanceFilter

from .conftest import FakeClock

MAPPING = (Instruction("Task_A", "Task_A"),)
Answer = Callable[[httpx.Request], httpx.Response]


class Cluster:
    """Scripted answers to the batch start and the batch search, with a request log."""

    def __init__(self, starts: list[Answer | Exception],
                 searches: list[list[dict[str, Any]]]) -> None:
        self.starts, self.searches = starts, searches
        self.log: list[str] = []
        self.search_bodies: list[Any] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        path = request.url.path.removeprefix("/v2")
        self.log.append(f"{request.method} {path}")
        if path == "/process-instances/migration":
            answer = self.starts.pop(0)
            if isinstance(answer, Exception):
                raise answer
            return answer(request)
        if path == "/batch-operations/search":
            self.search_bodies.append(json.loads(request.content))
            items = self.searches.pop(0) if len(self.searches) > 1 else self.searches[0]
            return httpx.Response(200, json={"items": items, "page": {"totalItems": len(items)}})
        return httpx.Response(404)


def created(key: str) -> Answer:
    return lambda _: httpx.Response(200, json={"batchOperationKey": key})


def status(code: int, title: str = "Error") -> Answer:
    return lambda _: httpx.Response(code, json={"status": code, "title": title,
                                                "detail": "injected"})


def batch(key: str, start: str) -> dict[str, Any]:
    return {"batchOperationKey": key, "batchOperationType": "MIGRATE_PROCESS_INSTANCE",
            "state": "ACTIVE", "startDate": start}


def start(cluster: Cluster, clock: FakeClock, exclude: tuple[str, ...] = ()) -> str:
    config = resolve({"address": "http://camunda.test:8080/v2", "server_version": "8.8"},
                     env={})
    with ClusterClient(config, transport=httpx.MockTransport(cluster), clock=clock,
                       policy=RetryPolicy(deadline=30), rng=random.Random(3)) as client:
        return client.start_batch_migration(InstanceFilter(), "200", MAPPING,
                                            source_definition_key="100", exclude=exclude)


def dropped(request_text: str = "dropped") -> httpx.ReadError:
    return httpx.ReadError(request_text)


def test_a_dropped_answer_is_not_resent_and_the_created_batch_is_found() -> None:
    clock = FakeClock()  # now() is 2026-01-01T00:00:00Z plus the time slept
    cluster = Cluster([dropped()], [
        [],  # not visible yet
        [batch("7001", "2026-01-01T00:00:00.400Z"), batch("7000", "2025-12-31T23:00:00Z")]])
    assert start(cluster, clock) == "7001"
    assert cluster.log.count("POST /process-instances/migration") == 1
    assert cluster.search_bodies[0]["filter"] == {"operationType": "MIGRATE_PROCESS_INSTANCE"}
    assert cluster.search_bodies[0]["sort"] == [{"field": "startDate", "order": "DESC"}]


def test_batches_started_before_the_request_or_excluded_are_not_taken_for_it() -> None:
    clock = FakeClock()
    cluster = Cluster([status(502)], [[batch("7005", "2026-01-01T00:00:00.100Z"),
                                       batch("7000", "2025-12-31T23:59:50Z")]])
    with pytest.raises(BatchStartUnknown) as raised:
        start(cluster, clock, exclude=("7005",))
    assert "HTTP 502" in raised.value.message
    assert "re-run apply" in (raised.value.hint or "")
    assert cluster.log.count("POST /process-instances/migration") == 1
    assert clock.t >= FIND_WINDOW


def test_no_batch_in_the_window_is_an_unknown_outcome_never_a_key() -> None:
    clock = FakeClock()
    cluster = Cluster([dropped()], [[]])
    with pytest.raises(BatchStartUnknown) as raised:
        start(cluster, clock)
    assert "no batch operation started by it appeared" in raised.value.message
    assert cluster.log.count("POST /process-instances/migration") == 1
    assert FIND_WINDOW <= clock.t < FIND_WINDOW + 3
    assert len(cluster.search_bodies) > 3  # polled, not asked once


def test_requests_that_clearly_were_not_acted_on_are_sent_again() -> None:
    clock = FakeClock()
    cluster = Cluster([httpx.ConnectError("refused"), status(503), status(429),
                       status(500, "RESOURCE_EXHAUSTED"), created("7100")], [[]])
    assert start(cluster, clock) == "7100"
    assert cluster.log.count("POST /process-instances/migration") == 5
    assert "POST /batch-operations/search" not in cluster.log


def test_a_rejection_is_raised_and_not_searched_for() -> None:
    cluster = Cluster([status(400, "INVALID_ARGUMENT")], [[]])
    with pytest.raises(Exception) as raised:
        start(cluster, FakeClock())
    assert not isinstance(raised.value, BatchStartUnknown)
    assert "HTTP 400" in str(raised.value)
    assert cluster.log == ["POST /process-instances/migration"]
