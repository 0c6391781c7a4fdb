"""The pull-request report: summary first, folded details, diagram, bounded size."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable

import pytest

from runner.findings import Finding, Location, Severity
from runner.reporters import RenderOptions, render_apply, render_previews, render_validation
from runner.reporters.base import GITHUB_COMMENT_LIMIT
from runner.reporters.markdown_blocks import blocked_text, mapping_details
from runner.reporters.mermaid import MappingEdge
from runner.reporters.summary import BlockedGroup
from runner.results import BlockedInstance, ElementMove, PlanPreview

from . import samples


def test_validation_matches_golden(golden: Callable[[str, str], None]) -> None:
    golden("validation.md", render_validation(samples.validation(), "markdown"))


def test_previews_match_golden(golden: Callable[[str, str], None]) -> None:
    output = render_previews([samples.preview(), samples.empty_preview()], "markdown",
                             samples.validation())
    golden("previews.md", output)


def test_apply_matches_golden(golden: Callable[[str, str], None]) -> None:
    output = render_apply([samples.apply_report(), samples.clean_apply_report()], "markdown")
    golden("apply.md", output)


def test_summary_table_comes_before_any_details() -> None:
    output = render_previews([samples.preview(), samples.empty_preview()], "markdown")
    table = output.index("| Plan | Status | Matched | Migrating | Blocked | Already migrated "
                         "| Warnings |")
    assert table < output.index("<details")
    assert ("| `order-v1-to-v2`<br>`plans/order-v1-to-v2.yaml` | ⛔ blocked | 40 | 37 | 3 | 2 "
            "| 1 |") in output


def test_blocked_reason_quotes_zeebe_verbatim_with_example_keys() -> None:
    output = render_previews([samples.preview()], "markdown")
    assert ("> Expected to migrate process instance '2251799813690000' but no mapping "
            "instruction defined for active element with id 'Task_Ship'. Elements cannot be "
            "migrated without a mapping.") in output
    assert "Example keys: `2251799813690000`, `2251799813690001`, `2251799813690002`" in output


def test_mermaid_diagram_highlights_renames_and_marks_unmapped() -> None:
    output = render_previews([samples.preview()], "markdown")
    diagram = output[output.index("```mermaid\n"):]
    diagram = diagram[:diagram.index("\n```\n")]
    assert "flowchart LR" in diagram
    assert 's0["Task_Ship<br/>SERVICE_TASK<br/>⚠ no mapping: rejected"]:::unmapped' in diagram
    assert 't0["Task_PackParcel"]:::renamed' in diagram
    assert "s1 ==>|12 inst.| t0" in diagram
    assert "s2 -->|25 inst.| t1" in diagram
    assert "linkStyle 0 " in diagram


def test_validation_diagram_marks_wait_states_without_mapping() -> None:
    output = render_validation(samples.validation(), "markdown")
    assert '["Task_Ship<br/>⚠ no mapping: rejected"]:::unmapped' in output


def test_reproduce_command_is_exact() -> None:
    output = render_previews([samples.preview(), samples.empty_preview()], "markdown")
    assert output.endswith("```sh\nc8migrate plan plans/order-v1-to-v2.yaml plans/invoice.yaml"
                           "\n```\n")
    validation = render_validation(samples.validation(), "markdown")
    assert ("c8migrate validate plans/order-v1-to-v2.yaml plans/invoice.yaml plans/broken.yaml "
            "--server-version 8.8.0") in validation


def test_nothing_to_migrate_is_stated_clearly() -> None:
    output = render_previews([samples.empty_preview()], "markdown")
    assert output.startswith("### c8migrate dry run: ⚪ nothing to migrate")
    assert "Nothing to migrate: no instance matches the filter" in output


def test_untrusted_text_cannot_inject_html_mentions_or_break_tables() -> None:
    hostile = Finding("Z08", Severity.ERROR, "<img src=x onerror=alert(1)> @org/team | cell",
                      Location("plans/p.yaml", 2, 1))
    validation = samples.validation()
    first = dataclasses.replace(validation.plans[0], findings=(hostile,))
    output = render_validation(dataclasses.replace(validation, plans=(first,)), "markdown")
    assert "<img" not in output
    assert "&lt;img src=x onerror=alert(1)&gt; @\u200borg/team \\| cell" in output


def _huge_preview(index: int) -> PlanPreview:
    base = samples.preview()
    moves = tuple(ElementMove(f"Task_{i}", "SERVICE_TASK", None if i % 7 == 0 else f"T_{i}",
                              i % 50 + 1, i % 7 == 0) for i in range(1500))
    blocked = tuple(BlockedInstance(str(4_000_000 + i), "Z07", f"Task_{i % 400}",
                                    f"Expected to migrate process instance '{4_000_000 + i}' "
                                    f"but no mapping for 'Task_{i % 400}'") for i in range(3000))
    findings = tuple(Finding("W02", Severity.WARNING, f"job type changes on Task_{i} " * 3,
                             Location(f"plans/p{index}.yaml", i + 1, 3), hint="keep it")
                     for i in range(300))
    plan = samples.plan(f"plans/p{index}.yaml", f"plan-{index}")
    return dataclasses.replace(base, plan=plan, moves=moves, blocked=blocked,
                               blocked_total=9000, matched=20000, migrating=11000,
                               findings=findings)


def test_very_large_preview_stays_under_githubs_comment_limit() -> None:
    previews = [_huge_preview(i) for i in range(40)]
    output = render_previews(previews, "markdown")
    assert len(output) <= RenderOptions().max_chars < GITHUB_COMMENT_LIMIT
    # the summary and the way to get everything else survive the cut
    assert output.startswith("### c8migrate dry run: ⛔ 40 of 40 plans blocked")
    assert "| `plan-39`<br>`plans/p39.yaml` | ⛔ blocked | 20000 | 11000 | 9000 |" in output
    assert "This report was cut to stay under" in output
    assert "full report in the artifact" in output
    assert output.endswith("```sh\nc8migrate plan " + " ".join(
        f"plans/p{i}.yaml" for i in range(40)) + "\n```\n")
    # every <details> that was opened is closed (no half-cut sections)
    assert output.count("<details") == output.count("</details>")
    assert output.count("```mermaid") * 2 <= output.count("```") - 2


@pytest.mark.parametrize("limit", [2_000, 10_000, 30_000])
def test_custom_limits_are_respected(limit: int) -> None:
    output = render_previews([_huge_preview(1), _huge_preview(2)], "markdown",
                             options=RenderOptions(max_chars=limit))
    assert len(output) <= limit
    assert "This report was cut" in output


def test_small_report_is_not_cut() -> None:
    output = render_previews([samples.preview()], "markdown")
    assert "cut" not in output


def test_very_large_validation_stays_under_the_limit() -> None:
    many = tuple(Finding("Z07", Severity.ERROR, f"instances waiting at 'Task_{i}' would be "
                         "rejected " + "x" * 200, Location("plans/big.yaml", i + 1, 1))
                 for i in range(300))
    base = samples.validation()
    plans = tuple(dataclasses.replace(base.plans[0], path=f"plans/big{i}.yaml", findings=many)
                  for i in range(100))
    output = render_validation(dataclasses.replace(base, plans=plans), "markdown")
    assert len(output) <= RenderOptions().max_chars
    assert "| … 40 more plans |" in output  # the table keeps its first 60 rows
    assert "This report was cut" in output
    assert output.count("<details") == output.count("</details>")


def test_mapped_elements_with_blocked_instances_say_so_in_diagram_and_table() -> None:
    preview = dataclasses.replace(samples.preview(), moves=(
        ElementMove("Task_Pack", "USER_TASK", "Task_PackParcel", 12, 4),))
    output = render_previews([preview], "markdown")
    assert "s0 ==>|12 inst., 4 blocked| t0" in output
    assert ("| `Task_Pack` | USER_TASK | `Task_PackParcel` ✏️ renamed | 12 | 4 |") in output


def test_rerun_after_apply_says_nothing_to_migrate_and_counts_migrated() -> None:
    preview = dataclasses.replace(samples.empty_preview(), already_on_target=37)
    output = render_previews([preview], "markdown")
    assert ("Nothing to migrate: no instance matches the filter on the source definition "
            "(37 already on the target).") in output


def test_blocked_reasons_name_the_rule_in_words_and_the_element_without_at() -> None:
    groups = [BlockedGroup(code="Z22", element_id="Event_OrderCancelled", message="text",
                           keys=("1", "2", "3"), count=3, transient=False)]

    output = blocked_text(groups)

    assert output.startswith("**Z22** A newly opened catch event must be able to evaluate "
                             "its expressions: 3 instances, element `Event_OrderCancelled`")
    assert " at `Event_OrderCancelled`" not in output


def test_mapping_table_explains_why_instances_add_up_to_more_than_matched() -> None:
    plan = samples.preview().plan
    live = [MappingEdge("SubProcess_Payment", "SubProcess_Payment", "SUB_PROCESS", 6),
            MappingEdge("Task_Charge", "Task_Authorize", "SERVICE_TASK", 6)]
    offline = [MappingEdge("Task_Charge", "Task_Authorize", "SERVICE_TASK")]

    assert "can add up to more than the matched instances" in mapping_details(plan, live)
    assert "matched instances" not in mapping_details(plan, offline)
