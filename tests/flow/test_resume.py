"""A batch an earlier (interrupted) run started is resumed by the next run, and what it
migrated is credited in that run's report and audit record."""

from __future__ import annotations

import dataclasses
from pathlib import Path

from support.sandbox import SandboxHandle, invoice_seed

from runner.cluster.client import ClusterClient
from runner.cluster.config import resolve
from runner.engine.state import Instruction
from runner.flow.apply import ApplySettings, apply_plan
from runner.flow.batch import BatchSettings
from runner.flow.journal import PlanJournal, Provenance
from runner.flow.single import Timing
from runner.plan.loader import load_plan
from runner.plan.model import Rollout

from .conftest import PLANS

COUNT = 40


def test_a_resumed_batch_is_credited_in_the_re_run(tmp_path: Path,
                                                    sandbox: SandboxHandle) -> None:
    sandbox.seed(invoice_seed(COUNT))
    loaded = load_plan(PLANS / "invoice-v1-to-v2.yaml").plan
    assert loaded is not None
    plan = dataclasses.replace(loaded, rollout=Rollout(mode="batch"))
    settings = ApplySettings(journal_dir=tmp_path, batch=BatchSettings(poll=0.1),
                             timing=Timing(settle=2.0),
                             provenance=Provenance(commit=None, actor=None))
    with ClusterClient(resolve({"address": sandbox.url}, env={})) as client:
        source = client.find_definition("invoice-approval", 1)
        target = client.find_definition("invoice-approval", 2)
        # an earlier run created this batch and was interrupted before it saw it end
        earlier = PlanJournal(tmp_path, plan, run="earlier-run")
        key = client.start_batch_migration(
            plan.filter, target.key, (Instruction("Task_ApproveInvoice",
                                                  "Task_ApproveInvoice"),),
            source_definition_key=source.key)
        earlier.append("started", mode="batch", matched=COUNT, migrating=COUNT, blocked=0)
        earlier.append("batch-created", batch_key=key, selected=COUNT, by_keys=False,
                       source_definition_key=source.key, target_definition_key=target.key)

        report = apply_plan(plan, client, settings=settings)

    assert sandbox.stats()["acceptedMigrations"] == {k: 1 for k in
                                                     sandbox.stats()["acceptedMigrations"]}
    assert len(sandbox.stats()["acceptedMigrations"]) == COUNT
    assert report.migrated == COUNT and report.ok
    assert report.batch_operation_keys == (key,)
    [audit] = PlanJournal(tmp_path, plan).audit_records()
    assert audit.outcome == "migrated"
    assert audit.counts["migrated"] == COUNT
    assert audit.counts["resumed_migrated"] == COUNT
    assert audit.batch_operation_keys == (key,)
