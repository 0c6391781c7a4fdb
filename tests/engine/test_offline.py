"""Offline validation: one located finding per distinct problem, with Zeebe's text."""

from __future__ import annotations

from runner.engine.mapping import effective_instructions
from runner.engine.offline import validate_offline, wait_states
from runner.engine.state import MigrationRequest
from runner.findings import Finding, Location, Severity
from runner.plan.model import AutoMapping, InstanceFilter, MappingEntry, Plan, ProcessRef
from runner.version import ServerVersion

from .harness import load_model

PLAN = "plans/p.yaml"
LOCATIONS = {
    "/mappings": Location(PLAN, 8, 1),
    "/mappings/auto": Location(PLAN, 9, 3),
    "/mappings/instructions": Location(PLAN, 10, 3),
}


def check(source: str, target: str, pairs: list[tuple[str, str]], *,
          auto: AutoMapping = "none", server: str = "8.9") -> list[Finding]:
    s, t = load_model(source), load_model(target)
    entries = tuple(MappingEntry(a, b, Location(PLAN, 11 + i, 7)) for i, (a, b) in enumerate(pairs))
    plan = Plan(path=PLAN, name="p", source=ProcessRef(s.process_id, s.file),
                target=ProcessRef(t.process_id, t.file), auto_mapping=auto, mappings=entries,
                locations=LOCATIONS)
    effective = effective_instructions(plan.mappings, auto, s, t)
    request = MigrationRequest(s, t, tuple(e.instruction() for e in effective),
                               ServerVersion.parse(server))
    return validate_offline(request, plan, effective)


def errors(findings: list[Finding]) -> list[Finding]:
    return [f for f in findings if f.severity == Severity.ERROR]


def test_wait_states_skip_pass_through_and_gateway_events() -> None:
    labels = [w.label for w in wait_states(load_model("rules/ebg_v1.bpmn"))]
    assert labels == ["'G'", "'SC'"]  # M1/T1 wait through the gateway; start/end never
    joins = [w.label for w in wait_states(load_model("rules/gw_v1.bpmn"))]
    assert joins == ["joining gateway 'Join' (flow 'F_X_Join' taken)",
                     "joining gateway 'Join' (flow 'F_Y_Join' taken)", "'X'", "'Y'"]


def test_unmapped_wait_state_is_located_at_the_instructions_with_a_same_type_hint() -> None:
    findings = check("rules/tasks_v1.bpmn", "rules/tasks_v2.bpmn", [("A", "A"), ("C", "C")])
    [finding] = errors(findings)
    assert finding.code == "Z07"
    assert finding.location == LOCATIONS["/mappings/instructions"]
    assert finding.message == (
        "instances waiting at 'B' would be rejected: Expected to migrate process instance "
        "'<key>' but no mapping instruction defined for active element with id 'B'. Elements "
        "cannot be migrated without a mapping.")
    assert finding.zeebe_message is not None and "'B'" in finding.zeebe_message
    assert finding.hint is not None and "another kind of element (USER_TASK)" in finding.hint
    assert Location("rules/tasks_v1.bpmn", 12) in finding.related


def test_unmapped_removed_element_suggests_targets_in_the_same_scope() -> None:
    findings = check("rules/scope_v1.bpmn", "rules/scope_v3.bpmn", [("A", "A"), ("Sub", "Sub2")])
    [finding] = errors(findings)
    assert finding.code == "Z07" and "'S1'" in finding.message
    assert finding.hint == ("'S1' is not in the target; map it to a SERVICE_TASK in the same "
                            "scope, e.g. 'S2'")


def test_wrong_mapping_is_located_at_its_instruction() -> None:
    findings = check("rules/tasks_v1.bpmn", "rules/tasks_v2.bpmn",
                     [("A", "A"), ("B", "B"), ("C", "C")])
    [finding] = errors(findings)
    assert (finding.code, finding.location) == ("Z08", Location(PLAN, 12, 7))
    assert finding.message.startswith("instances waiting at 'B' would be rejected: Expected")


def test_every_unknown_id_is_reported_with_the_closest_ids() -> None:
    findings = check("rules/tasks_v1.bpmn", "rules/tasks_v2.bpmn",
                     [("A", "AA"), ("Bx", "B"), ("C", "C")])
    assert [(f.code, f.location) for f in findings] == [
        ("Z05", Location(PLAN, 11, 7)), ("Z05", Location(PLAN, 12, 7))]
    assert "non-existing target element id 'AA'" in findings[0].message
    assert findings[0].hint == "closest target ids: 'A'"
    assert "non-existing source element id 'Bx'" in findings[1].message
    assert findings[1].hint == "closest source ids: 'B'"


def test_duplicate_sources_are_reported_at_the_second_instruction() -> None:
    findings = check("rules/tasks_v1.bpmn", "rules/tasks_v2.bpmn", [("A", "A"), ("A", "N")])
    assert [(f.code, f.location) for f in findings] == [("Z02", Location(PLAN, 12, 7))]


def test_unmapped_joining_gateway_is_a_warning() -> None:
    findings = check("rules/gw_v1.bpmn", "rules/gw_v1.bpmn", [("X", "X"), ("Y", "Y")])
    [finding] = [f for f in findings if f.code == "Z19A"]
    assert finding.severity == Severity.WARNING
    assert finding.message.startswith(
        "instances waiting at joining gateway 'Join' (flow 'F_X_Join' taken), joining gateway "
        "'Join' (flow 'F_Y_Join' taken) would be rejected:")
    assert not errors(findings)


def test_the_same_problem_of_several_waits_is_one_finding() -> None:
    findings = check("rules/esp_v1.bpmn", "rules/esp_v2.bpmn",
                     [("A", "A"), ("EspM", "EspM"), ("EA", "EA"), ("EspM_start", "EspM_start")],
                     server="8.6")
    [finding] = errors(findings)
    assert finding.code == "Z11"
    assert finding.message.startswith("instances waiting at 'A', 'EA' would be rejected:")


def test_clean_auto_mapped_plan_has_no_findings() -> None:
    assert check("rules/tasks_v1.bpmn", "rules/tasks_v1.bpmn", [], auto="same-id") == []


def test_warnings_are_located_at_the_instruction_of_their_element() -> None:
    findings = check("rules/boundary_v1.bpmn", "rules/boundary_v3.bpmn", [("MA", "MA")],
                     auto="same-id")
    by_code = {f.code: f for f in findings}
    assert {"W01", "W02"} <= set(by_code)
    assert by_code["W01"].severity == Severity.WARNING
    assert by_code["W01"].location == Location(PLAN, 11, 7)
    assert not errors(findings)


def test_runtime_only_rules_appear_as_notes() -> None:
    findings = check("rules/msgstart_p1.bpmn", "rules/msgstart_p2.bpmn", [("A", "A")])
    codes = {f.code: f.severity for f in findings}
    assert codes == {"W09": Severity.WARNING, "N04": Severity.NOTE}


def test_related_lines_include_the_mapped_target_element() -> None:
    findings = check("rules/scope_v1.bpmn", "rules/scope_v2.bpmn", [("A", "A")])
    [finding] = [f for f in errors(findings) if f.code == "Z10"]
    source_line = load_model("rules/scope_v1.bpmn").elements["A"].line
    target_line = load_model("rules/scope_v2.bpmn").elements["A"].line
    assert finding.related == (Location("rules/scope_v1.bpmn", source_line),
                               Location("rules/scope_v2.bpmn", target_line))


def test_active_element_filter_limits_the_judged_wait_states() -> None:
    s, t = load_model("rules/tasks_v1.bpmn"), load_model("rules/tasks_v2.bpmn")
    entries = (MappingEntry("A", "A", Location(PLAN, 11, 7)),)
    for wanted, codes in (((), ["Z07", "Z07"]), (("A",), []), (("B",), ["Z07"])):
        plan = Plan(path=PLAN, name="p", source=ProcessRef("P", s.file),
                    target=ProcessRef("P", t.file), auto_mapping="none", mappings=entries,
                    filter=InstanceFilter(active_element_ids=wanted), locations=LOCATIONS)
        request = MigrationRequest(s, t, tuple(e.instruction() for e in effective_instructions(
            plan.mappings, "none", s, t)), ServerVersion(8, 9))
        assert [f.code for f in errors(validate_offline(request, plan))] == codes, wanted
