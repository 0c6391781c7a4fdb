"""Batch mode (8.8+): server-side batch migrations, recorded, followed and verified.

Which instances a batch selects:

* nothing blocked and the filter is one the batch applies exactly (no variable or
  active-element filter): ONE batch with ``processDefinitionKey`` + the plan's filter;
* otherwise explicit ``processInstanceKey $in`` lists of the instances the dry run found
  migratable, ``KEYS_PER_BATCH`` at a time, so blocked instances are never sent.

Each batch key is written to the journal BEFORE it is followed: a run that dies while
following is resumed by the next run (``resume_open_batches``) instead of starting another.
Afterwards the source definition is searched for instances still there: those the batch
selected count as not migrated, with the batch item's error message when it has one.
"""

from __future__ import annotations

import uuid
from collections.abc import Collection, Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Protocol

from runner.cluster.batch_start import FIND_WINDOW, BatchStartUnknown
from runner.cluster.model import BatchFollowResult, BatchItem, BatchStatus, InstanceInfo
from runner.engine.state import Instruction
from runner.errors import LockHeld
from runner.flow.journal import PlanJournal, utc_now
from runner.flow.observe import stream_filter
from runner.flow.outcomes import KeySet, Outcomes
from runner.flow.progress import ProgressListener
from runner.flow.single import Timing
from runner.plan.model import InstanceFilter, Plan

KEYS_PER_BATCH = 5000
FAILED_MESSAGES_KEPT = 1000


class BatchModeClient(Protocol):
    def start_batch_migration(self, filter: InstanceFilter, target_key: str,
                              instructions: Sequence[Instruction], *,
                              source_definition_key: str,
                              tenant_id: str | None = None,
                              exclude: Collection[str] = ()) -> str: ...

    def follow_batch(self, key: str, timeout: float = ...,
                     poll: float = ...) -> BatchFollowResult: ...

    def batch_operation(self, key: str) -> BatchStatus | None: ...

    def find_batch_started_since(self, sent_at: datetime, exclude: Collection[str] = (),
                                 window: float = ...) -> str | None: ...

    def iter_batch_items(self, key: str, state: str | None = None,
                         page_size: int = ...) -> Iterator[BatchItem]: ...

    def iter_instances(self, source_definition_key: str, filter: InstanceFilter | None = None,
                       tenant_id: str | None = None,
                       page_size: int = ...) -> Iterator[InstanceInfo]: ...


@dataclass(frozen=True, slots=True)
class BatchSettings:
    timeout: float = 600.0
    """How long to follow one batch operation before calling its outcome unknown."""
    poll: float = 1.0
    keys_per_batch: int = KEYS_PER_BATCH


@dataclass(frozen=True, slots=True)
class BatchRun:
    outcomes: Outcomes
    batch_keys: tuple[str, ...]
    remaining_on_source: int
    start_unknown: BatchStartUnknown | None = None
    """Set when a batch request's outcome stayed unknown (no further batch was started)."""


def filter_is_exact(flt: InstanceFilter) -> bool:
    """True when a batch filter selects exactly what the dry run's search selected."""
    return not flt.variables and not flt.active_element_ids


def migrate_batch(client: BatchModeClient, plan: Plan, source_key: str, target_key: str,
                  instructions: tuple[Instruction, ...], selected: KeySet, *, by_keys: bool,
                  journal: PlanJournal, settings: BatchSettings, progress: ProgressListener,
                  timing: Timing) -> BatchRun:
    """Run the batch(es), follow each to its end, verify by searching the source."""
    failures: dict[str, str] = {}
    results: list[BatchFollowResult] = []
    selections: list[InstanceFilter] = (
        [InstanceFilter(process_instance_keys=chunk)
         for chunk in selected.chunks(settings.keys_per_batch)] if by_keys else [plan.filter])
    start_unknown: BatchStartUnknown | None = None
    known = {e["batch_key"] for e in journal.events() if e.get("event") == "batch-created"}
    progress.begin("batch migration", len(selected))
    try:
        for flt in selections:
            count = len(flt.process_instance_keys) if by_keys else len(selected)
            # Written before sending: if this run stops before it learns the batch key
            # (Ctrl-C, crash, lost answer), the next run looks for the batch first.
            start_id = uuid.uuid4().hex[:12]
            journal.append("batch-starting", start_id=start_id, sent_at=utc_now(),
                           selected=count)
            try:
                key = client.start_batch_migration(flt, target_key, instructions,
                                                   source_definition_key=source_key,
                                                   tenant_id=plan.tenant_id, exclude=known)
            except BatchStartUnknown as exc:
                # Never re-send, never start the next chunk: what happened is unknown.
                journal.append("batch-start-unknown", start_id=start_id, selected=count,
                               reason=exc.reason)
                start_unknown = exc
                break
            known.add(key)
            journal.append("batch-created", start_id=start_id, batch_key=key, selected=count,
                           source_definition_key=source_key,
                           target_definition_key=target_key, by_keys=by_keys)
            result = follow(client, journal, key, settings)
            results.append(result)
            _collect_failures(client, key, failures)
            progress.advance(count)
    finally:
        progress.end()
    unknown = start_unknown is not None or any(r.unknown for r in results)
    outcomes, remaining = verify_source(client, plan, source_key, selected, by_keys=by_keys,
                                        failures=failures, unknown=unknown, timing=timing)
    return BatchRun(outcomes, tuple(r.key for r in results), remaining, start_unknown)


def follow(client: BatchModeClient, journal: PlanJournal, key: str,
           settings: BatchSettings) -> BatchFollowResult:
    result = client.follow_batch(key, timeout=settings.timeout, poll=settings.poll)
    status = result.status
    if result.unknown:
        # No batch-finished event: the next run resumes following this batch.
        journal.append("batch-unknown", batch_key=key, polls=result.polls)
    else:
        journal.append("batch-finished", batch_key=key, state=result.state,
                       total=status.total if status else None,
                       completed=status.completed if status else None,
                       failed=status.failed if status else None)
    return result


def _collect_failures(client: BatchModeClient, key: str, failures: dict[str, str]) -> None:
    for item in client.iter_batch_items(key, state="FAILED"):
        if item.process_instance_key and len(failures) < FAILED_MESSAGES_KEPT:
            failures[item.process_instance_key] = item.error_message or "batch item FAILED"


def verify_source(client: BatchModeClient, plan: Plan, source_key: str, selected: KeySet, *,
                  by_keys: bool, failures: dict[str, str], unknown: bool,
                  timing: Timing) -> tuple[Outcomes, int]:
    """Search the source definition for what is still there after the batches."""
    deadline = timing.monotonic() + timing.settle
    while True:
        remaining = [info.key for info in client.iter_instances(
            source_key, stream_filter(plan.filter), plan.tenant_id)]
        stuck = [key for key in remaining if not by_keys or key in selected]
        if not stuck or unknown or timing.monotonic() >= deadline:
            break
        timing.sleep(min(0.25, max(0.0, deadline - timing.monotonic())))
    outcomes = Outcomes()
    outcomes.add_count("migrated", max(0, len(selected) - len(stuck)))
    for key in stuck:
        if key in failures:
            outcomes.record(key, "rejected", failures[key])
        elif unknown:
            outcomes.record(key, "unknown", "the batch operation's outcome is unknown (it did "
                            "not finish in time, or its start was not confirmed); the "
                            "instance is still on the source definition")
        else:
            outcomes.record(key, "failed", "the batch operation ended but the instance is "
                            "still on the source definition")
    return outcomes, len(remaining)


@dataclass(frozen=True, slots=True)
class ResumedBatches:
    """Batches an earlier run started that this run followed to their end."""

    keys: tuple[str, ...] = ()
    migrated: int = 0
    """Items the resumed batches completed (their instances moved to the target): credited
    to this run, since no earlier run saw them end."""


def resume_open_batches(client: BatchModeClient, journal: PlanJournal, plan: Plan,
                        settings: BatchSettings) -> ResumedBatches:
    """Follow the batches an earlier run of this plan started and did not see end.

    A batch of an earlier version of the plan (other checksum) still in flight is not
    ours to follow: refuse with LockHeld until it ends.
    """
    _recover_lost_starts(client, journal)
    resumed: list[str] = []
    migrated = 0
    for batch in journal.open_batches():
        if batch.checksum != plan.checksum:
            status = client.batch_operation(batch.key)
            if status is not None and not status.final:
                raise LockHeld(
                    f"batch operation {batch.key} of an earlier version of plan "
                    f"'{plan.name}' is still {status.state}",
                    hint="wait for it to finish (or cancel it) before applying again")
        journal.append("batch-resumed", batch_key=batch.key, started_by=batch.run)
        result = follow(client, journal, batch.key, settings)
        resumed.append(batch.key)
        if not result.unknown and result.status is not None:
            migrated += result.status.completed
    return ResumedBatches(tuple(resumed), migrated)


def _recover_lost_starts(client: BatchModeClient, journal: PlanJournal) -> None:
    """Resolve batch starts an earlier run never learned the outcome of: a batch the server
    created for one is recorded as created (and then followed like any open batch); none
    found within the search window is recorded as resolved, so the run may start afresh."""
    known = {str(e["batch_key"]) for e in journal.events()
             if e.get("event") == "batch-created" and e.get("batch_key")}
    for pending in journal.unresolved_starts():
        try:
            sent_at = datetime.fromisoformat(pending.sent_at.replace("Z", "+00:00"))
        except ValueError:
            sent_at = datetime.now(UTC)
        waited = (datetime.now(UTC) - sent_at).total_seconds()
        key = client.find_batch_started_since(sent_at, exclude=known,
                                              window=max(0.0, FIND_WINDOW - waited))
        if key is None:
            journal.append("batch-start-resolved", start_id=pending.start_id, found=False)
            continue
        known.add(key)
        journal.append("batch-created", start_id=pending.start_id, batch_key=key,
                       recovered_from=pending.run)
