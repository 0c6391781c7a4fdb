from __future__ import annotations

import json
from pathlib import Path

import pytest

from runner.errors import ConfigError, InputError
from runner.flow.journal import (
    AuditRecord,
    PlanJournal,
    Provenance,
    all_audit_records,
    ensure_journal_dir,
    plan_file_stem,
)

from .helpers import make_plan


def _audit(run: str, finished: str, plan: str = "order-v1-to-v2") -> AuditRecord:
    return AuditRecord(plan=plan, plan_path=f"plans/{plan}.yaml", checksum="a" * 64, run=run,
                       outcome="migrated", started="2026-01-01T00:00:00Z", finished=finished,
                       commit="abc", actor="octocat", counts={"migrated": 3},
                       batch_operation_keys=("42",))


def test_events_are_appended_as_json_lines_with_common_fields(tmp_path: Path) -> None:
    journal = PlanJournal(tmp_path, make_plan(), run="r1")
    journal.append("started", matched=3)
    journal.append("finished", audit=_audit("r1", "2026-01-01T00:01:00Z").to_json())

    lines = journal.path.read_text(encoding="utf-8").splitlines()
    assert journal.path == tmp_path / "order-v1-to-v2.jsonl"
    assert [json.loads(line)["event"] for line in lines] == ["started", "finished"]
    first = json.loads(lines[0])
    assert first["run"] == "r1"
    assert first["plan"] == "order-v1-to-v2"
    assert first["checksum"] == "a" * 64
    assert first["matched"] == 3
    assert first["time"].endswith("Z")


def test_a_second_journal_object_appends_to_the_same_file(tmp_path: Path) -> None:
    PlanJournal(tmp_path, make_plan(), run="r1").append("started")
    PlanJournal(tmp_path, make_plan(), run="r2").append("started")
    runs = [e["run"] for e in PlanJournal(tmp_path, make_plan()).events()]
    assert runs == ["r1", "r2"]


def test_open_batches_are_the_created_ones_without_a_finish(tmp_path: Path) -> None:
    journal = PlanJournal(tmp_path, make_plan(), run="r1")
    journal.append("batch-created", batch_key="11", selected=5)
    journal.append("batch-created", batch_key="12", selected=7)
    journal.append("batch-finished", batch_key="11", state="COMPLETED")

    open_batches = journal.open_batches()
    assert [(b.key, b.selected, b.run) for b in open_batches] == [("12", 7, "r1")]


def test_audit_records_round_trip_and_are_collected_over_plans(tmp_path: Path) -> None:
    PlanJournal(tmp_path, make_plan("b-plan"), run="r2").append(
        "finished", audit=_audit("r2", "2026-01-02T00:00:00Z", "b-plan").to_json())
    PlanJournal(tmp_path, make_plan("a-plan"), run="r1").append(
        "finished", audit=_audit("r1", "2026-01-01T00:00:00Z", "a-plan").to_json())

    records = all_audit_records(tmp_path)
    assert [r.plan for r in records] == ["a-plan", "b-plan"]
    assert records[0] == _audit("r1", "2026-01-01T00:00:00Z", "a-plan")


def test_a_torn_last_line_is_skipped_but_a_corrupt_middle_line_is_an_error(
        tmp_path: Path) -> None:
    journal = PlanJournal(tmp_path, make_plan(), run="r1")
    journal.append("started")
    with journal.path.open("a", encoding="utf-8") as handle:
        handle.write('{"event": "batch-cr')
    assert [e["event"] for e in journal.events()] == ["started"]

    with journal.path.open("a", encoding="utf-8") as handle:
        handle.write('\n{"event": "finished"}\n')
    with pytest.raises(InputError, match=r"order-v1-to-v2.jsonl:2: the journal is corrupt"):
        list(journal.events())


def test_plan_names_become_safe_file_names() -> None:
    assert plan_file_stem("onboarding-retail-2025.2") == "onboarding-retail-2025.2"
    assert plan_file_stem("../../etc/passwd") == "etc_passwd"
    assert plan_file_stem("a b/c") == "a_b_c"


def test_provenance_prefers_ci_variables(tmp_path: Path) -> None:
    found = Provenance.detect(tmp_path, env={"GITHUB_SHA": "deadbeef", "GITHUB_ACTOR": "octo"})
    assert found == Provenance(commit="deadbeef", actor="octo")


def test_provenance_outside_git_has_no_commit(tmp_path: Path) -> None:
    found = Provenance.detect(tmp_path, env={})
    assert found.commit is None


def test_ensure_journal_dir_creates_the_folder_and_leaves_nothing_behind(
        tmp_path: Path) -> None:
    folder = tmp_path / "deep" / "journal"
    ensure_journal_dir(folder)
    assert folder.is_dir() and list(folder.iterdir()) == []


def test_ensure_journal_dir_refuses_a_folder_it_cannot_create(tmp_path: Path) -> None:
    (tmp_path / "file").write_text("x", "utf-8")
    with pytest.raises(ConfigError) as raised:
        ensure_journal_dir(tmp_path / "file" / "journal")
    assert "as the journal folder" in raised.value.message
