from __future__ import annotations

import json
from pathlib import Path

import pytest

from runner.errors import DriftDetected, InputError
from runner.flow.guards import ReviewedPreview, drift_reasons, enforce, load_reviewed
from runner.reporters import render_previews
from runner.results import BlockedInstance

from .helpers import make_plan, make_preview

BLOCKED = BlockedInstance("7", "Z22", "Task_PackOrder", "no orderId")


def test_nothing_drifted_means_no_reasons() -> None:
    preview = make_preview(blocked=(BLOCKED,))
    assert drift_reasons(preview, ReviewedPreview.of(preview)) == []
    enforce(preview, ReviewedPreview.of(preview))


def test_more_instances_than_the_guard_allows_is_refused_without_a_review() -> None:
    preview = make_preview(make_plan(max_instances=5), matched=6)
    with pytest.raises(DriftDetected) as caught:
        enforce(preview, None)
    assert caught.value.reasons == ("6 instances match, more than rollout.maxInstances (5)",)


def test_exactly_the_guard_is_allowed() -> None:
    assert drift_reasons(make_preview(make_plan(max_instances=6), matched=6), None) == []


def test_changed_definition_keys_are_drift() -> None:
    reviewed = ReviewedPreview.of(make_preview())
    now = make_preview(source_key="101", target_key="201")
    assert drift_reasons(now, reviewed) == [
        "the source definition key is 101, the review saw 100 (the process was redeployed)",
        "the target definition key is 201, the review saw 200 (the process was redeployed)",
    ]


def test_new_blockers_are_drift() -> None:
    reviewed = ReviewedPreview.of(make_preview())
    now = make_preview(blocked=(BLOCKED,))
    assert drift_reasons(now, reviewed) == [
        "1 instances are blocked now, the review saw 0",
        "new blocker Z22 at Task_PackOrder, not in the reviewed dry run",
    ]


def test_a_changed_plan_file_is_drift() -> None:
    reviewed = ReviewedPreview.of(make_preview(make_plan(checksum="b" * 64)))
    reasons = drift_reasons(make_preview(make_plan(checksum="c" * 64)), reviewed)
    assert reasons == ["the plan file changed since the reviewed dry run "
                       "(checksum bbbbbbbbbbbb -> cccccccccccc)"]


def test_reviewed_previews_load_from_the_json_report(tmp_path: Path) -> None:
    path = tmp_path / "preview.json"
    path.write_text(render_previews([make_preview(blocked=(BLOCKED,))], "json"),
                    encoding="utf-8")

    reviewed = load_reviewed(path)["order-v1-to-v2"]
    assert reviewed == ReviewedPreview.of(make_preview(blocked=(BLOCKED,)))


def test_a_file_that_is_not_a_preview_report_is_an_input_error(tmp_path: Path) -> None:
    path = tmp_path / "x.json"
    path.write_text('{"kind": "apply"}', encoding="utf-8")
    with pytest.raises(InputError, match="is not the JSON report"):
        load_reviewed(path)
    path.write_text("{", encoding="utf-8")
    with pytest.raises(InputError, match="not JSON"):
        load_reviewed(path)


def test_a_reviewed_preview_that_is_not_a_valid_report_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "reviewed.json"
    path.write_text(json.dumps({"kind": "preview", "schemaVersion": 1,
                                "plans": [{"name": "invoice-v1-to-v2"}]}), "utf-8")
    with pytest.raises(InputError) as raised:
        load_reviewed(path)
    assert "is not a valid dry-run report" in raised.value.message
    # a real report whose plan entry lost everything but its name
    document = json.loads(render_previews([make_preview()], "json"))
    document["plans"] = [{"name": "order-v1-to-v2"}]
    path.write_text(json.dumps(document), "utf-8")
    with pytest.raises(InputError) as raised:
        load_reviewed(path)
    assert "at plans/0:" in raised.value.message


def test_a_real_dry_run_report_is_accepted(tmp_path: Path) -> None:
    path = tmp_path / "reviewed.json"
    document = json.loads(render_previews([make_preview(matched=3, migrating=3)], "json"))
    path.write_text(json.dumps(document), "utf-8")
    reviewed = load_reviewed(path)
    assert set(reviewed) == {"order-v1-to-v2"}
    assert reviewed["order-v1-to-v2"].matched == 3
