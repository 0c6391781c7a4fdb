"""Per element instance, part 1: type support, mapping, type, implementation, flow scope."""

from __future__ import annotations

from runner.engine import versions
from runner.engine.rules.base import Stage, rule
from runner.engine.state import Rejection
from runner.engine.visit import INNER_INSTANCE_SUFFIX, Visit

ZEEBE_USER_TASK = "zeebe user task"
JOB_WORKER = "job worker"


@rule("Z06", Stage.ELEMENT, rejection_type="INVALID_STATE")
def supported_element_type(v: Visit) -> Rejection | None:
    """Zeebe migrates only some types of active elements

    Every active element instance must be of a type the server can migrate: 8.4 service
    and user tasks; 8.5 adds sub-processes, call activities, intermediate catch events and
    receive tasks; 8.6 adds event sub-processes, exclusive and event-based gateways,
    business rule, script and send tasks and multi-instance bodies; 8.7 adds (joining)
    parallel and inclusive gateways; 8.8 adds ad-hoc sub-processes. Start, end and throw
    events, manual and undefined tasks are never migrated when an instance is stuck in them.
    Example: an instance waiting at a send task on 8.5: rejected.
    Fix: upgrade the cluster, or let those instances move on before migrating them.
    """
    element_type = v.instance.element_type
    if versions.element_type_supported(element_type, v.server):
        return None
    return Rejection(
        "Z06", "INVALID_STATE",
        f"Expected to migrate process instance '{v.key}' but active element with id "
        f"'{v.element_id}' has an unsupported type. The migration of a {element_type} is "
        "not supported.", element_id=v.element_id)


@rule("Z06B", Stage.ELEMENT, since="8.5", rejection_type="INVALID_STATE")
def supported_catch_event_type(v: Visit) -> Rejection | None:
    """Only message, timer and signal intermediate catch events can be migrated

    An active intermediate catch event must be of a supported event type: 8.5 message and
    timer, 8.6 adds signal, 8.9 adds conditional. Link catch events are never migrated.
    Example: an instance waiting at a signal catch event on 8.5: rejected.
    Fix: upgrade the cluster, or wait until those instances have passed the event.
    """
    if v.instance.element_type != "INTERMEDIATE_CATCH_EVENT" or v.source is None:
        return None
    event_type = v.source.event_type or "NONE"
    if versions.catch_event_type_supported(event_type, v.server):
        return None
    return Rejection(
        "Z06B", "INVALID_STATE",
        f"Expected to migrate process instance '{v.key}' but active element with id "
        f"'{v.element_id}' is intermediate catch event of type '{event_type}'. Migrating "
        "active intermediate catch event of this type is not possible yet.",
        element_id=v.element_id)


@rule("Z06C", Stage.ELEMENT, since="8.5", rejection_type="INVALID_STATE")
def catch_event_not_after_event_based_gateway(v: Visit) -> Rejection | None:
    """An active catch event after an event-based gateway cannot be migrated

    While an instance waits at an event-based gateway, the gateway is the active element
    and its events are its catch events (8.6+ migrates the gateway). An intermediate catch
    event that follows an event-based gateway is only active itself in the moment it
    triggers, and Zeebe rejects migrating it then.
    Example: on 8.5, an instance at `Timer_1` after gateway `Gw_Wait`: rejected.
    Fix: on 8.6+ map the gateway (and, if you like, its events).
    """
    if v.instance.element_type != "INTERMEDIATE_CATCH_EVENT" or v.source is None:
        return None
    source = v.cmd.source
    for flow_id in v.source.incoming:
        flow = source.get(flow_id)
        origin = source.get(flow.source_ref or "") if flow else None
        if origin is not None and origin.element_type == "EVENT_BASED_GATEWAY":
            return Rejection(
                "Z06C", "INVALID_STATE",
                f"Expected to migrate process instance '{v.key}' but active element with id "
                f"'{v.element_id}' is an intermediate catch event attached to an event-based "
                "gateway. Migrating active events attached to an event-based gateway is not "
                "possible yet.", element_id=v.element_id)
    return None


@rule("Z07", Stage.ELEMENT, rejection_type="INVALID_STATE")
def active_element_mapped(v: Visit) -> Rejection | None:
    """Every active element needs a mapping instruction

    Each active element instance (the leaf an instance waits at, and each container around
    it: sub-process, event sub-process, multi-instance body, call activity) must be the
    source of a mapping instruction. The process itself is mapped automatically. Inactive
    elements need no mapping, except joining gateways with taken flows (Z19A).
    Example: instances wait at `Task_Ship`, the plan maps only `Task_Pack`: rejected.
    Fix: add an instruction for the element, or keep auto-mapping on when the id and type
    are unchanged.
    """
    if v.target_id is not None:
        return None
    return Rejection(
        "Z07", "INVALID_STATE",
        f"Expected to migrate process instance '{v.key}' but no mapping instruction defined "
        f"for active element with id '{v.element_id}'. Elements cannot be migrated without a "
        "mapping.", element_id=v.element_id)


@rule("Z08", Stage.ELEMENT, rejection_type="INVALID_STATE")
def same_element_type(v: Visit) -> Rejection | None:
    """An active element must be mapped to an element of the same type

    The element type (Zeebe's BpmnElementType) must not change: a service task stays a
    service task, a sub-process cannot become an event sub-process, and adding or removing
    a multi-instance marker changes the type (MULTI_INSTANCE_BODY). For an inner instance
    of a multi-instance activity mapped to a multi-instance target, the target's inner
    activity type is compared.
    Example: `Task_A` (SERVICE_TASK) mapped to `Task_A` (USER_TASK): rejected.
    Fix: map to an element of the same type, or let the instances pass the element first.
    """
    target_id, target_type = v.target_id, v.target_type
    if target_id is None or target_type is None:
        return None
    source_type = v.instance.element_type
    if source_type == target_type:
        return None
    if v.instance.is_inner_instance and target_type == "MULTI_INSTANCE_BODY":
        target_type = v.cmd.target.inner_type(target_id) or target_type
        if source_type == target_type:
            return None
    return Rejection(
        "Z08", "INVALID_STATE",
        f"Expected to migrate process instance '{v.key}' but active element with id "
        f"'{v.element_id}' and type '{source_type}' is mapped to an element with id "
        f"'{target_id}' and different type '{target_type}'. Elements must be mapped to "
        "elements of the same type.", element_id=v.element_id)


@rule("Z09", Stage.ELEMENT, since="8.5", rejection_type="INVALID_STATE")
def supported_user_task_implementation(v: Visit) -> Rejection | None:
    """A user task keeps its implementation (job worker or Camunda user task)

    Up to 8.8.19 a user task must be mapped to a user task of the same implementation.
    From 8.8.20 a job-worker user task may become a Camunda user task (Zeebe cancels the
    job and creates a user task; see W11 and Z09B), but a Camunda user task can still not
    become a job-worker user task. The source side is judged by the instance (has it a
    user task key?), the target by the BPMN (`zeebe:userTask`).
    Example: job-worker `Review` mapped to Camunda user task `Review` on 8.8.19: rejected;
    on 8.8.20: accepted.
    Fix: keep the implementation, or upgrade to 8.8.20+ for job worker -> Camunda user task.
    """
    target = v.target
    if v.instance.element_type != "USER_TASK" or target is None or v.target_type != "USER_TASK":
        return None
    if v.instance.is_camunda_user_task is not None:
        camunda = v.instance.is_camunda_user_task
    else:
        camunda = v.source is not None and v.source.user_task_impl == "zeebe user task"
    source_impl = ZEEBE_USER_TASK if camunda else JOB_WORKER
    target_impl = ZEEBE_USER_TASK if target.user_task_impl == "zeebe user task" else JOB_WORKER
    if source_impl == target_impl:
        return None
    if versions.converts_job_worker_user_tasks(v.server):
        if source_impl == JOB_WORKER:
            return None
        ending = ("Elements must be either mapped to elements of the same implementation or "
                  "to 'zeebe user task'.")
    else:
        ending = "Elements must be mapped to elements of the same implementation."
    return Rejection(
        "Z09", "INVALID_STATE",
        f"Expected to migrate process instance '{v.key}' but active user task with id "
        f"'{v.element_id}' and implementation '{source_impl}' is mapped to an user task with "
        f"id '{target.id}' and different implementation '{target_impl}'. {ending}",
        element_id=v.element_id)


@rule("Z10", Stage.ELEMENT, rejection_type="INVALID_STATE")
def unchanged_flow_scope(v: Visit) -> Rejection | None:
    """An active element must stay in the same flow scope

    The target element's enclosing process, sub-process or event sub-process must be the
    element its parent instance was mapped to. Zeebe migrates parents before children, so
    renaming a sub-process together with its children passes (`Sub_A -> Sub_B`,
    `A -> B`), but moving an element into or out of a sub-process, or wrapping it in a
    new one, is rejected.
    Example: `Task_A` at the top level mapped to `Task_A` inside new sub-process `Sub_1`.
    Fix: keep the element in the same scope; move instances past it before restructuring.
    """
    parent, target = v.parent, v.target
    if parent is None or target is None:
        return None
    expected = v.cmd.id_map.get(parent.element_id, parent.element_id)
    if expected.endswith(INNER_INSTANCE_SUFFIX):
        # children of an ad-hoc sub-process's inner instance live in the sub-process itself
        expected = expected[: -len(INNER_INSTANCE_SUFFIX)]
    if target.multi_instance and expected == target.id:
        return None
    actual = target.flow_scope or ""
    if actual == expected:
        return None
    return Rejection(
        "Z10", "INVALID_STATE",
        f"Expected to migrate process instance '{v.key}' but the flow scope of active "
        f"element with id '{v.element_id}' is changed. The flow scope of the active element "
        f"is expected to be '{expected}' but was '{actual}'. The flow scope of an element "
        "cannot be changed during migration yet.", element_id=v.element_id)


@rule("Z21B", Stage.ELEMENT, since="8.4", until="8.4", rejection_type="INVALID_STATE")
def no_incident_on_8_4(v: Visit) -> Rejection | None:
    """8.4 only: an active element with an incident cannot be migrated

    Zeebe 8.4 refused elements with an incident; from 8.5 incidents are migrated with
    their element (fixing a broken expression by migrating is a documented use case).
    Example: `Task_A` with a job incident (no retries left) on 8.4: rejected.
    Fix: resolve the incident first, or upgrade the cluster.
    """
    if not v.instance.has_incident:
        return None
    return Rejection(
        "Z21B", "INVALID_STATE",
        f"Expected to migrate process instance '{v.key}' but active element with id "
        f"'{v.element_id}' has an incident. Elements cannot be migrated with an incident "
        "yet. Please retry migration after resolving the incident.", element_id=v.element_id)
