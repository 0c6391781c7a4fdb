"""What the engine judges: a migration request and a snapshot of one process instance.

The same types serve the three callers of the engine:
* offline validation builds synthetic snapshots (one per element where an instance could wait),
* the dry run builds them from what the cluster reports,
* the sandbox builds them from the instances it holds.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

from runner.bpmn.model import ProcessModel
from runner.version import ServerVersion

RejectionType = Literal["NOT_FOUND", "INVALID_ARGUMENT", "INVALID_STATE", "PROCESSING_ERROR"]

HTTP_STATUS: Mapping[str, int] = {
    "NOT_FOUND": 404,
    "INVALID_ARGUMENT": 400,
    "INVALID_STATE": 409,
    "PROCESSING_ERROR": 500,
}


@dataclass(frozen=True, slots=True)
class Instruction:
    """One mapping instruction as sent to Zeebe (sourceElementId -> targetElementId)."""

    source: str
    target: str


@dataclass(frozen=True, slots=True)
class MigrationRequest:
    """Everything the engine needs besides the instance: both models, mapping, version."""

    source: ProcessModel
    target: ProcessModel
    instructions: tuple[Instruction, ...]
    server: ServerVersion
    target_definition_key: str = "0"
    source_definition_key: str = "0"
    target_message_start_correlation_keys: frozenset[str] | None = None
    """Correlation keys of the target process's active instances that a message start event
    created (Z04). None when the caller does not know them (offline): Z04 is then a note."""


@dataclass(frozen=True, slots=True)
class ElementInstance:
    """One active element instance (the process instance itself is one, type PROCESS)."""

    key: str
    element_id: str
    element_type: str
    """BpmnElementType name as the cluster reports it (MULTI_INSTANCE_BODY for the body)."""
    parent_key: str | None
    """Key of the enclosing element instance; None for the PROCESS row."""
    has_incident: bool = False
    is_camunda_user_task: bool | None = None
    """User tasks: True when the instance has a user-task key (Camunda user task)."""
    is_inner_instance: bool = False
    """True for the inner instances of a multi-instance body (loop counter > 0)."""
    state: str = "ACTIVE"
    """ACTIVE, or ACTIVATING for an element stuck on activation (incident)."""


@dataclass(frozen=True, slots=True)
class InstanceSnapshot:
    """One process instance as the engine sees it when the MIGRATE command arrives."""

    process_instance_key: str
    process_definition_key: str
    bpmn_process_id: str
    elements: tuple[ElementInstance, ...]
    """Active element instances, the PROCESS row first."""
    tenant_id: str = "<default>"
    variables: Mapping[str, Any] = field(default_factory=dict)
    taken_flows: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    """Scope element-instance key -> ids of taken sequence flows into joining gateways
    that have not fired yet (the engine stores them on the scope)."""
    message_subscriptions: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    """Element-instance key -> message names it is subscribed to. When empty for an
    element, the engine derives names from the source model's catch events."""
    started_by_message_correlation_key: str | None = None
    suspended: bool = False
    pending_command: bool = False
    """A command is waiting on the log (job completed, timer fired...): R17, transient."""
    pending_message_distribution: bool = False
    """A message subscription migration is still being distributed: R18a, transient."""
    variables_known: bool = False
    """True when ``variables`` holds the instance's real variables, so expressions of newly
    opened catch events can be evaluated (Z22). Offline snapshots leave it False."""
    parent_process_instance_key: str | None = None
    """Set for child instances created by a call activity (Z21A, 8.4 only)."""
    completed_compensable_activities: tuple[str, ...] = ()
    """Ids of completed activities that hold a compensation subscription (Z23)."""


@dataclass(frozen=True, slots=True)
class Rejection:
    """Zeebe's answer when it refuses the command: the first failing precondition."""

    code: str
    """Our stable rule code, e.g. 'Z07'."""
    rejection_type: RejectionType
    message: str
    """Zeebe's rejection text, exactly as the engine words it (without the REST prefix)."""
    element_id: str | None = None
    transient: bool = False
    """True when Zeebe says to retry (R17 concurrent command, R18a pending distribution)."""

    @property
    def http_status(self) -> int:
        return HTTP_STATUS[self.rejection_type]

    @property
    def rest_detail(self) -> str:
        """The REST problem detail's ``detail`` (reference E12)."""
        return f"Command 'MIGRATE' rejected with code '{self.rejection_type}': {self.message}"


@dataclass(frozen=True, slots=True)
class Note:
    """Something Zeebe accepts but the user should know (a silent trap), per element."""

    code: str
    message: str
    element_id: str | None = None
    hint: str | None = None


@dataclass(frozen=True, slots=True)
class Verdict:
    """The engine's verdict on one instance: accepted (rejection None) or rejected."""

    rejection: Rejection | None
    notes: tuple[Note, ...] = ()
    moves: tuple[tuple[str, str], ...] = ()
    """(source element id, target element id) for each active element, breadth first."""

    @property
    def accepted(self) -> bool:
        return self.rejection is None
