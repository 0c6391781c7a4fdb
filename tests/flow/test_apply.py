"""apply against the real sandbox process: modes, re-runs, guards, lock, resume, verify."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import httpx
import pytest
from support.sandbox import SandboxHandle, StartSandbox

from runner.cluster.client import ClusterClient
from runner.cluster.config import resolve
from runner.engine.state import Instruction
from runner.errors import ClusterError, ConfigError, DriftDetected, LockHeld
from runner.flow.apply import ApplySettings, apply_plan, choose_mode
from runner.flow.batch import BatchSettings
from runner.flow.journal import PlanJournal, Provenance
from runner.flow.lock import PlanLock
from runner.flow.observe import stream_filter
from runner.flow.single import Timing
from runner.plan.loader import load_plan
from runner.plan.model import InstanceFilter, Plan
from runner.version import ServerVersion

from .conftest import PLANS, SEED, client_for
from .test_preview import Z22_TEXT

FAST = Timing(settle=0.3)


def _plan(name: str) -> Plan:
    loaded = load_plan(PLANS / name)
    assert loaded.plan is not None, loaded.findings
    return loaded.plan


def _settings(journal: Path, **changes: object) -> ApplySettings:
    base = ApplySettings(journal_dir=journal, timing=FAST,
                         batch=BatchSettings(timeout=30, poll=0.05),
                         provenance=Provenance(commit="c0ffee", actor="tester"))
    return dataclasses.replace(base, **changes)  # type: ignore[arg-type]


def _definition_of(handle: SandboxHandle, key: str) -> str:
    body = httpx.get(f"{handle.url}/v2/process-instances/{key}").json()
    return str(body["processDefinitionKey"])


def test_auto_is_batch_from_8_8_on() -> None:
    assert choose_mode("auto", ServerVersion(8, 8)) == "batch"
    assert choose_mode("auto", ServerVersion(8, 7)) == "single"
    assert choose_mode("single", ServerVersion(8, 9)) == "single"


def test_single_mode_migrates_verifies_and_a_second_run_is_a_no_op(
        tmp_path: Path, demo_sandbox: SandboxHandle, demo_client: ClusterClient) -> None:
    plan = _plan("invoice-v1-to-v2.yaml")
    report = apply_plan(plan, demo_client, settings=_settings(tmp_path))

    assert report.mode == "single"
    assert dict(report.counts) == {"migrated": 9}
    assert report.ok and report.remaining_on_source == 0
    accepted = demo_sandbox.stats()["acceptedMigrations"]
    assert len(accepted) == 9 and set(accepted.values()) == {1}
    for key in accepted:
        assert _definition_of(demo_sandbox, key) == report.preview.target_definition_key

    again = apply_plan(plan, demo_client, settings=_settings(tmp_path))
    assert again.preview.matched == 0
    assert dict(again.counts) == {}
    assert again.preview.already_on_target == 9
    assert demo_sandbox.stats()["acceptedMigrations"] == accepted

    records = PlanJournal(tmp_path, plan).audit_records()
    assert [r.outcome for r in records] == ["migrated", "nothing-to-migrate"]
    first = records[0]
    assert (first.commit, first.actor, first.mode) == ("c0ffee", "tester", "single")
    assert first.counts["migrated"] == 9 and first.counts["matched"] == 9
    assert first.source_definition_key == report.preview.source_definition_key
    assert first.checksum == plan.checksum


def test_batch_mode_sends_explicit_keys_and_leaves_blocked_instances(
        tmp_path: Path, demo_sandbox: SandboxHandle, demo_client: ClusterClient) -> None:
    plan = _plan("order-v1-to-v2.yaml")
    report = apply_plan(plan, demo_client, settings=_settings(tmp_path))

    assert report.mode == "batch"
    assert dict(report.counts) == {"migrated": 18, "skipped": 3}
    assert len(report.batch_operation_keys) == 1
    assert report.remaining_on_source == 3
    stats = demo_sandbox.stats()
    assert len(stats["acceptedMigrations"]) == 18
    for blocked in report.preview.blocked:
        assert _definition_of(demo_sandbox, blocked.process_instance_key) == \
            report.preview.source_definition_key
    events = [e["event"] for e in PlanJournal(tmp_path, plan).events()]
    assert events == ["started", "batch-starting", "batch-created", "batch-finished", "finished"]
    created = next(e for e in PlanJournal(tmp_path, plan).events()
                   if e["event"] == "batch-created")
    assert created["by_keys"] is True and created["selected"] == 18

    again = apply_plan(plan, demo_client, settings=_settings(tmp_path))
    assert (again.preview.matched, again.preview.migrating) == (3, 0)
    assert dict(again.counts) == {"skipped": 3}
    assert again.batch_operation_keys == ()
    assert demo_sandbox.stats()["batchOperations"] == 1


def test_blocked_instances_refuse_the_plan_unless_allowed(
        tmp_path: Path, demo_sandbox: SandboxHandle, demo_client: ClusterClient) -> None:
    plan = _plan("order-v1-to-v2.yaml")
    strict = dataclasses.replace(plan, rollout=dataclasses.replace(plan.rollout,
                                                                   allow_blocked=False))
    report = apply_plan(strict, demo_client, settings=_settings(tmp_path))

    assert [f.code for f in report.findings if f.code.startswith("A")] == ["A02"]
    assert dict(report.counts) == {}
    assert demo_sandbox.stats()["writes"] == 0
    assert PlanJournal(tmp_path, strict).audit_records()[0].outcome == "refused"


def test_the_instance_guard_refuses_with_drift(tmp_path: Path, demo_sandbox: SandboxHandle,
                                               demo_client: ClusterClient) -> None:
    plan = _plan("invoice-v1-to-v2.yaml")
    guarded = dataclasses.replace(plan, rollout=dataclasses.replace(plan.rollout,
                                                                    max_instances=5))
    with pytest.raises(DriftDetected) as caught:
        apply_plan(guarded, demo_client, settings=_settings(tmp_path))
    assert caught.value.reasons == ("9 instances match, more than rollout.maxInstances (5)",)
    assert demo_sandbox.stats()["writes"] == 0


def test_a_held_lock_refuses_a_second_apply(tmp_path: Path, demo_sandbox: SandboxHandle,
                                            demo_client: ClusterClient) -> None:
    plan = _plan("invoice-v1-to-v2.yaml")
    with PlanLock(tmp_path, plan.name, run="other-run"), pytest.raises(LockHeld):
        apply_plan(plan, demo_client, settings=_settings(tmp_path))
    assert demo_sandbox.stats()["writes"] == 0


def test_a_recorded_batch_is_resumed_not_started_again(
        tmp_path: Path, demo_sandbox: SandboxHandle, demo_client: ClusterClient) -> None:
    plan = _plan("onboarding-2025.1-to-2025.2.yaml")
    source = demo_client.find_definition("customer-onboarding", version_tag="2025.1")
    target = demo_client.find_definition("customer-onboarding", version_tag="2025.2")
    keys = tuple(i.key for i in demo_client.iter_instances(source.key, stream_filter(
        plan.filter)))
    ids = ("Gateway_WaitForDocuments", "Event_DocumentsReceived", "Event_DocumentsOverdue",
           "Task_VerifyIdentity", "Task_CloseApplication")
    # A crashed run: it created the batch and recorded it, then died while following it.
    batch_key = demo_client.start_batch_migration(
        InstanceFilter(process_instance_keys=keys), target.key,
        [Instruction(i, i) for i in ids], source_definition_key=source.key)
    PlanJournal(tmp_path, plan, run="crashed").append("batch-created", batch_key=batch_key,
                                                      selected=len(keys))

    report = apply_plan(plan, demo_client, settings=_settings(tmp_path))

    assert report.batch_operation_keys == (batch_key,)
    assert report.preview.matched == 0
    assert demo_sandbox.stats()["batchOperations"] == 1
    events = [e["event"] for e in PlanJournal(tmp_path, plan).events()]
    assert events == ["batch-created", "batch-resumed", "batch-finished", "finished"]
    assert PlanJournal(tmp_path, plan).open_batches() == []


class _LyingTransport(httpx.BaseTransport):
    """Forwards to the real sandbox, but answers 204 to the migration of ``key`` without
    passing it on: a server that says it migrated an instance and did not."""

    def __init__(self, key: str) -> None:
        self.key = key
        self.real = httpx.HTTPTransport()

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        if request.method == "POST" and request.url.path == \
                f"/v2/process-instances/{self.key}/migration":
            return httpx.Response(204)
        return self.real.handle_request(request)

    def close(self) -> None:
        self.real.close()


def test_verification_catches_an_instance_the_server_did_not_migrate(
        tmp_path: Path, demo_sandbox: SandboxHandle, demo_client: ClusterClient) -> None:
    plan = _plan("invoice-v1-to-v2.yaml")
    source = demo_client.find_definition("invoice-approval", version=1)
    victim = min((i.key for i in demo_client.iter_instances(source.key, plan.filter)), key=int)
    config = resolve({"address": demo_sandbox.url}, env={})
    with ClusterClient(config, transport=_LyingTransport(victim)) as liar:
        report = apply_plan(plan, liar, settings=_settings(tmp_path))

    assert dict(report.counts) == {"migrated": 8, "failed": 1}
    assert not report.ok
    [failed] = report.outcomes
    assert failed.process_instance_key == victim
    assert failed.outcome == "failed"
    assert failed.message == (
        "the cluster accepted the migration, but reading the instance back shows definition "
        f"{source.key}, not the target {report.preview.target_definition_key}")
    assert PlanJournal(tmp_path, plan).audit_records()[0].outcome == "partial"
    [summary] = [e for e in PlanJournal(tmp_path, plan).events()
                 if e["event"] == "instances-failed"]
    assert summary["count"] == 1
    assert [s["key"] for s in summary["sample"]] == [victim]


def test_on_8_7_single_mode_reports_zeebes_rejections_verbatim(
        tmp_path: Path, sandbox_factory: StartSandbox) -> None:
    handle = sandbox_factory(server_version="8.7.0", seed=SEED)
    plan = _plan("order-v1-to-v2.yaml")
    with client_for(handle) as client:
        report = apply_plan(plan, client, settings=_settings(tmp_path))

    # 8.7 has no variable search: the dry run cannot predict Z22 and says so ...
    assert report.mode == "single"
    assert report.preview.blocked_total == 0
    assert "D04" in [f.code for f in report.preview.findings]
    # ... and the cluster rejects those instances; apply reports Zeebe's answer verbatim.
    assert dict(report.counts) == {"migrated": 18, "rejected": 3}
    for outcome in report.outcomes:
        assert outcome.outcome == "rejected"
        assert outcome.message == (
            "Command 'MIGRATE' rejected with code 'INVALID_STATE': "
            + Z22_TEXT.format(key=outcome.process_instance_key))
    assert PlanJournal(tmp_path, plan).audit_records()[0].outcome == "partial"


def test_a_batch_that_outlives_the_follow_timeout_is_resumed_by_the_next_run(
        tmp_path: Path, demo_sandbox: SandboxHandle, demo_client: ClusterClient) -> None:
    demo_sandbox.faults({"batchNotFoundMs": 1500})
    plan = _plan("onboarding-2025.1-to-2025.2.yaml")
    impatient = _settings(tmp_path, batch=BatchSettings(timeout=0.2, poll=0.05))
    first = apply_plan(plan, demo_client, settings=impatient)

    [batch_key] = first.batch_operation_keys
    assert [b.key for b in PlanJournal(tmp_path, plan).open_batches()] == [batch_key]

    second = apply_plan(plan, demo_client, settings=_settings(tmp_path))
    assert second.batch_operation_keys == (batch_key,)
    assert second.preview.matched == 0
    assert PlanJournal(tmp_path, plan).open_batches() == []
    assert demo_sandbox.stats()["batchOperations"] == 1
    events = [e["event"] for e in PlanJournal(tmp_path, plan).events()]
    assert events == ["started", "batch-starting", "batch-created", "batch-unknown", "finished",
                      "batch-resumed", "batch-finished", "finished"]


def test_batch_mode_on_8_7_is_a_configuration_error_before_anything_runs(
        tmp_path: Path, sandbox_factory: StartSandbox) -> None:
    handle = sandbox_factory(server_version="8.7.0", seed=SEED)
    plan = _plan("invoice-v1-to-v2.yaml")
    with client_for(handle) as client, pytest.raises(ConfigError, match=r"needs Camunda 8\.8"):
        apply_plan(plan, client, settings=_settings(tmp_path, mode="batch"))
    assert handle.stats()["writes"] == 0


def test_a_cluster_failure_mid_run_is_recorded_before_it_is_raised(
        tmp_path: Path, demo_sandbox: SandboxHandle) -> None:
    demo_sandbox.faults({"rules": [{"kind": "unavailable", "rate": 1,
                                    "routes": ["batch-migrate"]}]})
    plan = _plan("onboarding-2025.1-to-2025.2.yaml")
    with client_for(demo_sandbox, retry_deadline=0.5) as client, \
            pytest.raises(ClusterError):
        apply_plan(plan, client, settings=_settings(tmp_path))

    [record] = PlanJournal(tmp_path, plan).audit_records()
    assert record.outcome == "unknown"
    assert record.message is not None and record.message.startswith("stopped: ")
    assert not (tmp_path / "onboarding-retail-2025.2.lock").exists()


def test_verification_waits_for_eventually_consistent_reads(
        tmp_path: Path, sandbox_factory: StartSandbox) -> None:
    handle = sandbox_factory(seed=SEED, extra_args=("--search-lag-ms", "400"))
    with client_for(handle) as client:
        single = apply_plan(_plan("invoice-v1-to-v2.yaml"), client,
                            settings=_settings(tmp_path, timing=Timing(settle=5.0)))
        batch = apply_plan(_plan("onboarding-2025.1-to-2025.2.yaml"), client,
                           settings=_settings(tmp_path, timing=Timing(settle=5.0)))
    assert dict(single.counts) == {"migrated": 9}
    assert dict(batch.counts) == {"migrated": 6}
    assert single.ok and batch.ok
