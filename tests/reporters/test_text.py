"""The terminal format: located findings, the dry-run diff, the apply summary, colour."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable

from runner.findings import Finding, Location, Severity
from runner.reporters import RenderOptions, render_apply, render_previews, render_validation

from . import samples


def test_validation_matches_golden(golden: Callable[[str, str], None]) -> None:
    golden("validation.txt", render_validation(samples.validation(), "text"))


def test_previews_match_golden(golden: Callable[[str, str], None]) -> None:
    output = render_previews([samples.preview(), samples.empty_preview()], "text")
    golden("previews.txt", output)


def test_apply_matches_golden(golden: Callable[[str, str], None]) -> None:
    output = render_apply([samples.apply_report(), samples.clean_apply_report()], "text")
    golden("apply.txt", output)


def test_finding_line_is_file_line_col_severity_code_message() -> None:
    lines = render_validation(samples.validation(), "text").splitlines()
    assert ("plans/order-v1-to-v2.yaml:14:3: error Z07 instances waiting at 'Task_Ship' "
            "(SERVICE_TASK) would be rejected: it has no mapping") in lines
    index = lines.index("plans/broken.yaml:3:9: error P01 YAML syntax error: mapping values "
                        "are not allowed here")
    assert lines[index - 1] == "plans/broken.yaml invalid: 1 error, 0 warnings, 0 notes"


def test_hint_and_related_locations_are_indented_under_their_finding() -> None:
    lines = render_validation(samples.validation(), "text").splitlines()
    start = next(i for i, line in enumerate(lines) if " W02 " in line)
    assert lines[start + 1:start + 5] == [
        "    hint: complete or cancel the active jobs first,",
        "          or keep the job type",
        "    see plans/bpmn/order-process.v1.bpmn:30",
        "    see plans/bpmn/order-process.v2.bpmn:31",
    ]


def test_summary_line_names_server_version_and_counts() -> None:
    last = render_validation(samples.validation(), "text").splitlines()[-1]
    assert last == ("3 plans checked against Camunda 8.8.0 (option): 2 errors, 1 warning, "
                    "1 note; failed (2 invalid)")


def test_colour_only_when_asked() -> None:
    plain = render_validation(samples.validation(), "text")
    coloured = render_validation(samples.validation(), "text", RenderOptions(color=True))
    assert "\x1b[" not in plain
    assert "\x1b[1;31merror\x1b[0m" in coloured
    assert "\x1b[33mwarning\x1b[0m" in coloured


def test_preview_groups_blocked_instances_by_reason_with_example_keys() -> None:
    preview = samples.preview(blocked_keys=8)
    output = render_previews([preview], "text")
    assert "    Z07 8 instances at Task_Ship" in output
    # one reason, Zeebe's text verbatim for the first instance, five example keys
    assert output.count("Expected to migrate process instance") == 1
    assert ("e.g. 2251799813690000, 2251799813690001, 2251799813690002, 2251799813690003, "
            "2251799813690004\n") in output
    assert "2251799813690005" not in output


def test_preview_moves_show_source_type_target_and_counts() -> None:
    output = render_previews([samples.preview()], "text")
    assert "    Task_Pack (USER_TASK)      -> Task_PackParcel  12 instances" in output
    assert "    Task_Ship (SERVICE_TASK)   -> (unmapped)  3 instances, 3 blocked" in output
    assert "matched 40 | migrating 37 | blocked 3 | already migrated 2" in output


def test_apply_shows_counts_batch_keys_verification_and_duration() -> None:
    output = render_apply([samples.apply_report()], "text")
    assert "order-process v1 -> order-process v2, batch mode, 12.2s" in output
    assert "instances: already-migrated 2, migrated 36, rejected 1" in output
    assert "batch operations: 2251799813699001" in output
    assert "verified: 1 matching instance still on the source definition" in output


def test_location_shows_only_what_is_known() -> None:
    finding = Finding("B03", Severity.ERROR, "file too large", Location("plans/bpmn/huge.bpmn"))
    validation = samples.validation()
    plan = dataclasses.replace(validation.plans[2], findings=(finding,))
    output = render_validation(dataclasses.replace(validation, plans=(plan,)), "text")
    assert "plans/bpmn/huge.bpmn: error B03 file too large\n" in output


def test_capped_blocked_sample_is_named_as_such() -> None:
    preview = dataclasses.replace(samples.preview(blocked_keys=3), blocked_total=9)
    output = render_previews([preview], "text")
    assert "  blocked (9):" in output
    assert "    (reasons of 3 of 9 blocked instances shown)" in output
