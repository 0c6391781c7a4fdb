"""The scheduled drift check: instances still on the source version of an applied plan.

For the latest audit record of every plan in the journal (outcome migrated, partial,
unknown or nothing-to-migrate), count the instances the plan's filter selects on the source
definition. Instances the run left behind on purpose (blocked, with rollout.allowBlocked)
are allowed; more than that is drift: new instances were started on the old version, or a
migration was undone or never happened.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from runner.cluster.model import InstanceInfo
from runner.flow.journal import AuditRecord, all_audit_records
from runner.flow.observe import stream_filter
from runner.plan.loader import load_plan
from runner.plan.model import InstanceFilter

APPLIED_OUTCOMES = frozenset({"migrated", "partial", "unknown", "nothing-to-migrate"})


class DriftClient(Protocol):
    def iter_instances(self, source_definition_key: str, filter: InstanceFilter | None = None,
                       tenant_id: str | None = None,
                       page_size: int = ...) -> Iterator[InstanceInfo]: ...


@dataclass(frozen=True, slots=True)
class PlanDrift:
    """One applied plan checked against the cluster."""

    record: AuditRecord
    on_source: int
    """Instances the plan's filter selects that are still on the source definition."""
    allowed: int
    """Left behind on purpose by the last run (blocked instances it skipped)."""
    filter_source: str
    """'plan' (the plan file's filter) or 'none' (the file is gone or changed)."""

    @property
    def drifted(self) -> bool:
        return self.on_source > self.allowed


def latest_applied(journal_dir: Path) -> list[AuditRecord]:
    """The newest audit record per plan whose run applied (or found nothing to apply)."""
    latest: dict[str, AuditRecord] = {}
    for record in all_audit_records(journal_dir):
        if record.outcome in APPLIED_OUTCOMES:
            latest[record.plan] = record
    return [latest[name] for name in sorted(latest)]


def check_drift(journal_dir: Path, client: DriftClient) -> list[PlanDrift]:
    """Check every applied plan recorded in ``journal_dir``. Only reads from the cluster."""
    results: list[PlanDrift] = []
    for record in latest_applied(journal_dir):
        if not record.source_definition_key:
            continue
        flt, origin = _filter_of(record)
        count = sum(1 for _ in client.iter_instances(record.source_definition_key, flt,
                                                     record.tenant_id))
        results.append(PlanDrift(record, count, record.counts.get("skipped", 0), origin))
    return results


def _filter_of(record: AuditRecord) -> tuple[InstanceFilter, str]:
    path = Path(record.plan_path)
    if path.is_file():
        loaded = load_plan(path)
        if loaded.plan is not None and loaded.plan.checksum == record.checksum:
            return stream_filter(loaded.plan.filter), "plan"
    return InstanceFilter(), "none"
