"""Per element instance, after the checks: user task conversion and catch-event handling."""

from __future__ import annotations

from runner.bpmn.model import Element
from runner.engine import expressions, versions
from runner.engine.index import index_of
from runner.engine.rules.base import Stage, rule
from runner.engine.state import Rejection
from runner.engine.visit import Visit, is_message_catch
from runner.version import ServerVersion


@rule("Z09B", Stage.CONVERSION, since="8.8.20", rejection_type="INVALID_STATE")
def no_conversion_with_embedded_form(v: Visit) -> Rejection | None:
    """A job-worker user task with an embedded form cannot become a Camunda user task

    From 8.8.20 Zeebe converts job-worker user tasks to Camunda user tasks during the
    migration, except when the task uses an embedded Camunda form
    (`zeebe:formDefinition formKey="camunda-forms:bpmn:..."`). Linked forms (formId) and
    external forms (formKey) are converted. Note that this text has no key and no period.
    Example: job-worker `Approve` with an embedded form mapped to Camunda user task `Approve`.
    Fix: link the form (deploy it and use formId) in the source version first, or keep the
    job-worker implementation in the target.
    """
    source, target = v.source, v.target
    if v.instance.element_type != "USER_TASK" or source is None or target is None:
        return None
    camunda_source = (v.instance.is_camunda_user_task if v.instance.is_camunda_user_task
                      is not None else source.user_task_impl == "zeebe user task")
    if camunda_source or target.user_task_impl != "zeebe user task" or source.form != "embedded":
        return None
    return Rejection(
        "Z09B", "INVALID_STATE",
        "Migrating Job-based User Task to User Task with embedded form is not supported",
        element_id=v.element_id)


def new_subscriptions(v: Visit) -> list[Element]:
    """Target catch events of this instance that no instruction targets: opened anew."""
    if v.instance.state == "ACTIVATING" or v.target is None or v.interrupted:
        return []
    return [e for e in v.target_catch_events() if not v.cmd.is_targeted(e.id)]


def _held_message_names(v: Visit) -> set[str]:
    held = v.cmd.snapshot.message_subscriptions.get(v.instance.key)
    if held is not None:
        return set(held)
    if v.interrupted:
        return set()
    names: set[str] = set()
    for event in v.source_catch_events():
        if is_message_catch(event) and event.message_name:
            name = _message_name(event, v)
            if name is not None:
                names.add(name)
    return names


def _message_name(event: Element, v: Visit) -> str | None:
    if event.message_name is None:
        return None
    if not expressions.is_expression(event.message_name):
        return event.message_name
    if not v.cmd.snapshot.variables_known:
        return None
    result = expressions.evaluate(event.message_name, v.cmd.snapshot.variables)
    return str(result.value) if result.evaluable and result.value is not None else None


@rule("Z18A", Stage.CATCH_EVENTS, since="8.6", rejection_type="INVALID_STATE", transient=True)
def no_pending_subscription_distribution(v: Visit) -> Rejection | None:
    """A previous migration's message subscriptions must be fully distributed; retry later

    Migrating message subscriptions is distributed to the partition that owns the message.
    While that is pending (for example right after a previous migration), Zeebe rejects a
    new migration of the instance. Runtime only (note N18); apply retries it.
    Example: migrating an instance twice in quick succession while it waits at a message.
    Fix: none needed; retry the migration.
    """
    if not v.cmd.snapshot.pending_message_distribution or v.target is None:
        return None
    for event in v.source_catch_events():
        if is_message_catch(event) and event.id in v.cmd.id_map:
            return Rejection(
                "Z18A", "INVALID_STATE",
                f"Expected to migrate process instance '{v.key}' but active element with id "
                f"'{v.element_id}' has a pending message subscription migration distribution "
                f"for event with id '{event.id}'.", element_id=v.element_id, transient=True)
    return None


@rule("Z18B", Stage.CATCH_EVENTS, since="8.5", rejection_type="INVALID_STATE")
def no_second_subscription_to_same_message(v: Visit) -> Rejection | None:
    """An element cannot newly subscribe to a message name it is already subscribed to

    Target catch events that no instruction targets are subscribed anew. If one of them
    is a message event whose name equals a message the element instance already holds,
    Zeebe rejects the migration. Typical cause: a message boundary event (or event
    sub-process start) left unmapped while the target has one with the same message name,
    often the same id (equal ids are never mapped implicitly by Zeebe). The wording changed
    in 8.8 (the newer text ends with a space).
    Example: `Task_A` with message boundary `Msg_Cancel` (name `cancel`), plan maps only
    `Task_A -> Task_A`.
    Fix: map the source catch event to the target one (`Msg_Cancel -> Msg_Cancel`).
    """
    held = _held_message_names(v)
    if not held:
        return None
    for event in new_subscriptions(v):
        if not is_message_catch(event):
            continue
        name = _message_name(event, v)
        if name is None or name not in held:
            continue
        if versions.newer_message_texts(v.server):
            text = (f"Expected to migrate process instance '{v.key}' but active element with "
                    f"id '{v.element_id}' is already subscribed to the same message name "
                    f"'{name}'. Currently, migrating message subscriptions to the same message "
                    "name isn't supported without a mapping. Please provide a mapping "
                    f"instruction between message catch event with id '{event.id}' and the "
                    "target message catch event. ")
        else:
            text = (f"Expected to migrate process instance '{v.key}' but active element with "
                    f"id '{v.element_id}' attempts to subscribe to a message it is already "
                    f"subscribed to with name '{name}'. Migrating active elements that subscribe "
                    "to a message they are already subscribed to is not possible yet. Please "
                    f"provide a mapping instruction to message catch event with id '{event.id}' "
                    "to migrate the respective message subscription.")
        return Rejection("Z18B", "INVALID_STATE", text, element_id=v.element_id)
    return None


def _evaluation_failure(event: Element, v: Visit) -> str | None:
    """Zeebe's evaluation failure for a newly opened catch event, or None."""
    variables = v.cmd.snapshot.variables
    checks: list[tuple[str | None, str]] = []
    if is_message_catch(event):
        checks.append((event.correlation_key, "correlation"))
    elif event.event_type == "TIMER" and (event.timer or "").startswith("duration:"):
        checks.append(((event.timer or "").split(":", 1)[1], "duration"))
    elif event.event_type == "SIGNAL":
        checks.append((event.signal_name, "signal"))
    for text, kind in checks:
        if not expressions.is_expression(text) or text is None:
            continue
        result = expressions.evaluate(text, variables)
        if not result.evaluable or result.missing_variable is None:
            continue
        body = expressions.expression_body(text)
        warning = (" The evaluation reported the following warnings:\n[NO_VARIABLE_FOUND] No "
                   f"variable found with name '{result.missing_variable}'")
        if kind == "correlation":
            return (f"Failed to extract the correlation key for '{body}': The value must be "
                    "either a string or a number, but was 'NULL'." + warning)
        if kind == "duration":
            return (f"Expected result of the expression '{body}' to be one of '[DURATION, "
                    "PERIOD, STRING]', but was 'NULL'." + warning)
        return (f"Expected result of the expression '{body}' to be 'STRING', but was "
                "'NULL'." + warning)
    return None


@rule("Z22", Stage.CATCH_EVENTS, since="8.5", rejection_type="INVALID_STATE")
def new_catch_events_can_subscribe(v: Visit) -> Rejection | None:
    """A newly opened catch event must be able to evaluate its expressions

    Target catch events that no instruction targets are subscribed at migration time, and
    their expressions (message correlation key, timer duration, signal name) are evaluated
    with the instance's current variables. If that fails, Zeebe rejects the migration.
    Mapped catch events keep their subscription and are not re-evaluated. Offline the
    variables are unknown, so c8migrate reports note N22 instead; with instance data it
    predicts failures of plain variable references (`=orderId`).
    Example: new message boundary with correlation key `=customerId`, instance without
    `customerId`: rejected.
    Fix: set the variable before migrating, or map an existing catch event to the new one.
    """
    if not v.cmd.snapshot.variables_known:
        return None
    for event in new_subscriptions(v):
        failure = _evaluation_failure(event, v)
        if failure is None:
            continue
        kind = "a message catch event" if v.server < ServerVersion(8, 6) else "a catch event"
        return Rejection(
            "Z22", "INVALID_STATE",
            f"Expected to migrate process instance '{v.key}' but active element with id "
            f"'{v.element_id}' is mapped to element with id '{v.target_id}' that must be "
            f"subscribed to {kind}. {failure}", element_id=v.element_id)
    return None


@rule("Z23", Stage.CATCH_EVENTS, since="8.7")
def compensation_subscriptions_migrate(v: Visit) -> Rejection | None:
    """Compensation boundaries of completed activities stay compensation events, same level

    A completed activity with a compensation boundary event holds a compensation
    subscription. Mapping that boundary event migrates the subscription: the target must
    be a compensation boundary event (else INVALID_ARGUMENT), and its activity must sit at
    the same sub-process nesting level (else INVALID_STATE). These texts name the source
    BPMN process id, not the instance key.
    Example: completed `Charge` with compensation boundary `Comp_1` mapped to timer
    boundary `Timer_1`: rejected.
    Fix: map compensation boundaries to compensation boundaries at the same level, or leave
    them unmapped (a new compensation boundary only applies to activities completed later).
    """
    if v.role != "process":
        return None
    source, target = v.cmd.source, v.cmd.target
    for activity_id in v.cmd.snapshot.completed_compensable_activities:
        activity = source.get(activity_id)
        for boundary in index_of(source).boundary_events(activity_id):
            mapped = v.cmd.id_map.get(boundary.id)
            target_boundary = target.get(mapped) if mapped else None
            if boundary.event_type != "COMPENSATION" or target_boundary is None:
                continue
            if target_boundary.event_type != "COMPENSATION":
                return Rejection(
                    "Z23", "INVALID_ARGUMENT",
                    f"Expected to migrate process instance with id '{source.process_id}' but "
                    f"compensation boundary event '{boundary.id}' is mapped to a target boundary "
                    f"event '{target_boundary.id}' that has event type "
                    f"'{target_boundary.event_type or 'NONE'}' different than compensation "
                    "boundary event type.", element_id=boundary.id)
            target_activity = target.get(target_boundary.attached_to or "")
            if activity is None or target_activity is None:
                continue
            source_chain = source.scope_chain(activity.id)
            target_chain = target.scope_chain(target_activity.id)
            if len(source_chain) != len(target_chain):
                # Zeebe names the scope that holds the activity's sub-process (observed in
                # its tests), i.e. one level above the activity's own flow scope.
                shown_source = source_chain[1] if len(source_chain) > 1 else source_chain[0]
                shown_target = target_chain[1] if len(target_chain) > 1 else target_chain[0]
                return Rejection(
                    "Z23", "INVALID_STATE",
                    f"Expected to migrate process instance with id '{source.process_id}' but the "
                    "flow scope of compensation boundary event is changed. Flow scope "
                    f"'{shown_source}' is not in the same level as '{shown_target}'. The flow "
                    "scope of a compensation boundary event cannot be changed during migration "
                    "yet.", element_id=boundary.id)
    return None
