"""The sandbox's pure parts: filter operators, paging keys, fault options, element trees."""

from __future__ import annotations

import pytest

from runner.bpmn.parser import load_bpmn
from runner.sandbox.faults import FaultPlanError, merge_options, parse_option, parse_plan
from runner.sandbox.filters import FilterError, compile_property, parse_date_ms
from runner.sandbox.paging import PageRequest, SortSpec, paginate, parse_page
from runner.sandbox.tree import TreeError, build_template, migrate_template

from .helpers import DATA


def test_filter_operators() -> None:
    like = compile_property({"$like": "ord*-1?"}, "string", "f")
    assert like("order-12") and not like("order-123") and not like(None)
    keys = compile_property({"$in": ["5", 7]}, "key", "f")
    assert keys(5) and keys(7) and not keys(6)
    dates = compile_property({"$gte": "2026-01-01T00:00:00Z", "$lt": "2026-02-01T00:00:00+01:00"},
                             "date", "f")
    assert dates(parse_date_ms("2026-01-31T22:59:59Z"))
    assert not dates(parse_date_ms("2026-01-31T23:00:00Z"))
    assert compile_property({"$exists": False}, "key", "f")(None)
    assert compile_property("active", "enum", "state")("ACTIVE")
    for bad in ({"$gt": True}, {"$near": 1}, {}):
        with pytest.raises(FilterError):
            compile_property(bad, "int", "f")
    with pytest.raises(FilterError):
        parse_date_ms("2026-01-01T00:00:00")  # no offset


def test_descending_sort_and_cursors() -> None:
    spec = SortSpec((("startDate", True),))
    rows = sorted([[3, 1], [None, 2], [5, 3], [3, 4]], key=spec.key)
    assert rows == [[5, 3], [3, 1], [3, 4], [None, 2]]  # nulls last
    keys = [spec.key(r) for r in rows]
    start, end = paginate(keys, rows, spec, PageRequest(2, None, [3, 1], None))
    assert rows[start:end] == [[3, 4], [None, 2]]
    with pytest.raises(FilterError):
        parse_page({"after": "not base64!"}, cursor_style=True)
    with pytest.raises(FilterError):
        parse_page({"limit": 0}, cursor_style=False)


def test_fault_options() -> None:
    assert parse_option("unavailable=0.1@migrate") == {
        "rules": [{"kind": "unavailable", "rate": 0.1, "routes": ["migrate"]}]}
    assert parse_option("throttle=1x2") == {"rules": [{"kind": "throttle", "rate": 1.0,
                                                       "times": 2}]}
    assert parse_option("drop=0.5@definition-xmlx3")["rules"][0]["routes"] == \
        ["definition-xml"]
    plan = parse_plan(merge_options(["latency=5", "lag=300", "seed=9", "exhausted=0.2"]))
    assert (plan.latency_ms, plan.search_lag_ms, plan.seed) == (5, 300, 9)
    assert [r.kind for r in plan.rules] == ["exhausted"]
    for bad in ("latency", "drop=fast", "latency=x"):
        with pytest.raises(FaultPlanError):
            parse_plan(merge_options([bad]))


def test_trees_share_containers_and_survive_migration() -> None:
    model = load_bpmn(DATA / "shipping.v1.bpmn").processes["shipping"]
    template = build_template(model, ["Task_Box", "Task_Label"], inner_instances=2)
    assert [(r.offset, r.element_id, r.element_type, r.parent_offset) for r in template.rows] \
        == [(0, "shipping", "PROCESS", None), (1, "Sub_Pack", "SUB_PROCESS", 0),
            (2, "Task_Box", "SERVICE_TASK", 1), (3, "Task_Label", "MULTI_INSTANCE_BODY", 1),
            (4, "Task_Label", "SERVICE_TASK", 3), (5, "Task_Label", "SERVICE_TASK", 3)]
    assert template.incident_row() == 2
    target = load_bpmn(DATA / "shipping.v2.bpmn").processes["shipping"]
    moved = migrate_template(template, target, {"Task_Box": "Task_Box"})
    assert [r.element_type for r in moved.rows][2] == "SEND_TASK"
    assert [r.offset for r in moved.rows] == [r.offset for r in template.rows]
    with pytest.raises(TreeError):
        build_template(model, ["Flow_1"])
