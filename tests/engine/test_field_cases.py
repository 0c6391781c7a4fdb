"""The field cases of ../shared/reference/field-cases.md that concern validation.

Each test is named after its case id and states the shape, the mapping, what is active and
the verdict the case says is correct, on our own small BPMN pairs.
"""

from __future__ import annotations

from typing import Any

import pytest

from runner.engine.judge import judge
from runner.engine.state import InstanceSnapshot, Verdict

from .harness import build_request, run_case

TASKS = {"source": "rules/tasks_v1.bpmn", "target": "rules/tasks_v2.bpmn"}
BOUNDARY = {"source": "rules/boundary_v1.bpmn", "target": "rules/boundary_v1.bpmn"}


def verdict(**case: Any) -> Verdict:
    return run_case(case)


def rejected_with(result: Verdict, code: str) -> str:
    assert result.rejection is not None, f"expected {code}, got accepted"
    assert result.rejection.code == code, result.rejection.message
    return result.rejection.message


def test_C02_boundary_event_on_active_task_by_version() -> None:
    case = {**BOUNDARY, "mappings": [["A", "A"], ["TA", "TA"], ["MA", "MA"]], "active": ["A"]}
    rejected_with(verdict(**case, server="8.4"), "Z12")
    assert verdict(**case, server="8.5").accepted


def test_C04_process_id_change_with_message_start_warns() -> None:
    result = verdict(source="rules/msgstart_p1.bpmn", target="rules/msgstart_p2.bpmn",
                     mappings=[["A", "A"]], active=["A"])
    assert result.accepted
    assert "W09" in [n.code for n in result.notes]


def test_C09_pending_command_is_a_transient_rejection() -> None:
    result = verdict(**TASKS, mappings=[["A", "A"]], active=["A"], pending_command=True)
    rejected_with(result, "Z17")
    assert result.rejection is not None and result.rejection.transient


def test_C10_call_activity_with_incident_and_no_child_is_accepted() -> None:
    result = verdict(source="rules/call_v1.bpmn", target="rules/call_v1.bpmn",
                     mappings=[["CA", "CA"]], active=["CA"], incident=["CA"], server="8.8")
    assert result.accepted


def test_C11_second_hop_of_a_converted_user_task_is_accepted() -> None:
    first = verdict(source="rules/users_v1.bpmn", target="rules/users_v2.bpmn",
                    mappings=[["UT", "UT"]], active=["UT"], server="8.9")
    second = verdict(source="rules/users_v2.bpmn", target="rules/users_v2.bpmn",
                     mappings=[["UT", "UT"]], active=["UT"], camunda_user_task={"UT": True},
                     server="8.9")
    assert first.accepted and second.accepted


def test_C14_boundary_event_added_in_the_target_by_version() -> None:
    case = {"source": "rules/tasks_v1.bpmn", "target": "rules/boundary_v1.bpmn",
            "mappings": [["A", "G"]], "active": ["A"]}
    message = rejected_with(verdict(**case, server="8.5"), "Z12")
    assert "target element with id 'G' has one or more boundary events of types 'SIGNAL'" in message
    assert verdict(**case, server="8.6").accepted


def test_C15_unmapped_active_element() -> None:
    message = rejected_with(verdict(**TASKS, mappings=[["A", "A"]], active=["B"]), "Z07")
    assert "no mapping instruction defined for active element with id 'B'" in message


def test_C20_removed_inactive_element_is_no_problem() -> None:
    assert verdict(source="rules/tasks_v2.bpmn", target="rules/tasks_v1.bpmn",
                   mappings=[["A", "A"]], active=["A"]).accepted


def test_C22_job_worker_to_camunda_user_task_warns_about_the_conversion() -> None:
    result = verdict(source="rules/users_v1.bpmn", target="rules/users_v2.bpmn",
                     mappings=[["UT", "UT"]], active=["UT"], server="8.9")
    assert result.accepted and "W11" in [n.code for n in result.notes]


def test_C26_flow_scope_change_in_both_directions() -> None:
    into = verdict(source="rules/scope_v1.bpmn", target="rules/scope_v2.bpmn",
                   mappings=[["A", "A"]], active=["A"])
    assert "expected to be 'P' but was 'Sub'" in rejected_with(into, "Z10")
    out = verdict(source="rules/scope_v1.bpmn", target="rules/scope_v2.bpmn",
                  mappings=[["Sub", "Sub"], ["S1", "S1"]], active=["S1"])
    assert "expected to be 'Sub' but was 'P'" in rejected_with(out, "Z10")


def test_C27_user_task_implementation_change_by_version() -> None:
    case = {"source": "rules/users_v1.bpmn", "target": "rules/users_v2.bpmn"}
    job_to_camunda = {**case, "mappings": [["UT", "UT"]], "active": ["UT"]}
    rejected_with(verdict(**job_to_camunda, server="8.8.19"), "Z09")
    assert verdict(**job_to_camunda, server="8.8.20").accepted
    camunda_to_job = {**case, "mappings": [["UTC", "UTC"]], "active": ["UTC"]}
    rejected_with(verdict(**camunda_to_job, server="8.9"), "Z09")


def test_C28_incident_by_version() -> None:
    case = {**TASKS, "mappings": [["A", "A"]], "active": ["A"], "incident": ["A"]}
    rejected_with(verdict(**case, server="8.4"), "Z21B")
    assert verdict(**case, server="8.5").accepted


def test_C29_child_instance_by_version() -> None:
    case = {**TASKS, "mappings": [["A", "A"]], "active": ["A"], "child_instance": True}
    rejected_with(verdict(**case, server="8.4"), "Z21A")
    assert verdict(**case, server="8.5").accepted


def test_C31a_active_element_not_mapped() -> None:
    rejected_with(verdict(**TASKS, mappings=[], active=["A"]), "Z07")


def test_C31b_element_type_change() -> None:
    rejected_with(verdict(**TASKS, mappings=[["B", "B"]], active=["B"]), "Z08")


def test_C31c_unknown_element_id() -> None:
    rejected_with(verdict(**TASKS, mappings=[["A", "A"], ["Z", "Z"]], active=["A"]), "Z05")


def test_C31d_two_instructions_target_the_same_catch_event() -> None:
    rejected_with(verdict(**BOUNDARY, mappings=[["K", "K"], ["K1", "K2"], ["K2", "K2"]],
                          active=["K"]), "Z14")


def test_C31e_boundary_event_detached_to_another_element() -> None:
    rejected_with(verdict(**BOUNDARY, mappings=[["A", "A"], ["MA", "MA"], ["TA", "TB"]],
                          active=["A"]), "Z13")


def test_C31f_two_source_catch_events_merged() -> None:
    message = rejected_with(verdict(**BOUNDARY, mappings=[["K", "K"], ["K1", "K1"], ["K2", "K1"]],
                                    active=["K"]), "Z14")
    assert "'K1', 'K2'" in message


def test_C31g_catch_event_type_change() -> None:
    rejected_with(verdict(**BOUNDARY, mappings=[["A", "A"], ["TA", "MA"], ["MA", "TA"]],
                          active=["A"]), "Z15")


def test_C31h_pending_message_distribution_is_transient() -> None:
    result = verdict(**BOUNDARY, mappings=[["A", "A"], ["TA", "TA"], ["MA", "MA"]],
                     active=["A"], pending_message_distribution=True)
    rejected_with(result, "Z18A")
    assert result.rejection is not None and result.rejection.transient


def test_C31i_parallel_to_sequential_multi_instance() -> None:
    rejected_with(verdict(source="rules/mi_v1.bpmn", target="rules/mi_v2.bpmn",
                          mappings=[["A", "A"]], active=["A"]), "Z16")


def test_C31j_instance_not_found_or_completed() -> None:
    request, snapshot = build_request({**TASKS, "mappings": [["A", "A"]], "active": ["A"]})
    gone = InstanceSnapshot(snapshot.process_instance_key, "1", "P", elements=())
    result = judge(request, gone)
    assert result.rejection is not None
    assert (result.rejection.code, result.rejection.http_status) == ("Z01", 404)


def test_C31k_unmapped_catch_event_with_the_same_message_name() -> None:
    message = rejected_with(verdict(**BOUNDARY, mappings=[["A", "A"], ["TA", "TA"]],
                                    active=["A"]), "Z18B")
    assert "'cancel'" in message


@pytest.mark.parametrize("target, mappings, code", [
    ("rules/gw_v1.bpmn", [["Y", "Y"], ["F_X_Join", "F_X_Join"]], "Z19A"),
    ("rules/gw_v2_fewer.bpmn", [["X", "X"], ["Join", "Join"], ["F_Y_Join", "F_X_Join"]], "Z19C"),
])
def test_C31l_sequence_flow_without_its_gateway_or_fewer_incoming_flows(
        target: str, mappings: list[list[str]], code: str) -> None:
    active = [mappings[0][0]]
    taken = "F_X_Join" if code == "Z19A" else "F_Y_Join"
    rejected_with(verdict(source="rules/gw_v1.bpmn", target=target, mappings=mappings,
                          active=active, taken_flows={"P": [taken]}), code)


def test_C06_multi_instance_with_a_new_event_sub_process_in_the_target() -> None:
    case = {"source": "rules/mi_v1.bpmn", "target": "rules/mi_esp_v2.bpmn",
            "mappings": [["A", "A"]], "active": ["A"]}
    offline = verdict(**case)
    assert offline.accepted
    assert "N22" in [n.code for n in offline.notes]  # the new start event's key is evaluated
    assert verdict(**case, variables={"k": "order-1"}).accepted
    rejected_with(verdict(**case, variables={}), "Z22")
