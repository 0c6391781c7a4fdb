"""Searches the bulk reads rely on, over real HTTP: ``$in`` on instance keys, a
definition-wide element search sorted by instance key, and plain-value element fields."""

from __future__ import annotations

from typing import Any

import httpx
from support.sandbox import SandboxHandle

from .helpers import deploy


def _seed(sandbox: SandboxHandle, client: httpx.Client) -> tuple[dict[str, str], list[str]]:
    keys = deploy(client, "shipping.v1.bpmn", "shipping.v2.bpmn")
    result = sandbox.seed({"instances": [
        {"process": "shipping", "version": 1, "count": 5, "waitAt": ["Task_Pick"]},
        {"process": "shipping", "version": 2, "count": 2, "waitAt": ["Task_PickItems"]}]})
    instance_keys = [str(k) for g in result["instances"] for k in g["instanceKeys"]]
    return keys, instance_keys


def _search(client: httpx.Client, path: str, body: dict[str, Any]) -> httpx.Response:
    return client.post(f"/v2/{path}/search", json=body)


def test_instance_search_by_key_list(sandbox: SandboxHandle, client: httpx.Client) -> None:
    definitions, keys = _seed(sandbox, client)
    wanted = [keys[4], keys[0], keys[6], "123456789"]
    response = _search(client, "process-instances",
                       {"filter": {"processInstanceKey": {"$in": wanted}}})
    assert response.status_code == 200, response.text
    items = response.json()["items"]
    assert [i["processInstanceKey"] for i in items] == sorted(wanted[:3], key=int)
    assert {i["processInstanceKey"]: i["processDefinitionKey"] for i in items} == {
        keys[0]: definitions["1"], keys[4]: definitions["1"], keys[6]: definitions["2"]}
    narrowed = _search(client, "process-instances", {"filter": {
        "processInstanceKey": {"$in": wanted}, "processDefinitionKey": definitions["2"]}})
    assert [i["processInstanceKey"] for i in narrowed.json()["items"]] == [keys[6]]
    excluded = _search(client, "process-instances", {"filter": {
        "processInstanceKey": {"$in": wanted, "$neq": keys[0]}}})
    assert [i["processInstanceKey"] for i in excluded.json()["items"]] == [keys[4], keys[6]]


def test_element_search_by_definition_pages_in_instance_order(
        sandbox: SandboxHandle, client: httpx.Client) -> None:
    definitions, keys = _seed(sandbox, client)
    body: dict[str, Any] = {
        "filter": {"processDefinitionKey": definitions["1"], "state": "ACTIVE"},
        "sort": [{"field": "processInstanceKey", "order": "ASC"},
                 {"field": "elementInstanceKey", "order": "ASC"}],
        "page": {"limit": 3}}
    rows: list[dict[str, Any]] = []
    while True:
        answer = _search(client, "element-instances", body).json()
        rows.extend(answer["items"])
        if len(answer["items"]) < 3:
            break
        body["page"] = {"limit": 3, "after": answer["page"]["endCursor"]}
    order = [(int(r["processInstanceKey"]), int(r["elementInstanceKey"])) for r in rows]
    assert order == sorted(order)
    assert {r["processInstanceKey"] for r in rows} == set(keys[:5])
    assert {r["elementId"] for r in rows} == {"shipping", "Task_Pick"}
    assert len(rows) == 10  # the PROCESS row and the task of each instance


def test_element_search_refuses_operators_on_plain_fields(sandbox: SandboxHandle,
                                                          client: httpx.Client) -> None:
    _, keys = _seed(sandbox, client)
    response = _search(client, "element-instances",
                       {"filter": {"processInstanceKey": {"$in": keys[:2]}}})
    assert response.status_code == 400
    assert "plain value" in response.json()["detail"]
    exact = _search(client, "element-instances", {"filter": {"processInstanceKey": keys[0]}})
    assert exact.status_code == 200
    assert {i["processInstanceKey"] for i in exact.json()["items"]} == {keys[0]}
