"""Per scope instance: joining parallel/inclusive gateways that hold taken flows (8.7+).

A joining gateway that has received some but not all of its tokens is not an element
instance: the engine keeps the taken incoming flows on the gateway's flow-scope instance.
These checks run after the scope's own element checks and before its children (E14).
"""

from __future__ import annotations

from collections.abc import Iterator

from runner.bpmn.model import Element
from runner.engine import versions
from runner.engine.index import index_of
from runner.engine.rules.base import Stage, rule
from runner.engine.state import Rejection
from runner.engine.visit import Visit

JOINING_TYPES = ("PARALLEL_GATEWAY", "INCLUSIVE_GATEWAY")


def joining_gateways(v: Visit) -> Iterator[tuple[Element, list[str]]]:
    """(source gateway, taken incoming flow ids) for each waiting joining gateway in scope."""
    taken = set(v.cmd.snapshot.taken_flows.get(v.instance.key, ()))
    if not taken:
        return
    for element in index_of(v.cmd.source).joining_gateways(v.element_id):
        flows = [f for f in element.incoming if f in taken]
        if flows:
            yield element, flows


@rule("Z17B", Stage.GATEWAYS, since="8.7", rejection_type="INVALID_STATE", transient=True)
def joining_gateway_not_about_to_fire(v: Visit) -> Rejection | None:
    """A joining gateway whose incoming flows are all taken is about to fire; retry later

    When every incoming flow of a joining gateway is taken, the gateway's activation is
    already on its way, which Zeebe treats as a concurrent command (same text as Z17).
    Runtime only; apply retries it.
    Example: both branches of a parallel split reached `Join_1` a moment ago.
    Fix: none needed; retry the migration.
    """
    for gateway, flows in joining_gateways(v):
        if len(flows) == len(gateway.incoming):
            return Rejection(
                "Z17B", "INVALID_STATE",
                f"Expected to migrate process instance '{v.key}' but a concurrent command was "
                "executed on the process instance. Please retry the migration.",
                element_id=gateway.id, transient=True)
    return None


@rule("Z19A", Stage.GATEWAYS, since="8.7", rejection_type="INVALID_ARGUMENT")
def joining_gateway_mapped(v: Visit) -> Rejection | None:
    """A joining gateway with taken incoming flows must be mapped

    From 8.7, a parallel or inclusive gateway that has received at least one token but
    has not fired yet must be mapped like an active element. Offline, c8migrate cannot know
    whether instances have passed one branch, so it warns for every unmapped joining
    gateway with two or more incoming flows.
    Example: `Join_1` has taken flow `Flow_A`, the plan does not map `Join_1`: rejected.
    Fix: map the gateway to a gateway of the same type in the target.
    """
    for gateway, _flows in joining_gateways(v):
        if gateway.id not in v.cmd.id_map:
            return Rejection(
                "Z19A", "INVALID_ARGUMENT",
                f"Expected to migrate process instance '{v.key}' but gateway '{gateway.id}' has "
                "at least one incoming sequence flow taken. Joining gateways with at least one "
                "incoming sequence flow taken must be mapped to a gateway of the same type in "
                "the target process definition.", element_id=gateway.id)
    return None


@rule("Z19B", Stage.GATEWAYS, since="8.7", rejection_type="INVALID_ARGUMENT")
def joining_gateway_same_type(v: Visit) -> Rejection | None:
    """A joining gateway with taken flows keeps its gateway type

    A parallel gateway must be mapped to a parallel gateway, an inclusive one to an
    inclusive one. The text is Z08's, but the rejection type is INVALID_ARGUMENT (400).
    Example: parallel `Join_1` mapped to inclusive `Join_1`: rejected.
    Fix: map it to a gateway of the same type.
    """
    for gateway, _flows in joining_gateways(v):
        target_id = v.cmd.id_map.get(gateway.id)
        target_type = v.cmd.target.body_type(target_id) if target_id else None
        if target_id is None or target_type is None or target_type == gateway.element_type:
            continue
        return Rejection(
            "Z19B", "INVALID_ARGUMENT",
            f"Expected to migrate process instance '{v.key}' but active element with id "
            f"'{gateway.id}' and type '{gateway.element_type}' is mapped to an element with id "
            f"'{target_id}' and different type '{target_type}'. Elements must be mapped to "
            "elements of the same type.", element_id=gateway.id)
    return None


@rule("Z19C", Stage.GATEWAYS, since="8.7", rejection_type="INVALID_ARGUMENT")
def joining_gateway_keeps_incoming_flows(v: Visit) -> Rejection | None:
    """The target joining gateway needs at least as many incoming flows as the source

    Zeebe compares the total number of incoming sequence flows of the two gateways (not
    the number of taken ones).
    Example: `Join_1` with 3 incoming flows mapped to a gateway with 2: rejected.
    Fix: keep the branches, or let instances pass the join before migrating them.
    """
    for gateway, _flows in joining_gateways(v):
        target = v.cmd.target.get(v.cmd.id_map.get(gateway.id, ""))
        if target is None or len(target.incoming) >= len(gateway.incoming):
            continue
        return Rejection(
            "Z19C", "INVALID_ARGUMENT",
            f"Expected to migrate process instance '{v.key}' but target gateway with id "
            f"'{target.id}' has less incoming sequence flows than the source gateway with id "
            f"'{gateway.id}'. Target gateway must have at least the same number of incoming "
            "sequence flows as the source gateway.", element_id=gateway.id)
    return None


@rule("Z19D", Stage.GATEWAYS, since="8.7", rejection_type="INVALID_ARGUMENT")
def taken_flows_reach_mapped_gateway(v: Visit) -> Rejection | None:
    """Every taken incoming flow must lead to the mapped target gateway

    8.7 matches taken flows by id: the same flow id must be an incoming flow of the target
    gateway (instructions for sequence flows have no effect). From 8.8 a taken flow may be
    mapped explicitly; its target flow must end in the mapped target gateway (see W13).
    Example: taken `Flow_A` into `Join_1`, and the target's `Flow_A` ends elsewhere.
    Fix: map the taken flow to an incoming flow of the target gateway (8.8+), or keep ids.
    """
    for gateway, flows in joining_gateways(v):
        target = v.cmd.target.get(v.cmd.id_map.get(gateway.id, ""))
        if target is None:
            continue
        for flow in flows:
            if versions.maps_sequence_flows(v.server):
                target_flow = v.cmd.id_map.get(flow, flow)
            else:
                target_flow = flow
            if target_flow in target.incoming:
                continue
            return Rejection(
                "Z19D", "INVALID_ARGUMENT",
                f"Expected to migrate process instance '{v.key}' but gateway with id "
                f"'{gateway.id}' has a taken incoming sequence flow mismatch. Taken sequence flow "
                f"with id '{flow}' must connect to the mapped target gateway with id "
                f"'{target.id}' in the target process definition.", element_id=flow)
    return None


@rule("Z20", Stage.GATEWAYS, since="8.8", rejection_type="INVALID_STATE")
def taken_flows_not_merged(v: Visit) -> Rejection | None:
    """Two taken sequence flows cannot be mapped to the same target flow

    Added in an 8.8 patch: when an instance holds two taken flows of a joining gateway
    and both are mapped to one target sequence flow, Zeebe rejects the migration. Only the
    beginning of Zeebe's text is known; c8migrate completes it in the same style
    (unverified), so compare on the beginning.
    Example: taken `Flow_A -> Flow_X` and `Flow_B -> Flow_X` into `Join_1`.
    Fix: map each taken flow to its own incoming flow of the target gateway.
    """
    for _gateway, flows in joining_gateways(v):
        by_target: dict[str, list[str]] = {}
        for flow in flows:
            if flow in v.cmd.id_map:
                by_target.setdefault(v.cmd.id_map[flow], []).append(flow)
        for target_flow, sources in by_target.items():
            if len(sources) > 1:
                return Rejection(
                    "Z20", "INVALID_STATE",
                    f"Expected to migrate process instance '{v.key}' but active sequence flows "
                    f"'[{', '.join(sources)}]' are mapped to the same target sequence flow "
                    f"'{target_flow}'. Each active sequence flow must be mapped to a different "
                    "target sequence flow.", element_id=sources[0])
    return None
