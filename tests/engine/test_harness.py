"""The harness must notice every kind of mismatch, or the case files prove nothing."""

from __future__ import annotations

from .harness import mismatches, run_case

BASE = {"source": "rules/tasks_v1.bpmn", "target": "rules/tasks_v2.bpmn",
        "mappings": [["A", "A"]], "active": ["A"]}


def test_wrong_verdict_is_reported() -> None:
    case = {**BASE, "expect": {"verdict": "rejected", "code": "Z07"}}
    assert list(mismatches(case, run_case(case))) == ["expected rejected, got accepted"]


def test_missing_and_forbidden_notes_are_reported() -> None:
    case = {**BASE, "expect": {"verdict": "accepted", "notes": ["W99"], "no_notes": ["W03"]}}
    problems = list(mismatches(case, run_case(case)))
    assert problems == ["note W99 missing (notes: ['W03', 'W04', 'W05'])",
                        "note W03 present but must not be"]


def test_wrong_code_type_message_and_transience_are_reported() -> None:
    case = {**BASE, "active": ["C"],
            "expect": {"verdict": "rejected", "code": "Z08", "type": "NOT_FOUND",
                       "message": "other", "contains": "nothing like it", "transient": True}}
    problems = list(mismatches(case, run_case(case)))
    assert [p.split(" ")[0] for p in problems] == ["code", "type", "message", "message",
                                                   "transient"]


def test_key_placeholder_is_substituted() -> None:
    case = {**BASE, "active": ["C"], "expect": {
        "verdict": "rejected",
        "message": "Expected to migrate process instance '{key}' but no mapping instruction "
                   "defined for active element with id 'C'. Elements cannot be migrated "
                   "without a mapping."}}
    assert list(mismatches(case, run_case(case))) == []
