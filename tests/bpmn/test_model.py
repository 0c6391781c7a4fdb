"""Element.from_fields builds exactly what the dataclass constructor builds."""

from __future__ import annotations

import dataclasses

import pytest

from runner.bpmn.model import Element


def test_from_fields_equals_the_constructor_and_stays_frozen() -> None:
    values = dict(id="T", tag="serviceTask", element_type="SERVICE_TASK", line=3,
                  flow_scope="p", job_type="pay", incoming=("f1",))
    built = Element.from_fields(values)
    assert built == Element(**values)  # type: ignore[arg-type]
    assert repr(built) == repr(Element(**values))  # type: ignore[arg-type]
    assert built.extensions == {} and built.outgoing == () and built.name is None
    with pytest.raises(dataclasses.FrozenInstanceError):
        built.id = "U"  # type: ignore[misc]


def test_each_element_gets_its_own_extensions() -> None:
    values = dict(id="T", tag="task", element_type="TASK", line=1, flow_scope="p")
    assert Element.from_fields(values).extensions is not Element.from_fields(values).extensions


@pytest.mark.parametrize("values", [
    dict(id="T", tag="task", element_type="TASK", line=1),
    dict(id="T", tag="task", element_type="TASK", line=1, flow_scope="p", colour="red"),
])
def test_missing_or_unknown_fields_are_refused_like_the_constructor(
        values: dict[str, object]) -> None:
    with pytest.raises(TypeError):
        Element.from_fields(values)
