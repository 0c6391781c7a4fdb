"""Small builders shared by the flow tests (plain objects, no fakes of our own code)."""

from __future__ import annotations

from runner.plan.model import Plan, ProcessRef, Rollout
from runner.results import BlockedInstance, PlanPreview
from runner.version import ServerVersion


def make_plan(name: str = "order-v1-to-v2", *, max_instances: int | None = None,
              checksum: str = "a" * 64) -> Plan:
    return Plan(
        path=f"plans/{name}.yaml",
        name=name,
        source=ProcessRef("order-process", "bpmn/order-process.v1.bpmn", version=1),
        target=ProcessRef("order-process", "bpmn/order-process.v2.bpmn", version=2),
        rollout=Rollout(max_instances=max_instances),
        checksum=checksum,
    )


def make_preview(plan: Plan | None = None, *, matched: int = 10, migrating: int = 10,
                 blocked: tuple[BlockedInstance, ...] = (), source_key: str = "100",
                 target_key: str = "200") -> PlanPreview:
    return PlanPreview(
        plan=plan or make_plan(), server_version=ServerVersion(8, 8),
        source_definition_key=source_key, target_definition_key=target_key,
        matched=matched, migrating=migrating, blocked=blocked, blocked_total=len(blocked),
    )
