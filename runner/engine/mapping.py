"""The mapping instructions a plan sends: its explicit entries plus Operate's auto-mapping.

Operate pre-maps an element when the target has an element with the same id and the same
BPMN type, for the elements it offers for mapping at all (reference section 3); events
need the same event definition, event sub-processes the same trigger, multi-instance
activities the same loop kind. Explicit entries win over auto-mapped ones for the same
source id. Beyond Operate, a sequence flow into a joining (parallel or inclusive) gateway is
mapped to the flow with the same id when that one also ends in a joining gateway: from 8.8
taken flows should be mapped explicitly (reference E4), and the same-id mapping is what
Zeebe assumes for unmapped flows anyway, so it can only avoid trouble.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

from runner.bpmn.model import Element, ProcessModel
from runner.engine.state import Instruction
from runner.findings import Location
from runner.plan.model import AutoMapping, MappingEntry

Origin = Literal["explicit", "auto"]

MIGRATABLE_TAGS = frozenset({
    "serviceTask", "userTask", "subProcess", "adHocSubProcess", "callActivity", "receiveTask",
    "businessRuleTask", "scriptTask", "sendTask", "exclusiveGateway", "eventBasedGateway",
    "inclusiveGateway", "parallelGateway",
})
"""Activities and gateways Operate offers for mapping (event sub-processes included)."""

JOINING_GATEWAYS = frozenset({"PARALLEL_GATEWAY", "INCLUSIVE_GATEWAY"})
_BOUNDARY_EVENTS = frozenset({"MESSAGE", "TIMER", "SIGNAL", "COMPENSATION", "CONDITIONAL"})
_CATCH_EVENTS = frozenset({"MESSAGE", "TIMER", "SIGNAL", "CONDITIONAL"})
_EVENT_SUB_PROCESS_STARTS = frozenset(
    {"MESSAGE", "TIMER", "SIGNAL", "ERROR", "ESCALATION", "CONDITIONAL"})


@dataclass(frozen=True, slots=True)
class EffectiveInstruction:
    """One instruction the migration command will carry, and where it comes from."""

    source: str
    target: str
    origin: Origin
    location: Location | None = None
    """The plan entry for explicit instructions; None for auto-mapped ones."""

    def instruction(self) -> Instruction:
        """The instruction as the engine and the cluster take it."""
        return Instruction(self.source, self.target)


def is_migratable(model: ProcessModel, element: Element) -> bool:
    """Whether Operate offers ``element`` for mapping."""
    if element.tag in MIGRATABLE_TAGS:
        return True
    event_type = element.event_type or "NONE"
    if element.element_type == "BOUNDARY_EVENT":
        return event_type in _BOUNDARY_EVENTS
    if element.element_type == "INTERMEDIATE_CATCH_EVENT":
        return event_type in _CATCH_EVENTS
    if element.element_type == "START_EVENT":
        scope = model.get(element.flow_scope or "")
        return scope is not None and scope.is_event_sub_process and \
            event_type in _EVENT_SUB_PROCESS_STARTS
    return False


def _trigger(model: ProcessModel, element: Element) -> tuple[str | None, ...]:
    return tuple(sorted((s.event_type or "NONE") for s in model.start_events(element.id)))


def same_kind(source: ProcessModel, s: Element, target: ProcessModel, t: Element) -> bool:
    """Operate's notion of "same type": tag, event definition, trigger, loop kind."""
    if s.tag != t.tag or s.element_type != t.element_type:
        return False
    if s.event_type != t.event_type or s.multi_instance != t.multi_instance:
        return False
    if s.is_event_sub_process:
        return _trigger(source, s) == _trigger(target, t)
    return True


def _into_join(model: ProcessModel, flow: Element) -> bool:
    gateway = model.get(flow.target_ref or "")
    return gateway is not None and gateway.element_type in JOINING_GATEWAYS and \
        len(gateway.incoming) > 1


def auto_mapped(source: ProcessModel, target: ProcessModel) -> list[tuple[str, str]]:
    """(id, id) for every migratable source element with a same-kind twin in the target,
    and for sequence flows into joining gateways that keep their id (see module docs)."""
    pairs: list[tuple[str, str]] = []
    for element in source:
        twin = target.get(element.id)
        if twin is None or element.element_type == "PROCESS":
            continue
        if element.element_type == "SEQUENCE_FLOW":
            if twin.element_type == "SEQUENCE_FLOW" and _into_join(source, element) and \
                    _into_join(target, twin):
                pairs.append((element.id, element.id))
            continue
        if is_migratable(source, element) and is_migratable(target, twin) and \
                same_kind(source, element, target, twin):
            pairs.append((element.id, element.id))
    return pairs


def effective_instructions(plan_mappings: Sequence[MappingEntry], auto: AutoMapping,
                           source: ProcessModel,
                           target: ProcessModel) -> tuple[EffectiveInstruction, ...]:
    """The plan's explicit instructions (in plan order), then auto-mapped ones they leave."""
    explicit = [EffectiveInstruction(m.source, m.target, "explicit", m.location)
                for m in plan_mappings]
    if auto != "same-id":
        return tuple(explicit)
    taken = {m.source for m in plan_mappings}
    automatic = [EffectiveInstruction(s, t, "auto") for s, t in auto_mapped(source, target)
                 if s not in taken]
    return (*explicit, *automatic)
