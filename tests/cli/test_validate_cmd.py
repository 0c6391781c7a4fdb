"""`c8migrate validate`: exit codes, located findings, formats, and hostile input.

Runs the real command through click's CliRunner, and once as a separate process.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result

from runner import exit_codes
from runner.cli.main import cli

HERE = Path(__file__).resolve().parent
PLANS = HERE / "data" / "plans"
REPO = HERE.parents[1]


def run(*args: str, env: dict[str, str] | None = None) -> Result:
    # GITHUB_* from a CI runner must not leak into the tests' choice of format
    clean = {"GITHUB_ACTIONS": "", "GITHUB_STEP_SUMMARY": "", "GITHUB_OUTPUT": "",
             **(env or {})}
    return CliRunner().invoke(cli, ["validate", *args], env=clean)


def report(*args: str) -> tuple[int, dict[str, Any]]:
    result = run(*args, "--format", "json")
    assert "Traceback" not in result.output
    return result.exit_code, json.loads(result.stdout)


def plan(name: str) -> str:
    return str(PLANS / f"{name}.yaml")


def errors_of(document: dict[str, Any]) -> list[dict[str, Any]]:
    return [f for p in document["plans"] for f in p["findings"] if f["severity"] == "error"]


@pytest.mark.parametrize(("name", "code", "line"), [
    ("unmapped-wait-state", "Z07", None),
    ("missing-element-id", "Z05", 18),
    ("type-change", "Z08", 20),
    ("scope-change", "Z10", 20),
])
def test_invalid_mapping_exits_1_with_one_located_coded_finding(name: str, code: str,
                                                                 line: int | None) -> None:
    exit_code, document = report(plan(name))
    assert exit_code == exit_codes.FINDINGS == 1
    [finding] = errors_of(document)
    assert finding["code"] == code
    location = finding["location"]
    assert location["file"] == plan(name)
    assert location["line"] is not None and location["line"] >= 1
    if line is not None:  # the mapping instruction at fault
        assert location["line"] == line
    assert finding["related"], "the BPMN element involved is pointed at"
    assert finding["related"][0]["file"].endswith(".bpmn")


def test_clean_plan_exits_0() -> None:
    result = run(plan("clean"))
    assert result.exit_code == exit_codes.OK
    assert f"{plan('clean')} (shipping-clean) valid" in result.stdout
    assert result.stdout.rstrip().endswith("0 errors, 0 warnings, 0 notes; passed")


@pytest.mark.parametrize(("name", "code", "in_file"), [
    ("malformed-yaml", "P01", "malformed-yaml.yaml"),
    ("schema-violation", "P02", "schema-violation.yaml"),
    ("missing-bpmn", "P04", "missing-bpmn.yaml"),
    ("malformed-bpmn", "B01", "not-well-formed.bpmn"),
    ("xxe-bpmn", "B02", "xxe.bpmn"),
    ("billion-laughs-bpmn", "B02", "billion-laughs.bpmn"),
])
def test_broken_or_hostile_input_is_a_located_finding_not_a_traceback(
        name: str, code: str, in_file: str) -> None:
    exit_code, document = report(plan(name))
    assert exit_code == exit_codes.FINDINGS
    [finding] = errors_of(document)
    assert finding["code"] == code
    assert Path(finding["location"]["file"]).name == in_file
    assert finding["location"]["line"] >= 1


def test_external_entity_is_never_expanded() -> None:
    result = run(plan("xxe-bpmn"))
    assert result.exit_code == exit_codes.FINDINGS
    assert "root:" not in result.output
    assert f"{PLANS.parent / 'bpmn' / 'xxe.bpmn'}:2:1: error B02 " in result.stdout


def test_text_lines_are_located_and_summarised() -> None:
    result = run(plan("type-change"))
    lines = result.stdout.splitlines()
    assert lines[0] == f"{plan('type-change')} (shipping-type-change) invalid: 1 error, " \
                       "0 warnings, 0 notes"
    assert lines[1].startswith(f"{plan('type-change')}:20:7: error Z08 instances waiting at "
                               "'Task_Check' would be rejected")
    assert lines[-1] == ("1 plan checked against Camunda 8.9.0 (default): 1 error, "
                         "0 warnings, 0 notes; failed (1 invalid)")


def test_warnings_pass_unless_strict() -> None:
    assert run(plan("job-type-change")).exit_code == exit_codes.OK
    strict = run(plan("job-type-change"), "--strict")
    assert strict.exit_code == exit_codes.FINDINGS
    assert "warning W03 " in strict.stdout


def test_several_plans_report_every_problem_in_one_run() -> None:
    exit_code, document = report(plan("clean"), plan("type-change"), plan("malformed-yaml"))
    assert exit_code == exit_codes.FINDINGS
    assert [p["status"] for p in document["plans"]] == ["valid", "invalid", "invalid"]
    assert sorted(f["code"] for f in errors_of(document)) == ["P01", "Z08"]


def test_server_version_option_is_used_and_named() -> None:
    exit_code, document = report(plan("clean"), "--server-version", "8.6")
    assert exit_code == exit_codes.OK
    assert (document["serverVersion"], document["serverVersionSource"]) == ("8.6.0", "option")


@pytest.mark.parametrize("version", ["eight", "8.3"])
def test_bad_server_version_is_a_usage_error(version: str) -> None:
    result = run(plan("clean"), "--server-version", version)
    assert result.exit_code == exit_codes.USAGE
    assert "--server-version" in result.output


def test_missing_path_is_a_usage_error() -> None:
    result = run(str(PLANS / "no-such-plan.yaml"))
    assert result.exit_code == exit_codes.USAGE
    assert "does not exist" in result.output


def test_folder_without_plans_is_a_usage_error(tmp_path: Path) -> None:
    (tmp_path / "notes.yaml").write_text("just: notes\n", encoding="utf-8")
    result = run(str(tmp_path))
    assert result.exit_code == exit_codes.USAGE
    assert f"error: no plan files found in {tmp_path}" in result.stderr


def test_no_paths_means_plans_folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    result = run()
    assert result.exit_code == exit_codes.USAGE
    assert "no plans/ folder here" in result.output
    (tmp_path / "plans" / "bpmn").mkdir(parents=True)
    for version in ("v1", "v2"):
        name = f"shipping.{version}.bpmn"
        shutil.copyfile(PLANS.parent / "bpmn" / name, tmp_path / "plans" / "bpmn" / name)
    (tmp_path / "plans" / "clean.yaml").write_text(
        (PLANS / "clean.yaml").read_text(encoding="utf-8").replace("../bpmn/", "bpmn/"),
        encoding="utf-8")
    result = run()
    assert result.exit_code == exit_codes.OK, result.output
    assert result.stdout.startswith("plans/clean.yaml (shipping-clean) valid\n")


def test_output_option_writes_the_report_to_a_file(tmp_path: Path) -> None:
    target = tmp_path / "report.sarif"
    result = run(plan("scope-change"), "--format", "sarif", "--output", str(target))
    assert result.exit_code == exit_codes.FINDINGS
    assert result.stdout == ""
    log = json.loads(target.read_text(encoding="utf-8"))
    assert log["version"] == "2.1.0"
    assert [r["ruleId"] for r in log["runs"][0]["results"]] == ["Z10"]


def test_unwritable_output_is_a_usage_error(tmp_path: Path) -> None:
    result = run(plan("clean"), "--output", str(tmp_path / "missing" / "report.txt"))
    assert result.exit_code == exit_codes.USAGE
    assert "cannot write the report" in result.stderr


def test_auto_format_inside_github_actions_annotates_and_writes_step_files(
        tmp_path: Path) -> None:
    summary, outputs = tmp_path / "summary.md", tmp_path / "outputs.txt"
    result = run(plan("type-change"), env={
        "GITHUB_ACTIONS": "true", "GITHUB_STEP_SUMMARY": str(summary),
        "GITHUB_OUTPUT": str(outputs),
    })
    assert result.exit_code == exit_codes.FINDINGS
    assert f"::error file={plan('type-change')},line=20,col=7,title=Z08::" in result.stdout
    assert summary.read_text(encoding="utf-8").startswith(
        "### c8migrate validate: ❌ 1 of 1 plan invalid")
    assert "status=invalid\n" in outputs.read_text(encoding="utf-8")
    assert "errors=1\n" in outputs.read_text(encoding="utf-8")


def test_auto_format_outside_github_actions_is_text() -> None:
    result = run(plan("clean"))
    assert not result.stdout.startswith("::")
    assert "\x1b[" not in result.stdout  # CliRunner is not a terminal: no colour


def test_real_process_exit_code_and_output() -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("GITHUB_")}
    env["NO_COLOR"] = "1"
    failing = subprocess.run(
        [sys.executable, "-m", "runner", "validate", "tests/cli/data/plans/scope-change.yaml"],
        cwd=REPO, env=env, capture_output=True, text=True, timeout=60, check=False)
    assert failing.returncode == exit_codes.FINDINGS, failing.stderr
    assert "tests/cli/data/plans/scope-change.yaml:20:7: error Z10 " in failing.stdout
    assert "Traceback" not in failing.stderr
    passing = subprocess.run(
        [sys.executable, "-m", "runner", "validate", "tests/cli/data/plans/clean.yaml",
         "--format", "json"],
        cwd=REPO, env=env, capture_output=True, text=True, timeout=60, check=False)
    assert passing.returncode == exit_codes.OK, passing.stderr
    assert json.loads(passing.stdout)["status"] == "valid"
