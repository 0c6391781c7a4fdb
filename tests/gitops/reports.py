"""JSON reports for the gitops tests, written by the real json reporter from result objects."""

from __future__ import annotations

import json
from pathlib import Path

from runner.findings import Finding, Location, Severity
from runner.plan.model import Plan, ProcessRef, Rollout
from runner.reporters.json_format import apply_document, previews_document
from runner.results import ApplyReport, BlockedInstance, ElementMove, PlanPreview
from runner.version import ServerVersion

UNMAPPED = ("Expected to migrate process instance '{key}' but no mapping instruction defined "
            "for active element with id 'Task_Legacy'. Elements cannot be migrated without a "
            "mapping.")


def plan(name: str = "order-v1-to-v2", path: str = "plans/order-v1-to-v2.yaml") -> Plan:
    return Plan(path=path, name=name,
                source=ProcessRef("order-process", "bpmn/order-process.v1.bpmn", version=1),
                target=ProcessRef("order-process", "bpmn/order-process.v2.bpmn", version=2),
                checksum="ab" * 32, rollout=Rollout(max_instances=5000))


def preview(*, matched: int = 12, blocked: int = 2, name: str = "order-v1-to-v2",
            path: str = "plans/order-v1-to-v2.yaml", findings: int = 1) -> PlanPreview:
    keys = [str(2251799813685249 + i) for i in range(blocked)]
    return PlanPreview(
        plan=plan(name, path), server_version=ServerVersion(8, 8),
        source_definition_key="2251799813685001", target_definition_key="2251799813685002",
        matched=matched, migrating=matched - blocked,
        blocked=tuple(BlockedInstance(k, "Z07", "Task_Legacy", UNMAPPED.format(key=k))
                      for k in keys),
        blocked_total=blocked,
        moves=(ElementMove("Task_Charge", "SERVICE_TASK", "Task_Authorize",
                           matched - blocked),
               ElementMove("Task_Legacy", "SERVICE_TASK", None, blocked, blocked)),
        findings=tuple(
            Finding(f"W0{i % 9 + 1}", Severity.WARNING,
                    f"job type of Task_Charge changed ({i}); migrated jobs keep the old type",
                    Location(path, 12 + i, 7))
            for i in range(findings)),
    )


def write_preview_report(target: Path, previews: list[PlanPreview]) -> Path:
    target.write_text(json.dumps(previews_document(previews)), encoding="utf-8")
    return target


def write_apply_report(target: Path, migrated: int = 10, blocked: int = 0) -> Path:
    shown = preview(matched=migrated + blocked, blocked=blocked)
    report = ApplyReport(plan=shown.plan, preview=shown, mode="batch",
                         counts={"migrated": migrated}, batch_operation_keys=("900001",),
                         remaining_on_source=blocked, duration_seconds=3.2)
    target.write_text(json.dumps(apply_document([report])), encoding="utf-8")
    return target
