"""Batch migration (8.8+): the operation, its items, counts and failures over real HTTP."""

from __future__ import annotations

import time
from typing import Any

import httpx
from support.sandbox import SandboxHandle, StartSandbox

from .helpers import DATA

MOVING = 3000
FAILING = 25


def _setup(sandbox: SandboxHandle) -> tuple[str, str, list[str]]:
    resources = [{"resourceName": n, "xml": (DATA / n).read_text("utf-8")}
                 for n in ("shipping.v1.bpmn", "shipping.v2.bpmn")]
    result = sandbox.seed({"deploy": resources, "instances": [
        {"process": "shipping", "version": 1, "count": MOVING, "waitAt": ["Task_Pick"]},
        {"process": "shipping", "version": 1, "count": FAILING, "waitAt": ["Task_Box"]},
        {"process": "shipping", "version": 1, "count": 5, "waitAt": ["Task_Pick"],
         "state": "COMPLETED"},
    ]})
    source, target = (d["processDefinitionKey"] for d in result["deployed"])
    return source, target, result["instances"][1]["instanceKeys"]


def _start(client: httpx.Client, source: str, target: str) -> str:
    response = client.post("/v2/process-instances/migration", json={
        "filter": {"processDefinitionKey": source, "state": "COMPLETED"},  # state is ignored
        "migrationPlan": {"targetProcessDefinitionKey": target, "mappingInstructions": [
            {"sourceElementId": "Task_Pick", "targetElementId": "Task_PickItems"},
            {"sourceElementId": "Sub_Pack", "targetElementId": "Sub_Pack"},
            {"sourceElementId": "Task_Box", "targetElementId": "Task_Box"}]}})
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["batchOperationType"] == "MIGRATE_PROCESS_INSTANCE"
    key: str = body["batchOperationKey"]
    return key


def _wait_done(client: httpx.Client, key: str) -> dict[str, Any]:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        response = client.get(f"/v2/batch-operations/{key}")
        if response.status_code == 200 and response.json()["endDate"] is not None:
            result: dict[str, Any] = response.json()
            return result
        time.sleep(0.05)
    raise AssertionError("the batch operation did not finish within 60 s")


def test_batch_migration_completes_with_counts_and_failed_items(
        sandbox: SandboxHandle) -> None:
    source, target, failing = _setup(sandbox)
    with httpx.Client(base_url=sandbox.url, timeout=30) as client:
        key = _start(client, source, target)
        operation = _wait_done(client, key)
        assert operation["state"] == "PARTIALLY_COMPLETED"
        assert (operation["operationsTotalCount"], operation["operationsCompletedCount"],
                operation["operationsFailedCount"]) == (MOVING + FAILING, MOVING, FAILING)
        failed = client.post("/v2/batch-operation-items/search", json={
            "filter": {"batchOperationKey": key, "state": "FAILED"},
            "page": {"limit": 100}}).json()
        assert failed["page"]["totalItems"] == FAILING
        assert sorted(i["processInstanceKey"] for i in failed["items"]) == sorted(failing)
        item = failed["items"][0]
        assert item["errorMessage"].startswith(
            "Command 'MIGRATE' rejected with code 'INVALID_STATE': Expected to migrate "
            f"process instance '{item['processInstanceKey']}' but active element with id "
            "'Task_Box' and type 'SERVICE_TASK' is mapped")
        listed = client.post("/v2/batch-operations/search", json={
            "filter": {"state": "PARTIALLY_COMPLETED"}}).json()
        assert [o["batchOperationKey"] for o in listed["items"]] == [key]
        assert listed["items"][0]["operationsFailedCount"] == FAILING
        left = client.post("/v2/process-instances/search", json={
            "filter": {"processDefinitionKey": source, "state": "ACTIVE"}}).json()
        assert left["page"]["totalItems"] == FAILING
        moved = client.post("/v2/process-instances/search", json={
            "filter": {"processDefinitionKey": target, "elementId": "Task_PickItems"}}).json()
        assert moved["page"]["totalItems"] == MOVING
    stats = sandbox.stats()
    assert len(stats["acceptedMigrations"]) == MOVING
    assert set(stats["acceptedMigrations"].values()) == {1}
    assert stats["writes"] == 1


def test_batch_reads_are_eventually_consistent(sandbox_factory: StartSandbox) -> None:
    sandbox = sandbox_factory(extra_args=("--search-lag-ms", "1500"))
    source, target, _ = _setup(sandbox)
    with httpx.Client(base_url=sandbox.url, timeout=30) as client:
        key = _start(client, source, target)
        assert client.get(f"/v2/batch-operations/{key}").status_code == 404
        operation = _wait_done(client, key)
        assert operation["operationsTotalCount"] == MOVING + FAILING


def test_batch_request_is_checked(sandbox: SandboxHandle) -> None:
    with httpx.Client(base_url=sandbox.url) as client:
        missing_plan = client.post("/v2/process-instances/migration", json={"filter": {}})
        assert missing_plan.status_code == 400
        bad_filter = client.post("/v2/process-instances/migration", json={
            "filter": {"unknownField": 1},
            "migrationPlan": {"targetProcessDefinitionKey": "1", "mappingInstructions": []}})
        assert bad_filter.status_code == 400
        assert client.get("/v2/batch-operations/42").status_code == 404
    assert sandbox.stats()["writes"] == 0
