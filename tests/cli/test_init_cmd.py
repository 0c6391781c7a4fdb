"""`c8migrate init`: a plan with auto-mapping that validates, and suggestions for the rest."""

from __future__ import annotations

import shutil
from pathlib import Path

import yaml
from click.testing import CliRunner

from runner.cli.main import cli
from runner.findings import Severity
from runner.validate import validate_paths

REPO = Path(__file__).resolve().parent.parent.parent
RULE_BPMN = REPO / "tests" / "engine" / "bpmn" / "rules"
ORDER_BPMN = REPO / "plans" / "bpmn"


def repo_with(tmp_path: Path, *files: Path) -> Path:
    (tmp_path / "bpmn").mkdir()
    (tmp_path / "plans").mkdir()
    for file in files:
        shutil.copy(file, tmp_path / "bpmn" / file.name)
    return tmp_path


def init(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(cli, ["init", *args])
    return result.exit_code, result.output


def errors_of(plan_file: Path) -> list[str]:
    [plan] = validate_paths([str(plan_file)]).plans
    assert plan.plan is not None, plan.findings
    return [f.code for f in plan.findings if f.severity == Severity.ERROR]


def test_compatible_versions_give_a_plan_that_validates_clean(tmp_path: Path) -> None:
    root = repo_with(tmp_path, RULE_BPMN / "boundary_v1.bpmn", RULE_BPMN / "boundary_v2.bpmn")
    plan_file = root / "plans" / "boundary.yaml"
    code, _ = init(str(root / "bpmn" / "boundary_v1.bpmn"), str(root / "bpmn" / "boundary_v2.bpmn"),
                   "-o", str(plan_file))
    assert code == 0
    data = yaml.safe_load(plan_file.read_text(encoding="utf-8"))
    assert data["source"] == {"processDefinitionId": "P", "version": 1,
                              "bpmn": "../bpmn/boundary_v1.bpmn"}
    assert data["target"]["version"] == 2
    assert data["metadata"]["name"] == "p-v1-to-v2"
    assert data["mappings"] == {"auto": "same-id", "instructions": []}
    assert errors_of(plan_file) == []


def test_process_id_change_uses_the_only_target_process(tmp_path: Path) -> None:
    root = repo_with(tmp_path, RULE_BPMN / "tasks_v1.bpmn", RULE_BPMN / "tasks_q.bpmn")
    plan_file = root / "plans" / "q.yaml"
    code, _ = init(str(root / "bpmn" / "tasks_v1.bpmn"), str(root / "bpmn" / "tasks_q.bpmn"),
                   "-o", str(plan_file), "--source-version", "3", "--target-version", "1")
    assert code == 0
    data = yaml.safe_load(plan_file.read_text(encoding="utf-8"))
    assert (data["source"]["version"], data["target"]["processDefinitionId"]) == (3, "Q")
    assert errors_of(plan_file) == []


def test_renamed_wait_state_gets_a_commented_suggestion(tmp_path: Path) -> None:
    root = repo_with(tmp_path, ORDER_BPMN / "order-process.v1.bpmn",
                     ORDER_BPMN / "order-process.v2.bpmn")
    plan_file = root / "plans" / "order.yaml"
    code, _ = init(str(root / "bpmn" / "order-process.v1.bpmn"),
                   str(root / "bpmn" / "order-process.v2.bpmn"), "-o", str(plan_file))
    assert code == 0
    text = plan_file.read_text(encoding="utf-8")
    suggestion = ('    # - { source: "Task_ChargePayment", target: "Task_CapturePayment" }  '
                  "# closest SERVICE_TASK in the same scope (or Task_AuthorizePayment)")
    assert suggestion in text.splitlines()
    assert "  #   Task_ReserveStock" in text.splitlines()
    assert errors_of(plan_file) == ["Z07"]  # until a person picks a target
    accepted = text.replace(suggestion, '    - { source: "Task_ChargePayment", '
                                        'target: "Task_AuthorizePayment" }').replace("    []\n", "")
    plan_file.write_text(accepted, encoding="utf-8")
    assert errors_of(plan_file) == []


def test_stdout_without_output_option() -> None:
    code, output = init(str(RULE_BPMN / "tasks_v1.bpmn"), str(RULE_BPMN / "tasks_v2.bpmn"))
    assert code == 0
    data = yaml.safe_load(output)
    assert data["kind"] == "MigrationPlan" and data["apiVersion"] == "c8migrate/v1"
    # B's twin is a user task: the suggestion is the closest service task instead
    assert '# - { source: "B", target: "A" }  # closest SERVICE_TASK in the same scope (or N)' \
        in output
    assert "#   A" in output and "#   C" in output


def test_existing_output_needs_force(tmp_path: Path) -> None:
    existing = tmp_path / "plan.yaml"
    existing.write_text("keep me\n", encoding="utf-8")
    args = [str(RULE_BPMN / "tasks_v1.bpmn"), str(RULE_BPMN / "tasks_v1.bpmn"), "-o", str(existing)]
    code, output = init(*args)
    assert code == 2 and "exists" in output
    assert existing.read_text(encoding="utf-8") == "keep me\n"
    assert init(*args, "--force")[0] == 0


def test_unknown_process_and_broken_bpmn_are_usage_errors(tmp_path: Path) -> None:
    code, output = init(str(RULE_BPMN / "tasks_v1.bpmn"), str(RULE_BPMN / "tasks_v1.bpmn"),
                        "--process", "Nope")
    assert code == 2 and "has no process 'Nope'" in output and "processes in the file: P" in output
    broken = tmp_path / "broken.bpmn"
    broken.write_text("<definitions><oops></definitions>", encoding="utf-8")
    code, output = init(str(broken), str(RULE_BPMN / "tasks_v1.bpmn"))
    assert code == 2 and "B01" in output


def test_version_tags_of_the_bpmn_files_are_used(tmp_path: Path) -> None:
    root = repo_with(tmp_path)
    for tag, name in (("2025.1", "a.bpmn"), ("2025.2", "b.bpmn")):
        text = (RULE_BPMN / "tasks_v1.bpmn").read_text(encoding="utf-8").replace(
            '<bpmn:process id="P" isExecutable="true">',
            '<bpmn:process id="P" isExecutable="true"><bpmn:extensionElements>'
            f'<zeebe:versionTag value="{tag}" /></bpmn:extensionElements>')
        (root / "bpmn" / name).write_text(text, encoding="utf-8")
    plan_file = root / "plans" / "tagged.yaml"
    code, _ = init(str(root / "bpmn" / "a.bpmn"), str(root / "bpmn" / "b.bpmn"),
                   "-o", str(plan_file))
    assert code == 0
    data = yaml.safe_load(plan_file.read_text(encoding="utf-8"))
    assert data["source"]["versionTag"] == "2025.1" and "version" not in data["source"]
    assert data["target"]["versionTag"] == "2025.2"
    assert data["metadata"]["name"] == "p-2025.1-to-2025.2"
    assert errors_of(plan_file) == []


def test_an_invalid_name_is_refused_up_front_with_the_allowed_pattern(tmp_path: Path) -> None:
    plan_file = tmp_path / "plan.yaml"
    bpmn = str(RULE_BPMN / "tasks_v1.bpmn")
    for bad in ("BAD_NAME", "-leading-dash", "x" * 64, ""):
        code, output = init(bpmn, bpmn, "--name", bad, "-o", str(plan_file))
        assert code == 2, (bad, output)
        assert "Invalid value for '--name'" in output
        assert "^[a-z0-9][a-z0-9.-]*$" in output and "at most 63" in output
        assert not plan_file.exists()
    code, _ = init(bpmn, bpmn, "--name", "ok.name-1", "-o", str(plan_file))
    assert code == 0
    assert yaml.safe_load(plan_file.read_text(encoding="utf-8"))["metadata"]["name"] == "ok.name-1"
