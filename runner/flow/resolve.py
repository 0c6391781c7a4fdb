"""Resolving a plan against a live cluster: definition keys, deployed models, the request.

The dry run and apply judge with the DEPLOYED models (what Zeebe will use), not with the
plan's files. When a deployed definition differs in substance from the file the plan names
(the file a reviewer read), that is an error finding (D02): the review was of something else.

Finding codes of this module (live state against the plan):

* ``D01`` the source or target definition is not deployed (error);
* ``D02`` the deployed BPMN differs from the plan's file (error; names, layout and other
  cosmetic differences are ignored);
* ``D03`` the deployed XML could not be read; the plan's file is used instead (warning);
* ``D05`` the plan uses something the cluster's version cannot do (error): a variable filter
  or ``rollout.mode: batch`` before 8.8. A variable filter stops the plan's dry run (no
  instance is judged); batch mode does not (the counts still show what single mode would do).
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Protocol

from runner.bpmn.model import Element, ProcessModel
from runner.bpmn.parser import load_bpmn, parse_bpmn_bytes
from runner.cluster.model import DefinitionInfo
from runner.cluster.problem import DefinitionNotFound
from runner.engine.state import Instruction, MigrationRequest
from runner.errors import BpmnLoadError, ClusterResponseError
from runner.findings import Finding, Location, Severity
from runner.flow.mappings import plan_instructions
from runner.plan.model import Plan, ProcessRef
from runner.version import ServerVersion


class DefinitionSource(Protocol):
    """The part of ClusterClient that resolving needs."""

    def find_definition(self, process_id: str, version: int | None = None,
                        version_tag: str | None = None,
                        tenant_id: str | None = None) -> DefinitionInfo: ...

    def definition_xml(self, key: str) -> bytes: ...


@dataclass(frozen=True, slots=True)
class ResolvedPlan:
    """A plan bound to the cluster: both definitions and the MIGRATE request to judge."""

    plan: Plan
    server: ServerVersion
    source: DefinitionInfo | None
    target: DefinitionInfo | None
    request: MigrationRequest | None
    """None when a definition is missing or a model could not be loaded (see findings)."""
    findings: tuple[Finding, ...]

    @property
    def source_key(self) -> str:
        return self.source.key if self.source else ""

    @property
    def target_key(self) -> str:
        return self.target.key if self.target else ""


def resolve_plan(plan: Plan, client: DefinitionSource, server: ServerVersion,
                 instructions: tuple[Instruction, ...] | None = None) -> ResolvedPlan:
    """Find both definitions, load their deployed models, compare with the plan's files.

    ``instructions`` default to the engine's effective instructions (explicit + auto).
    """
    findings = version_findings(plan, server)
    source = _find(plan, plan.source, "source", client, findings)
    target = _find(plan, plan.target, "target", client, findings)
    source_model = _deployed_model(plan, plan.source, source, client, findings)
    target_model = _deployed_model(plan, plan.target, target, client, findings)
    if (source is None or target is None or source_model is None or target_model is None
            or (plan.filter.variables and not server.at_least("8.8"))):
        return ResolvedPlan(plan, server, source, target, None, tuple(findings))
    if instructions is None:
        instructions = plan_instructions(plan, source_model, target_model)
    request = MigrationRequest(source=source_model, target=target_model,
                               instructions=instructions, server=server,
                               target_definition_key=target.key,
                               source_definition_key=source.key)
    return ResolvedPlan(plan, server, source, target, request, tuple(findings))


def version_findings(plan: Plan, server: ServerVersion) -> list[Finding]:
    """D05: what the plan asks for that the cluster's version cannot do."""
    if server.at_least("8.8"):
        return []
    findings = []
    if plan.filter.variables:
        findings.append(Finding(
            "D05", Severity.ERROR,
            f"filter.variables needs Camunda 8.8 or newer; the cluster is {server}: before "
            "8.8 the instance search cannot select by variable values the same way in the "
            "dry run and in apply, so this plan's instances were not judged",
            location=plan.location_of("/filter/variables"),
            hint="filter by processInstanceKeys (or activeElementIds) instead, or upgrade "
                 "the cluster"))
    if plan.rollout.mode == "batch":
        findings.append(Finding(
            "D05", Severity.ERROR,
            f"rollout.mode batch needs Camunda 8.8 or newer (server-side batch migration); "
            f"the cluster is {server}, so apply would refuse",
            location=plan.location_of("/rollout/mode"),
            hint="use mode single, or auto (which picks single before 8.8)"))
    return findings


def _side_location(plan: Plan, ref: ProcessRef, side: str) -> Location:
    return ref.location or plan.location_of(f"/{side}")


def _find(plan: Plan, ref: ProcessRef, side: str, client: DefinitionSource,
          findings: list[Finding]) -> DefinitionInfo | None:
    try:
        return client.find_definition(ref.process_definition_id, version=ref.version,
                                      version_tag=ref.version_tag, tenant_id=plan.tenant_id)
    except DefinitionNotFound as exc:
        findings.append(Finding(
            "D01", Severity.ERROR, f"the {side} definition is not deployed: {exc.message}",
            location=_side_location(plan, ref, side),
            hint=exc.hint or "deploy the BPMN before applying the plan"))
        return None


def _deployed_model(plan: Plan, ref: ProcessRef, info: DefinitionInfo | None,
                    client: DefinitionSource, findings: list[Finding]) -> ProcessModel | None:
    reviewed = _plan_file_model(plan, ref, findings)
    if info is None:
        return None
    where = _side_location(plan, ref, "source" if ref is plan.source else "target")
    try:
        xml = client.definition_xml(info.key)
        document = parse_bpmn_bytes(xml, f"deployed definition {info.key}")
    except (ClusterResponseError, BpmnLoadError) as exc:
        findings.append(Finding(
            "D03", Severity.WARNING,
            f"could not read the deployed XML of definition {info.key} "
            f"({ref.process_definition_id} version {info.version}): {exc}; judging with "
            f"{ref.bpmn} instead", location=where))
        return reviewed
    deployed = document.processes.get(ref.process_definition_id)
    if deployed is None:
        findings.append(Finding(
            "D02", Severity.ERROR,
            f"the deployed definition {info.key} has no process '{ref.process_definition_id}'",
            location=where))
        return None
    if reviewed is not None:
        differences = model_differences(reviewed, deployed)
        if differences:
            shown = "; ".join(differences[:5]) + ("; ..." if len(differences) > 5 else "")
            findings.append(Finding(
                "D02", Severity.ERROR,
                f"{ref.bpmn} differs from what is deployed as {ref.process_definition_id} "
                f"version {info.version} (key {info.key}): {shown}",
                location=ref.bpmn_location or where,
                hint="point the plan at the BPMN file that was deployed (or deploy this one); "
                     "the dry run judges with the deployed model"))
    return deployed


def _plan_file_model(plan: Plan, ref: ProcessRef,
                     findings: list[Finding]) -> ProcessModel | None:
    try:
        document = load_bpmn(ref.bpmn)
    except BpmnLoadError as exc:
        findings.extend(exc.findings)
        return None
    return document.processes.get(ref.process_definition_id)


def _substance(element: Element) -> Element:
    """The element without what does not change execution (source line, display name)."""
    return dataclasses.replace(element, line=None, name=None)


def model_differences(reviewed: ProcessModel, deployed: ProcessModel) -> list[str]:
    """What differs in substance between two models of one process, as short phrases."""
    differences: list[str] = []
    for element_id in sorted(set(reviewed.elements) | set(deployed.elements)):
        mine, theirs = reviewed.get(element_id), deployed.get(element_id)
        if mine is None:
            differences.append(f"{element_id} is deployed but not in the file")
        elif theirs is None:
            differences.append(f"{element_id} is in the file but not deployed")
        elif _substance(mine) != _substance(theirs):
            changed = [f.name for f in dataclasses.fields(Element)
                       if f.name not in ("line", "name")
                       and getattr(mine, f.name) != getattr(theirs, f.name)]
            differences.append(f"{element_id} differs ({', '.join(changed)})")
    return differences
