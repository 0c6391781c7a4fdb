"""Each fault kind is observable over real HTTP; route limits and counts hold."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from support.sandbox import SandboxHandle, StartSandbox

from .helpers import DATA


def _seed(sandbox: SandboxHandle, count: int = 3) -> tuple[str, list[str]]:
    resources = [{"resourceName": n, "xml": (DATA / n).read_text("utf-8")}
                 for n in ("shipping.v1.bpmn", "shipping.v2.bpmn")]
    result = sandbox.seed({"deploy": resources, "instances": [
        {"process": "shipping", "version": 1, "count": count, "waitAt": ["Task_Pick"]}]})
    return result["deployed"][1]["processDefinitionKey"], result["instances"][0]["instanceKeys"]


def _migrate(client: httpx.Client, key: str, target: str) -> httpx.Response:
    return client.post(f"/v2/process-instances/{key}/migration", json={
        "targetProcessDefinitionKey": target,
        "mappingInstructions": [{"sourceElementId": "Task_Pick",
                                 "targetElementId": "Task_PickItems"}]})


@pytest.mark.parametrize(("kind", "status", "title"), [
    ("unavailable", 503, "RESOURCE_EXHAUSTED"),
    ("exhausted", 500, "RESOURCE_EXHAUSTED"),
    ("throttle", 429, "Too Many Requests"),
])
def test_backpressure_answers_do_not_apply(sandbox: SandboxHandle, kind: str, status: int,
                                           title: str) -> None:
    target, keys = _seed(sandbox)
    sandbox.faults({"rules": [{"kind": kind, "rate": 1, "times": 1, "routes": ["migrate"],
                               "retryAfter": 3}]})
    with httpx.Client(base_url=sandbox.url) as client:
        assert client.get("/v2/topology").status_code == 200  # other routes unaffected
        refused = _migrate(client, keys[0], target)
        assert refused.status_code == status
        assert refused.headers["content-type"] == "application/problem+json"
        assert refused.json()["title"] == title
        if kind == "throttle":
            assert refused.headers["retry-after"] == "3"
        assert _migrate(client, keys[0], target).status_code == 204  # times: 1
    stats = sandbox.stats()
    assert stats["acceptedMigrations"] == {keys[0]: 1}
    assert stats["faultsInjected"] == {kind: 1}
    assert stats["requests"]["migrate"] == 2


def test_drop_applies_the_migration_then_closes_the_connection(sandbox: SandboxHandle) -> None:
    target, keys = _seed(sandbox)
    sandbox.faults({"rules": [{"kind": "drop", "rate": 1, "times": 1, "routes": ["migrate"]}]})
    with httpx.Client(base_url=sandbox.url) as client:
        with pytest.raises(httpx.RemoteProtocolError):
            _migrate(client, keys[0], target)
        instance = client.get(f"/v2/process-instances/{keys[0]}").json()
        assert instance["processDefinitionKey"] == target  # it was applied
    assert sandbox.stats()["acceptedMigrations"] == {keys[0]: 1}


def test_rates_are_deterministic_with_a_seed(sandbox: SandboxHandle) -> None:
    def outcomes() -> list[int]:
        sandbox.faults({"seed": 11, "rules": [{"kind": "unavailable", "rate": 0.3}]})
        with httpx.Client(base_url=sandbox.url) as client:
            return [client.get("/v2/topology").status_code for _ in range(40)]

    first, second = outcomes(), outcomes()
    assert first == second
    assert 0 < first.count(503) < 40
    assert set(first) == {200, 503}


def test_search_lag_hides_writes_for_a_while(sandbox: SandboxHandle) -> None:
    target, keys = _seed(sandbox)
    sandbox.faults({"searchLagMs": 60_000})
    with httpx.Client(base_url=sandbox.url) as client:
        assert _migrate(client, keys[0], target).status_code == 204
        on_target = client.post("/v2/process-instances/search", json={
            "filter": {"processDefinitionKey": target}}).json()
        assert on_target["items"] == []  # the search does not see the write yet
        elements = client.post("/v2/element-instances/search", json={
            "filter": {"processInstanceKey": keys[0]}}).json()["items"]
        assert elements[1]["elementId"] == "Task_Pick"
        sandbox.faults({"searchLagMs": 0})
        on_target = client.post("/v2/process-instances/search", json={
            "filter": {"processDefinitionKey": target}}).json()
        assert [i["processInstanceKey"] for i in on_target["items"]] == [keys[0]]


def test_faults_from_the_command_line(sandbox_factory: StartSandbox) -> None:
    sandbox = sandbox_factory(extra_args=("--fault", "throttle=1@topology,instance-searchx2",
                                          "--fault", "latency=1"))
    with httpx.Client(base_url=sandbox.url) as client:
        statuses = [client.get("/v2/topology").status_code for _ in range(3)]
        assert statuses == [429, 429, 200]
        assert client.post("/v2/process-definitions/search", json={}).status_code == 200
    sandbox.reset()  # back to the start configuration: the rule fires twice again
    with httpx.Client(base_url=sandbox.url) as client:
        assert client.get("/v2/topology").status_code == 429


def test_bad_fault_plans_are_refused(sandbox: SandboxHandle) -> None:
    response = sandbox.admin.post("/sandbox/faults", json={"rules": [{"kind": "meteor"}]})
    assert response.status_code == 400
    plan: dict[str, Any] = {"rules": [{"kind": "drop", "rate": 2}]}
    assert sandbox.admin.post("/sandbox/faults", json=plan).status_code == 400
