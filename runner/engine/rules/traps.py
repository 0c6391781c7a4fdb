"""Warnings: migrations Zeebe accepts that leave instances stuck or behaving unexpectedly.

Each warning says what will happen and how to change the plan. They are computed for
accepted instances only, per migrated element instance.
"""

from __future__ import annotations

from collections.abc import Iterator

from runner.bpmn.model import Element
from runner.engine import expressions, versions
from runner.engine.rules.base import warning
from runner.engine.rules.gateways import joining_gateways
from runner.engine.rules.subscriptions import new_subscriptions
from runner.engine.state import Note
from runner.engine.visit import Visit, is_message_catch


def _mapped_message_events(v: Visit) -> Iterator[tuple[Element, Element]]:
    for event in v.source_catch_events():
        target = v.cmd.target.get(v.cmd.id_map.get(event.id, ""))
        if target is not None and is_message_catch(event) and is_message_catch(target):
            yield event, target


@warning("W01")
def message_name_changed(v: Visit) -> Iterator[Note]:
    """A mapped message catch event changes its message name

    Zeebe migrates the subscription as it is: it keeps the source's message name and is
    not re-evaluated. Migrated instances keep waiting for the old name; messages published
    with the new name will not reach them.
    Example: receive task `Wait_Payment` subscribed to `payment-received`, target expects
    `payment-received-v2`.
    Fix: publish the old name to migrated instances, or leave the event unmapped so a new
    subscription with the new name is opened (a message boundary then needs care: Z18B).
    """
    for event, target in _mapped_message_events(v):
        if event.message_name != target.message_name:
            yield Note("W01", f"migrated instances keep waiting at '{event.id}' for message "
                       f"'{event.message_name}', not '{target.message_name}' as in the target "
                       f"'{target.id}': the subscription is migrated, not re-evaluated",
                       event.id, "publish the old message name to migrated instances, or "
                       "remove the instruction for the catch event so it is re-subscribed")


@warning("W02")
def correlation_key_changed(v: Visit) -> Iterator[Note]:
    """A mapped message catch event changes its correlation key

    The migrated subscription keeps the correlation key evaluated when the instance
    subscribed; the target's new correlation key expression is not applied.
    Example: correlation key `=orderId` becomes `=order.id`.
    Fix: correlate migrated instances with the old key, or leave the event unmapped so it
    is subscribed anew with the new expression.
    """
    for event, target in _mapped_message_events(v):
        if event.correlation_key != target.correlation_key:
            yield Note("W02", f"migrated instances keep the correlation key of '{event.id}' "
                       f"evaluated from '{event.correlation_key}', not '{target.correlation_key}' "
                       f"as in the target '{target.id}'", event.id,
                       "correlate migrated instances with the old key, or remove the "
                       "instruction for the catch event so it is re-subscribed")


@warning("W07")
def unmapped_catch_event_closed(v: Visit) -> Iterator[Note]:
    """An unmapped catch event of a migrated element is closed (and maybe opened anew)

    Catch events of a migrated element that no instruction maps lose their subscription;
    this includes catch events removed in the target (instances silently stop waiting for
    that message, timer or signal; removed active elements are rejected instead, Z07).
    If the target has a catch event of the same type that no instruction targets, a new
    subscription is opened: a timer starts counting again from the migration, a message
    event is subscribed with a freshly evaluated correlation key.
    Example: `Task_A -> Task_A` with timer boundary `Timer_Sla` left unmapped: the SLA
    timer restarts at migration time.
    Fix: map the catch event to keep its subscription (a timer keeps its due date).
    """
    if v.target is None or v.instance.state == "ACTIVATING" or v.interrupted:
        return
    opened = new_subscriptions(v)
    for event in v.source_catch_events():
        if event.id in v.cmd.id_map or event.id == v.element_id:
            continue
        again = [e for e in opened if e.event_type == event.event_type]
        if again:
            restart = " (the timer restarts)" if event.event_type == "TIMER" else ""
            yield Note("W07", f"catch event '{event.id}' of '{v.element_id}' is not mapped: its "
                       f"subscription is closed and '{again[0].id}' is opened anew{restart}",
                       event.id, f"map '{event.id}' to '{again[0].id}' to keep the subscription")
        else:
            removed = "" if event.id in v.cmd.target else " (it was removed in the target)"
            yield Note("W07", f"catch event '{event.id}' of '{v.element_id}' is not mapped and "
                       f"has no counterpart{removed}: migrated instances stop reacting to it",
                       event.id, "map it to a catch event of the target element if they "
                       "should not")


@warning("W09")
def process_id_change_with_message_start(v: Visit) -> Iterator[Note]:
    """The plan changes the BPMN process id and the source has message start events

    Zeebe allows one active instance per message-start correlation key and process.
    Moving instances to another process id moves that lock on current clusters, but older
    patch releases left it behind (field case C04), so new source instances for the key
    stayed blocked and the target could start a duplicate.
    Example: `order-v1` (message start `order-placed`) migrated to process `order`.
    Fix: check your cluster has the fix (8.6/8.7 patches from March 2025), or keep the id.
    """
    source, target = v.cmd.source, v.cmd.target
    if v.role == "process" and source.process_id != target.process_id and \
            source.has_message_start_event:
        yield Note("W09", f"process id changes from '{source.process_id}' to "
                   f"'{target.process_id}' while '{source.process_id}' has message start "
                   "events: the one-instance-per-correlation-key lock moves with the instance "
                   "only on clusters with the fix for camunda/camunda#26008", source.process_id,
                   "keep the process id, or verify your cluster version has that fix")


@warning("W13", since="8.8")
def taken_flow_not_mapped(v: Visit) -> Iterator[Note]:
    """A taken flow into a mapped joining gateway has no explicit mapping (8.8+)

    From 8.8 the documented form is to map every taken sequence flow of a joining gateway.
    An unmapped flow whose id is unchanged is accepted, but a known 8.8 defect can fail
    such a migration with an internal error.
    Example: `Join_1 -> Join_1` mapped, taken `Flow_A` not mapped.
    Fix: add `Flow_A -> Flow_A` (or the flow it becomes).
    """
    if not versions.maps_sequence_flows(v.server):
        return
    for gateway, flows in joining_gateways(v):
        if gateway.id not in v.cmd.id_map:
            continue
        for flow in flows:
            if flow not in v.cmd.id_map:
                yield Note("W13", f"taken sequence flow '{flow}' into joining gateway "
                           f"'{gateway.id}' is not mapped", flow,
                           f"add an instruction for '{flow}' to the gateway's incoming flow")


@warning("N22")
def new_catch_event_expressions(v: Visit) -> Iterator[Note]:
    """Newly opened catch events evaluate expressions at migration time (runtime only)

    Offline the instance variables are unknown, so c8migrate cannot say whether the
    expressions of catch events opened by the migration (correlation keys, timers, signal
    names) evaluate; when they fail, Zeebe rejects the instance (Z22).
    Example: a new message boundary with correlation key `=customerId`.
    Fix: make sure the variables exist on the instances, or map an old catch event to it.
    """
    if v.cmd.snapshot.variables_known:
        return
    for event in new_subscriptions(v):
        texts = (event.correlation_key, event.timer.split(":", 1)[1] if event.timer else None,
                 event.signal_name, event.message_name)
        if any(expressions.is_expression(t) for t in texts):
            yield Note("N22", f"'{event.id}' is subscribed anew when '{v.element_id}' migrates; "
                       "its expressions are evaluated with each instance's variables and a "
                       "failure rejects the instance (Z22)", event.id,
                       "make sure the variables exist, or map an existing catch event to it")


@warning("N04")
def message_start_correlation_runtime(v: Visit) -> Iterator[Note]:
    """Message-start correlation uniqueness is checked at runtime (Z04)

    Crossing to another process id whose target has message start events can be rejected
    when the target already has an active instance for the same correlation key. That
    depends on live instances; the dry run and apply decide it.
    Example: process `P1` migrated to `P2` that starts by message `order-placed`.
    Fix: none offline; review the dry run.
    """
    request = v.cmd.request
    if v.role == "process" and request.target_message_start_correlation_keys is None and \
            request.source.process_id != request.target.process_id and \
            request.target.has_message_start_event:
        yield Note("N04", f"target process '{request.target.process_id}' starts by message: an "
                   "instance started by a message is rejected if the target already has an "
                   "active instance with its correlation key (checked at runtime)",
                   request.target.process_id)
