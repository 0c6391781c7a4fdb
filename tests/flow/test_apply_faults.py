"""apply over a flaky cluster: every instance migrated exactly once, and a true report."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
from support.sandbox import SandboxHandle, invoice_seed

from runner.cluster.client import ClusterClient
from runner.cluster.config import resolve
from runner.cluster.retry import RetryPolicy
from runner.engine.state import Instruction
from runner.flow.apply import ApplySettings, apply_plan
from runner.flow.batch import BatchSettings
from runner.flow.journal import PlanJournal, Provenance
from runner.flow.single import Timing
from runner.plan.loader import load_plan
from runner.plan.model import Rollout

from .conftest import PLANS

INSTANCES = 2000


def test_single_mode_over_ten_percent_faults_migrates_each_instance_once(
        tmp_path: Path, sandbox: SandboxHandle) -> None:
    sandbox.seed(invoice_seed(INSTANCES))
    sandbox.faults({"seed": 11, "rules": [
        {"kind": "unavailable", "rate": 0.04},
        {"kind": "throttle", "rate": 0.03, "retryAfter": 0},
        {"kind": "drop", "rate": 0.03, "routes": ["migrate"]},
    ]})
    plan = load_plan(PLANS / "invoice-v1-to-v2.yaml").plan
    assert plan is not None
    unguarded = dataclasses.replace(plan, rollout=Rollout(mode="single", concurrency=16))
    fast = RetryPolicy(initial=0.01, max_delay=0.1, deadline=30)
    with ClusterClient(resolve({"address": sandbox.url}, env={}), policy=fast) as client:
        report = apply_plan(unguarded, client, settings=ApplySettings(
            journal_dir=tmp_path, timing=Timing(settle=2.0),
            provenance=Provenance(commit=None, actor=None)))

    stats = sandbox.stats()
    assert sum(stats["faultsInjected"].values()) > INSTANCES // 10
    accepted = stats["acceptedMigrations"]
    assert len(accepted) == INSTANCES
    assert set(accepted.values()) == {1}
    assert dict(report.counts) == {"migrated": INSTANCES}
    assert report.ok and report.remaining_on_source == 0
    assert PlanJournal(tmp_path, plan).audit_records()[0].counts["migrated"] == INSTANCES


BATCH_INSTANCES = 500


def test_batch_mode_after_a_dropped_start_follows_the_one_batch_it_created(
        tmp_path: Path, sandbox: SandboxHandle) -> None:
    sandbox.seed(invoice_seed(BATCH_INSTANCES))
    # the server creates the batch, then the connection drops before the answer
    sandbox.faults({"searchLagMs": 500, "rules": [
        {"kind": "drop", "rate": 1, "times": 1, "routes": ["batch-migrate"]}]})
    plan = load_plan(PLANS / "invoice-v1-to-v2.yaml").plan
    assert plan is not None
    unguarded = dataclasses.replace(plan, rollout=Rollout(mode="batch"))
    fast = RetryPolicy(initial=0.01, max_delay=0.1, deadline=30)
    with ClusterClient(resolve({"address": sandbox.url}, env={}), policy=fast) as client:
        report = apply_plan(unguarded, client, settings=ApplySettings(
            journal_dir=tmp_path, batch=BatchSettings(poll=0.1), timing=Timing(settle=3.0),
            provenance=Provenance(commit=None, actor=None)))

    accepted = sandbox.stats()["acceptedMigrations"]
    assert len(accepted) == BATCH_INSTANCES
    assert set(accepted.values()) == {1}
    assert len(report.batch_operation_keys) == 1
    created = [e for e in PlanJournal(tmp_path, plan).events()
               if e["event"] == "batch-created"]
    assert [e["batch_key"] for e in created] == list(report.batch_operation_keys)
    assert dict(report.counts) == {"migrated": BATCH_INSTANCES}
    assert report.ok


class _InstantSleeps:
    """Real wall-clock dates, but waiting takes no time (the batch search window is 30 s)."""

    def __init__(self) -> None:
        self.t = 0.0

    def monotonic(self) -> float:
        return self.t

    def sleep(self, seconds: float) -> None:
        self.t += max(0.0, seconds)

    def now(self) -> datetime:
        return datetime.now(UTC)


class _BatchStartFails(httpx.BaseTransport):
    """The network to the sandbox, where the batch start answers a bare HTTP 500."""

    def __init__(self) -> None:
        self.inner = httpx.HTTPTransport()
        self.starts = 0

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        if request.method == "POST" and request.url.path == "/v2/process-instances/migration":
            self.starts += 1
            return httpx.Response(500, json={"status": 500, "title": "INTERNAL",
                                             "detail": "injected"})
        return self.inner.handle_request(request)

    def close(self) -> None:
        self.inner.close()


def test_batch_mode_with_an_unconfirmed_start_ends_unknown_never_success(
        tmp_path: Path, sandbox: SandboxHandle) -> None:
    sandbox.seed(invoice_seed(20))
    plan = load_plan(PLANS / "invoice-v1-to-v2.yaml").plan
    assert plan is not None
    unguarded = dataclasses.replace(plan, rollout=Rollout(mode="batch"))
    network = _BatchStartFails()
    with ClusterClient(resolve({"address": sandbox.url}, env={}), transport=network,
                       clock=_InstantSleeps()) as client:
        report = apply_plan(unguarded, client, settings=ApplySettings(
            journal_dir=tmp_path, batch=BatchSettings(poll=0.1), timing=Timing(settle=0.5),
            provenance=Provenance(commit=None, actor=None)))

    assert network.starts == 1
    assert sandbox.stats()["acceptedMigrations"] == {}
    assert not report.ok and dict(report.counts) == {"unknown": 20}
    assert report.batch_operation_keys == ()
    [note] = [f for f in report.findings if f.code == "A03"]
    assert "outcome is unknown" in note.message and "re-run apply" in (note.hint or "")
    [audit] = PlanJournal(tmp_path, plan).audit_records()
    assert audit.outcome == "unknown"
    events = [e["event"] for e in PlanJournal(tmp_path, plan).events()]
    assert "batch-start-unknown" in events and "batch-created" not in events


def test_a_start_an_earlier_run_never_learned_about_is_found_and_followed_not_repeated(
        tmp_path: Path, sandbox: SandboxHandle) -> None:
    # An earlier run wrote 'batch-starting', sent the request, and was stopped (Ctrl-C, crash)
    # before the answer: the server did create the batch. The next run must find and follow
    # that batch, credit what it migrated, and start no second one.
    sandbox.seed(invoice_seed(40))
    plan = load_plan(PLANS / "invoice-v1-to-v2.yaml").plan
    assert plan is not None
    batch_plan = dataclasses.replace(plan, rollout=Rollout(mode="batch"))
    sandbox.faults({"searchLagMs": 1500})  # the dry run still sees them on the source
    earlier = PlanJournal(tmp_path, batch_plan, run="earlier-run")
    earlier.append("started")
    earlier.append("batch-starting", start_id="s1",
                   sent_at=(datetime.now(UTC) - timedelta(seconds=5)).strftime(
                       "%Y-%m-%dT%H:%M:%SZ"), selected=40)
    with ClusterClient(resolve({"address": sandbox.url}, env={})) as client:
        source = client.find_definition("invoice-approval", version=1)
        target = client.find_definition("invoice-approval", version=2)
        lost = client.start_batch_migration(
            batch_plan.filter, target.key, (Instruction("Task_ApproveInvoice",
                                                        "Task_ApproveInvoice"),),
            source_definition_key=source.key)
        report = apply_plan(batch_plan, client, settings=ApplySettings(
            journal_dir=tmp_path, batch=BatchSettings(poll=0.1), timing=Timing(settle=1.0),
            provenance=Provenance(commit=None, actor=None)))

    stats = sandbox.stats()
    assert stats["batchOperations"] == 1
    assert set(stats["acceptedMigrations"].values()) == {1}
    assert len(stats["acceptedMigrations"]) == 40
    events = list(PlanJournal(tmp_path, batch_plan).events())
    recovered = [e for e in events if e["event"] == "batch-created"]
    assert [(e["batch_key"], e["start_id"]) for e in recovered] == [(lost, "s1")]
    assert PlanJournal(tmp_path, batch_plan).unresolved_starts() == []
    assert report.ok and report.migrated == 40 and report.remaining_on_source == 0
