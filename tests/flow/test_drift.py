"""The drift check over the journal's audit records, against the sandbox process."""

from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner
from support.sandbox import SandboxHandle

from runner import exit_codes
from runner.cli.main import cli
from runner.cluster.client import ClusterClient
from runner.flow.apply import ApplySettings, apply_plan
from runner.flow.drift import check_drift
from runner.flow.journal import Provenance
from runner.flow.single import Timing
from runner.plan.loader import load_plan

from .conftest import PLANS


def _apply(name: str, client: ClusterClient, journal: Path) -> None:
    plan = load_plan(PLANS / name).plan
    assert plan is not None
    apply_plan(plan, client, settings=ApplySettings(
        journal_dir=journal, timing=Timing(settle=0.3),
        provenance=Provenance(commit=None, actor=None)))


def test_nothing_applied_means_nothing_to_check(tmp_path: Path,
                                                demo_client: ClusterClient) -> None:
    assert check_drift(tmp_path, demo_client) == []


def test_blocked_leftovers_are_allowed_and_new_instances_on_the_source_are_drift(
        tmp_path: Path, demo_sandbox: SandboxHandle, demo_client: ClusterClient) -> None:
    _apply("order-v1-to-v2.yaml", demo_client, tmp_path)
    _apply("invoice-v1-to-v2.yaml", demo_client, tmp_path)

    clean = {r.record.plan: (r.on_source, r.allowed, r.drifted)
             for r in check_drift(tmp_path, demo_client)}
    assert clean == {"order-v1-to-v2": (3, 3, False), "invoice-v1-to-v2": (0, 0, False)}

    demo_sandbox.seed({"instances": [{"process": "order-process", "version": 1, "count": 2,
                                      "waitAt": ["Task_ReserveStock"],
                                      "variables": {"orderId": "ORD-9"}}]})
    late = {r.record.plan: (r.on_source, r.drifted) for r in check_drift(tmp_path, demo_client)}
    assert late == {"order-v1-to-v2": (5, True), "invoice-v1-to-v2": (0, False)}

    result = CliRunner().invoke(cli, ["drift", "--cluster", demo_sandbox.url,
                                      "--journal-dir", str(tmp_path)],
                                env={"CAMUNDA_REST_ADDRESS": "", "C8MIGRATE_CONFIG": ""})
    assert result.exit_code == exit_codes.FINDINGS
    assert "DRIFT order-v1-to-v2: 5 instance(s) still on order-process" in result.stdout
    assert "1 of 2 applied plan(s) drifted" in result.stdout
