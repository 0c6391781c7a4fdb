"""Per-version behaviour: paging style, key types, routes that exist only in some versions."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from support.sandbox import SandboxHandle, StartSandbox

from .helpers import DATA

COUNT = 25_000


def _seed_many(sandbox: SandboxHandle, count: int) -> tuple[str, list[int]]:
    xml = (DATA / "shipping.v1.bpmn").read_text("utf-8")
    result = sandbox.seed({
        "deploy": [{"resourceName": "shipping.v1.bpmn", "xml": xml}],
        "instances": [{"process": "shipping", "count": count, "waitAt": ["Task_Pick"],
                       "startDate": "2026-01-01T00:00:00Z", "startDateStepSeconds": 1}]})
    keys = [int(k) for k in result["instances"][0]["instanceKeys"]]
    return result["deployed"][0]["processDefinitionKey"], keys


def _page_all(client: httpx.Client, body: dict[str, Any], cursor_style: bool
              ) -> tuple[list[Any], list[int]]:
    """Page to the end; all keys seen, and totalItems of every page."""
    seen: list[Any] = []
    totals: list[int] = []
    page: dict[str, Any] = {"limit": 1000}
    while True:
        response = client.post("/v2/process-instances/search", json={**body, "page": page})
        assert response.status_code == 200, response.text
        data = response.json()
        totals.append(data["page"]["totalItems"])
        seen.extend(item["processInstanceKey"] for item in data["items"])
        if not data["items"]:
            return seen, totals
        if cursor_style:
            assert set(data["page"]) == {"totalItems", "hasMoreTotalItems", "startCursor",
                                         "endCursor"}
            page = {"limit": 1000, "after": data["page"]["endCursor"]}
        else:
            assert set(data["page"]) == {"totalItems", "firstSortValues", "lastSortValues"}
            page = {"limit": 1000, "searchAfter": data["page"]["lastSortValues"]}


@pytest.mark.parametrize(("version", "cursor_style"), [("8.8.0", True), ("8.7.0", False)])
def test_paging_returns_each_instance_exactly_once(
        sandbox_factory: StartSandbox, version: str, cursor_style: bool) -> None:
    sandbox = sandbox_factory(server_version=version)
    definition_key, keys = _seed_many(sandbox, COUNT)
    with httpx.Client(base_url=sandbox.url, timeout=60) as client:
        seen, totals = _page_all(client, {"filter": {"processDefinitionKey": definition_key,
                                                     "state": "ACTIVE"}}, cursor_style)
    assert [int(k) for k in seen] == keys
    assert all(isinstance(k, str) for k in seen)
    assert set(totals) == {COUNT}


def test_descending_sort_by_start_date_pages_backwards_in_time(
        sandbox_factory: StartSandbox) -> None:
    sandbox = sandbox_factory()
    _, keys = _seed_many(sandbox, 250)
    with httpx.Client(base_url=sandbox.url) as client:
        seen, _ = _page_all(client, {"sort": [{"field": "startDate", "order": "DESC"}]},
                            cursor_style=True)
        assert [int(k) for k in seen] == list(reversed(keys))
        first = client.post("/v2/process-instances/search",
                            json={"page": {"limit": 10}}).json()
        before = client.post("/v2/process-instances/search", json={
            "page": {"limit": 10, "before": first["page"]["endCursor"]}}).json()
        assert [i["processInstanceKey"] for i in before["items"]] == \
            [i["processInstanceKey"] for i in first["items"][:9]]


def test_8_6_uses_numeric_keys_and_sort_values(sandbox_factory: StartSandbox) -> None:
    sandbox = sandbox_factory(server_version="8.6.0")
    definition_key, keys = _seed_many(sandbox, 30)
    with httpx.Client(base_url=sandbox.url) as client:
        assert client.get("/v2/topology").json()["gatewayVersion"] == "8.6.0"
        seen, _ = _page_all(client, {"filter": {"processDefinitionKey": definition_key}},
                            cursor_style=False)
        assert seen == keys  # int64 numbers, not strings
        page = client.post("/v2/process-instances/search",
                           json={"page": {"limit": 5}}).json()["page"]
        assert page["lastSortValues"] == [keys[4]]


def test_version_gates_of_routes(sandbox_factory: StartSandbox) -> None:
    old = sandbox_factory(server_version="8.7.0")
    _, keys = _seed_many(old, 2)
    with httpx.Client(base_url=old.url) as client:
        assert client.post("/v2/element-instances/search", json={}).status_code == 404
        assert client.post("/v2/process-instances/migration", json={}).status_code == 404
        assert client.get("/v2/batch-operations/1").status_code == 404
        flownodes = client.post("/v2/flownode-instances/search", json={
            "filter": {"processInstanceKey": str(keys[0])}})
        assert flownodes.status_code == 200, flownodes.text
        items = flownodes.json()["items"]
        assert [(i["flowNodeId"], i["type"]) for i in items] == [
            ("shipping", "PROCESS"), ("Task_Pick", "SERVICE_TASK")]
        assert items[1]["flowNodeInstanceKey"] == str(keys[0] + 1)
        assert items[1]["treePath"] == f"{keys[0]}/{keys[0] + 1}"
        assert items[1]["incident"] is False
    new = sandbox_factory(server_version="8.9.0")
    with httpx.Client(base_url=new.url) as client:
        assert client.post("/v2/flownode-instances/search", json={}).status_code == 404
        assert client.post("/v2/element-instances/search", json={}).status_code == 200
        assert client.get("/v2/topology").json()["gatewayVersion"] == "8.9.0"


def test_cursor_and_offset_cannot_be_mixed(sandbox: SandboxHandle) -> None:
    _seed_many(sandbox, 3)
    with httpx.Client(base_url=sandbox.url) as client:
        first = client.post("/v2/process-instances/search", json={"page": {"limit": 1}})
        cursor = first.json()["page"]["endCursor"]
        mixed = client.post("/v2/process-instances/search",
                            json={"page": {"from": 1, "after": cursor}})
        assert mixed.status_code == 400
        offset = client.post("/v2/process-instances/search",
                             json={"page": {"from": 1, "limit": 1}}).json()
        after = client.post("/v2/process-instances/search",
                            json={"page": {"after": cursor, "limit": 1}}).json()
        assert offset["items"] == after["items"]
        old_style = client.post("/v2/process-instances/search",
                                json={"page": {"searchAfter": [1]}})
        assert old_style.status_code == 400
