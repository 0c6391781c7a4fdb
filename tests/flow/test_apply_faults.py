"""apply over a flaky cluster: every instance migrated exactly once, and a true report."""

from __future__ import annotations

import dataclasses
from pathlib import Path

from support.sandbox import SandboxHandle

from runner.cluster.client import ClusterClient
from runner.cluster.config import resolve
from runner.cluster.retry import RetryPolicy
from runner.flow.apply import ApplySettings, apply_plan
from runner.flow.journal import PlanJournal, Provenance
from runner.flow.single import Timing
from runner.plan.loader import load_plan
from runner.plan.model import Rollout

from .conftest import PLANS

INSTANCES = 2000


def test_single_mode_over_ten_percent_faults_migrates_each_instance_once(
        tmp_path: Path, sandbox: SandboxHandle) -> None:
    sandbox.seed({
        "deploy": [{"resourceName": name, "xml": (PLANS / "bpmn" / name).read_text("utf-8")}
                   for name in ("invoice-approval.v1.bpmn", "invoice-approval.v2.bpmn")],
        "instances": [{"process": "invoice-approval", "version": 1, "count": INSTANCES,
                       "waitAt": ["Task_ApproveInvoice"], "variables": {"amount": 10}}],
    })
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
