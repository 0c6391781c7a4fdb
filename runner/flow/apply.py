"""apply: re-compute the dry run, check the guards, migrate, verify, record.

Order of a run (one plan):

1. take the plan's lock (``LockHeld`` when another apply of the plan runs);
2. follow batches an earlier run started and did not see end (resume, never duplicate);
3. re-compute the preview with the deployed models, collecting the migratable keys;
4. guards (``PlanRefused``: a ``DriftDetected``, exit 4, carrying the refused plan's
   report): more than ``rollout.maxInstances``, definition keys or
   plan checksum other than reviewed, blockers the review did not show;
5. refuse (outcome ``refused``, exit 1) when the preview has error findings, or blocked
   instances and the plan does not say ``rollout.allowBlocked: true``. Nothing is migrated
   then: a plan that would leave instances behind must say so;
6. migrate the migratable instances (single or batch mode), never the blocked ones;
7. verify by reading back, record the audit record, return the ApplyReport.
"""

from __future__ import annotations

import contextlib
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal, Protocol

from runner.engine.state import Instruction
from runner.errors import ConfigError, DriftDetected, RunnerError
from runner.findings import Finding, Severity
from runner.flow import guards
from runner.flow.batch import (
    BatchModeClient,
    BatchSettings,
    ResumedBatches,
    filter_is_exact,
    migrate_batch,
    resume_open_batches,
)
from runner.flow.journal import (
    DEFAULT_JOURNAL_DIR,
    AuditRecord,
    PlanJournal,
    Provenance,
    ensure_journal_dir,
    utc_now,
)
from runner.flow.lock import PlanLock
from runner.flow.observe import DEFAULT_CONCURRENCY, Observation
from runner.flow.outcomes import KeySet, Outcomes
from runner.flow.preview import PreviewClient, compute_preview
from runner.flow.progress import NoProgress, ProgressListener
from runner.flow.resolve import resolve_plan
from runner.flow.single import SingleModeClient, Timing, migrate_single
from runner.plan.model import Plan, RolloutMode
from runner.results import ApplyReport, PlanPreview
from runner.version import ServerVersion

Mode = Literal["single", "batch"]


class ApplyClient(PreviewClient, SingleModeClient, BatchModeClient, Protocol):
    """Everything apply needs from the cluster client."""


class ApplyInterrupted(KeyboardInterrupt):
    """Ctrl-C (SIGINT) while a plan was migrating; ``summary`` says what was done so far
    (the journal has it too, as an ``interrupted`` end record)."""

    def __init__(self, summary: str) -> None:
        super().__init__(summary)
        self.summary = summary


class PlanRefused(DriftDetected):
    """DriftDetected (exit 4) for one plan, with the report of the refused plan (status
    refused, finding A04 with the reasons) so that the run's report can show it."""

    def __init__(self, drift: DriftDetected, report: ApplyReport) -> None:
        super().__init__(drift.message, reasons=drift.reasons, hint=drift.hint)
        self.report = report


@dataclass(frozen=True, slots=True)
class ApplySettings:
    """How apply runs; the defaults suit a real cluster."""

    journal_dir: Path = DEFAULT_JOURNAL_DIR
    reviewed: guards.ReviewedPreview | None = None
    mode: RolloutMode | None = None
    """Overrides the plan's rollout.mode when given."""
    concurrency: int | None = None
    batch: BatchSettings = field(default_factory=BatchSettings)
    timing: Timing = field(default_factory=Timing)
    provenance: Provenance | None = None


def choose_mode(requested: RolloutMode, server: ServerVersion) -> Mode:
    """``auto`` is batch where the server has batch migration (8.8+), else single."""
    if requested == "auto":
        return "batch" if server.at_least("8.8") else "single"
    return requested


def apply_plan(plan: Plan, client: ApplyClient, *, settings: ApplySettings | None = None,
               server: ServerVersion | None = None,
               progress: ProgressListener | None = None) -> ApplyReport:
    """Apply ``plan`` to the cluster safely; see the module docstring for the steps."""
    options = settings or ApplySettings()
    listener = progress or NoProgress()
    ensure_journal_dir(options.journal_dir)
    journal = PlanJournal(options.journal_dir, plan)
    with PlanLock(options.journal_dir, plan.name, run=journal.run):
        return _Run(plan, client, options, listener, journal,
                    server or client.server_version()).execute()


class _Run:
    def __init__(self, plan: Plan, client: ApplyClient, options: ApplySettings,
                 progress: ProgressListener, journal: PlanJournal,
                 server: ServerVersion) -> None:
        self.plan, self.client, self.options = plan, client, options
        self.progress, self.journal, self.server = progress, journal, server
        self.started, self.clock = utc_now(), time.monotonic()
        self.concurrency = options.concurrency or plan.rollout.concurrency or DEFAULT_CONCURRENCY
        self.mode: Mode = choose_mode(options.mode or plan.rollout.mode, server)
        self.resumed = ResumedBatches()
        self.so_far = Outcomes()
        self.accepted = KeySet()
        """Single mode: what happened so far, for an interrupted run's record."""

    def execute(self) -> ApplyReport:
        if self.mode == "batch" and not self.server.at_least("8.8"):
            raise ConfigError(
                f"rollout mode batch needs Camunda 8.8 or newer; the cluster is {self.server}",
                hint="use mode single or auto (auto picks single before 8.8)")
        self.resumed = (resume_open_batches(self.client, self.journal, self.plan,
                                            self.options.batch)
                        if self.server.at_least("8.8") else ResumedBatches())
        resumed = list(self.resumed.keys)
        resolved = resolve_plan(self.plan, self.client, self.server)
        selected = KeySet()

        def collect(observation: Observation) -> None:
            if observation.verdict.accepted:
                selected.add(observation.info.key)

        preview = compute_preview(resolved, self.client, concurrency=self.concurrency,
                                  progress=self.progress, on_observation=collect)
        try:
            guards.enforce(preview, self.options.reviewed)
        except DriftDetected as drift:
            finding = Finding(
                "A04", Severity.ERROR,
                "not applied: live state differs from what was reviewed: "
                + "; ".join(drift.reasons),
                location=self.plan.location_of(""), hint=drift.hint)
            report = self._finish(preview, "refused", Outcomes(), resumed, preview.matched,
                                  message="; ".join(drift.reasons), extra=(finding,))
            raise PlanRefused(drift, report) from drift
        refusal = self._refusal(preview)
        if refusal is not None:
            return self._finish(preview, "refused", Outcomes(), resumed, preview.matched,
                                message=refusal.message, extra=(refusal,))
        if preview.migrating == 0 or resolved.request is None:
            # what a resumed batch migrated is this run's work (no earlier run saw it end)
            done = "migrated" if self.resumed.migrated else "nothing-to-migrate"
            return self._finish(preview, done, Outcomes(), resumed, preview.matched)
        self.journal.append("started", mode=self.mode, matched=preview.matched,
                            migrating=preview.migrating, blocked=preview.blocked_total,
                            source_definition_key=preview.source_definition_key,
                            target_definition_key=preview.target_definition_key)
        notes: tuple[Finding, ...] = ()
        try:
            outcomes, remaining, batch_keys, notes = self._migrate(
                preview, selected, resolved.request.instructions)
        except RunnerError as exc:
            # The cluster failed mid-run: record it, so the audit trail has every run.
            self._finish(preview, "unknown", Outcomes(), resumed, preview.matched,
                         message=f"stopped: {exc.message}")
            raise
        except KeyboardInterrupt as interrupt:
            raise ApplyInterrupted(self._record_interrupt(preview, resumed)) from interrupt
        batch_keys = resumed + batch_keys
        bad = sum(outcomes.counts.get(k, 0) for k in ("rejected", "failed", "unknown"))
        if bad:
            self.journal.append("instances-failed", count=bad, sample=[
                {"key": o.process_instance_key, "outcome": o.outcome, "message": o.message}
                for o in outcomes.kept[:20]])
        outcome = ("migrated" if bad == 0 else
                   "unknown" if outcomes.counts.get("unknown") else
                   "partial" if outcomes.counts.get("migrated") else "failed")
        return self._finish(preview, outcome, outcomes, batch_keys, remaining,
                            message=notes[0].message if notes else None, extra=notes)

    def _migrate(self, preview: PlanPreview, selected: KeySet,
                 instructions: tuple[Instruction, ...]
                 ) -> tuple[Outcomes, int, list[str], tuple[Finding, ...]]:
        """Migrate ``selected`` in the run's mode: (outcomes, left on source, batch keys,
        findings about the run)."""
        if self.mode == "single":
            outcomes = migrate_single(self.client, selected, preview.target_definition_key,
                                      instructions, concurrency=self.concurrency,
                                      progress=self.progress, timing=self.options.timing,
                                      outcomes=self.so_far, accepted=self.accepted)
            return outcomes, preview.matched - outcomes.counts.get("migrated", 0), [], ()
        by_keys = preview.blocked_total > 0 or not filter_is_exact(self.plan.filter)
        run = migrate_batch(self.client, self.plan, preview.source_definition_key,
                            preview.target_definition_key, instructions, selected,
                            by_keys=by_keys, journal=self.journal, settings=self.options.batch,
                            progress=self.progress, timing=self.options.timing)
        notes: tuple[Finding, ...] = ()
        if run.start_unknown is not None:
            notes = (Finding("A03", Severity.ERROR, run.start_unknown.message,
                             location=self.plan.location_of("/rollout"),
                             hint=run.start_unknown.hint),)
        return run.outcomes, run.remaining_on_source, list(run.batch_keys), notes

    def _record_interrupt(self, preview: PlanPreview, resumed: list[str]) -> str:
        """Write an ``interrupted`` end record with the counts so far (best effort: the
        user is waiting, and a failing write must not hide the interrupt); its summary."""
        created: list[str] = []
        starting = False
        with contextlib.suppress(Exception):
            ours = [e for e in self.journal.events() if e.get("run") == self.journal.run]
            created = [str(e["batch_key"]) for e in ours if e.get("event") == "batch-created"]
            starting = any(e.get("event") == "batch-starting" for e in ours)
        if self.mode == "single":
            verified = self.so_far.counts.get("migrated", 0)
            summary = (f"interrupted while migrating: the cluster had accepted at least "
                       f"{len(self.accepted)} of {preview.migrating} migrations "
                       f"({verified} read back)")
        else:
            if created:
                summary = (f"interrupted while following {len(created)} batch operation(s) "
                           f"({', '.join(created)}); the next apply resumes them")
            elif starting:
                summary = ("interrupted while starting a batch operation: the cluster may "
                           "have created it; the next apply looks for it and follows it "
                           "before starting another")
            else:
                summary = "interrupted before any batch operation was started"
        summary += ("; re-run apply to finish (its dry run counts migrated instances as "
                    "already on the target)")
        counts = {"accepted": len(self.accepted)} if self.mode == "single" else {}
        with contextlib.suppress(Exception):
            self._finish(preview, "interrupted", self.so_far, resumed + created,
                         preview.matched - self.so_far.counts.get("migrated", 0),
                         message=summary, audit_counts=counts)
        return summary

    def _refusal(self, preview: PlanPreview) -> Finding | None:
        errors = [f for f in preview.findings if f.severity == Severity.ERROR]
        if errors:
            return Finding("A01", Severity.ERROR,
                           f"not applied: the plan has {len(errors)} error finding(s)",
                           location=self.plan.location_of(""),
                           hint="fix the findings; 'c8migrate plan' shows them")
        blocked = max(preview.blocked_total, len(preview.blocked))
        if blocked and not self.plan.rollout.allow_blocked:
            return Finding(
                "A02", Severity.ERROR,
                f"not applied: Zeebe would reject {blocked} of {preview.matched} instances, "
                "and the plan does not allow leaving them behind",
                location=self.plan.location_of("/rollout"),
                hint="fix the mapping, narrow the filter, or set rollout.allowBlocked: true "
                     "to migrate the others and leave the blocked ones on the source")
        return None

    def _finish(self, preview: PlanPreview, outcome: str, outcomes: Outcomes,
                batch_keys: list[str], remaining: int, *, message: str | None = None,
                extra: tuple[Finding, ...] = (),
                audit_counts: Mapping[str, int] | None = None) -> ApplyReport:
        duration = time.monotonic() - self.clock
        counts = dict(outcomes.counts)
        if self.resumed.migrated:
            counts["migrated"] = counts.get("migrated", 0) + self.resumed.migrated
        blocked = max(preview.blocked_total, len(preview.blocked))
        if blocked and outcome != "refused":
            counts["skipped"] = blocked
        provenance = self.options.provenance or Provenance.detect(Path(self.plan.path).parent)
        audit = AuditRecord(
            plan=self.plan.name, plan_path=self.plan.path, checksum=self.plan.checksum,
            run=self.journal.run, outcome=outcome, started=self.started, finished=utc_now(),
            commit=provenance.commit, actor=provenance.actor, server_version=str(self.server),
            mode=self.mode, process_definition_id=self.plan.source.process_definition_id,
            tenant_id=self.plan.tenant_id,
            source_definition_key=preview.source_definition_key or None,
            target_definition_key=preview.target_definition_key or None,
            counts={"matched": preview.matched, "migrating": preview.migrating,
                    "blocked": blocked, "already_on_target": preview.already_on_target,
                    "remaining_on_source": max(0, remaining), **counts,
                    **({"resumed_migrated": self.resumed.migrated}
                       if self.resumed.migrated else {}), **(audit_counts or {})},
            batch_operation_keys=tuple(batch_keys), message=message)
        self.journal.append("finished", outcome=outcome, audit=audit.to_json())
        return ApplyReport(plan=self.plan, preview=preview, mode=self.mode, counts=counts,
                           outcomes=outcomes.kept, batch_operation_keys=tuple(batch_keys),
                           remaining_on_source=max(0, remaining), duration_seconds=duration,
                           findings=preview.findings + extra)
