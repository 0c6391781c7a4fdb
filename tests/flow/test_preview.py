"""The dry run against the real sandbox process seeded with plans/demo-seed.yaml."""

from __future__ import annotations

import shutil
from pathlib import Path

import httpx
from support.sandbox import SandboxHandle

from runner.cluster.client import ClusterClient
from runner.findings import Severity
from runner.flow.preview import build_preview
from runner.flow.progress import Recording
from runner.plan.loader import load_plan
from runner.plan.model import Plan
from runner.results import ElementMove

from .conftest import PLANS

Z22_TEXT = (
    "Expected to migrate process instance '{key}' but active element with id 'Task_PackOrder' "
    "is mapped to element with id 'Task_PackOrder' that must be subscribed to a catch event. "
    "Failed to extract the correlation key for 'orderId': The value must be either a string "
    "or a number, but was 'NULL'. The evaluation reported the following warnings:\n"
    "[NO_VARIABLE_FOUND] No variable found with name 'orderId'"
)


def _plan(name: str) -> Plan:
    loaded = load_plan(PLANS / name)
    assert loaded.plan is not None, loaded.findings
    return loaded.plan


def _keys_with(handle: SandboxHandle, process: str, name: str, value: str) -> list[str]:
    body = {"filter": {"processDefinitionId": process,
                       "variables": [{"name": name, "value": f'"{value}"'}]},
            "page": {"limit": 1000}}
    items = httpx.post(f"{handle.url}/v2/process-instances/search", json=body).json()["items"]
    return sorted((i["processInstanceKey"] for i in items), key=int)


def test_order_plan_preview_counts_moves_and_blockers(demo_sandbox: SandboxHandle,
                                                      demo_client: ClusterClient) -> None:
    progress = Recording()
    preview = build_preview(_plan("order-v1-to-v2.yaml"), demo_client, progress=progress)

    assert (preview.matched, preview.migrating, preview.blocked_total) == (21, 18, 3)
    assert preview.already_on_target == 2
    assert preview.moves == (
        ElementMove("Event_PaymentConfirmed", "INTERMEDIATE_CATCH_EVENT",
                    "Event_PaymentConfirmed", 3, 0),
        ElementMove("SubProcess_Payment", "SUB_PROCESS", "SubProcess_Payment", 6, 0),
        ElementMove("Task_ChargePayment", "SERVICE_TASK", "Task_AuthorizePayment", 3, 0),
        ElementMove("Task_PackOrder", "USER_TASK", "Task_PackOrder", 9, 3),
        ElementMove("Task_ReserveStock", "SERVICE_TASK", "Task_ReserveStock", 4, 0),
        ElementMove("Task_SendReminder", "SERVICE_TASK", "Task_SendReminder", 2, 0),
        ElementMove("Task_ShipOrder", "SERVICE_TASK", "Task_ShipOrder", 2, 0),
    )
    legacy = _keys_with(demo_sandbox, "order-process", "channel", "legacy-import")
    assert [b.process_instance_key for b in preview.blocked] == legacy
    for blocked in preview.blocked:
        assert blocked.code == "Z22"
        assert blocked.element_id == "Task_PackOrder"  # where the instance waits
        assert blocked.message == Z22_TEXT.format(key=blocked.process_instance_key)
        assert not blocked.transient
    assert not [f for f in preview.findings if f.severity == Severity.ERROR]
    assert progress.phases == [("dry run order-v1-to-v2", None, 21)]


def test_filters_narrow_the_instances(demo_client: ClusterClient) -> None:
    invoice = build_preview(_plan("invoice-v1-to-v2.yaml"), demo_client)
    assert (invoice.matched, invoice.migrating, invoice.blocked_total) == (9, 9, 0)  # no incident
    onboarding = build_preview(_plan("onboarding-2025.1-to-2025.2.yaml"), demo_client)
    assert (onboarding.matched, onboarding.migrating) == (6, 6)  # retail only
    assert {m.source_element_id: m.instances for m in onboarding.moves} == {
        "Gateway_WaitForDocuments": 3, "Task_CloseApplication": 1, "Task_VerifyIdentity": 2}


def test_the_dry_run_writes_nothing(demo_sandbox: SandboxHandle,
                                    demo_client: ClusterClient) -> None:
    before = demo_sandbox.stats()
    for name in ("order-v1-to-v2.yaml", "invoice-v1-to-v2.yaml",
                 "onboarding-2025.1-to-2025.2.yaml"):
        build_preview(_plan(name), demo_client)
    after = demo_sandbox.stats()
    assert after["writes"] == before["writes"] == 0
    assert after["acceptedMigrations"] == {}
    assert after["batchOperations"] == 0
    assert not {"migrate", "batch-migrate", "deploy"} & set(after["requests"])


def test_a_bpmn_file_that_differs_from_the_deployed_one_is_an_error(
        tmp_path: Path, demo_client: ClusterClient) -> None:
    shutil.copytree(PLANS / "bpmn", tmp_path / "bpmn")
    v1 = tmp_path / "bpmn" / "order-process.v1.bpmn"
    v1.write_text(v1.read_text("utf-8").replace('type="payment-provider"',
                                                 'type="payment-legacy"'), "utf-8")
    shutil.copy(PLANS / "order-v1-to-v2.yaml", tmp_path / "plan.yaml")
    plan = load_plan(tmp_path / "plan.yaml").plan
    assert plan is not None

    preview = build_preview(plan, demo_client)

    d02 = [f for f in preview.findings if f.code == "D02"]
    assert len(d02) == 1
    assert d02[0].severity == Severity.ERROR
    assert "Task_ChargePayment differs (job_type)" in d02[0].message
    assert preview.matched == 21  # still judged, with the deployed model


def test_an_undeployed_target_is_a_located_finding(tmp_path: Path,
                                                   demo_client: ClusterClient) -> None:
    shutil.copytree(PLANS / "bpmn", tmp_path / "bpmn")
    text = (PLANS / "invoice-v1-to-v2.yaml").read_text("utf-8").replace(
        "  version: 2\n", "  version: 3\n")
    (tmp_path / "plan.yaml").write_text(text, "utf-8")
    plan = load_plan(tmp_path / "plan.yaml").plan
    assert plan is not None

    preview = build_preview(plan, demo_client)

    assert preview.matched == 0
    assert preview.target_definition_key == ""
    [d01] = [f for f in preview.findings if f.code == "D01"]
    assert d01.severity == Severity.ERROR
    assert "target definition is not deployed" in d01.message
    assert d01.location is not None and d01.location.line is not None
