"""validate_paths: plan discovery, BPMN problems, P05, and the engine's findings per plan."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

from runner.bpmn.parser import load_bpmn
from runner.engine.mapping import effective_instructions
from runner.engine.offline import validate_offline
from runner.engine.rules import NEWEST_RULES
from runner.engine.state import MigrationRequest
from runner.errors import BpmnLoadError
from runner.findings import Severity
from runner.plan.model import Plan, ProcessRef
from runner.validate import expand_paths, validate_paths
from runner.version import NEWEST, ServerVersion

REPO = Path(__file__).resolve().parent.parent
PLANS = REPO / "plans"
RULE_BPMN = REPO / "tests" / "engine" / "bpmn" / "rules"

PLAN = """\
apiVersion: c8migrate/v1
kind: MigrationPlan
metadata:
  name: {name}
source:
  processDefinitionId: {source_id}
  version: 1
  bpmn: ../bpmn/{source}
target:
  processDefinitionId: P
  version: 2
  bpmn: ../bpmn/{target}
mappings:
  auto: same-id
  instructions:
{instructions}"""


def write_plan(root: Path, name: str, source: str = "tasks_v1.bpmn",
               target: str = "tasks_v2.bpmn", pairs: tuple[tuple[str, str], ...] = (),
               source_id: str = "P") -> Path:
    (root / "bpmn").mkdir(exist_ok=True)
    for file in (source, target):
        if not (root / "bpmn" / file).exists() and (RULE_BPMN / file).exists():
            shutil.copy(RULE_BPMN / file, root / "bpmn" / file)
    (root / "plans").mkdir(exist_ok=True)
    lines = "".join(f"    - {{ source: {s}, target: {t} }}\n" for s, t in pairs) or "    []\n"
    path = root / "plans" / f"{name}.yaml"
    path.write_text(PLAN.format(name=name, source=source, target=target, instructions=lines,
                                source_id=source_id), encoding="utf-8")
    return path


def test_examples_validate_clean_and_invalid_ones_fail_with_one_located_error() -> None:
    result = validate_paths([str(PLANS), str(PLANS / "examples-invalid")])
    by_name = {Path(p.path).name: p for p in result.plans}
    assert "demo-seed.yaml" not in by_name  # not a plan: skipped in directories
    for name in ("order-v1-to-v2.yaml", "invoice-v1-to-v2.yaml",
                 "onboarding-2025.1-to-2025.2.yaml"):
        assert by_name[name].ok, by_name[name].findings
    for path in sorted((PLANS / "examples-invalid").glob("*.yaml")):
        expected = re.search(r"# expected-finding: (\w+)", path.read_text(encoding="utf-8"))
        plan = by_name[path.name]
        errors = [f for f in plan.findings if f.severity == Severity.ERROR]
        assert len(errors) == 1, (path.name, errors)
        assert expected is not None and errors[0].code == expected.group(1)
        assert errors[0].location is not None and errors[0].location.line is not None


def test_a_folder_gives_the_plans_directly_inside_it_not_its_sub_folders() -> None:
    names = [Path(p).name for p in expand_paths([str(PLANS)])]
    assert names == ["invoice-v1-to-v2.yaml", "onboarding-2025.1-to-2025.2.yaml",
                     "order-v1-to-v2.yaml"]
    assert validate_paths([str(PLANS)]).plans and all(
        p.ok for p in validate_paths([str(PLANS)]).plans)


def test_result_names_the_version_and_where_it_came_from() -> None:
    result = validate_paths([str(PLANS / "order-v1-to-v2.yaml")])
    assert (result.server_version, result.server_version_source) == (NEWEST, "default")
    chosen = validate_paths([str(PLANS / "order-v1-to-v2.yaml")], ServerVersion(8, 6), "option")
    assert (chosen.server_version, chosen.server_version_source) == (ServerVersion(8, 6), "option")


def test_effective_mappings_list_explicit_then_auto(tmp_path: Path) -> None:
    path = write_plan(tmp_path, "p", pairs=(("B", "N"),))
    [plan] = validate_paths([str(path)]).plans
    assert plan.effective_mappings == (("B", "N", "explicit"), ("A", "A", "auto"),
                                       ("C", "C", "auto"))


def test_directory_expansion_skips_non_plans_but_explicit_files_are_validated(
        tmp_path: Path) -> None:
    write_plan(tmp_path, "good")
    other = tmp_path / "plans" / "seed.yaml"
    other.write_text("deploy: [a.bpmn]\ninstances: []\n", encoding="utf-8")
    assert [Path(p).name for p in expand_paths([str(tmp_path / "plans")])] == ["good.yaml"]
    [result] = validate_paths([str(other)]).plans
    assert result.plan is None and {f.code for f in result.findings} == {"P02"}


def test_unknown_process_id_is_p05_with_the_ids_of_the_file(tmp_path: Path) -> None:
    path = write_plan(tmp_path, "p", source_id="Process_X")
    [plan] = validate_paths([str(path)]).plans
    [finding] = plan.findings
    assert finding.code == "P05" and finding.location is not None
    assert finding.location.line == 6
    assert finding.hint == "process ids in the file: 'P'"


def test_broken_bpmn_becomes_the_plans_located_finding(tmp_path: Path) -> None:
    (tmp_path / "bpmn").mkdir()
    (tmp_path / "bpmn" / "broken.bpmn").write_text("<definitions><oops></definitions>",
                                                   encoding="utf-8")
    path = write_plan(tmp_path, "p", source="broken.bpmn")
    [plan] = validate_paths([str(path)]).plans
    assert [f.code for f in plan.findings] == ["B01"]
    assert plan.findings[0].location is not None
    assert plan.findings[0].location.file.endswith("broken.bpmn")


def test_rejections_depend_on_the_server_version(tmp_path: Path) -> None:
    path = write_plan(tmp_path, "p", source="boundary_v1.bpmn", target="boundary_v1.bpmn")
    newest = validate_paths([str(path)]).plans[0]
    old = validate_paths([str(path)], ServerVersion(8, 6), "option").plans[0]
    assert newest.ok
    assert [f.code for f in old.findings if f.severity == Severity.ERROR] == ["Z12"]


def _corpus_pairs(shared: Path) -> list[tuple[str, str]]:
    index = (shared / "corpus" / "bpmn" / "INDEX.md").read_text(encoding="utf-8")
    section = index.split("## Version pairs", 1)[1].split("\n## ", 1)[0]
    pairs = []
    for row in section.splitlines():
        cells = [c.strip() for c in row.strip().strip("|").split("|")]
        if len(cells) > 2 and cells[1].endswith(".bpmn") and cells[2].endswith(".bpmn"):
            source = cells[1]
            target = cells[2] if "/" in cells[2] else cells[2].replace(
                "...", source.rsplit("/", 1)[0])
            target = re.sub(r"^\.\.\./?", source.rsplit("/", 1)[0] + "/", target)
            pairs.append((source, target.split(",")[0].strip()))
    return pairs


def test_corpus_version_pairs_validate_without_crashing(shared_dir: Path) -> None:
    corpus = shared_dir / "corpus" / "bpmn"
    pairs = _corpus_pairs(shared_dir)
    assert len(pairs) >= 8
    judged = 0
    for source_file, target_file in pairs:
        try:
            source_doc = load_bpmn(corpus / source_file, display_path=source_file)
            target_doc = load_bpmn(corpus / target_file, display_path=target_file)
        except BpmnLoadError as exc:
            assert exc.findings and exc.findings[0].location is not None
            continue
        for source in source_doc.processes.values():
            target = target_doc.process(source.process_id) or next(
                iter(target_doc.processes.values()), None)
            if target is None:
                continue
            plan = Plan(path="corpus.yaml", name="corpus",
                        source=ProcessRef(source.process_id, source_file),
                        target=ProcessRef(target.process_id, target_file))
            effective = effective_instructions((), "same-id", source, target)
            for server in (ServerVersion(8, 5), ServerVersion(8, 7), NEWEST):
                request = MigrationRequest(source, target,
                                           tuple(e.instruction() for e in effective), server)
                for finding in validate_offline(request, plan, effective):
                    assert re.fullmatch(r"[ZWN]\d\d[A-D]?", finding.code), finding
                    assert finding.location is not None
                    judged += 1
    assert judged > 0


@pytest.mark.parametrize("pair", ["P7"])
def test_identity_mapping_across_process_ids_is_clean_on_the_real_pair(
        shared_dir: Path, pair: str) -> None:
    corpus = shared_dir / "corpus" / "bpmn" / "camunda-8-examples" / "versioned-job-worker"
    source = load_bpmn(corpus / "process-v1.bpmn").process()
    target = load_bpmn(corpus / "process-v2.bpmn").process()
    assert source is not None and target is not None
    assert source.process_id != target.process_id
    plan = Plan(path="p.yaml", name=pair, source=ProcessRef(source.process_id, "v1"),
                target=ProcessRef(target.process_id, "v2"))
    effective = effective_instructions((), "same-id", source, target)
    request = MigrationRequest(source, target, tuple(e.instruction() for e in effective), NEWEST)
    findings = validate_offline(request, plan, effective)
    assert [f for f in findings if f.severity == Severity.ERROR] == []


def test_hidden_and_tool_folders_are_not_searched(tmp_path: Path) -> None:
    write_plan(tmp_path, "good")
    for folder in (".venv", "node_modules", ".github/workflows"):
        hidden = tmp_path / "plans" / folder
        hidden.mkdir(parents=True)
        (hidden / "plan.yaml").write_text("kind: MigrationPlan\n", encoding="utf-8")
    assert [Path(p).name for p in expand_paths([str(tmp_path / "plans")])] == ["good.yaml"]


def test_a_deeply_nested_yaml_file_in_a_folder_is_a_located_p01_not_a_crash(
        tmp_path: Path) -> None:
    write_plan(tmp_path, "good")
    deep = tmp_path / "plans" / "deep.yaml"
    deep.write_text("[" * 5000 + "]" * 5000 + "\n", encoding="utf-8")
    assert sorted(Path(p).name for p in expand_paths([str(tmp_path / "plans")])) == [
        "deep.yaml", "good.yaml"]
    results = {Path(p.path).name: p for p in validate_paths([str(tmp_path / "plans")]).plans}
    [finding] = results["deep.yaml"].findings
    assert finding.code == "P01" and "nests deeper than" in finding.message
    assert finding.location is not None and finding.location.line == 1


@pytest.mark.parametrize("newer", ["9.0", "8.99"])
def test_a_server_newer_than_the_known_rules_is_judged_with_them_and_noted(
        newer: str) -> None:
    known = validate_paths([str(PLANS)], NEWEST_RULES, "option")
    result = validate_paths([str(PLANS)], ServerVersion.parse(newer), "option")
    assert result.server_version == ServerVersion.parse(newer)
    for plan, same in zip(result.plans, known.plans, strict=True):
        [note] = [f for f in plan.findings if f.code == "N00"]
        assert note.severity == Severity.NOTE and note.location is not None
        assert note.message == (
            f"Camunda {newer} is newer than the newest version whose migration rules "
            f"c8migrate knows: judged with the rules of {NEWEST_RULES.major}."
            f"{NEWEST_RULES.minor}")
        assert [f for f in plan.findings if f.code != "N00"] == list(same.findings)
    assert not any(f.code == "N00" for f in known.findings)
