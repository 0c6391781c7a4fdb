"""GitHub Actions: workflow-command annotations, escaping, job summary and step outputs."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable

import pytest

from runner.findings import Finding, Location, Severity
from runner.reporters import render_apply, render_previews, render_validation
from runner.reporters.github import (
    annotation,
    escape_data,
    escape_property,
    finding_annotation,
    job_summary,
    step_outputs,
)

from . import samples


def test_validation_matches_golden(golden: Callable[[str, str], None]) -> None:
    golden("validation.github.txt", render_validation(samples.validation(), "github"))


def test_previews_match_golden(golden: Callable[[str, str], None]) -> None:
    golden("previews.github.txt",
           render_previews([samples.preview(), samples.empty_preview()], "github"))


def test_escaping_follows_githubs_rules() -> None:
    assert escape_data("100% done\r\nnext, line: 2") == "100%25 done%0D%0Anext, line: 2"
    assert escape_property("a,b:c%d\ne") == "a%2Cb%3Ac%25d%0Ae"


def test_annotation_carries_file_line_col_end_and_title() -> None:
    line = finding_annotation(samples.warning_finding())
    assert line.startswith("::warning file=plans/order-v1-to-v2.yaml,line=18,col=7,"
                           "endLine=18,endColumn=40,title=W02::")
    message = line.split("::", 2)[2]
    # ',' and ':' stay in the message; '%' and newlines are escaped
    assert message.startswith("job type of 'Task_Charge' changes from 'charge' to "
                              "'charge-v2, EU: 100%25'; active jobs keep the old type%0A"
                              "hint: complete or cancel the active jobs first,%0Aor keep")
    assert "\n" not in line


def test_property_values_with_commas_and_colons_are_escaped() -> None:
    line = annotation("error", "boom", Location("plans/a,b:c.yaml", 3), "Z08")
    assert line == "::error file=plans/a%2Cb%3Ac.yaml,line=3,title=Z08::boom"


@pytest.mark.parametrize(("severity", "command"), [
    (Severity.ERROR, "::error "), (Severity.WARNING, "::warning "), (Severity.NOTE, "::notice "),
])
def test_severity_picks_the_command(severity: Severity, command: str) -> None:
    finding = Finding("Z08", severity, "m", Location("p.yaml", 1, 1))
    assert finding_annotation(finding).startswith(command)


def test_finding_without_location_lands_on_the_plan_file() -> None:
    line = finding_annotation(samples.note_finding(), "plans/x.yaml")
    assert line.startswith("::notice file=plans/x.yaml,line=1,title=N17::")


def test_findings_are_grouped_per_plan() -> None:
    lines = render_validation(samples.validation(), "github").splitlines()
    assert lines[0] == "::group::plans/order-v1-to-v2.yaml: invalid"
    assert lines.count("::endgroup::") == 3
    broken = lines.index("::group::plans/broken.yaml: invalid")
    assert lines[broken + 1].startswith("::error file=plans/broken.yaml,line=3,col=9,title=P01::")


def test_blocked_reasons_become_annotations_on_the_plan() -> None:
    output = render_previews([samples.preview()], "github")
    assert ("::error file=plans/order-v1-to-v2.yaml,line=1,title=Z07::3 instances at Task_Ship "
            "would be rejected: Expected to migrate process instance '2251799813690000'") in output


def test_blocked_reasons_the_plan_allows_are_warnings_not_errors() -> None:
    shown = samples.preview()
    allowing = dataclasses.replace(shown, plan=dataclasses.replace(
        shown.plan, rollout=dataclasses.replace(shown.plan.rollout, allow_blocked=True)))

    output = render_previews([allowing], "github")

    assert ("::warning file=plans/order-v1-to-v2.yaml,line=1,title=Z07::3 instances at "
            "Task_Ship would be rejected and stay on the source (rollout.allowBlocked): "
            "Expected to migrate") in output
    assert "::error" not in output


def test_apply_failures_are_annotated() -> None:
    output = render_apply([samples.apply_report()], "github")
    assert "::error file=plans/order-v1-to-v2.yaml,line=1,title=apply::instance " \
           "2251799813690000 rejected: " in output


def test_job_summary_is_the_markdown_report() -> None:
    summary = job_summary(validation=samples.validation())
    assert summary.startswith("### c8migrate validate: ❌ 2 of 3 plans invalid")
    dry_run = job_summary(previews=[samples.preview()], validation=samples.validation())
    assert dry_run.startswith("### c8migrate dry run:")
    assert job_summary(reports=[samples.apply_report()]).startswith("### c8migrate apply:")
    with pytest.raises(ValueError, match="needs"):
        job_summary()


def _outputs(text: str) -> dict[str, str]:
    assert text.endswith("\n")
    return dict(line.split("=", 1) for line in text.splitlines())


def test_step_outputs_for_validation() -> None:
    assert _outputs(step_outputs(validation=samples.validation())) == {
        "status": "invalid", "plans": "3", "invalid-plans": "2", "errors": "2",
        "warnings": "1", "notes": "1",
    }


def test_step_outputs_for_previews_and_apply() -> None:
    preview = _outputs(step_outputs(previews=[samples.preview(), samples.empty_preview()]))
    assert preview["status"] == "blocked"
    assert (preview["matched"], preview["migrating"], preview["blocked"]) == ("40", "37", "3")
    assert preview["already-migrated"] == "2"
    applied = _outputs(step_outputs(reports=[samples.apply_report()]))
    assert applied["status"] == "failed"
    assert (applied["migrated"], applied["failed"]) == ("36", "1")
    assert applied["batch-operation-keys"] == "2251799813699001"
    assert applied["remaining-on-source"] == "1"
    with pytest.raises(ValueError, match="needs"):
        step_outputs()


def test_transient_rejections_are_warnings_because_apply_retries_them() -> None:
    preview = dataclasses.replace(samples.preview(blocked_keys=0), blocked=(
        samples.blocked("2251799813690100", transient=True),))
    output = render_previews([preview], "github")
    assert "::warning file=plans/order-v1-to-v2.yaml,line=1,title=Z07::1 instance at " in output
