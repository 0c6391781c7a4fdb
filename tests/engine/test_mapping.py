"""Auto-mapping like Operate (same id and same kind) plus explicit entries that win."""

from __future__ import annotations

from runner.engine.mapping import auto_mapped, effective_instructions, is_migratable
from runner.findings import Location
from runner.plan.model import MappingEntry

from .harness import load_model


def test_same_id_same_type_elements_are_auto_mapped() -> None:
    pairs = auto_mapped(load_model("rules/tasks_v1.bpmn"), load_model("rules/tasks_v2.bpmn"))
    # B changes type (service -> user), D is a manual task Operate does not offer, flows and
    # start/end events are never auto-mapped.
    assert pairs == [("A", "A"), ("C", "C")]


def test_events_need_the_same_event_definition() -> None:
    pairs = dict(auto_mapped(load_model("rules/boundary_v1.bpmn"),
                             load_model("rules/boundary_v2.bpmn")))
    assert {"TA", "MA", "TB", "K1", "K2", "SG"} <= set(pairs)
    assert "EscE" not in pairs  # escalation boundaries are not offered by Operate
    assert "NA" not in pairs    # only in the target


def test_multi_instance_needs_the_same_loop_kind() -> None:
    pairs = dict(auto_mapped(load_model("rules/mi_v1.bpmn"), load_model("rules/mi_v2.bpmn")))
    assert "A" not in pairs  # parallel -> sequential
    assert pairs["Sub"] == "Sub" and pairs["S1"] == "S1" and pairs["TS"] == "TS"


def test_event_sub_process_start_events_are_migratable() -> None:
    model = load_model("rules/esp_v1.bpmn")
    assert is_migratable(model, model.elements["EspM_start"])
    assert is_migratable(model, model.elements["EspM"])
    assert not is_migratable(model, model.elements["Start"])


def test_explicit_entries_win_and_keep_their_location() -> None:
    where = Location("plan.yaml", 12, 7)
    effective = effective_instructions(
        [MappingEntry("A", "N", where)], "same-id",
        load_model("rules/tasks_v1.bpmn"), load_model("rules/tasks_v2.bpmn"))
    assert [(e.source, e.target, e.origin) for e in effective] == [
        ("A", "N", "explicit"), ("C", "C", "auto")]
    assert effective[0].location == where and effective[1].location is None


def test_auto_mapping_can_be_switched_off() -> None:
    effective = effective_instructions(
        [MappingEntry("A", "A")], "none",
        load_model("rules/tasks_v1.bpmn"), load_model("rules/tasks_v2.bpmn"))
    assert [(e.source, e.origin) for e in effective] == [("A", "explicit")]


def test_flows_into_joining_gateways_keep_their_id() -> None:
    pairs = auto_mapped(load_model("rules/gw_v1.bpmn"), load_model("rules/gw_v1.bpmn"))
    flows = [s for s, _ in pairs if s.startswith("F_")]
    assert flows == ["F_X_Join", "F_Y_Join"]  # not the flows into tasks or the end event
    renamed = dict(auto_mapped(load_model("rules/gw_v1.bpmn"),
                               load_model("rules/gw_v2_renamed.bpmn")))
    assert "F_X_Join" not in renamed and renamed["F_Y_Join"] == "F_Y_Join"
