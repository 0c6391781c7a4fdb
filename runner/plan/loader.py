"""Loading a plan file: YAML (with locations) -> JSON Schema -> typed Plan.

``load_plan`` never raises for a bad plan: problems are located findings in the PlanLoad.

    P01 YAML syntax error              P04 BPMN file missing (located at the bpmn: value)
    P02 schema violation (all of them) P06 duplicate key in a mapping
    P03 plan file unreadable/too large P07 BPMN path leaves the repository

``plan`` is None whenever there is an error finding. Relative ``bpmn:`` paths resolve
against the plan file's folder; the Plan keeps them joined onto the plan path as given, so
locations read naturally from where the command ran. Plans come from pull requests, so a
BPMN path (after following symlinks) must stay inside the repository: the git top-level
above the plan, or without git the parent of the plan's folder.
"""

from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from runner.bounded_read import read_at_most
from runner.findings import Finding, Location, Severity
from runner.plan.model import (
    DateRange,
    InstanceFilter,
    MappingEntry,
    Plan,
    ProcessRef,
    Rollout,
)
from runner.plan.schema import plan_validator
from runner.plan.schema_errors import schema_findings
from runner.plan.yaml_marks import AliasBombError, MarkedDocument, load_marked

MAX_PLAN_BYTES = 1024 * 1024
"""Largest plan file we read (1 MiB; real plans are a few kilobytes)."""


@dataclass(frozen=True, slots=True)
class PlanLoad:
    """The outcome of loading one plan file."""

    path: str
    plan: Plan | None
    findings: tuple[Finding, ...]

    @property
    def ok(self) -> bool:
        """True when the plan loaded without error findings."""
        return self.plan is not None


def load_plan(path: str | Path) -> PlanLoad:
    """Load, check and type the plan at ``path`` (see the module docstring for the codes)."""
    file = str(path)
    try:
        with open(path, "rb") as stream:
            data = read_at_most(stream, MAX_PLAN_BYTES)
    except OSError as exc:
        reason = "file not found" if isinstance(exc, FileNotFoundError) else (
            exc.strerror or str(exc))
        return _failed(file, "P03", f"cannot read the plan file: {reason}", Location(file))
    if len(data) > MAX_PLAN_BYTES:
        return _failed(file, "P03", f"the plan file is larger than {MAX_PLAN_BYTES} bytes",
                       Location(file))
    try:
        document = load_marked(data, file)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        location = Location(file, mark.line + 1, mark.column + 1) if mark else Location(file)
        problem = " ".join(p for p in (exc.context, exc.problem) if p)
        return _failed(file, "P01", f"YAML syntax error: {problem}", location)
    except AliasBombError as exc:
        return _failed(file, "P01", f"YAML refused: {exc}", Location(file, 1, 1))
    except yaml.reader.ReaderError as exc:
        return _failed(file, "P01", _reader_problem(exc), _reader_location(file, data, exc))
    except yaml.YAMLError as exc:
        return _failed(file, "P01", f"YAML error: {exc}", Location(file, 1, 1))
    findings = _duplicate_findings(document)
    if not isinstance(document.data, dict):
        findings.append(Finding(
            "P02", Severity.ERROR,
            "the plan must be a mapping with apiVersion, kind, metadata, source and target",
            document.values.get("") or Location(file, 1, 1)))
        return PlanLoad(file, None, tuple(findings))
    findings.extend(schema_findings(plan_validator().iter_errors(document.data), document, file))
    if findings:
        return PlanLoad(file, None, tuple(findings))
    plan, path_findings = _build(file, data, document)
    if path_findings:
        return PlanLoad(file, None, tuple(path_findings))
    return PlanLoad(file, plan, ())


def _reader_problem(exc: yaml.reader.ReaderError) -> str:
    if exc.encoding == "unicode":  # PyYAML's marker for a decoded but forbidden character
        return (f"the plan file contains the control character #x{exc.character:04x}, "
                "which YAML does not allow")
    return (f"the plan file is not valid {exc.encoding} text: byte 0x{exc.character:02x} "
            f"({exc.reason}); save it as UTF-8")


def _reader_location(file: str, data: bytes, exc: yaml.reader.ReaderError) -> Location:
    """Line and column of a reader error: its position counts characters for a forbidden
    character and bytes for undecodable input."""
    if exc.encoding == "unicode":
        before = data.decode("utf-8", errors="replace").lstrip("\ufeff")[:exc.position]
    else:
        before = data[:exc.position].decode("utf-8", errors="replace")
    line_start = max(before.rfind("\n"), before.rfind("\r"))
    return Location(file, before.count("\n") + 1, len(before) - line_start)


def _failed(file: str, code: str, message: str, location: Location) -> PlanLoad:
    return PlanLoad(file, None, (Finding(code, Severity.ERROR, message, location),))


def _duplicate_findings(document: MarkedDocument) -> list[Finding]:
    return [
        Finding("P06", Severity.ERROR,
                f"duplicate key '{d.key}' (first on line {d.first.line}); YAML would silently "
                "keep only the last one", d.location,
                hint="remove or merge one of the two entries")
        for d in document.duplicates
    ]


def repository_root(plan_file: Path) -> Path:
    """The git top-level above ``plan_file``; without git, the parent of its folder."""
    # os.path on strings: the same answer as pathlib's resolve/parents/exists, at half the
    # cost (validate calls this for every plan).
    folder = os.path.dirname(os.path.realpath(plan_file))
    candidate = folder
    while True:
        if os.path.exists(os.path.join(candidate, ".git")):
            return Path(candidate)
        parent = os.path.dirname(candidate)
        if parent == candidate:
            return Path(os.path.dirname(folder))
        candidate = parent


def _build(file: str, raw: bytes, document: MarkedDocument) -> tuple[Plan, list[Finding]]:
    data: dict[str, Any] = document.data
    findings: list[Finding] = []
    root = repository_root(Path(file))
    sides = []
    for side in ("source", "target"):
        ref, problem = _process_ref(file, side, data[side], document, root)
        sides.append(ref)
        if problem is not None:
            findings.append(problem)
    locations = {pointer: location for pointer in document.values
                 if (location := document.best(pointer)) is not None}
    mappings = data.get("mappings", {})
    plan = Plan(
        path=file,
        name=data["metadata"]["name"],
        description=data["metadata"].get("description"),
        source=sides[0],
        target=sides[1],
        tenant_id=data.get("tenantId"),
        filter=_instance_filter(data.get("filter", {})),
        auto_mapping=mappings.get("auto", "same-id"),
        mappings=tuple(
            MappingEntry(item["source"], item["target"],
                         document.values.get(f"/mappings/instructions/{index}"))
            for index, item in enumerate(mappings.get("instructions", []))),
        rollout=_rollout(data.get("rollout", {})),
        checksum=hashlib.sha256(raw).hexdigest(),
        locations=locations,
    )
    return plan, findings


def _process_ref(file: str, side: str, data: dict[str, Any], document: MarkedDocument,
                 root: Path) -> tuple[ProcessRef, Finding | None]:
    given = data["bpmn"]
    joined = os.path.normpath(os.path.join(os.path.dirname(file), given))
    bpmn_location = document.values.get(f"/{side}/bpmn")
    ref = ProcessRef(
        process_definition_id=data["processDefinitionId"], bpmn=joined,
        version=data.get("version"), version_tag=data.get("versionTag"),
        location=document.keys.get(f"/{side}"), bpmn_location=bpmn_location)
    resolved = Path(os.path.realpath(joined))
    if not resolved.is_relative_to(root):
        return ref, Finding(
            "P07", Severity.ERROR,
            f"{side}.bpmn '{given}' points outside the repository ({root.name or root})",
            bpmn_location, hint="keep BPMN files inside the repository, next to the plans")
    if not resolved.is_file():
        problem = ("is a folder, not a BPMN file" if resolved.is_dir()
                   else f"does not exist (looked for {joined})")
        return ref, Finding("P04", Severity.ERROR, f"{side}.bpmn '{given}' {problem}",
                            bpmn_location)
    return ref, None


def _instance_filter(data: dict[str, Any]) -> InstanceFilter:
    dates = data.get("startDate")
    return InstanceFilter(
        process_instance_keys=tuple(str(key) for key in data.get("processInstanceKeys", ())),
        state=data.get("state", "ACTIVE"),
        has_incident=data.get("hasIncident"),
        start_date=DateRange(dates.get("after"), dates.get("before")) if dates else None,
        variables=dict(data.get("variables", {})),
        active_element_ids=tuple(data.get("activeElementIds", ())),
    )


def _rollout(data: dict[str, Any]) -> Rollout:
    return Rollout(
        mode=data.get("mode", "auto"),
        max_instances=data.get("maxInstances"),
        concurrency=data.get("concurrency"),
        allow_blocked=data.get("allowBlocked", False),
    )
