"""Deploy, seed, search and migrate over real HTTP against the sandbox process."""

from __future__ import annotations

from typing import Any

import httpx
from support.sandbox import SandboxHandle

from .helpers import deploy

PICK = "Task_Pick"


def _instances(client: httpx.Client, **filter_: Any) -> list[dict[str, Any]]:
    response = client.post("/v2/process-instances/search",
                           json={"filter": filter_, "page": {"limit": 1000}})
    assert response.status_code == 200, response.text
    items: list[dict[str, Any]] = response.json()["items"]
    return items


def _elements(client: httpx.Client, instance_key: str) -> list[dict[str, Any]]:
    response = client.post("/v2/element-instances/search",
                           json={"filter": {"processInstanceKey": instance_key}})
    assert response.status_code == 200, response.text
    items: list[dict[str, Any]] = response.json()["items"]
    return items


def _seed(sandbox: SandboxHandle, wait_at: list[str], count: int = 1,
          **extra: Any) -> list[str]:
    group = {"process": "shipping", "version": 1, "count": count, "waitAt": wait_at, **extra}
    result = sandbox.seed({"instances": [group]})
    keys: list[str] = result["instances"][0]["instanceKeys"]
    return keys


def _migrate(client: httpx.Client, key: str, target: str,
             mappings: list[tuple[str, str]]) -> httpx.Response:
    return client.post(f"/v2/process-instances/{key}/migration", json={
        "targetProcessDefinitionKey": target,
        "mappingInstructions": [{"sourceElementId": s, "targetElementId": t}
                                for s, t in mappings]})


def test_deploy_versions_like_zeebe(client: httpx.Client) -> None:
    first = deploy(client, "shipping.v1.bpmn")
    second = deploy(client, "shipping.v2.bpmn")
    again = deploy(client, "shipping.v2.bpmn")
    assert list(first) == ["1"] and list(second) == ["2"]
    assert again == second  # an identical redeploy keeps version and key
    found = client.post("/v2/process-definitions/search", json={
        "filter": {"processDefinitionId": "shipping", "isLatestVersion": True}}).json()
    assert [d["version"] for d in found["items"]] == [2]
    assert found["items"][0]["processDefinitionKey"] == second["2"]
    xml = client.get(f"/v2/process-definitions/{first['1']}/xml")
    assert xml.status_code == 200
    assert xml.headers["content-type"].startswith("text/xml")
    assert 'id="Task_Pick"' in xml.text
    one = client.get(f"/v2/process-definitions/{second['2']}").json()
    assert (one["processDefinitionId"], one["version"], one["tenantId"]) == \
        ("shipping", 2, "<default>")


def test_seeded_instances_have_their_containers(client: httpx.Client,
                                                sandbox: SandboxHandle) -> None:
    keys = deploy(client, "shipping.v1.bpmn")
    _seed(sandbox, [PICK], count=3)
    [label] = _seed(sandbox, ["Task_Label"], variables={"parcels": [1, 2]}, hasIncident=True)
    found = _instances(client, processDefinitionKey=keys["1"])
    assert len(found) == 4
    elements = _elements(client, label)
    assert [(e["elementId"], e["type"]) for e in elements] == [
        ("shipping", "PROCESS"), ("Sub_Pack", "SUB_PROCESS"),
        ("Task_Label", "MULTI_INSTANCE_BODY"), ("Task_Label", "SERVICE_TASK")]
    assert elements[0]["elementInstanceKey"] == label
    assert [e["hasIncident"] for e in elements] == [False, False, False, True]
    # the tree can be walked with elementInstanceScopeKey
    body = elements[2]["elementInstanceKey"]
    inner = client.post("/v2/element-instances/search", json={
        "filter": {"elementInstanceScopeKey": body}}).json()["items"]
    assert [e["elementInstanceKey"] for e in inner] == [elements[3]["elementInstanceKey"]]


def test_search_filters(client: httpx.Client, sandbox: SandboxHandle) -> None:
    deploy(client, "shipping.v1.bpmn")
    early = _seed(sandbox, [PICK], count=2, variables={"region": "EU"},
                  startDate="2026-01-01T00:00:00Z")
    late = _seed(sandbox, ["Task_Confirm"], count=2, variables={"region": "US"},
                 startDate="2026-06-01T00:00:00Z", hasIncident=True)
    done = _seed(sandbox, [PICK], count=1, state="COMPLETED", startDate="2025-01-01T00:00:00Z")

    def keys(**filter_: Any) -> list[str]:
        return [i["processInstanceKey"] for i in _instances(client, **filter_)]

    assert keys(variables=[{"name": "region", "value": '"EU"'}]) == early
    assert keys(variables=[{"name": "region", "value": "EU"}]) == []  # values are JSON
    assert keys(hasIncident=True) == late
    assert keys(startDate={"$lt": "2026-03-01T00:00:00Z"}, state="ACTIVE") == early
    assert keys(startDate={"$gte": "2026-06-01T00:00:00Z"}) == late
    assert keys(elementId="Task_Confirm") == late
    assert keys(elementId="Task_Confirm", hasElementInstanceIncident=True,
                elementInstanceState="ACTIVE") == late
    assert keys(state="COMPLETED") == done
    assert keys(processDefinitionId="shipping", processDefinitionVersion=1,
                state={"$eq": "ACTIVE"}) == early + late
    assert keys(**{"$or": [{"hasIncident": True}, {"state": "COMPLETED"}]}) == late + done
    bad = client.post("/v2/process-instances/search", json={"filter": {"nope": 1}})
    assert bad.status_code == 400
    assert bad.headers["content-type"] == "application/problem+json"


def test_migrate_applies_and_instance_reports_target(client: httpx.Client,
                                                     sandbox: SandboxHandle) -> None:
    keys = deploy(client, "shipping.v1.bpmn", "shipping.v2.bpmn")
    [key] = _seed(sandbox, [PICK])
    before = _elements(client, key)
    response = _migrate(client, key, keys["2"], [(PICK, "Task_PickItems")])
    assert response.status_code == 204, response.text
    assert response.content == b""
    instance = client.get(f"/v2/process-instances/{key}").json()
    assert (instance["processDefinitionKey"], instance["processDefinitionVersion"]) == \
        (keys["2"], 2)
    after = _elements(client, key)
    assert [(e["elementId"], e["elementInstanceKey"]) for e in after] == [
        ("shipping", before[0]["elementInstanceKey"]),
        ("Task_PickItems", before[1]["elementInstanceKey"])]
    assert {e["processDefinitionKey"] for e in after} == {keys["2"]}
    assert _instances(client, processDefinitionKey=keys["1"]) == []
    stats = sandbox.stats()
    assert stats["acceptedMigrations"] == {key: 1}
    assert stats["writes"] == 3  # two deployments and one migration


def test_rejections_carry_zeebe_problem_details(client: httpx.Client,
                                               sandbox: SandboxHandle) -> None:
    keys = deploy(client, "shipping.v1.bpmn", "shipping.v2.bpmn")
    [pick] = _seed(sandbox, [PICK])
    [box] = _seed(sandbox, ["Task_Box"])

    unmapped = _migrate(client, pick, keys["2"], [])
    assert unmapped.status_code == 409
    assert unmapped.headers["content-type"] == "application/problem+json"
    assert unmapped.json() == {
        "type": "about:blank", "title": "INVALID_STATE", "status": 409,
        "instance": f"/v2/process-instances/{pick}/migration",
        "detail": "Command 'MIGRATE' rejected with code 'INVALID_STATE': Expected to migrate "
                  f"process instance '{pick}' but no mapping instruction defined for active "
                  "element with id 'Task_Pick'. Elements cannot be migrated without a mapping."}

    retyped = _migrate(client, box, keys["2"], [("Sub_Pack", "Sub_Pack"),
                                                ("Task_Box", "Task_Box")])
    assert retyped.status_code == 409
    assert retyped.json()["detail"] == (
        "Command 'MIGRATE' rejected with code 'INVALID_STATE': Expected to migrate process "
        f"instance '{box}' but active element with id 'Task_Box' and type 'SERVICE_TASK' is "
        "mapped to an element with id 'Task_Box' and different type 'SEND_TASK'. Elements "
        "must be mapped to elements of the same type.")

    missing = _migrate(client, pick, keys["2"], [(PICK, "Task_Nowhere")])
    assert missing.status_code == 400
    assert missing.json()["title"] == "INVALID_ARGUMENT"
    assert missing.json()["detail"] == (
        "Command 'MIGRATE' rejected with code 'INVALID_ARGUMENT': Expected to migrate process "
        f"instance '{pick}' but mapping instructions contain a non-existing target element id "
        "'Task_Nowhere'. Elements provided in mapping instructions must exist in the target "
        "process definition.")

    gone = _migrate(client, "2251799813999999", keys["2"], [])
    assert gone.status_code == 404
    assert gone.json()["detail"] == (
        "Command 'MIGRATE' rejected with code 'NOT_FOUND': Expected to migrate process "
        "instance but no process instance found with key '2251799813999999'")

    no_target = _migrate(client, pick, "2251799813999998", [(PICK, "Task_PickItems")])
    assert no_target.status_code == 404
    assert no_target.json()["detail"] == (
        "Command 'MIGRATE' rejected with code 'NOT_FOUND': Expected to migrate process "
        "instance to process definition but no process definition found with key "
        "'2251799813999998'")
    assert sandbox.stats()["acceptedMigrations"] == {}


def test_migration_across_tenants_is_not_found(client: httpx.Client,
                                               sandbox: SandboxHandle) -> None:
    deploy(client, "shipping.v1.bpmn")
    other = deploy(client, "shipping.v2.bpmn", tenant="tenant-b")
    [key] = _seed(sandbox, [PICK])
    response = _migrate(client, key, other["1"], [(PICK, "Task_PickItems")])
    assert response.status_code == 404
    assert f"no process definition found with key '{other['1']}'" in response.json()["detail"]
    assert [i["tenantId"] for i in _instances(client, tenantId="tenant-b")] == []


def test_bad_requests_are_problems(client: httpx.Client) -> None:
    bad_json = client.post("/v2/process-instances/search", content=b"{not json",
                           headers={"content-type": "application/json"})
    assert bad_json.status_code == 400
    assert bad_json.json()["title"] == "Bad Request"
    assert client.delete("/v2/topology").status_code == 405
    unknown = client.get("/v2/nothing-here")
    assert unknown.status_code == 404
    assert unknown.json()["instance"] == "/v2/nothing-here"
    broken = client.post("/v2/deployments", files=[
        ("resources", ("broken.bpmn", b"<definitions", "application/xml"))])
    assert broken.status_code == 400
    assert "Expected to deploy new resources" in broken.json()["detail"]
    too_big = client.post("/v2/process-instances/search", json={"page": {"limit": 10001}})
    assert too_big.status_code == 400
    missing_key = client.post("/v2/process-instances/1/migration",
                              json={"mappingInstructions": []})
    assert missing_key.status_code == 400


def test_multi_instance_inner_instances_migrate_with_their_keys(
        client: httpx.Client, sandbox: SandboxHandle) -> None:
    keys = deploy(client, "shipping.v1.bpmn", "shipping.v2.bpmn")
    [key] = _seed(sandbox, ["Task_Label"], innerInstances=3)
    before = _elements(client, key)
    assert [e["type"] for e in before] == ["PROCESS", "SUB_PROCESS", "MULTI_INSTANCE_BODY",
                                           "SERVICE_TASK", "SERVICE_TASK", "SERVICE_TASK"]
    inner = client.post("/v2/element-instances/search", json={
        "filter": {"elementInstanceScopeKey": before[2]["elementInstanceKey"]}}).json()
    assert inner["page"]["totalItems"] == 3
    response = _migrate(client, key, keys["2"], [("Sub_Pack", "Sub_Pack"),
                                                 ("Task_Label", "Task_Label")])
    assert response.status_code == 204, response.text
    after = _elements(client, key)
    assert [(e["elementInstanceKey"], e["type"]) for e in after] == \
        [(e["elementInstanceKey"], e["type"]) for e in before]
    assert {e["processDefinitionKey"] for e in after} == {keys["2"]}
