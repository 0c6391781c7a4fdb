"""Benchmark: offline validation of the real BPMN corpus against bare lxml parsing.

Baseline: read every ``*.bpmn`` file of ../shared/corpus/bpmn and parse it with lxml, using
the parser settings runner.bpmn.secure_xml uses (no network, no DTD, no entities).

Measured, in the same run: what ``c8migrate validate`` does for the same files, i.e.

* ``validate_paths`` over one generated plan per process of each version pair of the corpus
  (the pairs its INDEX.md lists, auto-mapping ``same-id``): plan YAML and schema, secure
  parse and typed model of both BPMN files, the Operate auto-mapping and every Zeebe rule
  for every wait state;
* plus ``load_bpmn`` of every other file (secure parse, DOCTYPE scan, typed model,
  integrity checks), so that each file is parsed exactly once, as in ``c8migrate validate``.

Target: the measured time under 2x the baseline (issue 3). A second figure validates every
process of every parseable file against itself (identity plans), which reaches all of the
corpus; it is shown for information and has the same target.

Both sides are single-threaded and CPU-bound, so they are timed in CPU time of this process
(``time.process_time``): other load on the machine then does not skew the ratio.

The corpus is copied to a temporary folder first (plans must live next to their BPMN files,
inside one tree) and both sides read the same copies. Skipped when the corpus is absent.
"""

from __future__ import annotations

import shutil
import tempfile
import time
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import yaml
from _common import CORPUS, Figure, arguments, interleaved_medians, log, report, skipped
from lxml import etree

from runner.bpmn.model import BpmnDocument
from runner.bpmn.parser import load_bpmn
from runner.errors import BpmnLoadError
from runner.results import ValidationResult
from runner.validate import validate_paths

TARGET = 2.0
ROUNDS = 7

VERSION_PAIRS: tuple[tuple[str, str], ...] = (
    # INDEX.md "Version pairs / families", P2 to P9
    ("camunda-operate-e2e/ChildProcessInstanceMigration/childProcess_v_1.bpmn",
     "camunda-operate-e2e/ChildProcessInstanceMigration/childProcess_v_2.bpmn"),
    ("camunda-operate-e2e/mocks/migration-ahsp-process_v1.bpmn",
     "camunda-operate-e2e/mocks/migration-ahsp-process_v2.bpmn"),
    ("camunda-qa-acceptance/service_tasks_v1.bpmn", "camunda-qa-acceptance/service_tasks_v2.bpmn"),
    ("camunda-8-examples/c8-1-instance-migration/test_v1.bpmn",
     "camunda-8-examples/c8-1-instance-migration/test_v2.bpmn"),
    ("camunda-8-examples/versioned-job-worker/process-v1.bpmn",
     "camunda-8-examples/versioned-job-worker/process-v2.bpmn"),
    ("camunda-8-js-sdk/MigrateProcess-Version-1.bpmn",
     "camunda-8-js-sdk/MigrateProcess-Version-2.bpmn"),
    ("camunda-8-js-sdk/MigrateProcess-Rest-Version-1.bpmn",
     "camunda-8-js-sdk/MigrateProcess-Rest-Version-2.bpmn"),
    ("camunda-8-examples/parallel-operations/oldProcess.bpmn",
     "camunda-8-examples/parallel-operations/migratedProcess.bpmn"),
    # F1: variants of one MIWG test case
    ("miwg/Reference/A.2.0.bpmn", "miwg/Reference/A.2.1.bpmn"),
    ("miwg/Reference/A.4.0.bpmn", "miwg/Reference/A.4.1.bpmn"),
    ("miwg/Reference/C.1.0.bpmn", "miwg/Reference/C.1.1.bpmn"),
    ("miwg/Reference/C.8.0.bpmn", "miwg/Reference/C.8.1.bpmn"),
    ("miwg/Reference/C.9.0.bpmn", "miwg/Reference/C.9.1.bpmn"),
    ("miwg/Reference/C.9.1.bpmn", "miwg/Reference/C.9.2.bpmn"),
    # F2: the same model re-exported by other tools
    ("miwg/Reference/C.1.0.bpmn", "miwg/vendor-exports/ARIS-C.1.0-export-semanticprefix.bpmn"),
    ("miwg/Reference/C.1.0.bpmn", "miwg/vendor-exports/ADONIS-C.1.0-export.bpmn"),
    ("miwg/Reference/C.1.0.bpmn", "miwg/bpmn.io-camunda-modeler-18.6.1/C.1.0-export.bpmn"),
    ("miwg/Reference/A.1.0.bpmn", "miwg/bpmn.io-camunda-modeler-18.6.1/A.1.0-export.bpmn"),
    ("miwg/Reference/A.1.0.bpmn",
     "miwg/vendor-exports/ActivitiDesigner-A.1.0-roundtrip-iso8859.bpmn"),
    ("miwg/Reference/A.1.0.bpmn", "miwg/vendor-exports/Bizagi-A.1.0-roundtrip.bpmn"),
    ("miwg/Reference/A.1.0.bpmn",
     "miwg/vendor-exports/EnterpriseArchitect-A.1.0-roundtrip-windows1252.bpmn"),
    ("miwg/Reference/A.1.0.bpmn",
     "miwg/vendor-exports/EnterpriseExplorer-A.1.0-export-utf8bom.bpmn"),
    ("miwg/Reference/A.1.0.bpmn", "miwg/vendor-exports/IBMProcessDesigner-A.1.0-export-xmi.bpmn"),
    ("miwg/Reference/A.1.0.bpmn", "miwg/vendor-exports/VisualParadigm-A.1.0-roundtrip.bpmn"),
    ("miwg/Reference/A.2.0.bpmn", "miwg/bpmn.io-camunda-modeler-18.6.1/A.2.0-rountrip.bpmn"),
    ("miwg/Reference/B.2.0.bpmn", "miwg/bpmn.io-camunda-modeler-18.6.1/B.2.0-export.bpmn"),
    # F3: evolution of one campaign design
    ("camunda-8-examples/large-multi-instance-example/campaign-process.bpmn",
     "camunda-8-examples/large-multi-instance-example/large-large-campaign-process.bpmn"),
    ("camunda-8-examples/large-multi-instance-example/campaign-process.bpmn",
     "camunda-8-examples/large-multi-instance-example/huge-huge-campaign-process.bpmn"),
    ("camunda-8-examples/large-multi-instance-example/large-bucket-process.bpmn",
     "camunda-8-examples/large-multi-instance-example/huge-distributed-bucket-process.bpmn"),
    # F4, F5: DI variants, vendor extensions
    ("bpmn-js/collapsed-sub-process.bpmn", "bpmn-js/features_drilldown_nested-subprocesses.bpmn"),
    ("bpmn-js/complex.bpmn", "bpmn-moddle/vendor_signavio-complex-no-extensions.bpmn"),
)
"""(source, target) files, relative to the corpus folder."""


def secure_parser() -> etree.XMLParser:
    """The lxml settings of runner.bpmn.secure_xml (kept equal by hand: the baseline must
    do the same parsing work, nothing more and nothing less)."""
    return etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False,
                           dtd_validation=False, huge_tree=False, remove_comments=True,
                           remove_pis=True)


def bare_parse(files: list[Path]) -> int:
    """Baseline: read and parse every file; the number that are well-formed."""
    parser = secure_parser()
    parsed = 0
    for path in files:
        try:
            etree.fromstring(path.read_bytes(), parser)
        except etree.XMLSyntaxError:
            continue
        parsed += 1
    return parsed


def load_all(files: list[Path]) -> dict[Path, BpmnDocument]:
    """Our parse of every file (what ``validate`` does for each BPMN file it meets)."""
    documents = {}
    for path in files:
        try:
            documents[path] = load_bpmn(path)
        except BpmnLoadError:
            continue
    return documents


def _process_pairs(source: BpmnDocument, target: BpmnDocument) -> Iterator[tuple[str, str]]:
    """Processes to migrate between two files: those with the same id; when there are none
    (the process id changed between versions), the processes in file order."""
    common = [pid for pid in source.processes if pid in target.processes]
    if common:
        yield from ((pid, pid) for pid in common)
    else:
        yield from zip(source.processes, target.processes, strict=False)


def _plan_text(name: str, source: tuple[str, str], target: tuple[str, str]) -> str:
    """A plan in block YAML (as people write them) with auto-mapping only, paths relative
    to the plans folder."""
    document = {
        "apiVersion": "c8migrate/v1", "kind": "MigrationPlan", "metadata": {"name": name},
        "source": {"processDefinitionId": source[1], "version": 1, "bpmn": source[0]},
        "target": {"processDefinitionId": target[1], "version": 2, "bpmn": target[0]},
        "mappings": {"auto": "same-id"},
    }
    return yaml.safe_dump(document, sort_keys=False, allow_unicode=True)


def write_plans(root: Path, folder: str, pairs: list[tuple[Path, Path]],
                documents: dict[Path, BpmnDocument]) -> list[str]:
    """One plan file per process pair of each file pair; the plan paths."""
    plans_dir = root / folder
    plans_dir.mkdir()
    written: list[str] = []
    for source_file, target_file in pairs:
        source, target = documents.get(source_file), documents.get(target_file)
        if source is None or target is None:
            continue
        for source_id, target_id in _process_pairs(source, target):
            name = f"{folder}-{len(written) + 1:03d}"
            relative = ("../" + source_file.relative_to(root).as_posix(),
                        "../" + target_file.relative_to(root).as_posix())
            plan = plans_dir / f"{name}.yaml"
            plan.write_text(_plan_text(name, (relative[0], source_id),
                                       (relative[1], target_id)), encoding="utf-8")
            written.append(str(plan))
    return written


def summary(result: ValidationResult) -> str:
    """How the plans came out (they are real models: errors are expected, crashes not)."""
    outcomes = Counter("clean" if p.ok else "with errors" for p in result.plans)
    codes = Counter(f.code for f in result.findings)
    top = ", ".join(f"{code} x{count}" for code, count in codes.most_common(6))
    return (f"{len(result.plans)} plans ({outcomes['clean']} without errors, "
            f"{outcomes['with errors']} with errors); most frequent findings: {top or 'none'}")


def measure(files: list[Path], plans: list[str], used: set[Path], label: str) -> Figure:
    """The figure for validating ``plans`` plus parsing the files they do not use (so that
    every file is parsed once, as ``c8migrate validate`` would), against bare parsing."""
    result = validate_paths(plans)
    log(f"{label}: {summary(result)}")
    others = [f for f in files if f not in used]

    def ours() -> None:
        load_all(others)
        validate_paths(plans)

    base, measured = interleaved_medians(lambda: bare_parse(files), ours, ROUNDS,
                                         clock=time.process_time)
    return Figure(label, f"bare lxml parse of {len(files)} files", base, measured, "s",
                  TARGET, note=f"CPU time, median of {ROUNDS} interleaved rounds; "
                               f"{summary(result)}")


def run(corpus: Path = CORPUS) -> list[Figure]:
    """Both figures, or skipped rows when the corpus is absent."""
    names = ("validate corpus: version pairs + parse all",
             "validate corpus: every process vs itself")
    if not corpus.is_dir():
        reason = f"no BPMN corpus at {corpus} (../shared/corpus/bpmn next to the repository)"
        return [skipped(name, reason) for name in names]
    with tempfile.TemporaryDirectory(prefix="c8migrate-bench-") as temp:
        root = Path(temp)
        shutil.copytree(corpus, root / "corpus")
        files = sorted((root / "corpus").rglob("*.bpmn"))
        documents = load_all(files)
        log(f"corpus: {len(files)} files, {len(documents)} parse, "
            f"{bare_parse(files)} are well-formed XML")
        pairs = [(root / "corpus" / s, root / "corpus" / t) for s, t in VERSION_PAIRS]
        missing = [p for pair in pairs for p in pair if not p.is_file()]
        if missing:
            log(f"version pair files missing from the corpus (left out): {missing}")
        pairs = [(s, t) for s, t in pairs if s.is_file() and t.is_file()]
        pair_plans = write_plans(root, "pairs", pairs, documents)
        self_plans = write_plans(root, "self", [(f, f) for f in documents], documents)
        in_pairs = {p for pair in pairs for p in pair}
        return [measure(files, pair_plans, in_pairs, names[0]),
                measure(files, self_plans, set(documents), names[1])]


def main() -> int:
    parser = arguments(__doc__.splitlines()[0])
    parser.add_argument("--corpus", type=Path, default=CORPUS,
                        help="folder of BPMN files (default: ../shared/corpus/bpmn)")
    args = parser.parse_args()
    return report(run(args.corpus), args.json)


if __name__ == "__main__":
    raise SystemExit(main())
