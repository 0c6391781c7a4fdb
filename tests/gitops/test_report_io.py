"""Reading a JSON report back keeps what the comment renders: the status of every plan."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

import pytest
from reports import preview, write_preview_report

from runner.errors import InputError
from runner.gitops.bodies import dry_run_comment, outcome_comment
from runner.gitops.comment import CommentContext
from runner.gitops.report_io import read_report
from runner.reporters.json_format import apply_document
from runner.reporters.summary import apply_status, preview_status
from runner.results import ApplyReport, PlanPreview


def allowing_blocked(blocked: int = 2) -> PlanPreview:
    shown = preview(matched=12, blocked=blocked, findings=0)
    return replace(shown, plan=replace(shown.plan, rollout=replace(
        shown.plan.rollout, allow_blocked=True)))


def test_a_plan_that_allows_blocked_instances_stays_partial_in_the_comment(
        tmp_path: Path) -> None:
    shown = allowing_blocked()
    report = read_report(write_preview_report(tmp_path / "plan.json", [shown]))

    (back,) = report.previews()
    body = dry_run_comment(report, "plans", CommentContext())

    assert preview_status(shown) == "partial"
    assert preview_status(back) == "partial"
    assert "partial" in body
    assert "⛔ blocked" not in body


def test_a_plan_that_forbids_blocked_instances_stays_blocked(tmp_path: Path) -> None:
    report = read_report(write_preview_report(tmp_path / "plan.json", [preview(blocked=2)]))

    (back,) = report.previews()

    assert preview_status(back) == "blocked"


def test_an_apply_that_left_blocked_instances_on_purpose_stays_partial(tmp_path: Path) -> None:
    shown = allowing_blocked(blocked=3)
    applied = ApplyReport(plan=shown.plan, preview=shown, mode="batch",
                          counts={"migrated": 9, "skipped": 3}, remaining_on_source=3,
                          duration_seconds=1.0)
    path = tmp_path / "apply.json"
    path.write_text(json.dumps(apply_document([applied])), encoding="utf-8")

    (back,) = read_report(path).apply_reports()
    body = outcome_comment(read_report(path), "plans", CommentContext(), exit_code=0)

    assert apply_status(applied) == "partial"
    assert apply_status(back) == "partial"
    assert "incomplete" not in body


def test_a_report_whose_plans_are_not_a_list_is_an_input_error(tmp_path: Path) -> None:
    path = tmp_path / "plan.json"
    path.write_text(json.dumps({"schemaVersion": 1, "kind": "preview", "plans": "x"}),
                    encoding="utf-8")

    with pytest.raises(InputError, match="malformed report"):
        read_report(path)


def test_an_offline_report_in_a_changed_pull_request_says_why_there_is_no_dry_run(
        tmp_path: Path) -> None:
    path = tmp_path / "validation.json"
    path.write_text(json.dumps({"schemaVersion": 1, "kind": "validation", "plans": []}),
                    encoding="utf-8")

    body = dry_run_comment(read_report(path), "plans", CommentContext())

    assert "a pull request from a fork, or the dry run could not run" in body
