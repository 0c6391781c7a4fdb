"""Statuses: a plan that allows blocked instances to stay behind is 'partial', not 'blocked'."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

from jsonschema import Draft202012Validator

from runner.plan.model import Rollout
from runner.reporters import render_apply, render_previews
from runner.reporters.summary import apply_status, preview_status
from runner.results import ApplyReport, PlanPreview

from . import samples

SCHEMA_PATH = Path(__file__).resolve().parents[2] / "runner" / "data" / "report.v1.schema.json"


def _allowing(preview: PlanPreview) -> PlanPreview:
    rollout = Rollout(mode="auto", max_instances=500, allow_blocked=True)
    return dataclasses.replace(preview, plan=dataclasses.replace(preview.plan, rollout=rollout))


def _left_behind(preview: PlanPreview, remaining: int) -> ApplyReport:
    return ApplyReport(plan=preview.plan, preview=preview, mode="batch",
                       counts={"migrated": 37, "skipped": 3}, remaining_on_source=remaining)


def test_blocked_instances_block_a_plan_unless_it_allows_them() -> None:
    assert preview_status(samples.preview()) == "blocked"
    assert preview_status(_allowing(samples.preview())) == "partial"


def test_apply_that_left_only_the_allowed_blocked_instances_is_partial() -> None:
    allowing = _allowing(samples.preview(blocked_keys=3))
    assert apply_status(_left_behind(allowing, 3)) == "partial"
    assert apply_status(_left_behind(allowing, 4)) == "incomplete"
    assert apply_status(_left_behind(samples.preview(blocked_keys=3), 3)) == "incomplete"


def test_partial_reports_validate_and_say_what_stays_behind() -> None:
    preview = _allowing(samples.preview(blocked_keys=3))
    markdown = render_previews([preview], "markdown")
    assert "3 blocked stay on the source (the plan allows it)" in markdown
    schema = Draft202012Validator(json.loads(SCHEMA_PATH.read_text(encoding="utf-8")))
    for document in (json.loads(render_previews([preview], "json")),
                     json.loads(render_apply([_left_behind(preview, 3)], "json"))):
        assert document["status"] == "partial"
        schema.validate(document)
