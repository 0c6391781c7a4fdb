"""Every real BPMN file of ../shared/corpus/bpmn parses, or fails with a located finding.

The files INDEX.md lists as malformed or tricky are pinned here with the code they must
fail with; every other file must parse. A crash of any other kind fails the test.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from runner.bpmn.model import BpmnDocument
from runner.bpmn.parser import load_bpmn
from runner.errors import BpmnLoadError

EXPECTED_FAILURES = {
    # not well-formed XML (INDEX.md: "Not well-formed XML")
    "camunda-8-js-sdk/modeller7File.bpmn": "B01",
    "bpmn-moddle/error_xmlns-redeclaration.bpmn": "B01",
    "bpmn-moddle/error_invalid-attributes.bpmn": "B01",
    # root not in the BPMN MODEL namespace (INDEX.md: "Namespaces")
    "bpmn-js/error_missing-namespace.bpmn": "B04",
    "bpmn-moddle/error_not-bpmn.bpmn": "B04",
    # semantic errors
    "bpmn-js/error_duplicate-ids.bpmn": "B05",
    "bpmn-js/import_error_boundaryEvent-invalidAttachToRef.bpmn": "B08",
    "bpmn-js/import_error_boundaryEvent-missingAttachToRef.bpmn": "B08",
    # nothing Zeebe could deploy: no process at all
    "bpmn-js/error_no-process-collaboration.bpmn": "B06",
    "bpmn-js/empty-definitions.bpmn": "B06",
    "bpmn-js/error_invalid-child.bpmn": "B06",
    "bpmn-moddle/error_undeclared-ns-child.bpmn": "B06",
    "bpmn-moddle/error_bad-encoding.bpmn": "B06",
    "bpmn-moddle/error_extension-definition-missing.bpmn": "B06",
    "bpmn-moddle/namespace-prefix-collision.bpmn": "B06",
}
"""Files that must fail, with their code. The duplicate ids INDEX.md reports in real exports
(EnterpriseExplorer, case-agile, MIWG C.8.0) sit on vendor extension elements, outside the
BPMN id space, so those files parse."""

PARSE_CHECKS = {
    # the encodings INDEX.md lists
    "miwg/vendor-exports/EnterpriseExplorer-A.1.0-export-utf8bom.bpmn",
    "miwg/vendor-exports/EnterpriseArchitect-A.1.0-roundtrip-windows1252.bpmn",
    "miwg/vendor-exports/ActivitiDesigner-A.1.0-roundtrip-iso8859.bpmn",
    # other prefixes and vendor namespaces
    "miwg/vendor-exports/ARIS-C.1.0-export-semanticprefix.bpmn",
    "bpmn-moddle/vendor_case-agile-local-ns-declaration.bpmn",
    "miwg/Reference/C.8.0.bpmn",
}


def corpus_files(shared: Path) -> list[Path]:
    root = shared / "corpus" / "bpmn"
    if not root.is_dir():
        pytest.skip(f"no BPMN corpus at {root}")
    return sorted(root.rglob("*.bpmn"))


def relative(path: Path, shared: Path) -> str:
    return path.relative_to(shared / "corpus" / "bpmn").as_posix()


def test_every_file_parses_or_fails_located(shared_dir: Path) -> None:
    outcomes: dict[str, str] = {}
    for path in corpus_files(shared_dir):
        name = relative(path, shared_dir)
        try:
            document = load_bpmn(path, display_path=name)
        except BpmnLoadError as error:
            assert error.findings, name
            for finding in error.findings:
                assert finding.location is not None and finding.location.file == name
                assert finding.location.line is not None, f"{name}: {finding}"
            outcomes[name] = error.findings[0].code
            continue
        assert isinstance(document, BpmnDocument)
        assert document.processes, name
        outcomes[name] = "ok"
    failures = {name: code for name, code in outcomes.items() if code != "ok"}
    assert failures == EXPECTED_FAILURES
    assert all(outcomes[name] == "ok" for name in PARSE_CHECKS)


def test_models_are_consistent(shared_dir: Path) -> None:
    """Scopes, flows and attachments of every parsed model point inside the same process."""
    for path in corpus_files(shared_dir):
        name = relative(path, shared_dir)
        if name in EXPECTED_FAILURES:
            continue
        for model in load_bpmn(path, display_path=name).processes.values():
            assert model.root.element_type == "PROCESS"
            for element in model:
                if element.flow_scope is not None:
                    assert element.flow_scope in model, f"{name}: {element.id}"
                for flow_id in (*element.incoming, *element.outgoing):
                    assert model.elements[flow_id].element_type == "SEQUENCE_FLOW"
                if element.element_type == "BOUNDARY_EVENT":
                    assert element.attached_to in model


def test_known_pairs_have_the_documented_shape(shared_dir: Path) -> None:
    base = shared_dir / "corpus" / "bpmn"
    corpus_files(shared_dir)
    v1 = load_bpmn(base / "camunda-operate-e2e/ChildProcessInstanceMigration/childProcess_v_1.bpmn")
    v2 = load_bpmn(base / "camunda-operate-e2e/ChildProcessInstanceMigration/childProcess_v_2.bpmn")
    source, target = v1.process(), v2.process()
    assert source is not None and target is not None
    assert source.elements["Task"].element_type == "SERVICE_TASK"
    assert "Task" not in target and target.elements["newTask"].element_type == "SERVICE_TASK"
    ahsp = load_bpmn(base / "camunda-operate-e2e/mocks/migration-ahsp-process_v1.bpmn").process()
    assert ahsp is not None
    assert ahsp.elements["AD_HOC_SUBPROCESS"].element_type == "AD_HOC_SUB_PROCESS"
    assert ahsp.elements["A"].flow_scope == "AD_HOC_SUBPROCESS"
