"""Batch migration (8.8+), following a batch, and bounded-concurrency single mode."""

from __future__ import annotations

import threading
from collections.abc import Iterator

import httpx
import pytest

from runner.cluster.batch import MigrationItem
from runner.cluster.filters import UnsupportedFilter
from runner.engine.state import Instruction
from runner.errors import UnsupportedServerVersion
from runner.plan.model import DateRange, InstanceFilter

from .conftest import FakeClock, MakeClient
from .fakes import FakeCamunda

MAPPING = (Instruction("Task_A", "Task_A"),)


def test_start_batch_sends_filter_and_plan(fake: FakeCamunda, make_client: MakeClient) -> None:
    flt = InstanceFilter(has_incident=False, start_date=DateRange(before="2026-02-01T00:00:00Z"))
    key = make_client().start_batch_migration(flt, "200", MAPPING, source_definition_key="100")
    assert key == "9000"
    body = next(r.body for r in fake.requests if r.path == "/process-instances/migration")
    assert body == {
        "filter": {"processDefinitionKey": "100", "hasIncident": False,
                   "startDate": {"$lt": "2026-02-01T00:00:00Z"}},
        "migrationPlan": {"targetProcessDefinitionKey": "200", "mappingInstructions": [
            {"sourceElementId": "Task_A", "targetElementId": "Task_A"}]}}


def test_batch_filter_never_sends_state_and_refuses_inexact_filters(
        make_client: MakeClient) -> None:
    client = make_client()
    for flt in (InstanceFilter(variables={"a": 1}),
                InstanceFilter(active_element_ids=("Task_A",)),
                InstanceFilter(state="COMPLETED")):
        with pytest.raises(UnsupportedFilter):
            client.start_batch_migration(flt, "200", MAPPING, source_definition_key="100")
    keys = InstanceFilter(process_instance_keys=("1", "2"))
    client.start_batch_migration(keys, "200", MAPPING, source_definition_key="100")


def test_batch_needs_88(fake: FakeCamunda, make_client: MakeClient) -> None:
    fake.version = "8.7.2"
    with pytest.raises(UnsupportedServerVersion, match=r"batch migration needs Camunda 8\.8"):
        make_client().start_batch_migration(InstanceFilter(), "200", MAPPING,
                                            source_definition_key="100")


def test_follow_batch_404_then_active_then_completed(fake: FakeCamunda,
                                                     make_client: MakeClient,
                                                     clock: FakeClock) -> None:
    fake.batch_polls_before_visible = 2
    fake.batch_states = ["CREATED", "ACTIVE", "COMPLETED"]
    client = make_client()
    key = client.start_batch_migration(InstanceFilter(), "200", MAPPING,
                                       source_definition_key="100")
    assert client.batch_operation(key) is None  # eventually consistent: not visible yet
    result = client.follow_batch(key, timeout=60, poll=1.0)
    assert (result.state, result.polls, result.unknown) == ("COMPLETED", 4, False)
    assert result.status is not None
    assert (result.status.total, result.status.completed, result.status.failed) == (3, 2, 1)
    assert clock.sleeps == [1.0, 1.5, 2.25]  # bounded polling with backoff


def test_follow_batch_timeout_is_unknown(fake: FakeCamunda, make_client: MakeClient,
                                         clock: FakeClock) -> None:
    fake.batch_states = ["ACTIVE"]
    client = make_client()
    key = client.start_batch_migration(InstanceFilter(), "200", MAPPING,
                                       source_definition_key="100")
    result = client.follow_batch(key, timeout=30, poll=1.0)
    assert result.unknown and result.state == "UNKNOWN"
    assert result.status is not None and result.status.state == "ACTIVE"
    assert sum(clock.sleeps) == pytest.approx(30.0)


def test_follow_batch_never_visible_is_unknown(fake: FakeCamunda,
                                               make_client: MakeClient) -> None:
    fake.batch_polls_before_visible = 10_000
    client = make_client()
    key = client.start_batch_migration(InstanceFilter(), "200", MAPPING,
                                       source_definition_key="100")
    result = client.follow_batch(key, timeout=20, poll=2.0)
    assert (result.state, result.status) == ("UNKNOWN", None)


def test_batch_items_stream_with_state_filter(fake: FakeCamunda,
                                              make_client: MakeClient) -> None:
    fake.add_instances(25, "100")
    items = list(make_client().iter_batch_items("9000", state="FAILED", page_size=10))
    assert len(items) == 25
    assert items[0].error_message == "Command 'MIGRATE' rejected"
    bodies = [r.body for r in fake.requests if r.path == "/batch-operation-items/search"]
    assert len(bodies) == 3
    assert all(b["filter"] == {"batchOperationKey": "9000", "state": "FAILED"} for b in bodies)


def test_migrate_many_bounds_concurrency_and_streams(fake: FakeCamunda,
                                                     make_client: MakeClient) -> None:
    keys = fake.add_instances(40, "100", elements=None)
    for inst in fake.instances.values():
        inst.elements = [(inst.key + "1", "Task_A", "SERVICE_TASK", None)]
    concurrency = 4
    barrier = threading.Barrier(concurrency, timeout=10)
    lock = threading.Lock()
    state = {"in_flight": 0, "peak": 0, "calls": 0}

    def handler(request: httpx.Request) -> httpx.Response:
        if not request.url.path.endswith("/migration"):
            return fake(request)
        with lock:
            state["in_flight"] += 1
            state["calls"] += 1
            state["peak"] = max(state["peak"], state["in_flight"])
            first_wave = state["calls"] <= concurrency
        if first_wave:
            barrier.wait()  # all of the first wave must be in flight at once
        try:
            return fake(request)
        finally:
            with lock:
                state["in_flight"] -= 1

    pulled: list[str] = []

    def items() -> Iterator[MigrationItem]:
        for key in keys:
            pulled.append(key)
            yield MigrationItem(key, "200", MAPPING)

    client = make_client()
    client.session.http._transport = httpx.MockTransport(handler)
    results = client.migrate_many(items(), concurrency=concurrency)
    first = next(results)
    assert len(pulled) <= concurrency + 1  # lazily consumed, not collected up front
    rest = list(results)
    outcomes = [r.outcome for r in [first, *rest]]
    assert outcomes == ["migrated"] * 40
    assert state["peak"] == concurrency
    assert sorted(r.item.instance_key for r in [first, *rest]) == sorted(keys)
    assert set(fake.migrations.values()) == {1}


def test_migrate_many_reports_rejections_as_results(fake: FakeCamunda,
                                                    make_client: MakeClient) -> None:
    fake.add_instances(3, "100")
    unknown = MigrationItem("4242", "200", MAPPING)
    items = [MigrationItem(k, "200", (Instruction("Task_A", "Task_A"),))
             for k in ("1000", "1001")] + [unknown]
    fake.instances["1001"].elements = [("x", "Task_B", "SERVICE_TASK", None)]
    results = {r.item.instance_key: r for r in make_client().migrate_many(items, concurrency=2)}
    assert results["1000"].outcome == "migrated"
    assert results["1001"].outcome == "rejected"
    assert results["4242"].outcome == "rejected"
    assert results["4242"].rejection is not None
    assert results["4242"].rejection.status == 404
