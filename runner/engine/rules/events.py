"""Per element instance, part 2: event sub-processes, boundary and catch events, loops."""

from __future__ import annotations

from runner.bpmn.model import Element, ProcessModel
from runner.engine import versions
from runner.engine.index import index_of
from runner.engine.rules.base import Stage, rule
from runner.engine.state import Rejection
from runner.engine.visit import Visit
from runner.version import ServerVersion


def _unsupported_esp_types(model: ProcessModel, element_id: str,
                           server: ServerVersion) -> list[str]:
    return [start.event_type or "NONE"
            for esp in index_of(model).event_sub_processes(element_id)
            for start in index_of(model).start_events(esp.id)
            if not versions.event_sub_process_type_supported(start.event_type or "NONE", server)]


@rule("Z11", Stage.ELEMENT, since="8.6", rejection_type="INVALID_STATE")
def supported_event_sub_processes(v: Visit) -> Rejection | None:
    """Event sub-processes in an active container must have supported start events

    For each active process or sub-process (and its target) Zeebe looks at the event
    sub-processes directly inside it. Allowed start event types: 8.6 message, timer,
    signal, error; 8.7 adds escalation; 8.9 adds conditional. The source is checked first.
    Before 8.6 any event sub-process rejected the migration (also reported as Z11).
    Example: on 8.6, a process with an escalation event sub-process: rejected.
    Fix: upgrade the cluster, or remove the unsupported event sub-process.
    """
    if v.role in ("body", "inner") or v.source is None or not v.source.is_container:
        return None
    rejected = _unsupported_esp_types(v.cmd.source, v.element_id, v.server)
    if rejected:
        return Rejection(
            "Z11", "INVALID_STATE",
            f"Expected to migrate process instance '{v.key}' but active process with id "
            f"'{v.element_id}' has one or more event subprocesses with start events of types "
            f"'{','.join(rejected)}'. Migrating event subprocesses with start events of these "
            "types is not possible yet.", element_id=v.element_id)
    target = v.target
    if target is None or target.multi_instance or not target.is_container:
        return None
    rejected = _unsupported_esp_types(v.cmd.target, target.id, v.server)
    if rejected:
        return Rejection(
            "Z11", "INVALID_STATE",
            f"Expected to migrate process instance '{v.key}' but target process with id "
            f"'{target.id}' has one or more event subprocesses with start events of types "
            f"'{','.join(rejected)}'. Migrating event subprocesses with start events of these "
            "types is not possible yet.", element_id=v.element_id)
    return None


def _unsupported_boundary_types(model: ProcessModel, element_id: str,
                                server: ServerVersion) -> list[str]:
    return [b.event_type or "NONE" for b in index_of(model).boundary_events(element_id)
            if not versions.boundary_type_supported(b.event_type or "NONE", server)]


@rule("Z12", Stage.ELEMENT, rejection_type="INVALID_STATE")
def supported_boundary_events(v: Visit) -> Rejection | None:
    """Boundary events on the active element and on its target must be of supported types

    Allowed boundary event types: 8.5 message and timer; 8.6 adds signal and error; 8.7
    adds escalation and compensation; 8.9 adds conditional (8.4 allowed none). The active
    element is checked first, then its target.
    Example: a task with an escalation boundary event on 8.6: rejected; on 8.7: accepted.
    Fix: upgrade the cluster, or let instances pass the element before migrating them.
    """
    if v.role == "process":
        return None
    rejected = _unsupported_boundary_types(v.cmd.source, v.element_id, v.server)
    if rejected:
        return Rejection(
            "Z12", "INVALID_STATE",
            f"Expected to migrate process instance '{v.key}' but active element with id "
            f"'{v.element_id}' has one or more boundary events of types '{','.join(rejected)}'. "
            "Migrating active elements with boundary events of these types is not possible yet.",
            element_id=v.element_id)
    target_id = v.target_id
    if target_id is None:
        return None
    rejected = _unsupported_boundary_types(v.cmd.target, target_id, v.server)
    if rejected:
        return Rejection(
            "Z12", "INVALID_STATE",
            f"Expected to migrate process instance '{v.key}' but target element with id "
            f"'{target_id}' has one or more boundary events of types '{','.join(rejected)}'. "
            "Migrating target elements with boundary events of these types is not possible yet.",
            element_id=v.element_id)
    return None


def _mapped_catch_events(v: Visit) -> list[tuple[Element, str]]:
    return [(event, v.cmd.id_map[event.id]) for event in v.source_catch_events()
            if event.id in v.cmd.id_map]


@rule("Z13", Stage.ELEMENT, since="8.5", rejection_type="INVALID_STATE")
def catch_events_stay_attached(v: Visit) -> Rejection | None:
    """A mapped catch event must stay attached to the same element

    The catch events of an element instance are its boundary events, the start events of
    event sub-processes directly inside it, and for an event-based gateway the events after
    it. When such a catch event is mapped, its target must be a catch event of the active
    element's target. Unmapped catch events are not checked (they are closed; see W07).
    Example: `Task_A -> Task_A`, boundary `Timer_A -> Timer_B` where `Timer_B` is attached
    to `Task_B`: rejected.
    Fix: map the catch event to one on the same target element, or drop its instruction.
    """
    target_id = v.target_id
    if target_id is None:
        return None
    target_events = {e.id for e in v.target_catch_events()}
    for event, mapped_to in _mapped_catch_events(v):
        if mapped_to in target_events:
            continue
        if v.server < ServerVersion(8, 6):
            text = (f"Expected to migrate process instance '{v.key}' but active element with "
                    f"id '{v.element_id}' is mapped to an element with id '{target_id}' and has "
                    f"a boundary event with id '{event.id}' that is mapped to an element with id "
                    f"'{mapped_to}'. These mappings detach the boundary event from the element "
                    "in the target process. Boundary events must stay attached to the same "
                    "element instance.")
        else:
            text = (f"Expected to migrate process instance '{v.key}' but active element with "
                    f"id '{v.element_id}' is mapped to an element with id '{target_id}' and has "
                    f"a catch event with id '{event.id}' that is mapped to a catch event with id "
                    f"'{mapped_to}'. These mappings detach the catch event from the element in "
                    "the target process. Catch events must stay attached to the same element "
                    "instance.")
        return Rejection("Z13", "INVALID_STATE", text, element_id=event.id)
    return None


@rule("Z14", Stage.ELEMENT, since="8.5", rejection_type="INVALID_STATE")
def catch_events_not_merged(v: Visit) -> Rejection | None:
    """Two catch events of one element cannot be mapped to the same catch event

    Merging would subscribe one element instance twice to the same event, so Zeebe
    rejects it. The rejection lists the source catch events, sorted.
    Example: boundaries `Timer_1 -> Timer_X` and `Timer_2 -> Timer_X` on `Task_A`.
    Fix: map each catch event to its own target, or leave one unmapped.
    """
    by_target: dict[str, list[str]] = {}
    for event, mapped_to in _mapped_catch_events(v):
        by_target.setdefault(mapped_to, []).append(event.id)
    for mapped_to, sources in by_target.items():
        if len(sources) > 1:
            listed = "', '".join(sorted(sources))
            return Rejection(
                "Z14", "INVALID_STATE",
                f"Expected to migrate process instance '{v.key}' but active element with id "
                f"'{v.element_id}' has a catch event attached that is mapped to a catch event "
                f"with id '{mapped_to}'. There are multiple mapping instructions that target "
                f"this catch event: '{listed}'. Catch events cannot be merged by process "
                "instance migration. Please ensure the mapping instructions target a catch "
                "event only once.", element_id=sorted(sources)[0])
    return None


@rule("Z15", Stage.ELEMENT, since="8.6", rejection_type="INVALID_STATE")
def catch_event_type_unchanged(v: Visit) -> Rejection | None:
    """A mapped catch event keeps its event type

    A message catch event stays a message catch event, a timer a timer, and so on.
    Changing between interrupting and non-interrupting is allowed.
    Example: message boundary `Evt_1` mapped to timer boundary `Evt_1`: rejected.
    Fix: remove the instruction (the old event is closed, the new one opened; see W07).
    """
    for event, mapped_to in _mapped_catch_events(v):
        target_event = v.cmd.target.get(mapped_to)
        if target_event is None:
            continue
        source_type = event.event_type or "NONE"
        target_type = target_event.event_type or "NONE"
        if source_type != target_type:
            return Rejection(
                "Z15", "INVALID_STATE",
                f"Expected to migrate process instance '{v.key}' but active element with id "
                f"'{v.element_id}' has a catch event with id '{event.id}' that is mapped to a "
                f"catch event with id '{mapped_to}'. These catch events have different event "
                f"types: '{source_type}' and '{target_type}'. The event type of a catch event "
                "cannot be changed by process instance migration. Please ensure the event type "
                "of the catch event remains the same or remove the mapping instruction for "
                "these catch events.", element_id=event.id)
    return None


@rule("Z16", Stage.ELEMENT, since="8.6", rejection_type="INVALID_STATE")
def same_loop_characteristics(v: Visit) -> Rejection | None:
    """A multi-instance activity keeps its loop kind (parallel or sequential)

    When both the source and the target are multi-instance, both must be parallel or both
    sequential. The body and its inner instances share the id, so one instruction maps
    both. Adding or removing the marker is a type change (Z08).
    Example: parallel multi-instance `Review` mapped to sequential `Review`: rejected.
    Fix: keep the loop kind, or wait for the multi-instance activity to complete.
    """
    source, target = v.source, v.target
    if source is None or target is None or not source.multi_instance:
        return None
    if not target.multi_instance or source.multi_instance == target.multi_instance:
        return None
    return Rejection(
        "Z16", "INVALID_STATE",
        f"Expected to migrate process instance '{v.key}' but active element with id "
        f"'{v.element_id}' has a different loop characteristics than the target element with "
        f"id '{target.id}'. Both elements must have either sequential or parallel loop "
        "characteristics.", element_id=v.element_id)


@rule("Z17", Stage.ELEMENT, rejection_type="INVALID_STATE", transient=True)
def no_concurrent_command(v: Visit) -> Rejection | None:
    """The instance must be in a wait state (no concurrent command); retry later

    If a command for the instance is still waiting to be processed (a job was completed,
    a timer, message or signal triggered, a token is in transit on a sequence flow, or all
    incoming flows of a joining gateway are taken), Zeebe rejects the migration. This is a
    runtime condition: offline validation cannot see it (note N17); apply retries it.
    Example: migrating while a worker completes the job of `Task_A`.
    Fix: none needed; retry the migration after a short wait.
    """
    if not v.cmd.snapshot.pending_command:
        return None
    return Rejection(
        "Z17", "INVALID_STATE",
        f"Expected to migrate process instance '{v.key}' but a concurrent command was executed "
        "on the process instance. Please retry the migration.", transient=True)
