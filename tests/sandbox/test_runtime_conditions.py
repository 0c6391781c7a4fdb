"""Seeded runtime state reaches the engine: taken flows, concurrent commands."""

from __future__ import annotations

import httpx
from support.sandbox import SandboxHandle

from .helpers import DATA


def _seed(sandbox: SandboxHandle, **group: object) -> tuple[str, str]:
    result = sandbox.seed({
        "deploy": [{"resourceName": "join.v1.bpmn",
                    "xml": (DATA / "join.v1.bpmn").read_text("utf-8")}],
        "instances": [{"process": "checks", "waitAt": ["Task_Fraud"], **group}]})
    return result["deployed"][0]["processDefinitionKey"], result["instances"][0]["instanceKeys"][0]


def _migrate(client: httpx.Client, key: str, target: str, ids: list[str]) -> httpx.Response:
    return client.post(f"/v2/process-instances/{key}/migration", json={
        "targetProcessDefinitionKey": target,
        "mappingInstructions": [{"sourceElementId": i, "targetElementId": i} for i in ids]})


def test_taken_flows_into_a_joining_gateway(sandbox: SandboxHandle) -> None:
    definition, key = _seed(sandbox, takenFlows={"checks": ["Flow_CreditDone"]})
    with httpx.Client(base_url=sandbox.url) as client:
        flows = client.get(f"/v2/process-instances/{key}/sequence-flows").json()["items"]
        assert [f["sequenceFlowId"] for f in flows] == ["Flow_CreditDone"]
        unmapped = _migrate(client, key, definition, ["Task_Fraud"])
        assert unmapped.status_code == 400
        assert unmapped.json()["detail"] == (
            "Command 'MIGRATE' rejected with code 'INVALID_ARGUMENT': Expected to migrate "
            f"process instance '{key}' but gateway 'Join' has at least one incoming sequence "
            "flow taken. Joining gateways with at least one incoming sequence flow taken must "
            "be mapped to a gateway of the same type in the target process definition.")
        mapped = _migrate(client, key, definition,
                          ["Task_Fraud", "Join", "Flow_CreditDone"])
        assert mapped.status_code == 204, mapped.text
        flows = client.get(f"/v2/process-instances/{key}/sequence-flows").json()["items"]
        assert [f["sequenceFlowId"] for f in flows] == ["Flow_CreditDone"]


def test_a_concurrent_command_rejects_for_the_seeded_attempts(sandbox: SandboxHandle) -> None:
    definition, key = _seed(sandbox, pendingCommand=2)
    with httpx.Client(base_url=sandbox.url) as client:
        for _ in range(2):
            busy = _migrate(client, key, definition, ["Task_Fraud"])
            assert busy.status_code == 409
            assert busy.json()["detail"] == (
                "Command 'MIGRATE' rejected with code 'INVALID_STATE': Expected to migrate "
                f"process instance '{key}' but a concurrent command was executed on the "
                "process instance. Please retry the migration.")
        assert _migrate(client, key, definition, ["Task_Fraud"]).status_code == 204
    assert sandbox.stats()["acceptedMigrations"] == {key: 1}


def test_message_start_correlation_keys_are_unique_in_the_target(
        sandbox: SandboxHandle) -> None:
    result = sandbox.seed({
        "deploy": [{"resourceName": n, "xml": (DATA / n).read_text("utf-8")}
                   for n in ("intake-a.bpmn", "intake-b.bpmn")],
        "instances": [
            {"process": "intake-b", "waitAt": ["Task_Review"],
             "startedByMessageCorrelationKey": "order-42"},
            {"process": "intake-a", "waitAt": ["Task_Review"],
             "startedByMessageCorrelationKey": "order-42"},
            {"process": "intake-a", "waitAt": ["Task_Review"],
             "startedByMessageCorrelationKey": "order-7"}]})
    target = result["deployed"][1]["processDefinitionKey"]
    _, clash, free = (g["instanceKeys"][0] for g in result["instances"])
    with httpx.Client(base_url=sandbox.url) as client:
        refused = _migrate(client, clash, target, ["Task_Review"])
        assert refused.status_code == 409
        assert refused.json()["detail"] == (
            "Command 'MIGRATE' rejected with code 'INVALID_STATE': Expected to migrate process "
            f"instance '{clash}' but target process definition '{target}' has an active "
            "instance triggered by a message start event with correlation key 'order-42'. "
            "Only one instance per correlation key is allowed for message start events.")
        assert _migrate(client, free, target, ["Task_Review"]).status_code == 204
        # now order-7 is taken in the target too
        assert client.get(f"/v2/process-instances/{free}").json()["processDefinitionId"] == \
            "intake-b"
