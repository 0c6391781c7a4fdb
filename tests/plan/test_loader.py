"""Loading plan files: typed plans, and located P-findings for everything that is wrong."""

from __future__ import annotations

import hashlib
import os
from pathlib import Path
from textwrap import dedent

import pytest

from runner.findings import Location, Severity
from runner.plan.loader import PlanLoad, load_plan
from runner.plan.model import DateRange

BPMN = ('<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL">'
        '<bpmn:process id="order-process"/></bpmn:definitions>')

FULL_PLAN = """\
# yaml-language-server: $schema=../schemas/migration-plan.v1.json
apiVersion: c8migrate/v1
kind: MigrationPlan
metadata:
  name: order-v1-to-v2
  description: Split payment
source:
  processDefinitionId: order-process
  version: 1
  bpmn: bpmn/order.v1.bpmn
target:
  processDefinitionId: order-process
  versionTag: "2.0"
  bpmn: bpmn/order.v2.bpmn
tenantId: <default>
filter:
  processInstanceKeys: ["2251799813685249", 2251799813685250]
  state: ACTIVE
  hasIncident: false
  startDate: {after: 2026-01-01T00:00:00Z, before: "2026-02-01T00:00:00+01:00"}
  variables: {region: EU, priority: 2, vip: true}
  activeElementIds: [Task_A]
mappings:
  auto: none
  instructions:
    - source: Task_Charge
      target: Task_Authorize
    - {source: A, target: B}
rollout:
  mode: batch
  maxInstances: 5000
  concurrency: 16
  allowBlocked: true
"""


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    """A repository without git: plans/ with its BPMN files under plans/bpmn/."""
    (tmp_path / "plans" / "bpmn").mkdir(parents=True)
    for name in ("order.v1.bpmn", "order.v2.bpmn"):
        (tmp_path / "plans" / "bpmn" / name).write_text(BPMN)
    return tmp_path


def write_plan(repo: Path, text: str, name: str = "plan.yaml") -> Path:
    path = repo / "plans" / name
    path.write_text(dedent(text))
    return path


def codes(result: PlanLoad) -> list[str]:
    return [f.code for f in result.findings]


def test_full_plan_is_typed(repo: Path) -> None:
    path = write_plan(repo, FULL_PLAN)
    result = load_plan(path)
    assert result.findings == ()
    plan = result.plan
    assert plan is not None and result.ok
    assert plan.path == str(path)
    assert plan.name == "order-v1-to-v2"
    assert plan.description == "Split payment"
    assert plan.source.process_definition_id == "order-process"
    assert (plan.source.version, plan.source.version_tag) == (1, None)
    assert (plan.target.version, plan.target.version_tag) == (None, "2.0")
    assert plan.source.bpmn == os.path.join(str(path.parent), "bpmn", "order.v1.bpmn")
    assert plan.source.location == Location(str(path), 7, 1)
    assert plan.source.bpmn_location == Location(str(path), 10, 9)
    assert plan.tenant_id == "<default>"
    f = plan.filter
    assert f.process_instance_keys == ("2251799813685249", "2251799813685250")
    assert (f.state, f.has_incident) == ("ACTIVE", False)
    assert f.start_date == DateRange("2026-01-01T00:00:00Z", "2026-02-01T00:00:00+01:00")
    assert f.variables == {"region": "EU", "priority": 2, "vip": True}
    assert f.active_element_ids == ("Task_A",)
    assert plan.auto_mapping == "none"
    assert [(m.source, m.target, m.location) for m in plan.mappings] == [
        ("Task_Charge", "Task_Authorize", Location(str(path), 26, 7)),
        ("A", "B", Location(str(path), 28, 7)),
    ]
    r = plan.rollout
    assert (r.mode, r.max_instances, r.concurrency, r.allow_blocked) == ("batch", 5000, 16, True)
    assert plan.checksum == hashlib.sha256(path.read_bytes()).hexdigest()
    assert plan.location_of("/mappings/instructions/1/target") == Location(str(path), 28, 27)
    assert plan.location_of("/mappings") == Location(str(path), 23, 1)
    assert plan.location_of("/mappings/instructions/7") == Location(str(path), 25, 3)
    assert plan.location_of("/filter/hasIncident") == Location(str(path), 19, 16)


def test_defaults(repo: Path) -> None:
    plan = load_plan(write_plan(repo, """\
        apiVersion: c8migrate/v1
        kind: MigrationPlan
        metadata: {name: minimal}
        source: {processDefinitionId: order-process, version: 1, bpmn: bpmn/order.v1.bpmn}
        target: {processDefinitionId: order-process, version: 2, bpmn: bpmn/order.v2.bpmn}
        """)).plan
    assert plan is not None
    assert plan.auto_mapping == "same-id"
    assert plan.mappings == ()
    assert plan.filter.state == "ACTIVE"
    assert plan.filter.start_date is None
    assert plan.rollout.mode == "auto"
    assert plan.rollout.allow_blocked is False
    assert plan.tenant_id is None


def test_yaml_syntax_error_is_located_at_the_problem(repo: Path) -> None:
    result = load_plan(write_plan(repo, """\
        apiVersion: c8migrate/v1
        metadata:
          name: [unclosed
        kind: MigrationPlan
        """))
    assert result.plan is None
    (finding,) = result.findings
    assert finding.code == "P01"
    assert finding.severity is Severity.ERROR
    assert finding.location is not None
    assert (finding.location.line, finding.location.column) == (4, 5)
    assert "YAML syntax error" in finding.message


def test_tab_indentation_is_a_syntax_error(repo: Path) -> None:
    result = load_plan(write_plan(repo, "apiVersion: c8migrate/v1\nmetadata:\n\tname: x\n"))
    assert codes(result) == ["P01"]
    assert result.findings[0].location == Location(str(repo / "plans" / "plan.yaml"), 3, 1)


def test_every_schema_violation_is_reported_where_it_is(repo: Path) -> None:
    path = write_plan(repo, """\
        apiVersion: c8migrate/v2
        kind: MigrationPlan
        metadata:
          name: Order_V1
        source:
          processDefinitionId: order-process
          verison: 1
          bpmn: bpmn/order.v1.bpmn
        target:
          processDefinitionId: order-process
          version: 2
          versionTag: "2.0"
          bpmn: bpmn/order.v2.bpmn
        filter:
          state: COMPLETED
          startDate: {after: yesterday}
        mappings:
          instructions:
            - source: A
        rollout:
          mode: fast
          maxInstances: "100"
        """)
    result = load_plan(path)
    assert result.plan is None
    assert set(codes(result)) == {"P02"}
    got = [(f.location.line, f.location.column, f.message) for f in result.findings
           if f.location is not None]
    assert got == [
        (1, 13, "apiVersion must be 'c8migrate/v1', not 'c8migrate/v2'"),
        (4, 9, "metadata.name: 'Order_V1' is not valid; expected lower-case letters, digits, "
               "'.' and '-', starting with a letter or digit"),
        (5, 1, "source needs one of 'version' or 'versionTag'"),
        (7, 3, "'verison' is not a known property of source; did you mean 'version'?"),
        (12, 3, "target has 'version' and 'versionTag'; give only one of 'version' or "
                "'versionTag'"),
        (15, 10, "filter.state: 'COMPLETED' is not one of ACTIVE"),
        (16, 22, "filter.startDate.after: 'yesterday' is not an RFC 3339 date-time"),
        (19, 7, "mappings.instructions[0] is missing the required property 'target'"),
        (21, 9, "rollout.mode: 'fast' is not one of single, batch, auto"),
        (22, 17, "rollout.maxInstances: expected an integer, got '100'"),
    ]
    assert len(result.findings) == len(got)


def test_unquoted_version_tag_gets_a_quoting_hint(repo: Path) -> None:
    result = load_plan(write_plan(repo, """\
        apiVersion: c8migrate/v1
        kind: MigrationPlan
        metadata: {name: tags}
        source: {processDefinitionId: p, versionTag: 1.10, bpmn: bpmn/order.v1.bpmn}
        target: {processDefinitionId: p, version: 2, bpmn: bpmn/order.v2.bpmn}
        """))
    (finding,) = result.findings
    assert finding.message == "source.versionTag: expected a string, got 1.1"
    assert finding.hint is not None and "quote" in finding.hint
    assert finding.location is not None and finding.location.line == 4


def test_missing_top_level_sections(repo: Path) -> None:
    result = load_plan(write_plan(repo, "apiVersion: c8migrate/v1\nkind: MigrationPlan\n"))
    assert [f.message for f in result.findings] == [
        f"the plan is missing the required property '{name}'"
        for name in ("metadata", "source", "target")]
    assert all(f.location == Location(str(repo / "plans" / "plan.yaml"), 1, 1)
               for f in result.findings)


@pytest.mark.parametrize("text", ["", "# only a comment\n", "- a\n- b\n", "just text\n"])
def test_not_a_mapping(repo: Path, text: str) -> None:
    result = load_plan(write_plan(repo, text))
    assert codes(result) == ["P02"]
    assert "must be a mapping" in result.findings[0].message


def test_duplicate_keys(repo: Path) -> None:
    result = load_plan(write_plan(repo, FULL_PLAN.replace(
        "  version: 1\n", "  version: 1\n  version: 3\n", 1)))
    assert result.plan is None
    (finding,) = result.findings
    assert finding.code == "P06"
    assert finding.location == Location(str(repo / "plans" / "plan.yaml"), 10, 3)
    assert finding.message.startswith("duplicate key 'version' (first on line 9)")


def test_duplicate_keys_in_flow_mappings(repo: Path) -> None:
    result = load_plan(write_plan(repo, FULL_PLAN.replace(
        "{source: A, target: B}", "{source: A, target: B, source: C}")))
    assert codes(result) == ["P06"]
    assert result.findings[0].location == Location(str(repo / "plans" / "plan.yaml"), 28, 30)


def test_missing_bpmn_file_is_located_at_the_value(repo: Path) -> None:
    path = write_plan(repo, FULL_PLAN.replace("bpmn/order.v2.bpmn", "bpmn/order.v3.bpmn"))
    result = load_plan(path)
    assert result.plan is None
    (finding,) = result.findings
    assert finding.code == "P04"
    assert finding.location == Location(str(path), 14, 9)
    assert "'bpmn/order.v3.bpmn' does not exist" in finding.message


@pytest.mark.parametrize("bpmn", ["../../outside.bpmn", "/etc/hostname", "bpmn/../../../x.bpmn"])
def test_bpmn_path_outside_the_repository_is_refused(repo: Path, bpmn: str) -> None:
    (repo.parent / "outside.bpmn").write_text(BPMN)
    path = write_plan(repo, FULL_PLAN.replace("bpmn/order.v1.bpmn", bpmn))
    result = load_plan(path)
    assert codes(result) == ["P07"]
    assert result.findings[0].location == Location(str(path), 10, 9)


def test_symlink_out_of_the_repository_is_refused(repo: Path) -> None:
    (repo.parent / "outside.bpmn").write_text(BPMN)
    (repo / "plans" / "bpmn" / "link.bpmn").symlink_to(repo.parent / "outside.bpmn")
    result = load_plan(write_plan(repo, FULL_PLAN.replace("bpmn/order.v1.bpmn",
                                                          "bpmn/link.bpmn")))
    assert codes(result) == ["P07"]


def test_git_top_level_bounds_the_paths(tmp_path: Path) -> None:
    repo = tmp_path / "repo"
    (repo / ".git").mkdir(parents=True)
    (repo / "bpmn").mkdir()
    (repo / "bpmn" / "order.v1.bpmn").write_text(BPMN)
    (repo / "bpmn" / "order.v2.bpmn").write_text(BPMN)
    deep = repo / "teams" / "orders" / "plans"
    deep.mkdir(parents=True)
    text = FULL_PLAN.replace("bpmn/order.v", "../../../bpmn/order.v")
    (deep / "plan.yaml").write_text(text)
    result = load_plan(deep / "plan.yaml")
    assert result.findings == ()
    assert result.plan is not None
    (tmp_path / "x.bpmn").write_text(BPMN)
    (deep / "bad.yaml").write_text(text.replace("../../../bpmn/order.v1.bpmn",
                                                "../../../../x.bpmn"))
    assert codes(load_plan(deep / "bad.yaml")) == ["P07"]


def test_relative_plan_path_keeps_relative_bpmn_paths(repo: Path,
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    write_plan(repo, FULL_PLAN)
    monkeypatch.chdir(repo)
    plan = load_plan("plans/plan.yaml").plan
    assert plan is not None
    assert plan.path == "plans/plan.yaml"
    assert plan.source.bpmn == os.path.join("plans", "bpmn", "order.v1.bpmn")
    assert plan.source.bpmn_location == Location("plans/plan.yaml", 10, 9)


def test_unreadable_plan(tmp_path: Path) -> None:
    result = load_plan(tmp_path / "absent.yaml")
    assert result.plan is None
    (finding,) = result.findings
    assert finding.code == "P03"
    assert finding.location == Location(str(tmp_path / "absent.yaml"))
    assert codes(load_plan(tmp_path)) == ["P03"]


def test_oversize_plan(repo: Path) -> None:
    path = repo / "plans" / "big.yaml"
    path.write_bytes(b"#" * (1024 * 1024 + 1))
    assert codes(load_plan(path)) == ["P03"]


def test_yaml_alias_bomb_is_refused(repo: Path) -> None:
    levels = ["a0: &a0 [x, x, x, x, x, x, x, x, x, x]"]
    levels += [f"a{i}: &a{i} [{', '.join([f'*a{i - 1}'] * 10)}]" for i in range(1, 9)]
    text = "\n".join(levels) + "\nmetadata: {name: *a8}\n"
    result = load_plan(write_plan(repo, text))
    assert codes(result) == ["P01"]
    assert "aliases" in result.findings[0].message


def test_small_anchors_and_aliases_work(repo: Path) -> None:
    text = FULL_PLAN.replace("  processDefinitionId: order-process\n  version: 1",
                             "  processDefinitionId: &pid order-process\n  version: 1", 1)
    text = text.replace("target:\n  processDefinitionId: order-process",
                        "target:\n  processDefinitionId: *pid")
    plan = load_plan(write_plan(repo, text)).plan
    assert plan is not None
    assert plan.target.process_definition_id == "order-process"


def test_messages_for_alternatives_and_wrong_shapes(repo: Path) -> None:
    path = write_plan(repo, """\
        apiVersion: c8migrate/v1
        kind: MigrationPlan
        metadata: {name: x}
        source: order-process
        target: {processDefinitionId: p, version: 0, bpmn: bpmn/order.v2.bpmn}
        filter:
          processInstanceKeys: ["12a", -1, true]
        mappings:
          auto: same_id
          instructions: {source: a}
        """)
    got = [(f.location.line, f.location.column, f.message) for f in load_plan(path).findings
           if f.location is not None]
    assert got == [
        (4, 9, "source: expected a mapping, got 'order-process'"),
        (5, 43, "target.version: 0 is less than the minimum of 1"),
        (7, 25, "filter.processInstanceKeys[0]: '12a' is not valid; expected a process "
                "instance key: digits only"),
        (7, 32, "filter.processInstanceKeys[1]: -1 is less than the minimum of 0"),
        (7, 36, "filter.processInstanceKeys[2]: expected a string or an integer, got true"),
        (9, 9, "mappings.auto: 'same_id' is not one of same-id, none; did you mean 'same-id'?"),
        (10, 3, "mappings.instructions: expected a list, got a mapping"),
    ]


@pytest.mark.parametrize("version, valid", [
    ("1", True), ("2147483647", True), ("0", False), ("2147483648", False),
    ("99999999999999999999", False)])
def test_versions_are_bounded_to_zeebes_int32_range(repo: Path, version: str,
                                                    valid: bool) -> None:
    text = FULL_PLAN.replace("  version: 1\n", f"  version: {version}\n")
    result = load_plan(write_plan(repo, text))
    if valid:
        assert result.findings == () and result.plan is not None
        assert result.plan.source.version == int(version)
        return
    [finding] = result.findings
    assert finding.code == "P02" and finding.location is not None
    assert finding.location.line == 9 and finding.message.startswith("source.version: ")
