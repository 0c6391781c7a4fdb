"""Shared report options: format resolution, colour, links, step files, exit codes."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest
from click.testing import CliRunner

from runner import exit_codes
from runner.cli.main import cli
from runner.cli.options import (
    append_github_files,
    findings_exit_code,
    report_settings,
    resolve_format,
    rules_doc_uri,
    wants_color,
)
from runner.errors import ConfigError
from runner.findings import Finding, Severity
from runner.sandbox.process import start_sandbox


@pytest.mark.parametrize(("name", "env", "expected"), [
    ("auto", {"GITHUB_ACTIONS": "true"}, "github"),
    ("auto", {}, "text"),
    ("auto", {"GITHUB_ACTIONS": "false"}, "text"),
    ("json", {"GITHUB_ACTIONS": "true"}, "json"),
    ("sarif", {}, "sarif"),
])
def test_resolve_format(name: str, env: dict[str, str], expected: str) -> None:
    assert resolve_format(name, env) == expected


@pytest.mark.parametrize(("fmt", "output", "env", "tty", "expected"), [
    ("text", None, {}, True, True),
    ("text", None, {"NO_COLOR": "1"}, True, False),
    ("text", None, {"TERM": "dumb"}, True, False),
    ("text", None, {}, False, False),
    ("text", Path("report.txt"), {}, True, False),
    ("json", None, {}, True, False),
])
def test_colour_only_for_text_on_a_terminal(fmt: str, output: Path | None,
                                            env: dict[str, str], tty: bool,
                                            expected: bool) -> None:
    assert wants_color(fmt, output, env, tty) is expected


def test_report_settings_resolve_everything() -> None:
    settings = report_settings("auto", None, True, env={}, is_tty=True)
    assert (settings.fmt, settings.strict, settings.render.color) == ("text", True, True)
    github = report_settings("auto", None, False, is_tty=True, env={
        "GITHUB_ACTIONS": "true", "GITHUB_SERVER_URL": "https://github.com",
        "GITHUB_REPOSITORY": "acme/plans", "GITHUB_SHA": "abc123"})
    assert github.fmt == "github" and github.render.color is False
    assert github.render.rules_doc_uri == "https://github.com/acme/plans/blob/abc123/docs/rules.md"


def test_rules_doc_uri_is_relative_outside_actions() -> None:
    assert rules_doc_uri({}) == "docs/rules.md"


def test_step_files_are_appended_when_set(tmp_path: Path) -> None:
    summary, outputs = tmp_path / "summary.md", tmp_path / "outputs"
    summary.write_text("earlier step\n", encoding="utf-8")
    env = {"GITHUB_STEP_SUMMARY": str(summary), "GITHUB_OUTPUT": str(outputs)}
    append_github_files(env, summary="### report", outputs="status=valid\n")
    assert summary.read_text(encoding="utf-8") == "earlier step\n### report\n"
    assert outputs.read_text(encoding="utf-8") == "status=valid\n"
    append_github_files({}, summary="ignored", outputs="ignored")  # nothing set: no-op


def test_unwritable_step_file_is_a_config_error(tmp_path: Path) -> None:
    env = {"GITHUB_OUTPUT": str(tmp_path / "missing" / "outputs")}
    with pytest.raises(ConfigError, match=r"cannot append to \$GITHUB_OUTPUT"):
        append_github_files(env, summary="", outputs="status=valid\n")


def _finding(severity: Severity) -> Finding:
    return Finding("X01", severity, "m")


@pytest.mark.parametrize(("severities", "strict", "expected"), [
    ([], False, exit_codes.OK),
    ([Severity.NOTE], True, exit_codes.OK),
    ([Severity.WARNING], False, exit_codes.OK),
    ([Severity.WARNING], True, exit_codes.FINDINGS),
    ([Severity.NOTE, Severity.ERROR], False, exit_codes.FINDINGS),
])
def test_findings_exit_code(severities: list[Severity], strict: bool, expected: int) -> None:
    assert findings_exit_code([_finding(s) for s in severities], strict) == expected


def test_an_output_in_a_missing_folder_stops_apply_before_it_migrates(tmp_path: Path) -> None:
    plans = Path(__file__).resolve().parents[2] / "plans"
    sandbox = start_sandbox(seed=plans / "demo-seed.yaml")
    try:
        result = CliRunner().invoke(cli, [
            "apply", str(plans / "invoice-v1-to-v2.yaml"), "--cluster", sandbox.url, "-q",
            "--yes", "--journal-dir", str(tmp_path / "journal"),
            "--output", str(tmp_path / "missing" / "apply.json")],
            env={"GITHUB_ACTIONS": "", "CAMUNDA_REST_ADDRESS": "", "C8MIGRATE_CONFIG": ""})
        accepted = httpx.get(f"{sandbox.url}/sandbox/stats").json()["acceptedMigrations"]
    finally:
        sandbox.stop()

    assert accepted == {}  # nothing migrated: the run stopped before it started
    assert result.exit_code == exit_codes.USAGE, result.output
    assert "does not exist" in result.stderr
