"""judge(): order, the process row, moves and notes, beyond what single cases show."""

from __future__ import annotations

from runner.engine.judge import COUNTERS, judge
from runner.engine.rules.command import instance_not_found, target_definition_not_found
from runner.engine.state import ElementInstance, InstanceSnapshot, Instruction, MigrationRequest
from runner.engine.synthetic import synthetic_snapshot
from runner.version import NEWEST, ServerVersion

from .harness import load_model


def request(source: str, target: str, *pairs: tuple[str, str]) -> MigrationRequest:
    return MigrationRequest(load_model(source), load_model(target),
                            tuple(Instruction(s, t) for s, t in pairs), NEWEST)


def test_instance_without_process_row_is_not_found() -> None:
    req = request("rules/tasks_v1.bpmn", "rules/tasks_v1.bpmn", ("A", "A"))
    gone = InstanceSnapshot("2251799813685999", "1", "P", elements=())
    verdict = judge(req, gone)
    assert verdict.rejection == instance_not_found("2251799813685999")
    assert verdict.rejection.http_status == 404
    assert verdict.rejection.message == ("Expected to migrate process instance but no process "
                                         "instance found with key '2251799813685999'")


def test_target_definition_not_found_text() -> None:
    rejection = target_definition_not_found("42")
    assert (rejection.code, rejection.rejection_type) == ("Z03", "NOT_FOUND")
    assert rejection.message == ("Expected to migrate process instance to process definition "
                                 "but no process definition found with key '42'")


def test_moves_list_each_active_element_once_breadth_first() -> None:
    req = request("rules/mi_v1.bpmn", "rules/mi_v1.bpmn", ("Sub", "Sub"), ("S1", "S1"),
                  ("A", "A"))
    snapshot = synthetic_snapshot(req.source, ["S1", "A"])
    verdict = judge(req, snapshot)
    assert verdict.accepted
    assert verdict.moves == (("Sub", "Sub"), ("A", "A"), ("S1", "S1"))


def test_first_failing_element_breadth_first_wins() -> None:
    # The container (level 1) is checked before the task inside it (level 2).
    req = request("rules/scope_v1.bpmn", "rules/scope_v2.bpmn", ("S1", "S1"))
    verdict = judge(req, synthetic_snapshot(req.source, ["S1"]))
    assert verdict.rejection is not None
    assert (verdict.rejection.code, verdict.rejection.element_id) == ("Z07", "Sub")


def test_rejected_instance_carries_no_notes() -> None:
    req = request("rules/tasks_v1.bpmn", "rules/tasks_v2.bpmn", ("A", "A"))
    verdict = judge(req, synthetic_snapshot(req.source, ["A", "C"]))
    assert verdict.rejection is not None and verdict.rejection.code == "Z07"
    assert verdict.notes == () and verdict.moves == ()


def test_instruction_for_the_process_id_is_ignored() -> None:
    req = request("rules/tasks_v1.bpmn", "rules/tasks_q.bpmn", ("P", "A"), ("A", "A"))
    assert judge(req, synthetic_snapshot(req.source, ["A"])).accepted


def test_rest_detail_and_status_follow_the_rejection_type() -> None:
    req = request("rules/tasks_v1.bpmn", "rules/tasks_v2.bpmn", ("A", "Nope"))
    rejection = judge(req, synthetic_snapshot(req.source, ["A"])).rejection
    assert rejection is not None and rejection.http_status == 400
    assert rejection.rest_detail.startswith(
        "Command 'MIGRATE' rejected with code 'INVALID_ARGUMENT': Expected to migrate")


def test_activating_element_opens_no_new_subscriptions() -> None:
    req = request("rules/boundary_v1.bpmn", "rules/boundary_v2.bpmn", ("A", "A"),
                  ("TA", "TA"), ("MA", "MA"))
    snapshot = synthetic_snapshot(req.source, ["A"], variables={}, variables_known=True)
    assert judge(req, snapshot).rejection is not None  # Z22: customerId missing
    rows = tuple(ElementInstance(e.key, e.element_id, e.element_type, e.parent_key,
                                 state="ACTIVATING" if e.element_id == "A" else "ACTIVE")
                 for e in snapshot.elements)
    activating = InstanceSnapshot(snapshot.process_instance_key, "1", "P", rows,
                                  variables={}, variables_known=True)
    assert judge(req, activating).accepted


def test_children_of_an_ad_hoc_inner_instance_keep_the_sub_process_as_flow_scope() -> None:
    req = request("zeebe/adhoc/ahsp1_taskA.bpmn", "zeebe/adhoc/ahsp2_taskB.bpmn",
                  ("ahsp-1", "ahsp-2"), ("taskA", "taskB"))
    key = "2251799813685251"
    rows = (ElementInstance(key, req.source.process_id, "PROCESS", None),
            ElementInstance("11", "ahsp-1", "AD_HOC_SUB_PROCESS", key),
            ElementInstance("12", "ahsp-1#innerInstance", "AD_HOC_SUB_PROCESS_INNER_INSTANCE",
                            "11"),
            ElementInstance("13", "taskA", req.source.elements["taskA"].element_type, "12"))
    verdict = judge(req, InstanceSnapshot(key, "1", req.source.process_id, rows))
    assert verdict.accepted, verdict.rejection
    assert ("ahsp-1#innerInstance", "ahsp-2#innerInstance") in verdict.moves


def test_request_checks_run_once_keep_zeebes_order_and_the_instance_key() -> None:
    # Z21A (8.4, reads the snapshot) comes before Z02 (reads only the request): the cached
    # Z02 must not overtake it, and each instance key gets its own Z02 text.
    duplicate = MigrationRequest(load_model("rules/tasks_v1.bpmn"),
                                 load_model("rules/tasks_v1.bpmn"),
                                 (Instruction("A", "A"), Instruction("A", "B")),
                                 ServerVersion.parse("8.4"))
    child = synthetic_snapshot(duplicate.source, ["A"], parent_process_instance_key="7")
    plain = synthetic_snapshot(duplicate.source, ["A"])
    other = synthetic_snapshot(duplicate.source, ["A"], instance_key="2251799813699999")
    before = COUNTERS.requests_prepared
    child_verdict = judge(duplicate, child)
    assert child_verdict.rejection is not None and child_verdict.rejection.code == "Z21A"
    plain_verdict = judge(duplicate, plain)
    assert plain_verdict.rejection is not None and plain_verdict.rejection.code == "Z02"
    assert COUNTERS.requests_prepared - before == 1
    other_verdict = judge(duplicate, other)
    assert other_verdict.rejection is not None
    assert "'2251799813699999'" in other_verdict.rejection.message
    assert "'2251799813685251'" in plain_verdict.rejection.message
    assert COUNTERS.requests_prepared - before == 2
