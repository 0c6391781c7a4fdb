"""Checks Zeebe runs once per MIGRATE command, before visiting any element instance."""

from __future__ import annotations

from runner.engine.rules.base import Stage, note, rule
from runner.engine.state import Rejection
from runner.engine.visit import Visit, element_exists

INSTANCE_NOT_FOUND = (
    "Expected to migrate process instance but no process instance found with key '{key}'"
)
TARGET_NOT_FOUND = (
    "Expected to migrate process instance to process definition but no process definition "
    "found with key '{key}'"
)


def instance_not_found(process_instance_key: str) -> Rejection:
    """The Z01 rejection, for callers that hold instances (the sandbox) and find none."""
    return Rejection("Z01", "NOT_FOUND", INSTANCE_NOT_FOUND.format(key=process_instance_key))


def target_definition_not_found(definition_key: str) -> Rejection:
    """The Z03 rejection, for callers that resolve definition keys (the sandbox)."""
    return Rejection("Z03", "NOT_FOUND", TARGET_NOT_FOUND.format(key=definition_key))


@rule("Z01", Stage.COMMAND, rejection_type="NOT_FOUND")
def process_instance_exists(v: Visit) -> Rejection | None:
    """The process instance must exist (and be active)

    Zeebe looks the instance up by key in the instance's tenant. Completed and terminated
    instances are gone from the engine's state, so they are "not found" too, and so is an
    instance of a tenant the caller is not authorized for (never "forbidden").
    Example: migrating key 2251799813685251 after it completed gives NOT_FOUND (HTTP 404).
    Fix: select only active instances (the plan's filter state is ACTIVE by default).
    """
    if any(e.element_type == "PROCESS" for e in v.cmd.snapshot.elements):
        return None
    return instance_not_found(v.key)


@rule("Z01B", Stage.COMMAND, since="8.10", rejection_type="INVALID_STATE")
def instance_not_suspended(v: Visit) -> Rejection | None:
    """A suspended process instance cannot be migrated

    Since 8.10 process instances can be suspended; Zeebe rejects migrating one with
    INVALID_STATE (HTTP 409). The exact wording of the rejection is not published in the
    reference; c8migrate words it like the other instance-state rejections (unverified).
    Example: an instance suspended by an operator on 8.10.
    Fix: resume the instance first, or narrow the plan's filter.
    """
    if not v.cmd.snapshot.suspended:
        return None
    return Rejection(
        "Z01B", "INVALID_STATE",
        f"Expected to migrate process instance '{v.key}' but the process instance is "
        "suspended. Suspended process instances cannot be migrated.")


@rule("Z21A", Stage.COMMAND, since="8.4", until="8.4", rejection_type="INVALID_STATE")
def not_a_child_instance(v: Visit) -> Rejection | None:
    """8.4 only: child instances of call activities cannot be migrated

    Zeebe 8.4 refused to migrate a process instance that a call activity created. From
    8.5 on a child instance can be migrated on its own (its own key and mappings).
    Example: child instance of call activity `CA`, mapping `X -> X`, on 8.4: rejected.
    Fix: upgrade the cluster, or migrate the parent only.
    """
    if v.cmd.snapshot.parent_process_instance_key is None:
        return None
    return Rejection(
        "Z21A", "INVALID_STATE",
        f"Expected to migrate process instance '{v.key}' but process instance is a child "
        "process instance. Child process instances cannot be migrated.")


@rule("Z02", Stage.COMMAND, rejection_type="INVALID_ARGUMENT", request_only=True)
def no_duplicate_sources(v: Visit) -> Rejection | None:
    """A source element id may appear in only one mapping instruction

    Zeebe rejects the command with INVALID_ARGUMENT (HTTP 400) when two instructions have
    the same source id (one source mapped to two targets). Several sources mapped to one
    target are not rejected here (see Z14 and Z20 for catch events and sequence flows).
    Example: `A -> B` and `A -> C` in one plan.
    Fix: keep one instruction per source element.
    """
    seen: set[str] = set()
    duplicates: dict[str, None] = {}  # in order of their second occurrence
    for instruction in v.cmd.request.instructions:
        if instruction.source in seen:
            duplicates[instruction.source] = None
        seen.add(instruction.source)
    if not duplicates:
        return None
    listed = "[" + ", ".join(duplicates) + "]"
    return Rejection(
        "Z02", "INVALID_ARGUMENT",
        f"Expected to migrate process instance '{v.key}' but the mapping instructions "
        f"contain duplicate source element ids '{listed}'.")


# Z03 needs the definition lookup, which callers do (target_definition_not_found above).
note("Z03", """The target definition must exist in the instance's tenant

    Zeebe loads the target definition within the instance's tenant; a target deployed to
    another tenant is "not found" (NOT_FOUND, HTTP 404), so migration across tenants is
    impossible. The dry run resolves the definition keys before judging.
    Example: target deployed to tenant `eu`, instances in `<default>`.
    Fix: deploy the target to the instances' tenant.""", stage=Stage.COMMAND,
     rejection_type="NOT_FOUND")


@rule("Z04", Stage.COMMAND, rejection_type="INVALID_STATE")
def message_start_correlation_unique(v: Visit) -> Rejection | None:
    """Only one active instance per message-start correlation key in the target process

    When the BPMN process id changes, the target process has a message start event, and the
    instance was started by a message with a correlation key, Zeebe rejects the migration if
    the target process already has an active instance started with that key. This needs
    runtime state: offline validation reports it as note N04; the dry run and the sandbox
    decide it when they know the target's active correlation keys.
    Example: `P1` instance started with key `order-42` migrated to `P2` while a `P2`
    instance for `order-42` is active.
    Fix: wait until the other instance completes, or migrate within the same process id.
    """
    request = v.cmd.request
    known = request.target_message_start_correlation_keys
    correlation_key = v.cmd.snapshot.started_by_message_correlation_key
    if (known is None or correlation_key is None
            or request.source.process_id == request.target.process_id
            or not request.target.has_message_start_event
            or correlation_key not in known):
        return None
    return Rejection(
        "Z04", "INVALID_STATE",
        f"Expected to migrate process instance '{v.key}' but target process definition "
        f"'{request.target_definition_key}' has an active instance triggered by a message "
        f"start event with correlation key '{correlation_key}'. Only one instance per "
        "correlation key is allowed for message start events.")


@rule("Z05", Stage.COMMAND, rejection_type="INVALID_ARGUMENT", request_only=True)
def referenced_elements_exist(v: Visit) -> Rejection | None:
    """Every id in the mapping instructions must exist in its process definition

    Zeebe checks every instruction, including those for elements no instance is waiting
    at: for each instruction in order, first the source id in the source definition, then
    the target id in the target definition; the first unknown id rejects the command with
    INVALID_ARGUMENT (HTTP 400). Valid ids are the elements of the executable model: flow
    nodes, sequence flows, boundary events, event sub-process start events, the process.
    Lanes, annotations and message definitions are not elements.
    Example: `Task_Chrge -> Task_Charge` (typo in the source id).
    Fix: use the element ids of the BPMN files (c8migrate suggests the closest ones).
    """
    source, target = v.cmd.source, v.cmd.target
    for instruction in v.cmd.request.instructions:
        if not element_exists(source, instruction.source):
            return Rejection(
                "Z05", "INVALID_ARGUMENT",
                f"Expected to migrate process instance '{v.key}' but mapping instructions "
                f"contain a non-existing source element id '{instruction.source}'. Elements "
                "provided in mapping instructions must exist in the source process definition.",
                element_id=instruction.source)
        if not element_exists(target, instruction.target):
            return Rejection(
                "Z05", "INVALID_ARGUMENT",
                f"Expected to migrate process instance '{v.key}' but mapping instructions "
                f"contain a non-existing target element id '{instruction.target}'. Elements "
                "provided in mapping instructions must exist in the target process definition.",
                element_id=instruction.target)
    return None


@rule("Z11", Stage.COMMAND, since="8.4", until="8.5", rejection_type="INVALID_STATE",
      request_only=True)
def no_event_sub_processes_before_8_6(v: Visit) -> Rejection | None:
    """8.4 and 8.5: no event sub-process anywhere in the source or target process

    Before 8.6, Zeebe rejected any migration whose source or target process contains an
    event sub-process, whatever the instance was doing. From 8.6 only unsupported start
    event types are rejected (Z11, per active container).
    Example: a process with a timer event sub-process, migrated on 8.5: rejected.
    Fix: upgrade the cluster to 8.6 or later.
    """
    if any(e.is_event_sub_process for e in v.cmd.source):
        return Rejection(
            "Z11", "INVALID_STATE",
            "Expected to migrate process instance but process instance has an event "
            "subprocess. Process instances with event subprocesses cannot be migrated yet.")
    if any(e.is_event_sub_process for e in v.cmd.target):
        return Rejection(
            "Z11", "INVALID_STATE",
            "Expected to migrate process instance but target process has an event "
            "subprocess. Target processes with event subprocesses cannot be migrated yet.")
    return None
