"""`c8migrate drift` report formats through the real command against a sandbox process: an
applied plan, then new instances on its source version (drift)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from click.testing import CliRunner, Result

from runner import exit_codes
from runner.cli.main import cli
from runner.sandbox.process import SandboxProcess, start_sandbox

REPO = Path(__file__).resolve().parents[2]
PLANS = REPO / "plans"
CLEAN_ENV = {"GITHUB_ACTIONS": "", "GITHUB_STEP_SUMMARY": "", "GITHUB_OUTPUT": "",
             "CAMUNDA_REST_ADDRESS": "", "ZEEBE_REST_ADDRESS": "", "CAMUNDA_AUTH_STRATEGY": "",
             "C8MIGRATE_CONFIG": "", "C8MIGRATE_JOURNAL_DIR": "", "NO_COLOR": "1"}


@pytest.fixture(scope="module")
def drifted(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[SandboxProcess, Path]]:
    """A sandbox where invoice-v1-to-v2 was applied and order-v1-to-v2 drifted since."""
    journal = tmp_path_factory.mktemp("journal")
    process = start_sandbox(seed=PLANS / "demo-seed.yaml")
    try:
        for plan in ("invoice-v1-to-v2.yaml", "order-v1-to-v2.yaml"):
            applied = CliRunner().invoke(cli, [
                "apply", str(PLANS / plan), "--cluster", process.url, "--journal-dir",
                str(journal), "--yes", "-q", "--format", "json"], env=CLEAN_ENV)
            assert applied.exit_code == exit_codes.OK, applied.output
        seeded = httpx.post(f"{process.url}/sandbox/seed", json={"instances": [
            {"process": "order-process", "version": 1, "count": 2,
             "waitAt": ["Task_ReserveStock"], "variables": {"orderId": "ORD-9"}}]})
        assert seeded.status_code == 200, seeded.text
        yield process, journal
    finally:
        process.stop()


def drift(setup: tuple[SandboxProcess, Path], *args: str,
          env: dict[str, str] | None = None) -> Result:
    sandbox, journal = setup
    return CliRunner().invoke(cli, ["drift", "--cluster", sandbox.url, "--journal-dir",
                                    str(journal), *args], env={**CLEAN_ENV, **(env or {})})


def test_markdown_is_a_table_of_the_applied_plans(
        drifted: tuple[SandboxProcess, Path]) -> None:
    result = drift(drifted, "--format", "markdown")
    assert result.exit_code == exit_codes.FINDINGS
    lines = result.stdout.splitlines()
    assert lines[0] == "### c8migrate drift check"
    assert "**1 of 2 applied plan(s) drifted.**" in lines
    header = ("| status | plan | still on the source | left behind on purpose "
              "| source definition | last run |")
    assert header in lines
    rows = {line.split(" | ")[1]: line for line in lines if line.startswith("| ")
            and "`" in line}
    assert set(rows) == {"`invoice-v1-to-v2`", "`order-v1-to-v2`"}
    assert rows["`order-v1-to-v2`"].startswith("| :x: drift | `order-v1-to-v2` | 5 | 3 | "
                                               "order-process (key ")
    assert rows["`invoice-v1-to-v2`"].startswith("| ok | `invoice-v1-to-v2` | 0 | 0 | "
                                                 "invoice-approval (key ")


def test_github_annotates_drift_and_writes_the_job_summary_and_outputs(
        drifted: tuple[SandboxProcess, Path], tmp_path: Path) -> None:
    summary, outputs = tmp_path / "summary.md", tmp_path / "outputs.txt"
    summary.write_text("earlier step\n", encoding="utf-8")
    result = drift(drifted, "--format", "github", env={
        "GITHUB_STEP_SUMMARY": str(summary), "GITHUB_OUTPUT": str(outputs)})
    assert result.exit_code == exit_codes.FINDINGS
    errors = [line for line in result.stdout.splitlines() if line.startswith("::")]
    assert len(errors) == 1
    assert errors[0].startswith("::error title=c8migrate drift::order-v1-to-v2: 5 instance(s) "
                                "still on order-process (key ")
    assert "1 of 2 applied plan(s) drifted" in result.stdout
    written = summary.read_text(encoding="utf-8")
    assert written.startswith("earlier step\n### c8migrate drift check\n")
    assert "| :x: drift | `order-v1-to-v2` | 5 | 3 |" in written
    assert outputs.read_text(encoding="utf-8") == "status=drift\nplans=2\ndrifted=1\n"


def test_json_and_text_still_report_the_same(drifted: tuple[SandboxProcess, Path]) -> None:
    as_json = json.loads(drift(drifted, "--format", "json").stdout)
    assert {p["plan"]: (p["onSource"], p["drifted"]) for p in as_json["plans"]} == {
        "invoice-v1-to-v2": (0, False), "order-v1-to-v2": (5, True)}
    text = drift(drifted).stdout
    assert "DRIFT order-v1-to-v2: 5 instance(s) still on order-process" in text


def test_an_empty_journal_is_said_in_markdown(tmp_path: Path,
                                              drifted: tuple[SandboxProcess, Path]) -> None:
    result = drift((drifted[0], tmp_path), "--format", "markdown")
    assert result.exit_code == exit_codes.OK
    assert result.stdout == ("### c8migrate drift check\n\nNo applied plans are recorded in "
                             f"`{tmp_path}`: nothing to check.\n")
