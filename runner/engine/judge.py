"""judge(): Zeebe's verdict on one MIGRATE command for one process instance.

The order is Zeebe's (reference 1.2 and E14): the command checks once; then breadth first
from the process instance, per element instance: the element checks, the joining gateways
of its scope, the user task conversion, the catch events. The first failing rule rejects
the whole command. Accepted instances collect the warnings (silent traps) that apply.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Mapping
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


_last_id_map: tuple[MigrationRequest, Mapping[str, str]] | None = None


def _id_map_of(request: MigrationRequest) -> Mapping[str, str]:
    """build_id_map, kept for the request judged last: offline validation judges one
    request against every wait state of the source in a row."""
    global _last_id_map
    last = _last_id_map
    if last is not None and last[0] is request:
        return last[1]
    id_map = MappingProxyType(build_id_map(request))
    _last_id_map = (request, id_map)
    return id_map


@lru_cache(maxsize=32)
def rules_for(server: ServerVersion) -> dict[Stage, list[Rule]]:
    """The rules a server of this version runs, by stage, in registry order."""
    active = [r for r in REGISTRY if r.applies_to(server)]
    return {stage: [r for r in active if r.stage == stage] for stage in Stage}


@lru_cache(maxsize=32)
def _checks_for(server: ServerVersion) -> tuple[
        tuple[RejectionCheck, ...], tuple[RejectionCheck, ...], tuple[WarningCheck, ...]]:
    """The command checks, the per-instance checks of all INSTANCE_STAGES in order, and the
    trap warnings, of a server of this version."""
    staged = rules_for(server)
    command = tuple(r.check for r in staged[Stage.COMMAND] if r.check is not None)
    instance = tuple(r.check for stage in INSTANCE_STAGES for r in staged[stage]
                     if r.check is not None)
    traps = tuple(r.warn for r in staged[Stage.TRAP] if r.warn is not None)
    return command, instance, traps


def _first_rejection(checks: tuple[RejectionCheck, ...], visit: Visit) -> Rejection | None:
    for check in checks:
        rejection = check(visit)
        if rejection is not None:
            return rejection
    return None


def judge(request: MigrationRequest, snapshot: InstanceSnapshot) -> Verdict:
    """Judge migrating ``snapshot`` as ``request`` says, exactly as Zeebe would."""
    command_checks, instance_checks, trap_warnings = _checks_for(request.server)
    cmd = Command(request, snapshot, _id_map_of(request))
    process_row = next((e for e in snapshot.elements if e.element_type == "PROCESS"), None)
    root = process_row or ElementInstance(snapshot.process_instance_key,
                                          request.source.process_id, "PROCESS", None)
    rejection = _first_rejection(command_checks,
                                 Visit.of(cmd, root, None, request.source.root))
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
