"""`c8migrate apply` through the real command against a fresh sandbox process per test."""

from __future__ import annotations

import json
import shutil
from collections.abc import Iterator
from pathlib import Path

import httpx
import jsonschema
import pytest
from click.testing import CliRunner, Result

from runner import exit_codes
from runner.cli.main import cli
from runner.flow.journal import all_audit_records
from runner.flow.lock import PlanLock
from runner.sandbox.process import SandboxProcess, start_sandbox

REPO = Path(__file__).resolve().parents[2]
PLANS = REPO / "plans"
INVOICE = str(PLANS / "invoice-v1-to-v2.yaml")
CLEAN_ENV = {"GITHUB_ACTIONS": "", "GITHUB_STEP_SUMMARY": "", "GITHUB_OUTPUT": "",
             "CAMUNDA_REST_ADDRESS": "", "ZEEBE_REST_ADDRESS": "", "CAMUNDA_AUTH_STRATEGY": "",
             "C8MIGRATE_CONFIG": "", "C8MIGRATE_JOURNAL_DIR": "", "NO_COLOR": "1"}


@pytest.fixture
def demo_sandbox() -> Iterator[SandboxProcess]:
    process = start_sandbox(seed=PLANS / "demo-seed.yaml")
    yield process
    process.stop()


def stats(sandbox: SandboxProcess) -> dict[str, object]:
    result: dict[str, object] = httpx.get(f"{sandbox.url}/sandbox/stats").json()
    return result


def invoke(sandbox: SandboxProcess, verb: str, *args: str, stdin: str | None = None) -> Result:
    return CliRunner().invoke(cli, [verb, *args, "--cluster", sandbox.url, "-q"],
                              env=CLEAN_ENV, input=stdin)


def copy_plan(tmp_path: Path, name: str, old: str, new: str) -> str:
    shutil.copytree(PLANS / "bpmn", tmp_path / "bpmn", dirs_exist_ok=True)
    text = (PLANS / name).read_text("utf-8")
    assert old in text
    (tmp_path / name).write_text(text.replace(old, new), "utf-8")
    return str(tmp_path / name)


def test_apply_migrates_and_a_second_run_migrates_nothing(tmp_path: Path,
                                                          demo_sandbox: SandboxProcess) -> None:
    journal = str(tmp_path / "journal")
    first = invoke(demo_sandbox, "apply", INVOICE, "--journal-dir", journal, "--yes",
                   "--format", "json")
    assert first.exit_code == exit_codes.OK, first.output
    [plan] = json.loads(first.stdout)["plans"]
    assert (plan["status"], plan["migrated"], plan["mode"]) == ("applied", 9, "single")

    second = invoke(demo_sandbox, "apply", INVOICE, "--journal-dir", journal, "--yes",
                    "--format", "text")
    assert second.exit_code == exit_codes.OK, second.output
    assert "nothing-to-do" in second.stdout
    assert "0 instances migrated" in second.stdout
    accepted = stats(demo_sandbox)["acceptedMigrations"]
    assert isinstance(accepted, dict) and len(accepted) == 9
    outcomes = [r.outcome for r in all_audit_records(Path(journal))]
    assert outcomes == ["migrated", "nothing-to-migrate"]


def test_more_instances_than_the_guard_is_exit_4(tmp_path: Path,
                                                 demo_sandbox: SandboxProcess) -> None:
    plan = copy_plan(tmp_path, "invoice-v1-to-v2.yaml", "maxInstances: 200", "maxInstances: 5")
    result = invoke(demo_sandbox, "apply", plan, "--journal-dir", str(tmp_path / "j"), "--yes")

    assert result.exit_code == exit_codes.DRIFT == 4
    assert "9 instances match, more than rollout.maxInstances (5)" in result.stderr
    assert stats(demo_sandbox)["writes"] == 0


def test_a_held_lock_is_exit_2(tmp_path: Path, demo_sandbox: SandboxProcess) -> None:
    journal = tmp_path / "journal"
    with PlanLock(journal, "invoice-v1-to-v2", run="someone-else"):
        result = invoke(demo_sandbox, "apply", INVOICE, "--journal-dir", str(journal), "--yes")
    assert result.exit_code == exit_codes.USAGE == 2
    assert "another apply of plan 'invoice-v1-to-v2' is running" in result.stderr
    assert stats(demo_sandbox)["writes"] == 0


def test_a_plan_whose_lock_is_held_is_refused_in_the_report_too(
        tmp_path: Path, demo_sandbox: SandboxProcess) -> None:
    journal, out = tmp_path / "journal", tmp_path / "r.json"
    shutil.copy(PLANS / "order-v1-to-v2.yaml", tmp_path / "order-v1-to-v2.yaml")
    shutil.copytree(PLANS / "bpmn", tmp_path / "bpmn")
    with PlanLock(journal, "invoice-v1-to-v2", run="someone-else"):
        result = invoke(demo_sandbox, "apply", INVOICE, str(tmp_path / "order-v1-to-v2.yaml"),
                        "--journal-dir", str(journal), "--yes", "--format", "json",
                        "-o", str(out))

    assert result.exit_code == exit_codes.USAGE
    document = json.loads(out.read_text("utf-8"))
    schema = json.loads((REPO / "runner" / "data" / "report.v1.schema.json").read_text("utf-8"))
    jsonschema.validate(document, schema)
    assert document["status"] == "refused"
    by_name = {p["name"]: p for p in document["plans"]}
    held = by_name["invoice-v1-to-v2"]
    assert (held["status"], held["migrated"]) == ("refused", 0)
    assert [f["code"] for f in held["findings"]] == ["A05"]
    assert by_name["order-v1-to-v2"]["migrated"] > 0


def test_a_redeploy_since_the_reviewed_dry_run_is_exit_4(tmp_path: Path,
                                                         demo_sandbox: SandboxProcess) -> None:
    reviewed = tmp_path / "preview.json"
    done = invoke(demo_sandbox, "plan", INVOICE, "--format", "json", "--output", str(reviewed))
    assert done.exit_code == exit_codes.OK, done.output
    document = json.loads(reviewed.read_text("utf-8"))
    document["plans"][0]["targetDefinitionKey"] = "1"
    reviewed.write_text(json.dumps(document), "utf-8")

    result = invoke(demo_sandbox, "apply", INVOICE, "--journal-dir", str(tmp_path / "j"),
                    "--expect-preview", str(reviewed), "--yes")

    assert result.exit_code == exit_codes.DRIFT
    assert "the review saw 1 (the process was redeployed)" in result.stderr
    assert stats(demo_sandbox)["writes"] == 0


def test_blocked_instances_without_allow_blocked_are_refused_with_exit_1(
        tmp_path: Path, demo_sandbox: SandboxProcess) -> None:
    plan = copy_plan(tmp_path, "order-v1-to-v2.yaml", "allowBlocked: true",
                     "allowBlocked: false")
    result = invoke(demo_sandbox, "apply", plan, "--journal-dir", str(tmp_path / "j"), "--yes",
                    "--format", "text")

    assert result.exit_code == exit_codes.FINDINGS
    assert "A02" in result.stdout
    assert stats(demo_sandbox)["writes"] == 0


def test_apply_without_yes_and_without_a_terminal_is_a_usage_error(
        tmp_path: Path, demo_sandbox: SandboxProcess) -> None:
    result = invoke(demo_sandbox, "apply", INVOICE, "--journal-dir", str(tmp_path))
    assert result.exit_code == exit_codes.USAGE
    assert "--yes" in result.stderr
    assert stats(demo_sandbox)["writes"] == 0


def test_a_refused_plan_is_in_the_report_once_and_the_other_plans_still_apply(
        tmp_path: Path, demo_sandbox: SandboxProcess) -> None:
    guarded = copy_plan(tmp_path, "invoice-v1-to-v2.yaml", "maxInstances: 200",
                        "maxInstances: 5")
    shutil.copy(PLANS / "order-v1-to-v2.yaml", tmp_path / "order-v1-to-v2.yaml")
    out = tmp_path / "r.json"
    result = invoke(demo_sandbox, "apply", guarded, str(tmp_path / "order-v1-to-v2.yaml"),
                    "--journal-dir", str(tmp_path / "j"), "-y", "--format", "json",
                    "-o", str(out))

    assert result.exit_code == exit_codes.DRIFT, result.output
    document = json.loads(out.read_text("utf-8"))
    schema = json.loads((REPO / "runner" / "data" / "report.v1.schema.json").read_text("utf-8"))
    jsonschema.validate(document, schema)
    assert document["status"] == "refused"
    by_name = {p["name"]: p for p in document["plans"]}
    refused, order = by_name["invoice-v1-to-v2"], by_name["order-v1-to-v2"]
    assert (refused["status"], refused["migrated"]) == ("refused", 0)
    [finding] = [f for f in refused["findings"] if f["code"] == "A04"]
    assert finding["severity"] == "error"
    assert "9 instances match, more than rollout.maxInstances (5)" in finding["message"]
    assert order["status"] == "partial" and order["migrated"] > 0
    assert refused["remainingOnSource"] == 9  # nothing of it migrated: all 9 stay
    assert result.stderr.count("more than rollout.maxInstances") == 1
    accepted = stats(demo_sandbox)["acceptedMigrations"]
    assert isinstance(accepted, dict) and len(accepted) == order["migrated"]
    outcomes = {r.plan: r.outcome for r in all_audit_records(tmp_path / "j")}
    assert outcomes == {"invoice-v1-to-v2": "refused", "order-v1-to-v2": "migrated"}


def test_a_refused_plan_shows_in_the_text_report(tmp_path: Path,
                                                 demo_sandbox: SandboxProcess) -> None:
    guarded = copy_plan(tmp_path, "invoice-v1-to-v2.yaml", "maxInstances: 200",
                        "maxInstances: 5")
    result = invoke(demo_sandbox, "apply", guarded, "--journal-dir", str(tmp_path / "j"),
                    "-y", "--format", "text")

    assert result.exit_code == exit_codes.DRIFT
    assert "invoice-v1-to-v2) refused" in result.stdout
    assert "A04" in result.stdout
    assert "1 plan refused" in result.stdout


def test_a_journal_folder_that_cannot_be_created_is_exit_2_before_anything_migrates(
        tmp_path: Path, demo_sandbox: SandboxProcess) -> None:
    (tmp_path / "a-file").write_text("not a folder", "utf-8")
    where = "a-file/journal"  # like /proc/x: its parent exists and refuses new folders
    result = invoke(demo_sandbox, "apply", INVOICE, "--journal-dir", str(tmp_path / where),
                    "-y")

    assert result.exit_code == exit_codes.USAGE, result.output
    assert f"cannot use {tmp_path / where} as the journal folder" in result.stderr
    assert "hint: pass --journal-dir" in result.stderr
    assert "Traceback" not in result.output and "internal error" not in result.stderr
    assert stats(demo_sandbox)["writes"] == 0


def test_a_malformed_or_foreign_reviewed_preview_is_exit_2_before_anything_migrates(
        tmp_path: Path, demo_sandbox: SandboxProcess) -> None:
    malformed = tmp_path / "malformed.json"
    malformed.write_text(json.dumps({"kind": "preview", "schemaVersion": 1,
                                     "plans": [{"name": "invoice-v1-to-v2"}]}), "utf-8")
    refused = invoke(demo_sandbox, "apply", INVOICE, "--journal-dir", str(tmp_path / "j"),
                     "--expect-preview", str(malformed), "-y")
    assert refused.exit_code == exit_codes.USAGE, refused.output
    assert "is not a valid dry-run report" in refused.stderr

    reviewed = tmp_path / "invoice-only.json"
    done = invoke(demo_sandbox, "plan", INVOICE, "--format", "json", "--output", str(reviewed))
    assert done.exit_code == exit_codes.OK, done.output
    # the invoice plan (listed first) was reviewed, the order plan was not
    other = invoke(demo_sandbox, "apply", INVOICE, str(PLANS / "order-v1-to-v2.yaml"),
                   "--journal-dir", str(tmp_path / "j"), "--expect-preview", str(reviewed),
                   "-y")
    assert other.exit_code == exit_codes.USAGE, other.output
    assert "has no plan named 'order-v1-to-v2'" in other.stderr
    assert stats(demo_sandbox)["writes"] == 0
