"""The example plans: every plan in plans/ validates without errors, and every plan in
plans/examples-invalid/ fails with exactly the one located, coded finding its header names
(``# expected-finding: CODE``)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from runner.findings import Severity
from runner.validate import validate_paths

PLANS = Path(__file__).resolve().parents[2] / "plans"
VALID = sorted(p for p in PLANS.glob("*.yaml") if p.name != "demo-seed.yaml")
INVALID = sorted((PLANS / "examples-invalid").glob("*.yaml"))
EXPECTED = re.compile(r"^# expected-finding: (\w+)$", re.MULTILINE)


def test_there_are_at_least_three_plans_and_four_invalid_ones() -> None:
    assert len(VALID) >= 3
    assert {EXPECTED.search(p.read_text("utf-8")).group(1)  # type: ignore[union-attr]
            for p in INVALID} >= {"Z05", "Z07", "Z08", "Z10"}


@pytest.mark.parametrize("plan_file", VALID, ids=lambda p: p.name)
def test_example_plans_validate_without_errors_or_warnings(plan_file: Path) -> None:
    [result] = validate_paths([str(plan_file)]).plans
    assert result.plan is not None
    assert [(f.code, f.message) for f in result.findings
            if f.severity >= Severity.WARNING] == []


def test_one_example_plan_renames_elements() -> None:
    renames = [(m.source, m.target) for p in VALID
               for result in validate_paths([str(p)]).plans if result.plan
               for m in result.plan.mappings if m.source != m.target]
    assert ("Task_ChargePayment", "Task_AuthorizePayment") in renames


@pytest.mark.parametrize("plan_file", INVALID, ids=lambda p: p.name)
def test_invalid_examples_fail_with_their_one_expected_finding(plan_file: Path) -> None:
    match = EXPECTED.search(plan_file.read_text("utf-8"))
    assert match, f"{plan_file.name} has no '# expected-finding: CODE' header"
    [result] = validate_paths([str(plan_file)]).plans

    problems = [f for f in result.findings if f.severity >= Severity.WARNING]
    assert [f.code for f in problems] == [match.group(1)]
    [finding] = problems
    assert finding.severity == Severity.ERROR
    assert finding.location is not None
    assert finding.location.file == str(plan_file)
    assert finding.location.line is not None and finding.location.line > 1
    assert finding.zeebe_message
