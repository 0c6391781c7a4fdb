"""Typed elements are built on first use, yet every load error is still raised at load."""

from __future__ import annotations

import threading

import pytest

from runner.bpmn.lazy_elements import LazyElements
from runner.bpmn.model import Element
from runner.bpmn.parser import parse_bpmn_bytes
from runner.errors import BpmnLoadError

MODEL_NS = "http://www.omg.org/spec/BPMN/20100524/MODEL"


def two_processes(second_body: str) -> bytes:
    return (f'<bpmn:definitions xmlns:bpmn="{MODEL_NS}">\n'
            '<bpmn:process id="p"><bpmn:task id="T"/></bpmn:process>\n'
            f'<bpmn:process id="q">{second_body}</bpmn:process>\n'
            '</bpmn:definitions>').encode()


def test_boundary_event_error_in_a_later_process_is_raised_at_load() -> None:
    data = two_processes('<bpmn:task id="U"/><bpmn:boundaryEvent id="B" attachedToRef="T"/>')
    with pytest.raises(BpmnLoadError) as raised:
        parse_bpmn_bytes(data, "in.bpmn")
    assert [(f.code, f.location.line) for f in raised.value.findings] == [("B08", 3)]
    assert "attached to 'T', which is not an activity of process 'q'" in (
        raised.value.findings[0].message)


def test_duplicate_id_inside_a_process_nobody_reads_is_raised_at_load() -> None:
    with pytest.raises(BpmnLoadError) as raised:
        parse_bpmn_bytes(two_processes('<bpmn:task id="T"/>'), "in.bpmn")
    assert [f.code for f in raised.value.findings] == ["B05"]


def test_elements_are_the_same_whichever_way_they_are_read() -> None:
    document = parse_bpmn_bytes(two_processes('<bpmn:userTask id="U"/>'), "in.bpmn")
    model = document.processes["q"]
    assert isinstance(model.elements, LazyElements)
    assert "U" in model
    assert model.get("U") == model.elements["U"]
    assert list(model.elements) == ["q", "U"]
    assert [e.id for e in model] == ["q", "U"]
    assert dict(model.elements.items()) == {e.id: e for e in model.elements.values()}
    assert len(model.elements) == 2
    assert model.elements == dict(model.elements)
    assert model.elements.get("missing") is None
    assert isinstance(model.elements["U"], Element)
    assert model.elements["U"].element_type == "USER_TASK"
    assert type(model.elements) is dict  # built once, then the model holds the plain dict
    again = parse_bpmn_bytes(two_processes('<bpmn:userTask id="U"/>'), "in.bpmn")
    assert isinstance(again.processes["q"].elements, LazyElements)
    assert again.processes["q"] == model
    assert model == again.processes["q"]


def test_threads_asking_at_once_see_one_build() -> None:
    body = "".join(f'<bpmn:task id="T{i}"/>' for i in range(200))
    model = parse_bpmn_bytes(two_processes(body), "in.bpmn").processes["q"]
    lazy = model.elements
    barrier = threading.Barrier(8)
    seen: list[Element] = []

    def ask() -> None:
        barrier.wait()
        seen.append(lazy["T199"])

    threads = [threading.Thread(target=ask) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(seen) == 8
    assert all(element is seen[0] for element in seen)
    assert model.elements["T199"] is seen[0]
