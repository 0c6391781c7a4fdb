"""Ctrl-C (SIGINT) during `c8migrate apply`: exit 130, the counts so far on stderr, and an
`interrupted` end record in the journal."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

from support.sandbox import (
    SandboxHandle,
    StartSandbox,
    invoice_seed,
    sandbox,
    sandbox_factory,
)

from runner import exit_codes
from runner.flow.journal import read_events

__all__ = ["StartSandbox", "sandbox", "sandbox_factory"]

REPO = Path(__file__).resolve().parents[2]
PLANS = REPO / "plans"
INSTANCES = 400


def wait_for(condition: object, what: str, limit: float = 60.0) -> None:
    """Poll ``condition`` (a callable) until true; fail the test after ``limit`` seconds."""
    assert callable(condition)
    end = time.monotonic() + limit
    while not condition():
        assert time.monotonic() < end, f"gave up waiting for {what}"
        time.sleep(0.05)


def test_sigint_during_single_mode_records_an_interrupted_run_with_counts(
        tmp_path: Path, sandbox: SandboxHandle) -> None:
    sandbox.seed(invoice_seed(INSTANCES))
    plan = tmp_path / "invoice-v1-to-v2.yaml"
    plan.write_text((PLANS / "invoice-v1-to-v2.yaml").read_text("utf-8")
                    .replace("maxInstances: 200", "maxInstances: 1000"), "utf-8")
    shutil.copytree(PLANS / "bpmn", tmp_path / "bpmn")
    journal = tmp_path / "journal"
    env = {**os.environ, "NO_COLOR": "1", "GITHUB_ACTIONS": "", "CAMUNDA_REST_ADDRESS": "",
           "C8MIGRATE_CONFIG": "", "C8MIGRATE_JOURNAL_DIR": ""}
    sandbox.faults({"latencyMs": 20})  # slow enough to interrupt it midway
    process = subprocess.Popen(
        [sys.executable, "-m", "runner", "apply", str(plan), "--cluster", sandbox.url, "-y",
         "-q", "--mode", "single", "--concurrency", "2", "--journal-dir", str(journal)],
        cwd=REPO, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        wait_for(lambda: len(sandbox.stats()["acceptedMigrations"]) >= 10,
                 "the first migrations")
        process.send_signal(signal.SIGINT)
        _, stderr = process.communicate(timeout=60)
    finally:
        if process.poll() is None:
            process.kill()
            process.communicate()

    assert process.returncode == exit_codes.INTERRUPTED == 130, stderr
    accepted = len(sandbox.stats()["acceptedMigrations"])
    assert 10 <= accepted < INSTANCES
    assert "interrupted while migrating: the cluster had accepted at least" in stderr
    assert f"of {INSTANCES} migrations" in stderr
    events = list(read_events(journal / "invoice-v1-to-v2.jsonl"))
    assert [e["event"] for e in events][-1] == "finished"
    audit = events[-1]["audit"]
    assert audit["outcome"] == "interrupted"
    assert 10 <= audit["counts"]["accepted"] <= accepted
    assert audit["counts"]["migrating"] == INSTANCES
    assert "re-run apply" in audit["message"]
