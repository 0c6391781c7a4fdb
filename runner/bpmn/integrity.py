"""Document-level integrity checks of a parsed BPMN file (B05 duplicate ids, B08 boundary
events that are not attached to an activity)."""

from __future__ import annotations

from lxml import etree

from runner.bpmn.element_types import ACTIVITY_TAGS
from runner.bpmn.model import ProcessModel
from runner.bpmn.namespaces import ID_NAMESPACES, line_of, split_tag
from runner.errors import BpmnLoadError
from runner.findings import Finding, Location, Severity

_ID_SPACE_TAGS = tuple(f"{{{namespace}}}*" for namespace in sorted(ID_NAMESPACES))
"""Tag filters that make lxml visit only elements of ID_NAMESPACES (selected in C)."""


def check_unique_ids(root: etree._Element, file: str) -> None:
    """Raise B05 for every id used twice.

    Ids of BPMN semantic and diagram elements share one ID space. Vendor extension
    elements in other namespaces keep their own ids and are not checked."""
    ids = [element.get("id") for element in root.iter(*_ID_SPACE_TAGS)]
    ids = [element_id for element_id in ids if element_id is not None]
    if len(set(ids)) == len(ids):
        return
    first_line: dict[str, int | None] = {}
    findings: list[Finding] = []
    for element in root.iter():
        element_id = element.get("id")
        if element_id is None or split_tag(element)[0] not in ID_NAMESPACES:
            continue
        if element_id in first_line:
            findings.append(Finding(
                "B05", Severity.ERROR,
                f"duplicate id '{element_id}' (first used on line {first_line[element_id]})",
                Location(file, line_of(element)),
                hint="ids must be unique in a BPMN file; Zeebe refuses to deploy it",
            ))
        else:
            first_line[element_id] = line_of(element)
    if findings:
        raise BpmnLoadError(f"{file}: {len(findings)} duplicate id(s)", findings=tuple(findings))


def check_attachments(processes: dict[str, ProcessModel], file: str) -> None:
    """Raise B08 for every boundary event not attached to an activity of its own process."""
    findings: list[Finding] = []
    for model in processes.values():
        for element in model:
            if element.element_type != "BOUNDARY_EVENT":
                continue
            host = model.get(element.attached_to) if element.attached_to else None
            if (host is not None and host.tag in ACTIVITY_TAGS
                    and host.element_type != "EVENT_SUB_PROCESS"):
                continue
            problem = ("has no attachedToRef" if not element.attached_to else
                       f"is attached to '{element.attached_to}', which is not an activity of "
                       f"process '{model.process_id}'")
            findings.append(Finding("B08", Severity.ERROR,
                                    f"boundary event '{element.id}' {problem}",
                                    Location(file, element.line)))
    if findings:
        raise BpmnLoadError(f"{file}: boundary events not attached to an activity",
                            findings=tuple(findings))
