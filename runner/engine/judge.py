"""judge(): Zeebe's verdict on one MIGRATE command for one process instance.

The order is Zeebe's (reference 1.2 and E14): the command checks once; then breadth first
from the process instance, per element instance: the element checks, the joining gateways
of its scope, the user task conversion, the catch events. The first failing rule rejects
the whole command. Accepted instances collect the warnings (silent traps) that apply.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache
from types import MappingProxyType

from runner.engine.rules import REGISTRY, Rule, Stage
from runner.engine.rules.base import RejectionCheck, WarningCheck
from runner.engine.state import (
    ElementInstance,
    InstanceSnapshot,
    MigrationRequest,
    Note,
    Rejection,
    Verdict,
)
from runner.engine.visit import INNER_INSTANCE_SUFFIX, Command, Visit
from runner.version import ServerVersion

INSTANCE_STAGES = (Stage.ELEMENT, Stage.GATEWAYS, Stage.CONVERSION, Stage.CATCH_EVENTS)


def build_id_map(request: MigrationRequest) -> dict[str, str]:
    """Instructions as Zeebe's id map: the process id always maps to the target process id,
    and a mapped ad-hoc sub-process maps its inner instances unless they are mapped."""
    id_map = {i.source: i.target for i in request.instructions}
    for instruction in request.instructions:
        source = request.source.get(instruction.source)
        target = request.target.get(instruction.target)
        if source is not None and target is not None and \
                source.element_type == target.element_type == "AD_HOC_SUB_PROCESS":
            id_map.setdefault(instruction.source + INNER_INSTANCE_SUFFIX,
                              instruction.target + INNER_INSTANCE_SUFFIX)
    id_map[request.source.process_id] = request.target.process_id
    return id_map


@dataclass(frozen=True, slots=True)
class PreparedRequest:
    """What judge() derives from a request and an instance key alone, once: the id map, the
    instructions' target ids, and the first request-only command check that rejects."""

    request: MigrationRequest
    key: str
    id_map: Mapping[str, str]
    targeted: frozenset[str]
    rejecting_check: int | None
    """Index in the server's command checks of the first request-only check that rejects."""
    rejection: Rejection | None


@dataclass(slots=True)
class EngineCounters:
    """Diagnostics: how often judge() did work it does once per request."""

    requests_prepared: int = 0
    """Times the request-only command checks (Z02, Z05, Z11 before 8.6) ran."""


COUNTERS = EngineCounters()

_last_prepared: PreparedRequest | None = None


def prepare(request: MigrationRequest, snapshot: InstanceSnapshot) -> PreparedRequest:
    """The PreparedRequest of ``request`` for the instance key of ``snapshot``, kept for the
    request and key judged last: offline validation judges one request against every wait
    state of the source in a row (all with the same synthetic key)."""
    global _last_prepared
    key = snapshot.process_instance_key
    last = _last_prepared
    if last is not None and last.request is request and last.key == key:
        return last
    COUNTERS.requests_prepared += 1
    id_map = MappingProxyType(build_id_map(request))
    targeted = frozenset(i.target for i in request.instructions)
    cmd = Command(request, snapshot, id_map, targeted)
    visit = Visit.of(cmd, ElementInstance(key, request.source.process_id, "PROCESS", None),
                     None, request.source.root)
    rejecting: int | None = None
    rejection: Rejection | None = None
    checks, request_only = _command_checks_for(request.server)
    for index, check in enumerate(checks):
        if request_only[index]:
            rejection = check(visit)
            if rejection is not None:
                rejecting = index
                break
    prepared = PreparedRequest(request, key, id_map, targeted, rejecting, rejection)
    _last_prepared = prepared
    return prepared


@lru_cache(maxsize=32)
def rules_for(server: ServerVersion) -> dict[Stage, list[Rule]]:
    """The rules a server of this version runs, by stage, in registry order."""
    active = [r for r in REGISTRY if r.applies_to(server)]
    return {stage: [r for r in active if r.stage == stage] for stage in Stage}


@lru_cache(maxsize=32)
def _checks_for(server: ServerVersion) -> tuple[
        tuple[RejectionCheck, ...], tuple[WarningCheck, ...]]:
    """The per-instance checks of all INSTANCE_STAGES in order and the trap warnings of a
    server of this version."""
    staged = rules_for(server)
    instance = tuple(r.check for stage in INSTANCE_STAGES for r in staged[stage]
                     if r.check is not None)
    traps = tuple(r.warn for r in staged[Stage.TRAP] if r.warn is not None)
    return instance, traps


@lru_cache(maxsize=32)
def _command_checks_for(server: ServerVersion) -> tuple[
        tuple[RejectionCheck, ...], tuple[bool, ...]]:
    """The command checks of a server of this version, in order, and which are request-only."""
    rules = [r for r in rules_for(server)[Stage.COMMAND] if r.check is not None]
    return tuple(r.check for r in rules if r.check is not None), tuple(
        r.request_only for r in rules)


def _command_rejection(prepared: PreparedRequest, visit: Visit) -> Rejection | None:
    """The first command check that rejects, in Zeebe's order: the snapshot's own checks run
    here, the request-only ones were run once by prepare()."""
    checks, request_only = _command_checks_for(prepared.request.server)
    for index, check in enumerate(checks):
        if index == prepared.rejecting_check:
            return prepared.rejection
        if not request_only[index]:
            rejection = check(visit)
            if rejection is not None:
                return rejection
    return None


def _first_rejection(checks: tuple[RejectionCheck, ...], visit: Visit) -> Rejection | None:
    for check in checks:
        rejection = check(visit)
        if rejection is not None:
            return rejection
    return None


def judge(request: MigrationRequest, snapshot: InstanceSnapshot) -> Verdict:
    """Judge migrating ``snapshot`` as ``request`` says, exactly as Zeebe would."""
    instance_checks, trap_warnings = _checks_for(request.server)
    prepared = prepare(request, snapshot)
    cmd = Command(request, snapshot, prepared.id_map, prepared.targeted)
    process_row = next((e for e in snapshot.elements if e.element_type == "PROCESS"), None)
    root = process_row or ElementInstance(snapshot.process_instance_key,
                                          request.source.process_id, "PROCESS", None)
    rejection = _command_rejection(prepared, Visit.of(cmd, root, None, request.source.root))
    if rejection is not None or process_row is None:
        return Verdict(rejection)

    by_key = {e.key: e for e in snapshot.elements}
    visits: list[Visit] = []
    queue: deque[ElementInstance] = deque([process_row])
    while queue:
        instance = queue.popleft()
        parent = by_key.get(instance.parent_key or "")
        visit = Visit.of(cmd, instance, parent, request.source.get(instance.element_id))
        rejection = _first_rejection(instance_checks, visit)
        if rejection is not None:
            return Verdict(rejection)
        visits.append(visit)
        queue.extend(cmd.children_of(instance.key))

    notes: list[Note] = []
    for visit in visits:
        for warn in trap_warnings:
            notes.extend(n for n in warn(visit) if n not in notes)
    moves: list[tuple[str, str]] = []
    for visit in visits:
        move = (visit.element_id, visit.target_id or "")
        if visit.role != "process" and move not in moves:
            moves.append(move)
    return Verdict(None, tuple(notes), tuple(moves))
