"""BPMN tag names -> Zeebe's BpmnElementType and BpmnEventType names (reference section 1.6)."""

from __future__ import annotations

ELEMENT_TYPES: dict[str, str] = {
    "subProcess": "SUB_PROCESS",
    "adHocSubProcess": "AD_HOC_SUB_PROCESS",
    "callActivity": "CALL_ACTIVITY",
    "serviceTask": "SERVICE_TASK",
    "userTask": "USER_TASK",
    "receiveTask": "RECEIVE_TASK",
    "sendTask": "SEND_TASK",
    "scriptTask": "SCRIPT_TASK",
    "businessRuleTask": "BUSINESS_RULE_TASK",
    "manualTask": "MANUAL_TASK",
    "task": "TASK",
    "exclusiveGateway": "EXCLUSIVE_GATEWAY",
    "parallelGateway": "PARALLEL_GATEWAY",
    "inclusiveGateway": "INCLUSIVE_GATEWAY",
    "eventBasedGateway": "EVENT_BASED_GATEWAY",
    "startEvent": "START_EVENT",
    "endEvent": "END_EVENT",
    "intermediateCatchEvent": "INTERMEDIATE_CATCH_EVENT",
    "intermediateThrowEvent": "INTERMEDIATE_THROW_EVENT",
    "boundaryEvent": "BOUNDARY_EVENT",
    "sequenceFlow": "SEQUENCE_FLOW",
}
"""Flow elements Zeebe knows. ``subProcess triggeredByEvent="true"`` is EVENT_SUB_PROCESS."""

UNSUPPORTED_FLOW_NODES = frozenset(
    {"complexGateway", "transaction", "callChoreography", "subChoreography", "choreographyTask",
     "implicitThrowEvent"}
)
"""Flow nodes of BPMN 2.0 that Zeebe cannot execute; they are kept with type UNKNOWN so
that rules can name them."""

UNKNOWN = "UNKNOWN"

SCOPE_TAGS = frozenset({"subProcess", "adHocSubProcess", "transaction"})
"""Tags whose flow elements live inside them (they are the children's flow scope)."""

EVENT_DEFINITION_TYPES: dict[str, str] = {
    "messageEventDefinition": "MESSAGE",
    "timerEventDefinition": "TIMER",
    "signalEventDefinition": "SIGNAL",
    "errorEventDefinition": "ERROR",
    "escalationEventDefinition": "ESCALATION",
    "compensateEventDefinition": "COMPENSATION",
    "conditionalEventDefinition": "CONDITIONAL",
    "linkEventDefinition": "LINK",
    "terminateEventDefinition": "TERMINATE",
    "cancelEventDefinition": "CANCEL",
}
"""``*EventDefinition`` tags -> event types. CANCEL is not executable on Zeebe (it has no
BpmnEventType for it); rules treat it as unsupported."""

EVENT_TAGS = frozenset(
    {"startEvent", "endEvent", "intermediateCatchEvent", "intermediateThrowEvent",
     "boundaryEvent"}
)

ACTIVITY_TAGS = frozenset(
    {"subProcess", "adHocSubProcess", "transaction", "callActivity", "serviceTask", "userTask",
     "receiveTask", "sendTask", "scriptTask", "businessRuleTask", "manualTask", "task"}
)
"""Tags of activities: what a boundary event may be attached to (not event sub-processes)."""

CAMUNDA_USER_TASK_JOB_TYPE = "io.camunda.zeebe:userTask"
"""The job type Zeebe gives job-worker user tasks (they have no zeebe:taskDefinition)."""


def element_type_of(tag: str, triggered_by_event: bool) -> str | None:
    """The BpmnElementType name for a flow element tag; UNKNOWN for flow nodes Zeebe cannot
    run; None for tags that are not flow elements (data objects, lanes, annotations...)."""
    if tag == "subProcess" and triggered_by_event:
        return "EVENT_SUB_PROCESS"
    if tag in ELEMENT_TYPES:
        return ELEMENT_TYPES[tag]
    if tag in UNSUPPORTED_FLOW_NODES:
        return UNKNOWN
    return None
