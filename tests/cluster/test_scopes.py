"""Element-instance trees from rows and the BPMN model alone (no parent keys in the rows)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from runner.bpmn.model import ProcessModel
from runner.bpmn.parser import load_bpmn
from runner.cluster.scopes import tree_from_model

DATA = Path(__file__).resolve().parent / "data"
PI = "1000"


def model() -> ProcessModel:
    found = load_bpmn(DATA / "scopes.v1.bpmn").process("scopes")
    assert found is not None
    return found


def row(key: int, element_id: str, element_type: str, **extra: Any) -> dict[str, Any]:
    return {"elementInstanceKey": str(key), "elementId": element_id, "type": element_type,
            "state": "ACTIVE", "processInstanceKey": PI, "processDefinitionId": "scopes",
            **extra}


def shape(rows: list[dict[str, Any]]) -> list[tuple[str, str, str | None, bool]] | None:
    tree = tree_from_model(PI, rows, model())
    if tree is None:
        return None
    return [(e.key, e.element_id, e.parent_key, e.is_inner_instance) for e in tree]


def test_nested_sub_processes_hang_under_their_scopes() -> None:
    rows = [row(1000, "scopes", "PROCESS"), row(1003, "DeepTask", "SERVICE_TASK"),
            row(1001, "Outer", "SUB_PROCESS"), row(1002, "Deep", "SUB_PROCESS")]
    assert shape(rows) == [("1000", "scopes", None, False), ("1001", "Outer", "1000", False),
                           ("1002", "Deep", "1001", False), ("1003", "DeepTask", "1002", False)]


def test_without_a_process_row_the_process_comes_from_the_rows() -> None:
    rows = [row(1001, "Guarded", "SERVICE_TASK", hasIncident=True)]
    tree = tree_from_model(PI, rows, model())
    assert tree is not None
    assert [(e.key, e.element_id, e.element_type) for e in tree] == [
        (PI, "scopes", "PROCESS"), ("1001", "Guarded", "SERVICE_TASK")]
    assert tree[1].has_incident and not tree[0].has_incident


def test_multi_instance_task_inner_instances_sit_under_the_body() -> None:
    rows = [row(1001, "Each", "MULTI_INSTANCE_BODY"), row(1002, "Each", "SERVICE_TASK"),
            row(1003, "Each", "SERVICE_TASK")]
    assert shape(rows) == [(PI, "scopes", None, False), ("1001", "Each", PI, False),
                           ("1002", "Each", "1001", True), ("1003", "Each", "1001", True)]


def test_one_inner_instance_of_a_multi_instance_sub_process_is_decided() -> None:
    rows = [row(1001, "Fanout", "MULTI_INSTANCE_BODY"), row(1002, "Fanout", "SUB_PROCESS"),
            row(1003, "FanoutTask", "SERVICE_TASK")]
    assert shape(rows) == [(PI, "scopes", None, False), ("1001", "Fanout", PI, False),
                           ("1002", "Fanout", "1001", True),
                           ("1003", "FanoutTask", "1002", False)]


def test_children_of_several_inner_instances_are_undecided() -> None:
    rows = [row(1001, "Fanout", "MULTI_INSTANCE_BODY"), row(1002, "Fanout", "SUB_PROCESS"),
            row(1003, "Fanout", "SUB_PROCESS"), row(1004, "FanoutTask", "SERVICE_TASK")]
    assert shape(rows) is None


def test_several_inner_instances_without_children_are_decided() -> None:
    rows = [row(1001, "Fanout", "MULTI_INSTANCE_BODY"), row(1002, "Fanout", "SUB_PROCESS"),
            row(1003, "Fanout", "SUB_PROCESS")]
    assert shape(rows) == [(PI, "scopes", None, False), ("1001", "Fanout", PI, False),
                           ("1002", "Fanout", "1001", True), ("1003", "Fanout", "1001", True)]


def test_event_sub_process_children_sit_in_it() -> None:
    rows = [row(1001, "Guarded", "SERVICE_TASK"), row(1002, "Poked", "EVENT_SUB_PROCESS"),
            row(1003, "PokedTask", "SERVICE_TASK")]
    assert shape(rows) == [(PI, "scopes", None, False), ("1001", "Guarded", PI, False),
                           ("1002", "Poked", PI, False), ("1003", "PokedTask", "1002", False)]


def test_an_active_element_without_its_scope_instance_is_undecided() -> None:
    assert shape([row(1003, "DeepTask", "SERVICE_TASK")]) is None


def test_inner_instances_without_a_body_are_undecided() -> None:
    assert shape([row(1002, "Each", "SERVICE_TASK")]) is None


def test_a_body_row_of_an_element_that_is_not_multi_instance_is_undecided() -> None:
    assert shape([row(1001, "Guarded", "MULTI_INSTANCE_BODY")]) is None


def test_an_element_the_model_does_not_know_is_undecided() -> None:
    assert shape([row(1001, "Elsewhere", "SERVICE_TASK")]) is None


def test_ad_hoc_inner_instances_are_undecided() -> None:
    assert shape([row(1001, "Guarded", "AD_HOC_SUB_PROCESS_INNER_INSTANCE")]) is None
