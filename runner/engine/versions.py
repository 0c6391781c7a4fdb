"""Version-gated facts of Zeebe's migration support (reference section 4 and rules R6-R12).

Every table maps a server version to what that version allows; rules ask these functions
instead of comparing versions themselves, so each gate lives in one place.
"""

from __future__ import annotations

from functools import cache

from runner.version import ServerVersion

_ELEMENT_TYPES_SINCE: dict[str, str] = {
    "PROCESS": "8.4",
    "SERVICE_TASK": "8.4",
    "USER_TASK": "8.4",
    "SUB_PROCESS": "8.5",
    "CALL_ACTIVITY": "8.5",
    "INTERMEDIATE_CATCH_EVENT": "8.5",
    "RECEIVE_TASK": "8.5",
    "EVENT_SUB_PROCESS": "8.6",
    "EXCLUSIVE_GATEWAY": "8.6",
    "EVENT_BASED_GATEWAY": "8.6",
    "BUSINESS_RULE_TASK": "8.6",
    "SCRIPT_TASK": "8.6",
    "SEND_TASK": "8.6",
    "MULTI_INSTANCE_BODY": "8.6",
    "PARALLEL_GATEWAY": "8.7",
    "INCLUSIVE_GATEWAY": "8.7",
    "AD_HOC_SUB_PROCESS": "8.8",
    "AD_HOC_SUB_PROCESS_INNER_INSTANCE": "8.8",
}
"""Active element types Zeebe migrates, with the first version that does (R6)."""

_CATCH_EVENT_TYPES_SINCE: dict[str, str] = {
    "MESSAGE": "8.5", "TIMER": "8.5", "SIGNAL": "8.6", "CONDITIONAL": "8.9",
}
"""Active intermediate catch event types (R6b)."""

_BOUNDARY_TYPES_SINCE: dict[str, str] = {
    "MESSAGE": "8.5", "TIMER": "8.5", "SIGNAL": "8.6", "ERROR": "8.6",
    "ESCALATION": "8.7", "COMPENSATION": "8.7", "CONDITIONAL": "8.9",
}
"""Boundary event types allowed on an active element and on its target (R12)."""

_EVENT_SUB_PROCESS_TYPES_SINCE: dict[str, str] = {
    "MESSAGE": "8.6", "TIMER": "8.6", "SIGNAL": "8.6", "ERROR": "8.6",
    "ESCALATION": "8.7", "CONDITIONAL": "8.9",
}
"""Event sub-process start event types allowed in an active container and its target (R11)."""


@cache
def _since(text: str) -> ServerVersion:
    return ServerVersion.parse(text)


def _allowed(table: dict[str, str], name: str, server: ServerVersion) -> bool:
    since = table.get(name)
    return since is not None and server >= _since(since)


def newest_table_version() -> ServerVersion:
    """The newest version any of the tables above names."""
    tables = (_ELEMENT_TYPES_SINCE, _CATCH_EVENT_TYPES_SINCE, _BOUNDARY_TYPES_SINCE,
              _EVENT_SUB_PROCESS_TYPES_SINCE)
    return max(_since(v) for table in tables for v in table.values())


def element_type_supported(element_type: str, server: ServerVersion) -> bool:
    """Whether an active element instance of this type can be migrated (R6)."""
    return _allowed(_ELEMENT_TYPES_SINCE, element_type, server)


def catch_event_type_supported(event_type: str, server: ServerVersion) -> bool:
    """Whether an active intermediate catch event of this event type can be migrated (R6b)."""
    return _allowed(_CATCH_EVENT_TYPES_SINCE, event_type, server)


def boundary_type_supported(event_type: str, server: ServerVersion) -> bool:
    """Whether a boundary event of this type may sit on an active element or its target (R12)."""
    return _allowed(_BOUNDARY_TYPES_SINCE, event_type, server)


def event_sub_process_type_supported(event_type: str, server: ServerVersion) -> bool:
    """Whether an event sub-process with this start event type is allowed (R11)."""
    return _allowed(_EVENT_SUB_PROCESS_TYPES_SINCE, event_type, server)


def converts_job_worker_user_tasks(server: ServerVersion) -> bool:
    """8.8.20+: a job-worker user task may be mapped to a Camunda user task (R9, E6)."""
    return server >= ServerVersion(8, 8, 20)


def migrates_joining_gateways(server: ServerVersion) -> bool:
    """8.7+: joining parallel/inclusive gateways with taken flows are checked (R19, E1)."""
    return server >= ServerVersion(8, 7)


def maps_sequence_flows(server: ServerVersion) -> bool:
    """8.8+: taken sequence flows may be mapped explicitly (E4)."""
    return server >= ServerVersion(8, 8)


def newer_message_texts(server: ServerVersion) -> bool:
    """8.8+: the reworded 'already subscribed to the same message name' text (E5)."""
    return server >= ServerVersion(8, 8)
