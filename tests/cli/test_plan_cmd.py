"""`c8migrate plan`: the dry run through the real command against the sandbox process."""

from __future__ import annotations

import json
import re
import shutil
import socket
import subprocess
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from click.testing import CliRunner, Result

from runner import exit_codes
from runner.cli.cluster_options import RetryNoticePrinter
from runner.cli.main import cli
from runner.cluster.transport import RetryNotice
from runner.sandbox.process import SandboxProcess, start_sandbox

REPO = Path(__file__).resolve().parents[2]
PLANS = REPO / "plans"
DEMO = [str(PLANS / n) for n in ("order-v1-to-v2.yaml", "invoice-v1-to-v2.yaml",
                                 "onboarding-2025.1-to-2025.2.yaml")]
CLEAN_ENV = {"GITHUB_ACTIONS": "", "GITHUB_STEP_SUMMARY": "", "GITHUB_OUTPUT": "",
             "CAMUNDA_REST_ADDRESS": "", "ZEEBE_REST_ADDRESS": "", "CAMUNDA_AUTH_STRATEGY": "",
             "C8MIGRATE_CONFIG": "", "NO_COLOR": "1"}


@pytest.fixture(scope="module")
def demo_sandbox() -> Iterator[SandboxProcess]:
    process = start_sandbox(seed=PLANS / "demo-seed.yaml")
    yield process
    process.stop()


def run_plan(sandbox: SandboxProcess, *args: str) -> Result:
    return CliRunner().invoke(cli, ["plan", *args, "--cluster", sandbox.url], env=CLEAN_ENV)


def test_text_dry_run_shows_moves_and_verbatim_blockers(demo_sandbox: SandboxProcess) -> None:
    result = run_plan(demo_sandbox, *DEMO, "--format", "text")

    assert result.exit_code == exit_codes.OK, result.output
    out = result.stdout
    assert "matched 21 | migrating 18 | blocked 3 | already migrated 2" in out
    assert "Task_ChargePayment (SERVICE_TASK)" in out and "-> Task_AuthorizePayment" in out
    assert ("Failed to extract the correlation key for 'orderId': The value must be either a "
            "string or a number, but was 'NULL'.") in out
    assert "nothing was changed" in out
    assert "c8migrate: dry run order-v1-to-v2: done (21)" in result.stderr
    stats = httpx.get(f"{demo_sandbox.url}/sandbox/stats").json()
    assert stats["writes"] == 0 and stats["acceptedMigrations"] == {}


def test_json_report_to_a_file_and_quiet_progress(tmp_path: Path,
                                                  demo_sandbox: SandboxProcess) -> None:
    target = tmp_path / "preview.json"
    result = run_plan(demo_sandbox, *DEMO, "--format", "json", "--output", str(target), "-q")

    assert result.exit_code == exit_codes.OK, result.output
    assert result.stdout == "" and result.stderr == ""
    document = json.loads(target.read_text("utf-8"))
    assert document["kind"] == "preview"
    by_name = {p["name"]: p for p in document["plans"]}
    order = by_name["order-v1-to-v2"]
    assert (order["matched"], order["migrating"], order["blocked"]) == (21, 18, 3)
    assert {b["code"] for b in order["blockedInstances"]} == {"Z22"}
    assert by_name["invoice-v1-to-v2"]["matched"] == 9


def test_blocked_instances_fail_the_dry_run_unless_the_plan_allows_them(
        tmp_path: Path, demo_sandbox: SandboxProcess) -> None:
    shutil.copytree(PLANS / "bpmn", tmp_path / "bpmn")
    text = (PLANS / "order-v1-to-v2.yaml").read_text("utf-8").replace(
        "allowBlocked: true", "allowBlocked: false")
    (tmp_path / "order.yaml").write_text(text, "utf-8")

    result = run_plan(demo_sandbox, str(tmp_path / "order.yaml"), "--format", "text", "-q")

    assert result.exit_code == exit_codes.FINDINGS
    assert "blocked 3" in result.stdout


def test_a_folder_contributes_its_plans_but_not_sub_folders(
        demo_sandbox: SandboxProcess) -> None:
    result = run_plan(demo_sandbox, str(PLANS), "--format", "json", "-q")
    assert result.exit_code == exit_codes.OK, result.output
    names = sorted(p["name"] for p in json.loads(result.stdout)["plans"])
    assert names == ["invoice-v1-to-v2", "onboarding-retail-2025.2", "order-v1-to-v2"]


def test_a_missing_cluster_config_file_is_exit_2_without_a_traceback(tmp_path: Path) -> None:
    missing = tmp_path / "missing.yaml"
    result = CliRunner().invoke(cli, ["plan", DEMO[1], "--config", str(missing)],
                                env=CLEAN_ENV)
    assert result.exit_code == exit_codes.USAGE
    assert "Traceback" not in result.output
    assert "error:" in result.stderr


def _git(cwd: Path, *args: str) -> None:
    subprocess.run(["git", *args], cwd=cwd, check=True, capture_output=True,
                   env={"GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@example.com",
                        "GIT_COMMITTER_NAME": "t", "GIT_COMMITTER_EMAIL": "t@example.com",
                        "HOME": str(cwd), "PATH": "/usr/bin:/bin:/usr/local/bin"})


def test_changed_since_dry_runs_only_the_changed_plans(
        tmp_path: Path, demo_sandbox: SandboxProcess, monkeypatch: pytest.MonkeyPatch) -> None:
    repo = tmp_path / "repo"
    shutil.copytree(PLANS / "bpmn", repo / "plans" / "bpmn")
    shutil.copy(PLANS / "invoice-v1-to-v2.yaml", repo / "plans")
    _git(repo, "init", "-q", "-b", "main")
    _git(repo, "add", ".")
    _git(repo, "commit", "-q", "-m", "base")
    _git(repo, "checkout", "-q", "-b", "change")
    shutil.copy(PLANS / "onboarding-2025.1-to-2025.2.yaml", repo / "plans")
    _git(repo, "add", ".")
    _git(repo, "commit", "-q", "-m", "add a plan")
    monkeypatch.chdir(repo)

    result = run_plan(demo_sandbox, "plans", "--changed-since", "main", "--format", "json",
                      "-q")

    assert result.exit_code == exit_codes.OK, result.output
    names = [p["name"] for p in json.loads(result.stdout)["plans"]]
    assert names == ["onboarding-retail-2025.2"]


def _closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def test_an_unreachable_cluster_is_reported_while_retrying_and_ends_with_exit_2(
        tmp_path: Path) -> None:
    port = _closed_port()
    config = tmp_path / "cluster.yaml"
    config.write_text("retryDeadline: 1.5\n", encoding="utf-8")
    result = CliRunner().invoke(cli, ["plan", DEMO[0], "--cluster", f"http://127.0.0.1:{port}",
                                      "--config", str(config)], env=CLEAN_ENV)
    assert result.exit_code == exit_codes.USAGE
    assert result.stdout == ""
    assert (f"error: nothing answered at http://127.0.0.1:{port}/v2 within 1.5s"
            in result.stderr)
    assert "last: GET /topology: connection refused (ConnectError)" in result.stderr
    notices = re.findall(r"^c8migrate: the cluster did not answer GET /topology \(connection "
                         r"refused\); retrying for up to [01] s more$", result.stderr, re.M)
    assert len(notices) == 1  # at most one line every 5 s
    assert "Traceback" not in result.output


def test_retry_notices_are_printed_at_most_once_per_interval() -> None:
    now = [100.0]
    lines: list[str] = []
    printer = RetryNoticePrinter(echo=lines.append, monotonic=lambda: now[0], interval=5.0)
    for moment, remaining in ((100.0, 9.0), (101.0, 8.0), (104.9, 5.0), (105.0, 4.0),
                              (106.0, 3.0), (110.5, 0.4)):
        now[0] = moment
        printer(RetryNotice("GET /topology", "connection refused", 2, remaining, False))
    assert lines == [
        "c8migrate: the cluster did not answer GET /topology (connection refused); "
        "retrying for up to 9 s more",
        "c8migrate: the cluster did not answer GET /topology (connection refused); "
        "retrying for up to 4 s more",
        "c8migrate: the cluster did not answer GET /topology (connection refused); "
        "retrying for up to 0 s more",
    ]


@pytest.fixture(scope="module")
def old_sandbox() -> Iterator[SandboxProcess]:
    process = start_sandbox(seed=PLANS / "demo-seed.yaml", server_version="8.6.0")
    yield process
    process.stop()


def test_on_8_6_a_variable_filter_is_a_located_finding_and_the_other_plans_still_run(
        old_sandbox: SandboxProcess) -> None:
    result = run_plan(old_sandbox, *DEMO, "--format", "json")

    assert result.exit_code == exit_codes.FINDINGS, result.output
    by_name = {p["name"]: p for p in json.loads(result.stdout)["plans"]}
    assert set(by_name) == {"order-v1-to-v2", "invoice-v1-to-v2", "onboarding-retail-2025.2"}
    [finding] = [f for f in by_name["onboarding-retail-2025.2"]["findings"]
                 if f["code"] == "D05" and "filter.variables" in f["message"]]
    assert finding["severity"] == "error" and "8.8" in finding["message"]
    assert finding["location"]["line"] == 19  # filter.variables
    assert by_name["invoice-v1-to-v2"]["matched"] == 9


def test_on_8_6_rollout_mode_batch_is_an_error_at_its_line(
        tmp_path: Path, old_sandbox: SandboxProcess) -> None:
    shutil.copytree(PLANS / "bpmn", tmp_path / "bpmn")
    text = (PLANS / "invoice-v1-to-v2.yaml").read_text("utf-8")
    lines = text.splitlines()
    mode_line = next(i for i, line in enumerate(lines, 1) if line.strip().startswith("mode:"))
    (tmp_path / "invoice.yaml").write_text(
        text.replace("mode: single", "mode: batch", 1), "utf-8")

    result = run_plan(old_sandbox, str(tmp_path / "invoice.yaml"), "--format", "json")

    assert result.exit_code == exit_codes.FINDINGS, result.output
    [plan] = json.loads(result.stdout)["plans"]
    [finding] = [f for f in plan["findings"] if f["code"] == "D05"]
    assert finding["severity"] == "error" and "batch" in finding["message"]
    assert finding["location"]["line"] == mode_line
