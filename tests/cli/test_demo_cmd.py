"""`c8migrate demo` end to end, as a separate process started from another folder."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]


def test_the_demo_runs_the_whole_job_from_any_folder(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("CAMUNDA_", "ZEEBE_", "C8MIGRATE_", "GITHUB_"))}
    env["PYTHONPATH"] = str(REPO)
    done = subprocess.run([sys.executable, "-m", "runner", "demo"], cwd=tmp_path, env=env,
                          capture_output=True, text=True, timeout=300, check=False)

    out = done.stdout
    assert done.returncode == 0, out + done.stderr
    assert "Traceback" not in out + done.stderr
    headings = [line for line in out.splitlines() if line.startswith("Step ")]
    assert [h.split(":")[0] for h in headings] == [f"Step {n}/5" for n in range(1, 6)]
    # the dry run's diff: counts, a rename, and the blocked instances with Zeebe's reason
    assert "matched 21 | migrating 18 | blocked 3" in out
    assert "Task_ChargePayment (SERVICE_TASK)" in out
    assert "-> Task_AuthorizePayment  3 instances" in out
    assert "No variable found with name 'orderId'" in out
    assert "nothing was changed" in out
    # apply migrates and verifies; the re-run migrates nothing and says so
    assert "applied 3 plans: 33 instances migrated" in out
    assert "0 of 3 applied plan(s) drifted" in out
    assert out.count("nothing-to-do") == 2
    assert "applied 3 plans: 0 instances migrated" in out
    assert out.rstrip().endswith("=" * 78)
    assert "Demo finished" in out
    assert not (tmp_path / ".c8migrate").exists()


def test_the_demo_runs_on_8_7_without_the_plan_that_needs_8_8(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("CAMUNDA_", "ZEEBE_", "C8MIGRATE_", "GITHUB_"))}
    env["PYTHONPATH"] = str(REPO)
    done = subprocess.run([sys.executable, "-m", "runner", "demo", "--server-version", "8.7"],
                          cwd=tmp_path, env=env, capture_output=True, text=True, timeout=300,
                          check=False)

    out = done.stdout
    assert done.returncode == 0, out + done.stderr
    assert ("note: skipping plans/onboarding-2025.1-to-2025.2.yaml on Camunda 8.7.0: it "
            "selects instances by a variable") in out
    assert "onboarding-retail" not in out and "Traceback" not in out + done.stderr
    # before 8.8 the dry run cannot read variables; apply meets Zeebe's rejection instead
    assert "warning D04" in out
    assert "applied 2 plans: 27 instances migrated; 1 plan failed" in out
    assert "1 of 2 applied plan(s) drifted" in out
    assert "Demo finished: every step ended as expected" in out
