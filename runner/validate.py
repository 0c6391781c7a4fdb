"""Offline validation of plan files: schema, BPMN, Zeebe's rules. Nothing here prints.

``validate_paths`` takes files and directories. A directory contributes the ``*.yaml`` and
``*.yml`` files directly inside it (not its sub-folders) that are migration plans: a top-level
mapping with ``kind: MigrationPlan`` or an ``apiVersion`` starting with ``c8migrate/``. Other
YAML files there (seed files) are skipped silently. ``plan``, ``apply`` and ``--changed-since``
expand folders with the same function, so ``c8migrate validate plans`` checks exactly what
``c8migrate apply plans`` would apply (and ``plans/examples-invalid/`` stays out of both).
A file named explicitly is always validated, so a plan whose ``kind`` is misspelt still gets
its schema findings.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Literal

import yaml

from runner.bpmn.model import BpmnDocument, ProcessModel
from runner.bpmn.parser import load_bpmn
from runner.engine.mapping import effective_instructions
from runner.engine.offline import validate_offline
from runner.engine.rules import judged_version
from runner.engine.state import MigrationRequest
from runner.errors import BpmnLoadError
from runner.findings import Finding, Severity, sorted_findings
from runner.plan.loader import MAX_PLAN_BYTES, load_plan
from runner.plan.model import Plan, ProcessRef
from runner.plan.yaml_marks import load_marked
from runner.results import PlanValidation, ValidationResult
from runner.version import NEWEST, ServerVersion

VersionSource = Literal["default", "option", "cluster"]
PLAN_SUFFIXES = (".yaml", ".yml")


def looks_like_plan(path: Path) -> bool:
    """Whether a YAML file found in a directory is a migration plan (see module docstring)."""
    try:
        if path.stat().st_size > MAX_PLAN_BYTES:
            return True
        document = load_marked(path.read_bytes(), str(path)).data
    except (OSError, yaml.YAMLError):
        # Unreadable, broken or refused (too deep, alias bomb): the loader reports it, located.
        return True
    if not isinstance(document, dict):
        return False
    api = document.get("apiVersion")
    return document.get("kind") == "MigrationPlan" or (
        isinstance(api, str) and api.startswith("c8migrate/"))


def expand_paths(paths: Sequence[str]) -> Iterator[str]:
    """Plan files named by ``paths``; folders give the plans directly inside them, sorted."""
    seen: set[Path] = set()
    for given in paths:
        path = Path(given)
        if path.is_dir():
            found = sorted(p for p in path.iterdir()
                           if p.suffix in PLAN_SUFFIXES and p.is_file() and looks_like_plan(p))
        else:
            found = [path]
        for plan_file in found:
            key = plan_file.resolve()
            if key not in seen:
                seen.add(key)
                yield str(plan_file)


class _BpmnCache:
    """Each BPMN file is parsed once per validation run."""

    def __init__(self) -> None:
        self._documents: dict[str, BpmnDocument | BpmnLoadError] = {}

    def load(self, path: str) -> BpmnDocument | BpmnLoadError:
        """The parsed document, or the load error to report for every plan using it."""
        if path not in self._documents:
            try:
                self._documents[path] = load_bpmn(path)
            except BpmnLoadError as exc:
                self._documents[path] = exc
        return self._documents[path]


def _process(plan: Plan, side: str, ref: ProcessRef,
             cache: _BpmnCache) -> tuple[ProcessModel | None, list[Finding]]:
    loaded = cache.load(ref.bpmn)
    if isinstance(loaded, BpmnLoadError):
        findings = list(loaded.findings) or [Finding(
            "B01", Severity.ERROR, loaded.message, ref.bpmn_location, hint=loaded.hint)]
        return None, findings
    model = loaded.processes.get(ref.process_definition_id)
    if model is not None:
        return model, []
    known = sorted(loaded.processes)
    close = difflib.get_close_matches(ref.process_definition_id, known, n=3, cutoff=0.3)
    hint = ("process ids in the file: " + ", ".join(f"'{k}'" for k in (close or known))
            if known else "the file has no executable process")
    return None, [Finding(
        "P05", Severity.ERROR,
        f"{side}.processDefinitionId '{ref.process_definition_id}' is not a process in "
        f"{ref.bpmn}", plan.location_of(f"/{side}/processDefinitionId"), hint=hint)]


def validate_plan(plan: Plan, server: ServerVersion,
                  cache: _BpmnCache | None = None) -> PlanValidation:
    """Validate one loaded plan against its two BPMN files."""
    cache = cache or _BpmnCache()
    source, source_findings = _process(plan, "source", plan.source, cache)
    target, target_findings = _process(plan, "target", plan.target, cache)
    findings = source_findings + target_findings
    if source is None or target is None:
        return PlanValidation(plan.path, plan, tuple(sorted_findings(findings)))
    effective = effective_instructions(plan.mappings, plan.auto_mapping, source, target)
    judged = judged_version(server)
    request = MigrationRequest(source, target, tuple(e.instruction() for e in effective), judged)
    findings.extend(validate_offline(request, plan, effective))
    if judged != server:
        findings.append(Finding(
            "N00", Severity.NOTE,
            f"Camunda {server.major}.{server.minor} is newer than the newest version whose "
            f"migration rules c8migrate knows: judged with the rules of "
            f"{judged.major}.{judged.minor}", plan.location_of("/source"),
            hint="upgrade c8migrate for the rules of newer versions"))
    return PlanValidation(
        plan.path, plan, tuple(sorted_findings(findings)),
        effective_mappings=tuple((e.source, e.target, e.origin) for e in effective))


def validate_paths(paths: Sequence[str], server: ServerVersion = NEWEST,
                   server_source: VersionSource = "default") -> ValidationResult:
    """Validate every plan file named by ``paths`` (files or directories)."""
    cache = _BpmnCache()
    results: list[PlanValidation] = []
    for plan_file in expand_paths(paths):
        load = load_plan(plan_file)
        if load.plan is None:
            results.append(PlanValidation(plan_file, None, tuple(sorted_findings(load.findings))))
            continue
        results.append(validate_plan(load.plan, server, cache))
    return ValidationResult(tuple(results), server, server_source)
