"""Hostile plan files found by trying to break `validate`: each gives a located P01, never an
exception out of load_plan."""

from __future__ import annotations

from pathlib import Path

from runner.findings import Location
from runner.plan.loader import load_plan
from runner.plan.yaml_marks import MAX_NESTING_DEPTH


def load_p01(tmp_path: Path, content: bytes) -> tuple[str, Location]:
    path = tmp_path / "plan.yaml"
    path.write_bytes(content)
    result = load_plan(path)
    assert result.plan is None
    (finding,) = result.findings
    assert finding.code == "P01"
    assert finding.location is not None
    return finding.message, finding.location


def test_deeply_nested_flow_sequences_are_refused_where_they_get_too_deep(
        tmp_path: Path) -> None:
    depth = 5000
    message, location = load_p01(tmp_path, b"apiVersion: " + b"[" * depth + b"]" * depth)
    assert f"deeper than {MAX_NESTING_DEPTH} levels" in message
    # the document mapping is the first level, so the 64th bracket (column 12 + 64) is one
    # too many
    assert (location.line, location.column) == (1, 12 + MAX_NESTING_DEPTH)


def test_deep_nesting_inside_variables_is_refused(tmp_path: Path) -> None:
    text = "filter:\n  variables:\n    v: " + "{a: " * 900 + "1" + "}" * 900 + "\n"
    message, location = load_p01(tmp_path, text.encode())
    assert "deeper than" in message
    assert location.line == 3


def test_nesting_at_the_limit_is_still_composed(tmp_path: Path) -> None:
    depth = MAX_NESTING_DEPTH - 1  # the document mapping is the first level
    path = tmp_path / "plan.yaml"
    path.write_bytes(b"x: " + b"[" * depth + b"]" * depth)
    codes = {f.code for f in load_plan(path).findings}
    assert codes == {"P02"}  # composed and schema-checked: missing sections, unknown 'x'


def test_bytes_that_are_not_utf8_are_located_at_the_byte(tmp_path: Path) -> None:
    message, location = load_p01(tmp_path, b"apiVersion: c8migrate/v1\nmetadata:\n"
                                           b"  name: caf\xe9\n")
    assert message == ("the plan file is not valid utf-8 text: byte 0xe9 "
                       "(invalid continuation byte); save it as UTF-8")
    assert (location.line, location.column) == (3, 12)


def test_control_characters_are_located_at_the_character(tmp_path: Path) -> None:
    message, location = load_p01(tmp_path, "kind: Migr\x00ation\nname: é\x01\n".encode())
    assert message == ("the plan file contains the control character #x0000, "
                       "which YAML does not allow")
    assert (location.line, location.column) == (1, 11)


def test_bpmn_path_naming_a_folder_says_so(tmp_path: Path) -> None:
    (tmp_path / "plans" / "bpmn").mkdir(parents=True)
    plan = tmp_path / "plans" / "plan.yaml"
    plan.write_text("apiVersion: c8migrate/v1\nkind: MigrationPlan\nmetadata: {name: p}\n"
                    "source: {processDefinitionId: p, version: 1, bpmn: bpmn}\n"
                    "target: {processDefinitionId: p, version: 2, bpmn: bpmn/}\n")
    findings = load_plan(plan).findings
    assert [(f.code, f.message) for f in findings] == [
        ("P04", "source.bpmn 'bpmn' is a folder, not a BPMN file"),
        ("P04", "target.bpmn 'bpmn/' is a folder, not a BPMN file")]
    assert [f.location.line for f in findings if f.location] == [4, 5]
