"""Offline validation stays near-linear in process size: the command stage runs once per
request, not once per wait state (counted, never timed)."""

from __future__ import annotations

from pathlib import Path

from runner.bpmn.parser import load_bpmn
from runner.engine.hints import FUZZY_BUDGET, TargetSuggester
from runner.engine.judge import COUNTERS
from runner.engine.offline import wait_states
from runner.engine.state import MigrationRequest
from runner.validate import validate_paths
from runner.version import NEWEST

TASKS = 2000

PLAN = """\
apiVersion: c8migrate/v1
kind: MigrationPlan
metadata:
  name: big-identity
source:
  processDefinitionId: Big
  version: 1
  bpmn: big.bpmn
target:
  processDefinitionId: Big
  version: 2
  bpmn: big.bpmn
mappings:
  auto: same-id
"""


def write_big_process(folder: Path, tasks: int, job_prefix: str = "job",
                      name: str = "big.bpmn") -> Path:
    """A chain of ``tasks`` service tasks; every tenth has an interrupting timer boundary."""
    parts = ['<?xml version="1.0" encoding="UTF-8"?>',
             '<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" '
             'xmlns:zeebe="http://camunda.org/schema/zeebe/1.0" id="Defs" '
             'targetNamespace="http://example.com">',
             '<bpmn:process id="Big" isExecutable="true">', '<bpmn:startEvent id="Start"/>']
    previous = "Start"
    for n in range(tasks):
        parts.append(f'<bpmn:serviceTask id="Task_{n}"><bpmn:extensionElements>'
                     f'<zeebe:taskDefinition type="{job_prefix}-{n}"/></bpmn:extensionElements>'
                     '</bpmn:serviceTask>')
        parts.append(f'<bpmn:sequenceFlow id="Flow_{n}" sourceRef="{previous}" '
                     f'targetRef="Task_{n}"/>')
        if n % 10 == 0:
            parts.append(f'<bpmn:boundaryEvent id="Timer_{n}" attachedToRef="Task_{n}">'
                         '<bpmn:timerEventDefinition><bpmn:timeDuration>PT1H'
                         '</bpmn:timeDuration></bpmn:timerEventDefinition></bpmn:boundaryEvent>')
        previous = f"Task_{n}"
    parts += ['<bpmn:endEvent id="End"/>',
              f'<bpmn:sequenceFlow id="Flow_End" sourceRef="{previous}" targetRef="End"/>',
              '</bpmn:process>', '</bpmn:definitions>']
    path = folder / name
    path.write_text("\n".join(parts), encoding="utf-8")
    return path


def test_identity_plan_on_a_large_process_runs_the_command_stage_once(tmp_path: Path) -> None:
    bpmn = write_big_process(tmp_path, TASKS)
    model = load_bpmn(bpmn).process("Big")
    assert model is not None and len(wait_states(model)) == TASKS
    plan = tmp_path / "plan.yaml"
    plan.write_text(PLAN, encoding="utf-8")
    before = COUNTERS.requests_prepared
    [result] = validate_paths([str(plan)]).plans
    assert result.plan is not None and result.findings == ()
    assert len(result.effective_mappings) == TASKS + TASKS // 10
    assert COUNTERS.requests_prepared - before == 1


def test_thousands_of_warnings_are_each_located_at_the_auto_mapping(tmp_path: Path) -> None:
    write_big_process(tmp_path, TASKS)
    write_big_process(tmp_path, TASKS, job_prefix="renamed", name="big2.bpmn")
    plan = tmp_path / "plan.yaml"
    plan.write_text(PLAN.replace("  bpmn: big.bpmn\nmappings", "  bpmn: big2.bpmn\nmappings"),
                    encoding="utf-8")
    [result] = validate_paths([str(plan)]).plans
    assert result.plan is not None
    assert [f.code for f in result.findings] == ["W03"] * TASKS
    auto = result.plan.location_of("/mappings/auto")
    assert {f.location for f in result.findings} == {auto}
    last = next(f for f in result.findings if "'Task_1999'" in f.message)
    assert [(Path(r.file).name, r.line) for r in last.related] == [
        ("big.bpmn", last.related[0].line), ("big2.bpmn", last.related[0].line)]


def test_hints_rank_by_similarity_within_a_bounded_number_of_comparisons(
        tmp_path: Path) -> None:
    source = load_bpmn(write_big_process(tmp_path, 300)).process("Big")
    renamed = (tmp_path / "big.bpmn").read_text(encoding="utf-8").replace('"Task_', '"Job_')
    (tmp_path / "renamed.bpmn").write_text(renamed, encoding="utf-8")
    target = load_bpmn(tmp_path / "renamed.bpmn").process("Big")
    assert source is not None and target is not None
    request = MigrationRequest(source, target, (), NEWEST)
    ranked = TargetSuggester(request)
    assert ranked.suggest("Task_123")[0] == "Job_123"
    assert ranked.budget == FUZZY_BUDGET - 300
    bounded = TargetSuggester(request, budget=500)
    assert bounded.suggest("Task_123")[0] == "Job_123"
    # 200 comparisons left, too few to rank 300 candidates: the first ones in model order.
    assert bounded.suggest("Task_124") == ["Job_0", "Job_1", "Job_2"]
    assert bounded.budget == 200
