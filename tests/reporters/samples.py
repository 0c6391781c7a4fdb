"""Results built directly (the producers are tested elsewhere): the inputs of every format."""

from __future__ import annotations

from runner.findings import Finding, Location, Severity
from runner.plan.model import Plan, ProcessRef, Rollout
from runner.results import (
    ApplyReport,
    BlockedInstance,
    ElementMove,
    InstanceOutcome,
    PlanPreview,
    PlanValidation,
    ValidationResult,
)
from runner.version import ServerVersion

SERVER = ServerVersion(8, 8)
UNMAPPED_TEXT = ("Expected to migrate process instance '{key}' but no mapping instruction "
                 "defined for active element with id 'Task_Ship'. Elements cannot be migrated "
                 "without a mapping.")


def plan(path: str = "plans/order-v1-to-v2.yaml", name: str = "order-v1-to-v2",
         max_instances: int | None = 500) -> Plan:
    return Plan(
        path=path,
        name=name,
        source=ProcessRef("order-process", "bpmn/order-process.v1.bpmn", version=1),
        target=ProcessRef("order-process", "bpmn/order-process.v2.bpmn", version=2),
        rollout=Rollout(mode="auto", max_instances=max_instances),
        checksum="3f" * 32,
    )


def unmapped_finding(path: str = "plans/order-v1-to-v2.yaml") -> Finding:
    return Finding(
        code="Z07",
        severity=Severity.ERROR,
        message="instances waiting at 'Task_Ship' (SERVICE_TASK) would be rejected: "
                "it has no mapping",
        location=Location(path, 14, 3),
        hint="map it to 'Task_ShipOrder' (SERVICE_TASK, same scope)",
        related=(Location("plans/bpmn/order-process.v1.bpmn", 42),),
        zeebe_message=UNMAPPED_TEXT.format(key="<key>"),
    )


def warning_finding(path: str = "plans/order-v1-to-v2.yaml") -> Finding:
    return Finding(
        code="W02",
        severity=Severity.WARNING,
        message="job type of 'Task_Charge' changes from 'charge' to 'charge-v2, EU: 100%'; "
                "active jobs keep the old type",
        location=Location(path, 18, 7, end_line=18, end_column=40),
        hint="complete or cancel the active jobs first,\nor keep the job type",
        related=(Location("plans/bpmn/order-process.v1.bpmn", 30),
                 Location("plans/bpmn/order-process.v2.bpmn", 31)),
    )


def note_finding() -> Finding:
    return Finding(code="N17", severity=Severity.NOTE,
                   message="a concurrent command on an instance is only known at run time")


def validation() -> ValidationResult:
    bad = PlanValidation(
        path="plans/order-v1-to-v2.yaml",
        plan=plan(),
        findings=(unmapped_finding(), warning_finding(), note_finding()),
        effective_mappings=(("Task_Charge", "Task_Charge", "auto"),
                            ("Task_Pack", "Task_PackParcel", "explicit")),
    )
    clean = PlanValidation(
        path="plans/invoice.yaml",
        plan=plan("plans/invoice.yaml", "invoice-v3-to-v4"),
        findings=(),
        effective_mappings=(("Review", "Review", "auto"),),
    )
    broken = PlanValidation(
        path="plans/broken.yaml",
        plan=None,
        findings=(Finding("P01", Severity.ERROR, "YAML syntax error: mapping values are not "
                          "allowed here", Location("plans/broken.yaml", 3, 9)),),
    )
    return ValidationResult(plans=(bad, clean, broken), server_version=SERVER,
                            server_version_source="option")


def blocked(key: str, element: str = "Task_Ship", transient: bool = False) -> BlockedInstance:
    return BlockedInstance(key, "Z07", element, UNMAPPED_TEXT.format(key=key), transient)


def preview(blocked_keys: int = 3) -> PlanPreview:
    keys = [str(2251799813690000 + i) for i in range(blocked_keys)]
    return PlanPreview(
        plan=plan(),
        server_version=SERVER,
        source_definition_key="2251799813685249",
        target_definition_key="2251799813685300",
        matched=40,
        migrating=40 - blocked_keys,
        blocked=tuple(blocked(k) for k in keys),
        blocked_total=blocked_keys,
        already_on_target=2,
        moves=(
            ElementMove("Task_Charge", "SERVICE_TASK", "Task_Charge", 25),
            ElementMove("Task_Pack", "USER_TASK", "Task_PackParcel", 12),
            ElementMove("Task_Ship", "SERVICE_TASK", None, blocked_keys, blocked_keys),
        ),
        findings=(warning_finding(),),
        instance_keys_sample=("2251799813688001", "2251799813688002"),
    )


def empty_preview() -> PlanPreview:
    return PlanPreview(plan=plan("plans/invoice.yaml", "invoice-v3-to-v4"), server_version=SERVER,
                       source_definition_key="2251799813685400",
                       target_definition_key="2251799813685401", matched=0, migrating=0,
                       blocked=())


def apply_report() -> ApplyReport:
    return ApplyReport(
        plan=plan(),
        preview=preview(),
        mode="batch",
        counts={"migrated": 36, "already-migrated": 2, "rejected": 1},
        outcomes=(InstanceOutcome("2251799813690000", "rejected",
                                  UNMAPPED_TEXT.format(key="2251799813690000")),),
        batch_operation_keys=("2251799813699001",),
        remaining_on_source=1,
        duration_seconds=12.25,
    )


def clean_apply_report() -> ApplyReport:
    return ApplyReport(plan=plan("plans/invoice.yaml", "invoice-v3-to-v4"),
                       preview=empty_preview(), mode="single", counts={},
                       duration_seconds=0.5)
