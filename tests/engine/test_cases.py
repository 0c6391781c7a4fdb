"""Every rule data case in tests/engine/cases/*.yaml, judged by the engine."""

from __future__ import annotations

import pytest

from .harness import Case, load_cases, mismatches, run_case

CASES = load_cases()


def test_every_case_file_has_cases() -> None:
    assert len(CASES) > 0


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_case(case: Case) -> None:
    verdict = run_case(case.data)
    problems = list(mismatches(case.data, verdict))
    assert not problems, "\n".join(problems)
