"""Offline validation: what Zeebe would say to instances waiting anywhere in the source.

For every element where an instance can wait, a synthetic snapshot is judged with the
plan's instructions. Each distinct rejection becomes one error finding ("instances
waiting at X would be rejected: <Zeebe's reason>") located at the instruction it concerns
(or at the plan's mappings when an instruction is missing); warnings and notes of
accepted snapshots become W/N findings. Bad instructions (Z02, Z05) reject every instance
alike, so they are reported one per instruction and the per-element pass is skipped.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace

from runner.bpmn.model import Element, ProcessModel
from runner.engine.hints import TargetSuggester, fix_line, unknown_id_hint, unmapped_hint
from runner.engine.judge import judge
from runner.engine.mapping import EffectiveInstruction, effective_instructions
from runner.engine.rules import BY_CODE
from runner.engine.state import MigrationRequest, Note, Rejection
from runner.engine.synthetic import SYNTHETIC_INSTANCE_KEY, synthetic_snapshot
from runner.findings import Finding, Location, Severity
from runner.plan.model import Plan

SHOWN_KEY = "<key>"
"""How offline findings show the process instance key in Zeebe's texts."""

JOB_OR_WAIT_TYPES = frozenset({
    "SERVICE_TASK", "USER_TASK", "RECEIVE_TASK", "SEND_TASK", "CALL_ACTIVITY",
    "EVENT_BASED_GATEWAY",
})
"""Elements an instance waits at by nature (script and business rule tasks only when
they are job-based; intermediate catch events unless an event-based gateway waits)."""

JOINING = frozenset({"PARALLEL_GATEWAY", "INCLUSIVE_GATEWAY"})


@dataclass(frozen=True, slots=True)
class WaitState:
    """One synthetic situation: an instance waiting at ``active`` (or at a join)."""

    label: str
    element: Element
    active: tuple[str, ...] = ()
    taken_flows: tuple[tuple[str, tuple[str, ...]], ...] = ()


def _after_event_based_gateway(model: ProcessModel, element: Element) -> bool:
    for flow_id in element.incoming:
        flow = model.get(flow_id)
        origin = model.get(flow.source_ref or "") if flow else None
        if origin is not None and origin.element_type == "EVENT_BASED_GATEWAY":
            return True
    return False


def wait_states(model: ProcessModel) -> list[WaitState]:
    """Every situation offline validation judges, in model order."""
    states: list[WaitState] = []
    for element in model:
        kind = element.element_type
        waits = kind in JOB_OR_WAIT_TYPES or (
            kind in ("SCRIPT_TASK", "BUSINESS_RULE_TASK") and element.job_type is not None
        ) or (kind == "INTERMEDIATE_CATCH_EVENT"
              and not _after_event_based_gateway(model, element))
        if waits:
            states.append(WaitState(f"'{element.id}'", element, (element.id,)))
        elif kind in JOINING and len(element.incoming) > 1 and element.flow_scope:
            for flow in element.incoming:
                states.append(WaitState(
                    f"joining gateway '{element.id}' (flow '{flow}' taken)", element,
                    taken_flows=((element.flow_scope, (flow,)),)))
    return states


def selected_wait_states(model: ProcessModel, plan: Plan) -> list[WaitState]:
    """The wait states the plan's filter can select. With ``activeElementIds`` only instances
    with one of those elements active are migrated: a wait state counts when the element or
    one of its containers is listed."""
    wanted = set(plan.filter.active_element_ids)
    states = wait_states(model)
    if not wanted:
        return states
    return [s for s in states
            if ({s.element.id} | set(model.scope_chain(s.element.id))) & wanted]


def _instruction_locations(plan: Plan, effective: Sequence[EffectiveInstruction]
                           ) -> dict[str, Location]:
    """Element id -> where the first instruction naming it (as source or target) is written;
    auto-mapped instructions are located at ``mappings.auto``. Built once per plan, so that
    locating thousands of findings stays linear."""
    located: dict[str, Location] = {}
    for instruction in effective:
        location = instruction.location or plan.location_of("/mappings/auto")
        located.setdefault(instruction.source, location)
        located.setdefault(instruction.target, location)
    return located


def _instruction_location(plan: Plan, located: dict[str, Location],
                          element_id: str | None) -> Location:
    found = located.get(element_id) if element_id is not None else None
    return found or plan.location_of("/mappings/instructions")


def _related(request: MigrationRequest, ids: Sequence[str | None],
             mapped: dict[str, str]) -> tuple[Location, ...]:
    """BPMN lines of ``ids`` in the source, and of them and their mapped targets in the target
    (``mapped``: the request's instructions as source -> target, built once per plan)."""
    target_ids = [*ids, *(mapped.get(i) for i in ids if i)]
    related: list[Location] = []
    for model, wanted in ((request.source, ids), (request.target, target_ids)):
        for element_id in wanted:
            element = model.get(element_id) if element_id else None
            if element is not None:
                location = Location(model.file, element.line)
                if location not in related:
                    related.append(location)
    return tuple(related)


def _instruction_findings(request: MigrationRequest, plan: Plan,
                          effective: Sequence[EffectiveInstruction]) -> list[Finding]:
    """Z02 and Z05, one finding per bad instruction (Zeebe stops at the first)."""
    findings: list[Finding] = []
    base = synthetic_snapshot(request.source, ())
    whole = judge(request, base).rejection
    if whole is None or whole.code not in ("Z02", "Z05"):
        return findings
    seen: set[str] = set()
    mapped = {i.source: i.target for i in request.instructions}
    for instruction in effective:
        if instruction.source in seen:
            single = replace(request, instructions=(instruction.instruction(),) * 2)
        else:
            single = replace(request, instructions=(instruction.instruction(),))
        seen.add(instruction.source)
        rejection = judge(single, base).rejection
        if rejection is None or rejection.code not in ("Z02", "Z05"):
            continue
        side = "target" if "target element id" in rejection.message else "source"
        hint = (unknown_id_hint(request, instruction, side) if rejection.code == "Z05"
                else "keep one instruction per source element")
        text = rejection.message.replace(SYNTHETIC_INSTANCE_KEY, SHOWN_KEY)
        findings.append(Finding(
            rejection.code, Severity.ERROR,
            f"every instance would be rejected: {text}",
            location=instruction.location or plan.location_of("/mappings/auto"),
            hint=hint, related=_related(request, [instruction.source, instruction.target],
                                                 mapped),
            zeebe_message=text))
    return findings


def _names(labels: list[str]) -> str:
    shown = ", ".join(labels[:5])
    return shown if len(labels) <= 5 else f"{shown} and {len(labels) - 5} more"


def validate_offline(request: MigrationRequest, plan: Plan,
                     effective: Sequence[EffectiveInstruction] | None = None) -> list[Finding]:
    """Findings for ``plan`` judged with ``request`` (whose instructions are the plan's)."""
    if effective is None:
        effective = effective_instructions(plan.mappings, plan.auto_mapping,
                                           request.source, request.target)
    bad = _instruction_findings(request, plan, effective)
    if bad:
        return bad + version_notes(request, plan)

    rejected: dict[tuple[str, str], tuple[Rejection, list[str]]] = {}
    notes: dict[tuple[str, str], Note] = {}
    for state in selected_wait_states(request.source, plan):
        snapshot = synthetic_snapshot(request.source, state.active,
                                      taken_flows=dict(state.taken_flows))
        verdict = judge(request, snapshot)
        if verdict.rejection is not None:
            r = verdict.rejection
            entry = rejected.setdefault((r.code, r.message), (r, []))
            entry[1].append(state.label)
        for n in verdict.notes:
            notes.setdefault((n.code, n.message), n)

    findings: list[Finding] = []
    located = _instruction_locations(plan, effective)
    mapped = {i.source: i.target for i in request.instructions}
    suggester = TargetSuggester(request)
    for rejection, labels in rejected.values():
        text = rejection.message.replace(SYNTHETIC_INSTANCE_KEY, SHOWN_KEY)
        severity = Severity.WARNING if rejection.code == "Z19A" else Severity.ERROR
        hint: str | None
        if rejection.code in ("Z07", "Z19A"):
            hint = unmapped_hint(request, rejection.element_id or "", suggester)
            location = plan.location_of("/mappings/instructions")
        else:
            hint = fix_line(rejection.code)
            location = _instruction_location(plan, located, rejection.element_id)
        findings.append(Finding(
            rejection.code, severity,
            f"instances waiting at {_names(labels)} would be rejected: {text}",
            location=location, hint=hint,
            related=_related(request, [rejection.element_id, request.source.process_id
                                       if rejection.element_id is None else None], mapped),
            zeebe_message=text))
    for n in notes.values():
        severity = Severity.NOTE if n.code.startswith("N") else Severity.WARNING
        findings.append(Finding(
            n.code, severity, n.message,
            location=_instruction_location(plan, located, n.element_id), hint=n.hint,
            related=_related(request, [n.element_id], mapped)))
    return findings + version_notes(request, plan)


N21_MESSAGE = (
    "Camunda {version} rejects process instances with an incident (Z21B) and child "
    "instances of a call activity (Z21A); offline validation cannot see them, the dry run "
    "shows which instances are affected")


def version_notes(request: MigrationRequest, plan: Plan) -> list[Finding]:
    """Notes about the plan as a whole that the server version calls for: N21 on 8.4."""
    if not BY_CODE["N21"].applies_to(request.server):
        return []
    version = f"{request.server.major}.{request.server.minor}"
    return [Finding("N21", Severity.NOTE, N21_MESSAGE.format(version=version),
                    location=plan.location_of("/source/processDefinitionId"),
                    hint="resolve incidents before applying; migrate parent instances only, "
                         "or upgrade the cluster to 8.5 or later")]
