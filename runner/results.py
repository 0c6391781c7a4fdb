"""Result objects of the three core operations. Reporters render these; nothing here prints.

    validate(paths)  -> ValidationResult   (offline: schema + BPMN + rules)
    preview(plan)    -> PlanPreview        (dry run against the live cluster; writes nothing)
    apply(plan)      -> ApplyReport        (re-computes the preview, migrates, verifies)
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Literal

from runner.findings import Finding, Severity, worst
from runner.plan.model import Plan
from runner.version import ServerVersion


@dataclass(frozen=True, slots=True)
class PlanValidation:
    """Offline validation of one plan file."""

    path: str
    plan: Plan | None
    """None when the plan could not be loaded (YAML or schema errors)."""
    findings: tuple[Finding, ...]
    effective_mappings: tuple[tuple[str, str, str], ...] = ()
    """(source id, target id, origin) with origin 'explicit' or 'auto'."""

    @property
    def ok(self) -> bool:
        return worst(self.findings) != Severity.ERROR


@dataclass(frozen=True, slots=True)
class ValidationResult:
    plans: tuple[PlanValidation, ...]
    server_version: ServerVersion
    server_version_source: Literal["default", "option", "cluster"] = "default"

    @property
    def findings(self) -> tuple[Finding, ...]:
        return tuple(f for p in self.plans for f in p.findings)


@dataclass(frozen=True, slots=True)
class ElementMove:
    """Per source element: where its waiting instances go and how many are blocked."""

    source_element_id: str
    source_element_type: str
    target_element_id: str | None
    """None when unmapped (instances waiting there are rejected)."""
    instances: int
    blocked: int = 0


@dataclass(frozen=True, slots=True)
class BlockedInstance:
    process_instance_key: str
    code: str
    element_id: str | None
    message: str
    """Zeebe's rejection text, verbatim."""
    transient: bool = False


@dataclass(frozen=True, slots=True)
class PlanPreview:
    """The dry run of one plan against the live cluster. Apply computes the same object."""

    plan: Plan
    server_version: ServerVersion
    source_definition_key: str
    target_definition_key: str
    matched: int
    """Instances the filter selected on the source definition."""
    migrating: int
    """Of those, the ones the engine would accept."""
    blocked: tuple[BlockedInstance, ...]
    """Instances the engine would reject, with the reason (capped, see blocked_total)."""
    blocked_total: int = 0
    already_on_target: int = 0
    """Instances of the filter already on the target definition (a re-run finds these)."""
    moves: tuple[ElementMove, ...] = ()
    findings: tuple[Finding, ...] = ()
    """Offline findings plus runtime warnings (drift, guard exceeded, ...)."""
    instance_keys_sample: tuple[str, ...] = ()
    """A bounded sample of the keys that would migrate (for the report)."""
    guard_exceeded: bool = False

    @property
    def nothing_to_do(self) -> bool:
        return self.matched == 0


ApplyOutcome = Literal["migrated", "already-migrated", "rejected", "failed", "unknown", "skipped"]


@dataclass(frozen=True, slots=True)
class InstanceOutcome:
    process_instance_key: str
    outcome: ApplyOutcome
    message: str | None = None
    attempts: int = 1


@dataclass(frozen=True, slots=True)
class ApplyReport:
    """What apply did for one plan, verified by reading instances back."""

    plan: Plan
    preview: PlanPreview
    mode: Literal["single", "batch"]
    counts: Mapping[str, int]
    """ApplyOutcome -> number of instances."""
    outcomes: tuple[InstanceOutcome, ...] = ()
    """Per-instance outcomes that are not 'migrated' (bounded); migrated ones are counted."""
    batch_operation_keys: tuple[str, ...] = ()
    remaining_on_source: int = 0
    """After verification: instances matching the filter still on the source definition."""
    duration_seconds: float = 0.0
    findings: tuple[Finding, ...] = field(default_factory=tuple)

    @property
    def migrated(self) -> int:
        return self.counts.get("migrated", 0)

    @property
    def ok(self) -> bool:
        bad = sum(self.counts.get(k, 0) for k in ("rejected", "failed", "unknown"))
        return bad == 0
