"""SARIF 2.1.0, so that findings show in GitHub code scanning.

One run per report; one rule per code that occurs (title from the engine's registry, help
link into docs/rules.md); one result per finding, located in the plan file with the BPMN
elements as related locations. URIs are relative to the repository root (``%SRCROOT%``).
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from pathlib import PurePosixPath
from typing import Any

from runner import __version__
from runner.findings import Finding, Location, Severity
from runner.reporters.base import RenderOptions, rule_doc_link
from runner.reporters.rules_info import rule_info
from runner.reporters.summary import extra_zeebe_text, group_blocked, plural
from runner.results import ApplyReport, PlanPreview, ValidationResult

SARIF_SCHEMA_URI = "https://json.schemastore.org/sarif-2.1.0.json"
_LEVEL = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.NOTE: "note"}

# (plan file, finding) pairs: the plan file locates findings that carry no location
_Located = tuple[str, Finding]


def artifact_uri(path: str) -> str:
    """A path as a relative URI: forward slashes, no leading './', spaces percent-encoded."""
    uri = path.replace("\\", "/")
    while uri.startswith("./"):
        uri = uri[2:]
    return uri.replace("%", "%25").replace(" ", "%20")


def render_validation(result: ValidationResult, options: RenderOptions) -> str:
    """One run with a result per finding."""
    located = [(p.path, f) for p in result.plans for f in p.findings]
    return _dump(_log(located, options, {"serverVersion": str(result.server_version)}))


def render_previews(previews: Sequence[PlanPreview], validation: ValidationResult | None,
                    options: RenderOptions) -> str:
    """One run: preview findings, blocked reasons and offline findings."""
    located = [(p.plan.path, f) for p in previews for f in p.findings]
    located += [(p.plan.path, f) for p in previews for f in _blocked_findings(p)]
    if validation is not None:  # offline findings the preview did not carry over
        seen = {f for _, f in located}
        located += [(p.path, f) for p in validation.plans for f in p.findings if f not in seen]
    return _dump(_log(located, options, {}))


def render_apply(reports: Sequence[ApplyReport], options: RenderOptions) -> str:
    """One run with the apply findings."""
    located = [(r.plan.path, f) for r in reports for f in r.findings]
    return _dump(_log(located, options, {}))


def _blocked_findings(preview: PlanPreview) -> list[Finding]:
    plan_file = Location(preview.plan.path, 1, 1)
    return [
        Finding(group.code, Severity.WARNING if group.transient else Severity.ERROR,
                f"{plural(group.count, 'instance')} would be rejected: {group.message} "
                f"(examples: {', '.join(group.keys)})", plan_file,
                zeebe_message=group.message)
        for group in group_blocked(preview.blocked)
    ]


def _log(located: list[_Located], options: RenderOptions,
         properties: dict[str, Any]) -> dict[str, Any]:
    ordered = sorted(located, key=lambda pf: (pf[0], pf[1].sort_key()))
    codes = sorted({f.code for _, f in ordered})
    index = {c: i for i, c in enumerate(codes)}
    run: dict[str, Any] = {
        "tool": {"driver": {
            "name": "c8migrate",
            "version": __version__,
            "semanticVersion": __version__,
            "rules": [_rule(c, ordered, options) for c in codes],
        }},
        "columnKind": "unicodeCodePoints",
        "results": [_result(path, f, index[f.code]) for path, f in ordered],
        "invocations": [{"executionSuccessful": True}],
    }
    if properties:
        run["properties"] = properties
    return {"$schema": SARIF_SCHEMA_URI, "version": "2.1.0", "runs": [run]}


def _rule(code: str, located: Iterable[_Located], options: RenderOptions) -> dict[str, Any]:
    info = rule_info(code)
    severities = [f.severity for _, f in located if f.code == code]
    rule: dict[str, Any] = {
        "id": code,
        "shortDescription": {"text": info.title},
        "helpUri": rule_doc_link(code, options),
        "defaultConfiguration": {"level": _LEVEL[max(severities, default=Severity.ERROR)]},
    }
    if info.description and info.description != info.title:
        rule["fullDescription"] = {"text": info.description}
    return rule


def _result(plan_file: str, finding: Finding, rule_index: int) -> dict[str, Any]:
    text = finding.message
    if finding.hint:
        text += f"\nHint: {finding.hint}"
    if zeebe := extra_zeebe_text(finding):
        text += f"\nZeebe: {zeebe}"
    location = finding.location or Location(plan_file, 1, 1)
    result: dict[str, Any] = {
        "ruleId": finding.code,
        "ruleIndex": rule_index,
        "level": _LEVEL[finding.severity],
        "message": {"text": text},
        "locations": [{"physicalLocation": _physical(location)}],
    }
    if finding.related:
        result["relatedLocations"] = [
            {"id": i, "physicalLocation": _physical(r),
             "message": {"text": "BPMN element involved"}}
            for i, r in enumerate(finding.related, start=1)
        ]
    return result


def _physical(location: Location) -> dict[str, Any]:
    artifact: dict[str, str]
    if PurePosixPath(location.file).is_absolute():  # given as such on the command line
        artifact = {"uri": PurePosixPath(location.file).as_uri()}
    else:
        artifact = {"uri": artifact_uri(location.file), "uriBaseId": "%SRCROOT%"}
    physical: dict[str, Any] = {"artifactLocation": artifact}
    if location.line is not None and location.line >= 1:
        region: dict[str, int] = {"startLine": location.line}
        if location.column is not None and location.column >= 1:
            region["startColumn"] = location.column
        if location.end_line is not None and location.end_line >= location.line:
            region["endLine"] = location.end_line
            if location.end_column is not None and location.end_column >= 1:
                region["endColumn"] = location.end_column
        physical["region"] = region
    return physical


def _dump(log: dict[str, Any]) -> str:
    return json.dumps(log, indent=2, ensure_ascii=False) + "\n"

