"""Reading a JSON report (``--format json --output FILE``) back into result objects.

The workflows run ``c8migrate plan``/``apply`` in one step and post the comment in another, so
the JSON report (schemaVersion 1, runner/data/report.v1.schema.json) is the hand-over. Reading
it back into ``PlanPreview``/``ApplyReport``/``ValidationResult`` lets the comment use the same
markdown renderer as ``--format markdown``. Plan details the report does not carry (filter,
explicit mappings, locations) are left at their defaults; the renderers do not need them.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from runner.errors import InputError
from runner.findings import Finding, Location, Severity
from runner.plan.model import Plan, ProcessRef, Rollout
from runner.results import (
    ApplyReport,
    BlockedInstance,
    ElementMove,
    InstanceOutcome,
    PlanPreview,
    PlanValidation,
    ValidationResult,
)
from runner.version import NEWEST, ServerVersion

SUPPORTED_SCHEMA_VERSIONS = (1,)


@dataclass(frozen=True, slots=True)
class JsonReport:
    """A parsed report document: ``kind`` is validation, preview or apply."""

    path: str
    kind: str
    status: str
    document: Mapping[str, Any]

    def validation(self) -> ValidationResult | None:
        """The offline validation in the report (a validation report, or a preview's)."""
        if self.kind == "validation":
            return _validation(self.document)
        inner = self.document.get("validation")
        return _validation(inner) if isinstance(inner, dict) else None

    def previews(self) -> list[PlanPreview]:
        if self.kind != "preview":
            return []
        return [_preview(p) for p in _plans(self.document)]

    def apply_reports(self) -> list[ApplyReport]:
        if self.kind != "apply":
            return []
        return [_apply(p) for p in _plans(self.document)]


def read_report(path: str | Path) -> JsonReport:
    """Load and check the envelope of a JSON report; InputError when it is not one."""
    try:
        document = json.loads(Path(path).read_text(encoding="utf-8"))
    except OSError as exc:
        raise InputError(f"cannot read the report {path}: {exc.strerror}") from exc
    except ValueError as exc:
        raise InputError(f"{path} is not JSON: {exc}",
                         hint="write it with --format json --output FILE") from exc
    if not isinstance(document, dict) or document.get("kind") not in (
            "validation", "preview", "apply"):
        raise InputError(f"{path} is not a c8migrate JSON report",
                         hint="write it with --format json --output FILE")
    if document.get("schemaVersion") not in SUPPORTED_SCHEMA_VERSIONS:
        raise InputError(f"{path}: report schemaVersion {document.get('schemaVersion')!r} "
                         f"is not supported (supported: {SUPPORTED_SCHEMA_VERSIONS})")
    try:
        report = JsonReport(str(path), str(document["kind"]), str(document.get("status", "")),
                            document)
        # Parse once here so a malformed report fails now, as an input error.
        report.validation()
        report.previews()
        report.apply_reports()
    except (KeyError, TypeError, ValueError) as exc:
        raise InputError(f"{path}: malformed report ({type(exc).__name__}: {exc})") from exc
    return report


def _plans(document: Mapping[str, Any]) -> list[Mapping[str, Any]]:
    plans = document.get("plans", [])
    if not isinstance(plans, list):
        raise TypeError(f"'plans' is a {type(plans).__name__}, not a list")
    return [p for p in plans if isinstance(p, dict)]


def _ref(data: Mapping[str, Any] | None) -> ProcessRef:
    data = data or {}
    return ProcessRef(process_definition_id=str(data.get("processDefinitionId") or "?"),
                      bpmn=str(data.get("bpmn") or ""), version=data.get("version"),
                      version_tag=data.get("versionTag"))


def _plan(data: Mapping[str, Any]) -> Plan:
    # The report has no allowBlocked field; "partial" is only ever written when the plan
    # allows blocked instances, and the renderers need the flag to say "partial" again.
    allow_blocked = bool(data.get("allowBlocked", data.get("status") == "partial"))
    return Plan(path=str(data.get("path", "")), name=str(data.get("name") or data.get("path")),
                source=_ref(data.get("source")), target=_ref(data.get("target")),
                checksum=str(data.get("checksum") or ""),
                rollout=Rollout(max_instances=data.get("maxInstances"),
                                allow_blocked=allow_blocked))


def _server(text: Any) -> ServerVersion:
    return ServerVersion.parse(str(text)) if text else NEWEST


def _location(data: Mapping[str, Any] | None) -> Location | None:
    if not data:
        return None
    return Location(file=str(data["file"]), line=data.get("line"), column=data.get("column"),
                    end_line=data.get("endLine"), end_column=data.get("endColumn"))


def _finding(data: Mapping[str, Any]) -> Finding:
    related = tuple(loc for loc in (_location(r) for r in data.get("related") or ()) if loc)
    return Finding(code=str(data["code"]), severity=Severity[str(data["severity"]).upper()],
                   message=str(data["message"]), location=_location(data.get("location")),
                   hint=data.get("hint"), related=related, zeebe_message=data.get("zeebeMessage"))


def _findings(data: Mapping[str, Any]) -> tuple[Finding, ...]:
    return tuple(_finding(f) for f in data.get("findings") or ())


def _preview(data: Mapping[str, Any]) -> PlanPreview:
    blocked = tuple(
        BlockedInstance(process_instance_key=str(b["processInstanceKey"]), code=str(b["code"]),
                        element_id=b.get("elementId"), message=str(b["message"]),
                        transient=bool(b.get("transient", False)))
        for b in data.get("blockedInstances") or ())
    moves = tuple(
        ElementMove(source_element_id=str(m["sourceElementId"]),
                    source_element_type=str(m.get("sourceElementType", "")),
                    target_element_id=m.get("targetElementId"), instances=int(m["instances"]),
                    blocked=int(m.get("blocked", 0)))
        for m in data.get("moves") or ())
    return PlanPreview(
        plan=_plan(data), server_version=_server(data.get("serverVersion")),
        source_definition_key=str(data.get("sourceDefinitionKey") or ""),
        target_definition_key=str(data.get("targetDefinitionKey") or ""),
        matched=int(data["matched"]), migrating=int(data["migrating"]), blocked=blocked,
        blocked_total=int(data.get("blocked", len(blocked))),
        already_on_target=int(data.get("alreadyMigrated", 0)), moves=moves,
        findings=_findings(data),
        instance_keys_sample=tuple(str(k) for k in data.get("instanceKeysSample") or ()),
        guard_exceeded=bool(data.get("guardExceeded", False)))


def _apply(data: Mapping[str, Any]) -> ApplyReport:
    mode: Literal["single", "batch"] = "batch" if data.get("mode") == "batch" else "single"
    outcomes = tuple(
        InstanceOutcome(process_instance_key=str(o["processInstanceKey"]),
                        outcome=o["outcome"], message=o.get("message"),
                        attempts=int(o.get("attempts", 1)))
        for o in data.get("outcomes") or ())
    return ApplyReport(
        plan=_plan(data), preview=_preview(data["preview"]), mode=mode,
        counts={str(k): int(v) for k, v in (data.get("counts") or {}).items()},
        outcomes=outcomes,
        batch_operation_keys=tuple(str(k) for k in data.get("batchOperationKeys") or ()),
        remaining_on_source=int(data.get("remainingOnSource", 0)),
        duration_seconds=float(data.get("durationSeconds", 0.0)), findings=_findings(data))


def _validation(data: Mapping[str, Any]) -> ValidationResult:
    plans = []
    for item in _plans(data):
        plan = _plan(item) if item.get("source") and item.get("target") else None
        mappings = tuple((str(m["source"]), str(m["target"]), str(m.get("origin", "explicit")))
                         for m in item.get("mappings") or ())
        plans.append(PlanValidation(path=str(item["path"]), plan=plan,
                                    findings=_findings(item), effective_mappings=mappings))
    source = data.get("serverVersionSource")
    return ValidationResult(
        plans=tuple(plans), server_version=_server(data.get("serverVersion")),
        server_version_source=source if source in ("default", "option", "cluster") else "default")
