"""The machine-readable format: one JSON document per run, shape fixed by
runner/data/report.v1.schema.json (``schemaVersion: 1``) and documented in
docs/output-formats.md. Fields are only ever added within a schema version."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from runner import __version__
from runner.findings import Finding, Location, sorted_findings
from runner.plan.model import Plan, ProcessRef
from runner.reporters.base import RenderOptions
from runner.reporters.summary import (
    APPLY_STATUSES,
    PREVIEW_STATUSES,
    VALIDATION_STATUSES,
    Counts,
    apply_status,
    blocked_count,
    preview_status,
    validation_status,
    worst_status,
)
from runner.results import ApplyReport, PlanPreview, PlanValidation, ValidationResult

SCHEMA_VERSION = 1


def validation_document(result: ValidationResult) -> dict[str, Any]:
    """The JSON document of an offline validation."""
    statuses = [validation_status(p) for p in result.plans]
    return {
        **_envelope("validation", worst_status(statuses, VALIDATION_STATUSES)),
        "serverVersion": str(result.server_version),
        "serverVersionSource": result.server_version_source,
        "summary": {"plans": len(result.plans), **_counts(Counts.of(result.findings))},
        "plans": [_plan_validation(p) for p in result.plans],
    }


def previews_document(previews: Sequence[PlanPreview],
                      validation: ValidationResult | None = None) -> dict[str, Any]:
    """The JSON document of a dry run (with the offline validation when given)."""
    statuses = [preview_status(p) for p in previews]
    findings = [f for p in previews for f in p.findings]
    document = {
        **_envelope("preview", worst_status(statuses, PREVIEW_STATUSES)),
        "summary": {
            "plans": len(previews),
            "matched": sum(p.matched for p in previews),
            "migrating": sum(p.migrating for p in previews),
            "blocked": sum(blocked_count(p) for p in previews),
            "alreadyMigrated": sum(p.already_on_target for p in previews),
            **_counts(Counts.of(findings)),
        },
        "plans": [_preview(p) for p in previews],
    }
    if validation is not None:
        document["validation"] = validation_document(validation)
    return document


def apply_document(reports: Sequence[ApplyReport]) -> dict[str, Any]:
    """The JSON document of an apply run."""
    statuses = [apply_status(r) for r in reports]
    findings = [f for r in reports for f in r.findings]
    return {
        **_envelope("apply", worst_status(statuses, APPLY_STATUSES)),
        "summary": {
            "plans": len(reports),
            "migrated": sum(r.migrated for r in reports),
            "remainingOnSource": sum(r.remaining_on_source for r in reports),
            **_counts(Counts.of(findings)),
        },
        "plans": [_apply(r) for r in reports],
    }


def render_validation(result: ValidationResult, options: RenderOptions) -> str:
    """The validation document, indented."""
    return _dump(validation_document(result))


def render_previews(previews: Sequence[PlanPreview], validation: ValidationResult | None,
                    options: RenderOptions) -> str:
    """The dry-run document, indented."""
    return _dump(previews_document(previews, validation))


def render_apply(reports: Sequence[ApplyReport], options: RenderOptions) -> str:
    """The apply document, indented."""
    return _dump(apply_document(reports))


def finding_json(finding: Finding) -> dict[str, Any]:
    """One finding; optional parts are null rather than missing, so consumers need no guards."""
    return {
        "code": finding.code,
        "severity": finding.severity.label,
        "message": finding.message,
        "hint": finding.hint,
        "location": _location(finding.location),
        "related": [_location(r) for r in finding.related],
        "zeebeMessage": finding.zeebe_message,
    }


def _dump(document: dict[str, Any]) -> str:
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"


def _envelope(kind: str, status: str) -> dict[str, Any]:
    return {
        "schemaVersion": SCHEMA_VERSION,
        "kind": kind,
        "tool": {"name": "c8migrate", "version": __version__},
        "status": status,
    }


def _counts(counts: Counts) -> dict[str, int]:
    return {"errors": counts.errors, "warnings": counts.warnings, "notes": counts.notes}


def _location(location: Location | None) -> dict[str, Any] | None:
    if location is None:
        return None
    return {"file": location.file, "line": location.line, "column": location.column,
            "endLine": location.end_line, "endColumn": location.end_column}


def _findings(findings: Sequence[Finding]) -> list[dict[str, Any]]:
    return [finding_json(f) for f in sorted_findings(findings)]


def _ref(ref: ProcessRef) -> dict[str, Any]:
    return {"processDefinitionId": ref.process_definition_id, "version": ref.version,
            "versionTag": ref.version_tag, "bpmn": ref.bpmn}


def _plan_ref(plan: Plan) -> dict[str, Any]:
    return {"path": plan.path, "name": plan.name, "checksum": plan.checksum or None,
            "source": _ref(plan.source), "target": _ref(plan.target)}


def _plan_validation(plan: PlanValidation) -> dict[str, Any]:
    return {
        "path": plan.path,
        "name": plan.plan.name if plan.plan else None,
        "status": validation_status(plan),
        "source": _ref(plan.plan.source) if plan.plan else None,
        "target": _ref(plan.plan.target) if plan.plan else None,
        "mappings": [{"source": s, "target": t, "origin": o}
                     for s, t, o in plan.effective_mappings],
        **_counts(Counts.of(plan.findings)),
        "findings": _findings(plan.findings),
    }


def _preview(preview: PlanPreview) -> dict[str, Any]:
    return {
        **_plan_ref(preview.plan),
        "status": preview_status(preview),
        "serverVersion": str(preview.server_version),
        "sourceDefinitionKey": preview.source_definition_key,
        "targetDefinitionKey": preview.target_definition_key,
        "matched": preview.matched,
        "migrating": preview.migrating,
        "blocked": blocked_count(preview),
        "alreadyMigrated": preview.already_on_target,
        "guardExceeded": preview.guard_exceeded,
        "maxInstances": preview.plan.rollout.max_instances,
        "moves": [
            {"sourceElementId": m.source_element_id, "sourceElementType": m.source_element_type,
             "targetElementId": m.target_element_id, "instances": m.instances,
             "blocked": m.blocked}
            for m in preview.moves
        ],
        "blockedInstances": [
            {"processInstanceKey": b.process_instance_key, "code": b.code,
             "elementId": b.element_id, "message": b.message, "transient": b.transient}
            for b in preview.blocked
        ],
        "instanceKeysSample": list(preview.instance_keys_sample),
        "findings": _findings(preview.findings),
    }


def _apply(report: ApplyReport) -> dict[str, Any]:
    return {
        **_plan_ref(report.plan),
        "status": apply_status(report),
        "mode": report.mode,
        "counts": {k: v for k, v in sorted(report.counts.items())},
        "migrated": report.migrated,
        "batchOperationKeys": list(report.batch_operation_keys),
        "remainingOnSource": report.remaining_on_source,
        "durationSeconds": round(report.duration_seconds, 3),
        "outcomes": [
            {"processInstanceKey": o.process_instance_key, "outcome": o.outcome,
             "message": o.message, "attempts": o.attempts}
            for o in report.outcomes
        ],
        "preview": _preview(report.preview),
        "findings": _findings(report.findings),
    }
