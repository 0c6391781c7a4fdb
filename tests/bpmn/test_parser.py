"""The parser builds every field of the model from a BPMN file that has every element kind."""

from __future__ import annotations

from pathlib import Path

import pytest

from runner.bpmn.model import BpmnDocument, ProcessModel
from runner.bpmn.parser import load_bpmn, parse_bpmn_bytes

DATA = Path(__file__).parent / "data"


@pytest.fixture(scope="module")
def document() -> BpmnDocument:
    return load_bpmn(DATA / "kinds.bpmn", display_path="bpmn/kinds.bpmn")


@pytest.fixture(scope="module")
def kinds(document: BpmnDocument) -> ProcessModel:
    model = document.process("kinds")
    assert model is not None
    return model


def test_document_facts(document: BpmnDocument) -> None:
    assert document.file == "bpmn/kinds.bpmn"
    assert list(document.processes) == ["kinds"]
    assert document.exporter == "Camunda Modeler 5.40.0"
    assert document.execution_platform == "Camunda Cloud"
    assert document.execution_platform_version == "8.8.0"


def test_process_facts(kinds: ProcessModel) -> None:
    assert kinds.file == "bpmn/kinds.bpmn"
    assert kinds.name == "Every kind"
    assert kinds.version_tag == "1.4.0"
    assert kinds.is_executable is True
    assert kinds.line == 8
    root = kinds.root
    assert (root.element_type, root.flow_scope, root.tag) == ("PROCESS", None, "process")
    assert root.extensions == {}, "version tag and embedded form bodies are not extensions"


@pytest.mark.parametrize(("element_id", "element_type"), [
    ("Start", "START_EVENT"), ("Charge", "SERVICE_TASK"), ("Split", "PARALLEL_GATEWAY"),
    ("Approve", "USER_TASK"), ("ReviewTimeout", "BOUNDARY_EVENT"),
    ("Join", "INCLUSIVE_GATEWAY"), ("Payment", "SUB_PROCESS"), ("WaitForBank", "RECEIVE_TASK"),
    ("Choice", "EVENT_BASED_GATEWAY"), ("Paid", "INTERMEDIATE_CATCH_EVENT"),
    ("Recovery", "EVENT_SUB_PROCESS"), ("Log", "SCRIPT_TASK"), ("Ship", "CALL_ACTIVITY"),
    ("Decide", "BUSINESS_RULE_TASK"), ("Route", "EXCLUSIVE_GATEWAY"), ("Notify", "SEND_TASK"),
    ("Manual", "MANUAL_TASK"), ("Plain", "TASK"), ("Extras", "AD_HOC_SUB_PROCESS"),
    ("Escalate", "INTERMEDIATE_THROW_EVENT"), ("Stop", "END_EVENT"),
    ("Flow_1", "SEQUENCE_FLOW"), ("Odd", "UNKNOWN"),
])
def test_element_types(kinds: ProcessModel, element_id: str, element_type: str) -> None:
    element = kinds.get(element_id)
    assert element is not None
    assert element.element_type == element_type


def test_non_flow_elements_are_left_out(kinds: ProcessModel) -> None:
    assert "DataObject_1" not in kinds
    assert "Note_1" not in kinds
    assert "Message_Cancel" not in kinds


def test_flow_scopes(kinds: ProcessModel) -> None:
    assert kinds.elements["Charge"].flow_scope == "kinds"
    assert kinds.elements["WaitForBank"].flow_scope == "Payment"
    assert kinds.elements["Flow_P1"].flow_scope == "Payment"
    assert kinds.elements["Recovery"].flow_scope == "Payment"
    assert kinds.elements["RecoveryStart"].flow_scope == "Recovery"
    assert kinds.elements["Extra1"].flow_scope == "Extras"
    assert kinds.scope_chain("Log") == ["Recovery", "Payment", "kinds"]


def test_lines(kinds: ProcessModel) -> None:
    assert kinds.elements["Start"].line == 13
    assert kinds.elements["Flow_1"].line == 16


def test_sequence_flows_link_nodes(kinds: ProcessModel) -> None:
    flow = kinds.elements["Flow_2"]
    assert (flow.source_ref, flow.target_ref) == ("Charge", "Split")
    assert kinds.elements["Split"].incoming == ("Flow_2",)
    assert kinds.elements["Split"].outgoing == ("Flow_3", "Flow_4", "Flow_5")
    assert kinds.elements["Join"].incoming == ("Flow_6", "Flow_7", "Flow_8")
    assert kinds.elements["Flow_13"].extensions["conditionExpression"] == "=vip"
    assert kinds.elements["Route"].extensions["defaultFlow"] == "Flow_14"


def test_service_task_extensions(kinds: ProcessModel) -> None:
    charge = kinds.elements["Charge"]
    assert charge.job_type == "charge-card"
    assert charge.job_retries == "5"
    assert charge.input_mappings == (("=order.total", "amount"), ("=order.currency", "currency"))
    assert charge.extensions == {
        "output.receiptId": "=receipt",
        "taskHeader.endpoint": "https://pay.example",
        "executionListener.start": "audit-start, metrics-start",
        "executionListener.end": "audit-end",
    }
    assert charge.event_type is None
    assert charge.user_task_impl is None


def test_camunda_user_task(kinds: ProcessModel) -> None:
    approve = kinds.elements["Approve"]
    assert approve.user_task_impl == "zeebe user task"
    assert approve.job_type is None
    assert approve.form == "linked"
    assert approve.assignee == "=initiator"
    assert approve.candidate_groups == "managers"
    assert approve.extensions["taskListener.assigning"] == "notify"


def test_job_worker_user_task_with_embedded_form(kinds: ProcessModel) -> None:
    review = kinds.elements["Review"]
    assert review.user_task_impl == "job worker"
    assert review.job_type == "io.camunda.zeebe:userTask"
    assert review.form == "embedded"
    assert review.assignee is None


def test_external_form(kinds: ProcessModel) -> None:
    assert kinds.elements["Legacy"].form == "external"
    assert kinds.elements["Legacy"].user_task_impl == "zeebe user task"


def test_boundary_events(kinds: ProcessModel) -> None:
    timeout = kinds.elements["ReviewTimeout"]
    assert (timeout.attached_to, timeout.interrupting, timeout.event_type) == (
        "Review", False, "TIMER")
    assert timeout.timer == "duration:PT5M"
    cancelled = kinds.elements["ApproveCancelled"]
    assert (cancelled.interrupting, cancelled.event_type) == (True, "MESSAGE")
    assert cancelled.message_name == "order-cancelled"
    assert cancelled.correlation_key == "=orderId"
    failed = kinds.elements["PaymentFailed"]
    assert (failed.event_type, failed.error_code) == ("ERROR", "PAYMENT_FAILED")
    escalated = kinds.elements["PaymentEscalated"]
    assert (escalated.event_type, escalated.escalation_code) == ("ESCALATION", "LATE")
    assert [e.id for e in kinds.boundary_events("Payment")] == [
        "PaymentFailed", "PaymentEscalated"]


def test_message_receivers(kinds: ProcessModel) -> None:
    bank = kinds.elements["WaitForBank"]
    assert bank.message_name == "bank-confirmation"
    assert bank.correlation_key is None
    assert kinds.elements["Paid"].message_name == '="paid-" + region'
    assert [e.id for e in kinds.catch_events_of("Choice")] == ["Paid", "Later"]


@pytest.mark.parametrize(("element_id", "event_type", "timer"), [
    ("Later", "TIMER", "date:2026-12-24T00:00:00Z"), ("Tick", "TIMER", "cycle:R3/PT1H"),
    ("Cond", "CONDITIONAL", None), ("Jump", "LINK", None), ("Undo", "COMPENSATION", None),
    ("Stop", "TERMINATE", None), ("Start", "NONE", None), ("PaymentEnd", "NONE", None),
])
def test_event_types(kinds: ProcessModel, element_id: str, event_type: str,
                     timer: str | None) -> None:
    assert kinds.elements[element_id].event_type == event_type
    assert kinds.elements[element_id].timer == timer


def test_event_sub_process_start(kinds: ProcessModel) -> None:
    start = kinds.elements["RecoveryStart"]
    assert (start.event_type, start.signal_name, start.interrupting) == (
        "SIGNAL", "recover", False)
    assert kinds.elements["Start"].interrupting is None
    assert kinds.elements["Recovery"].is_event_sub_process
    assert [e.id for e in kinds.event_sub_processes("Payment")] == ["Recovery"]
    assert kinds.elements["Log"].extensions == {
        "script.expression": "=1", "script.resultVariable": "x"}


def test_multi_instance_and_call_activity(kinds: ProcessModel) -> None:
    ship = kinds.elements["Ship"]
    assert ship.multi_instance == "sequential"
    assert ship.called_process_id == "shipping"
    assert ship.extensions["loopCharacteristics.inputCollection"] == "=parcels"
    assert ship.extensions["calledElement.propagateAllChildVariables"] == "false"
    assert kinds.body_type("Ship") == "MULTI_INSTANCE_BODY"
    assert kinds.inner_type("Ship") == "CALL_ACTIVITY"
    decide = kinds.elements["Decide"]
    assert decide.multi_instance == "parallel"
    assert decide.extensions["calledDecision.decisionId"] == "discount"
    assert kinds.elements["Charge"].multi_instance is None


COLLABORATION = b"""<?xml version="1.0" encoding="UTF-8"?>
<semantic:definitions xmlns:semantic="http://www.omg.org/spec/BPMN/20100524/MODEL" id="d">
  <semantic:collaboration id="c">
    <semantic:participant id="p1" processRef="shop" />
    <semantic:participant id="p2" processRef="warehouse" />
  </semantic:collaboration>
  <semantic:process id="shop" isExecutable="true">
    <semantic:userTask id="Pack" />
  </semantic:process>
  <semantic:process id="warehouse">
    <semantic:serviceTask id="Pick" />
    <semantic:boundaryEvent id="B" attachedToRef="Pick" />
  </semantic:process>
</semantic:definitions>
"""


def test_each_pool_is_its_own_process() -> None:
    document = parse_bpmn_bytes(COLLABORATION, "collab.bpmn")
    assert set(document.processes) == {"shop", "warehouse"}
    assert document.process() is None
    shop = document.process("shop")
    warehouse = document.process("warehouse")
    assert shop is not None and warehouse is not None
    assert "Pack" in shop and "Pick" not in shop
    assert "Pick" in warehouse and "Pack" not in warehouse
    assert shop.is_executable and not warehouse.is_executable


@pytest.mark.parametrize("prefix", ["bpmn:", "bpmn2:", "model:", ""])
def test_any_prefix_or_none(prefix: str) -> None:
    declaration = f"xmlns{':' + prefix[:-1] if prefix else ''}"
    data = (
        f'<{prefix}definitions {declaration}="http://www.omg.org/spec/BPMN/20100524/MODEL">'
        f'<{prefix}process id="p"><{prefix}serviceTask id="T"/></{prefix}process>'
        f'</{prefix}definitions>'
    ).encode()
    model = parse_bpmn_bytes(data, "x.bpmn").process("p")
    assert model is not None
    assert model.elements["T"].element_type == "SERVICE_TASK"


def test_a_prefix_bound_to_another_namespace_does_not_count() -> None:
    data = (b'<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" '
            b'xmlns:other="urn:other"><bpmn:process id="p"><other:serviceTask id="T"/>'
            b'</bpmn:process></bpmn:definitions>')
    model = parse_bpmn_bytes(data, "x.bpmn").process("p")
    assert model is not None
    assert "T" not in model
