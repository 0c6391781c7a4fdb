"""The json format: versioned, complete, and valid against runner/data/report.v1.schema.json."""

from __future__ import annotations

import copy
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from runner.findings import Finding, Severity
from runner.reporters import render_apply, render_previews, render_validation
from runner.reporters.json_format import SCHEMA_VERSION, finding_json

from . import samples

SCHEMA_PATH = Path(__file__).resolve().parents[2] / "runner" / "data" / "report.v1.schema.json"


@pytest.fixture(scope="module")
def validator() -> jsonschema.Draft202012Validator:
    schema = json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))
    jsonschema.Draft202012Validator.check_schema(schema)
    return jsonschema.Draft202012Validator(schema)


def documents() -> dict[str, dict[str, Any]]:
    return {
        "validation": json.loads(render_validation(samples.validation(), "json")),
        "preview": json.loads(render_previews([samples.preview(), samples.empty_preview()],
                                              "json", samples.validation())),
        "apply": json.loads(render_apply([samples.apply_report(),
                                          samples.clean_apply_report()], "json")),
    }


@pytest.mark.parametrize("kind", ["validation", "preview", "apply"])
def test_output_validates_against_the_schema(kind: str,
                                             validator: jsonschema.Draft202012Validator) -> None:
    document = documents()[kind]
    assert document["schemaVersion"] == SCHEMA_VERSION == 1
    assert document["kind"] == kind
    assert list(validator.iter_errors(document)) == []


@pytest.mark.parametrize("kind", ["validation", "preview", "apply"])
def test_output_matches_golden(kind: str, golden: Callable[[str, str], None]) -> None:
    golden(f"{kind}.json", json.dumps(documents()[kind], indent=2, ensure_ascii=False) + "\n")


def _z07(document: dict[str, Any]) -> dict[str, Any]:
    return next(f for f in document["plans"][0]["findings"] if f["code"] == "Z07")


@pytest.mark.parametrize(("kind", "breakage"), [
    ("validation", lambda d: d.pop("schemaVersion")),
    ("validation", lambda d: d.update(schemaVersion=2)),
    ("validation", lambda d: d["plans"][0]["findings"][0].update(severity="fatal")),
    ("validation", lambda d: _z07(d)["location"].update(line=0)),
    ("validation", lambda d: _z07(d).pop("zeebeMessage")),
    ("validation", lambda d: d["plans"][0].update(status="ready")),
    ("preview", lambda d: d["plans"][0].pop("blockedInstances")),
    ("preview", lambda d: d["plans"][0]["moves"][0].update(instances=-1)),
    ("apply", lambda d: d["plans"][0]["counts"].update(teleported=1)),
    ("apply", lambda d: d["plans"][0].update(mode="parallel")),
])
def test_schema_rejects_broken_documents(kind: str, breakage: Callable[[dict[str, Any]], Any],
                                         validator: jsonschema.Draft202012Validator) -> None:
    document = copy.deepcopy(documents()[kind])
    breakage(document)
    assert list(validator.iter_errors(document)) != []


def test_validation_document_is_complete() -> None:
    document = documents()["validation"]
    assert document["status"] == "invalid"
    assert document["serverVersion"] == "8.8.0"
    assert document["serverVersionSource"] == "option"
    assert document["summary"] == {"plans": 3, "errors": 2, "warnings": 1, "notes": 1}
    first = document["plans"][0]
    assert first["mappings"][1] == {"source": "Task_Pack", "target": "Task_PackParcel",
                                    "origin": "explicit"}
    z07 = next(f for f in first["findings"] if f["code"] == "Z07")
    assert z07["location"] == {"file": "plans/order-v1-to-v2.yaml", "line": 14, "column": 3,
                               "endLine": None, "endColumn": None}
    assert z07["related"][0]["line"] == 42
    assert z07["zeebeMessage"].startswith("Expected to migrate process instance")
    assert document["plans"][2]["name"] is None and document["plans"][2]["source"] is None


def test_preview_document_counts_and_keys() -> None:
    document = documents()["preview"]
    assert document["status"] == "blocked"
    assert document["summary"]["matched"] == 40
    assert document["summary"]["blocked"] == 3
    plan = document["plans"][0]
    assert plan["sourceDefinitionKey"] == "2251799813685249"
    assert plan["blockedInstances"][0]["processInstanceKey"] == "2251799813690000"
    assert plan["moves"][2] == {"sourceElementId": "Task_Ship",
                                "sourceElementType": "SERVICE_TASK", "targetElementId": None,
                                "instances": 3, "blocked": 3}
    assert document["validation"]["kind"] == "validation"


def test_apply_document_status_and_outcomes() -> None:
    document = documents()["apply"]
    assert document["status"] == "failed"
    plan = document["plans"][0]
    assert plan["counts"] == {"already-migrated": 2, "migrated": 36, "rejected": 1}
    assert plan["batchOperationKeys"] == ["2251799813699001"]
    assert plan["outcomes"][0]["outcome"] == "rejected"
    assert document["plans"][1]["status"] == "nothing-to-do"


def test_finding_without_location_has_null_location() -> None:
    data = finding_json(Finding("N17", Severity.NOTE, "decided at run time"))
    assert data["location"] is None and data["related"] == [] and data["hint"] is None
