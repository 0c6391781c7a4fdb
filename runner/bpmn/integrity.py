"""Document-level integrity checks of a parsed BPMN file (B05 duplicate ids, B08 boundary
events that are not attached to an activity, B09 flow elements without an id, B10 sequence
flows whose source or target is not a flow node of their process)."""

from __future__ import annotations

from lxml import etree

from runner.bpmn.element_types import ACTIVITY_TAGS, SCOPE_TAGS, element_type_of
from runner.bpmn.namespaces import ID_NAMESPACES, MODEL_PREFIX, line_of, split_tag
from runner.errors import BpmnLoadError
from runner.findings import Finding, Location, Severity

_ANY_MODEL = f"{MODEL_PREFIX}*"
_LOCAL = len(MODEL_PREFIX)
_BOUNDARY_EVENT = f"{MODEL_PREFIX}boundaryEvent"
_ALL_IDS = etree.XPath("descendant-or-self::*/@id", smart_strings=False)


def check_unique_ids(root: etree._Element, file: str) -> None:
    """Raise B05 for every id used twice.

    Ids of BPMN semantic and diagram elements share one ID space. Vendor extension
    elements in other namespaces keep their own ids and are not checked."""
    # Fast path, in C: the ids of all elements, whatever their namespace. Unique there
    # means unique in the ID space; otherwise the walk below finds the duplicates that count.
    ids: list[str] = _ALL_IDS(root)  # type: ignore[assignment]
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


def check_attachments(processes: dict[str, etree._Element], file: str) -> None:
    """Raise B08 for every boundary event not attached to an activity of its own process.

    ``processes`` are the ``process`` elements by process id. This reads the XML, not the
    typed model, so that the model can be built later; it visits exactly the elements the
    parser turns into Elements (flow elements with an id, inside scopes with an id)."""
    findings: list[Finding] = []
    for process_id, process in processes.items():
        if next(process.iter(_BOUNDARY_EVENT), None) is None:
            continue
        can_host: dict[str, bool] = {process_id: False}
        boundary_events: list[tuple[str, str | None, int | None]] = []
        _collect_hosts(process, can_host, boundary_events)
        for event_id, attached_to, line in boundary_events:
            if attached_to and can_host.get(attached_to, False):
                continue
            problem = ("has no attachedToRef" if not attached_to else
                       f"is attached to '{attached_to}', which is not an activity of "
                       f"process '{process_id}'")
            findings.append(Finding("B08", Severity.ERROR,
                                    f"boundary event '{event_id}' {problem}",
                                    Location(file, line)))
    if findings:
        raise BpmnLoadError(f"{file}: boundary events not attached to an activity",
                            findings=tuple(findings))


def _collect_hosts(scope: etree._Element, can_host: dict[str, bool],
                   boundary_events: list[tuple[str, str | None, int | None]]) -> None:
    """Mirror of the parser's walk: every flow element id -> whether a boundary event may be
    attached to it; the boundary events in document order."""
    for child in scope.iterchildren(_ANY_MODEL):
        tag = child.tag[_LOCAL:]
        is_esp = tag == "subProcess" and child.get("triggeredByEvent") == "true"
        if element_type_of(tag, is_esp) is None:
            continue
        element_id = child.get("id")
        if not element_id:
            continue
        can_host[element_id] = tag in ACTIVITY_TAGS and not is_esp
        if tag == "boundaryEvent":
            boundary_events.append((element_id, child.get("attachedToRef"), line_of(child)))
        if tag in SCOPE_TAGS:
            _collect_hosts(child, can_host, boundary_events)


_SEQUENCE_FLOW = "sequenceFlow"
_NO_ID_HINT = "give every flow element a unique id; Zeebe refuses to deploy the file otherwise"


def check_ids_and_flows(processes: dict[str, etree._Element], file: str) -> None:
    """Raise B09 for every flow element without an id (or with a blank one) and, when all
    have one, B10 for every sequence flow whose sourceRef or targetRef is missing or names
    no flow node of its own process. Zeebe refuses to deploy either."""
    missing: list[Finding] = []
    broken: list[Finding] = []
    for process in processes.values():
        nodes: set[str] = set()
        flows: list[etree._Element] = []
        _collect_ids(process, nodes, flows, missing, file)
        for flow in flows:
            for side in ("sourceRef", "targetRef"):
                ref = flow.get(side)
                if ref and ref in nodes:
                    continue
                problem = (f"has no {side}" if not ref else
                           f"{side} '{ref}' is not a flow node of process '{process.get('id')}'")
                broken.append(Finding(
                    "B10", Severity.ERROR, f"sequence flow '{flow.get('id')}' {problem}",
                    Location(file, line_of(flow)),
                    hint="connect the flow to elements of the same process; Zeebe refuses "
                         "to deploy the file otherwise"))
    if missing:
        raise BpmnLoadError(f"{file}: flow elements without an id", findings=tuple(missing))
    if broken:
        raise BpmnLoadError(f"{file}: sequence flows refer to missing elements",
                            findings=tuple(broken))


def _collect_ids(scope: etree._Element, nodes: set[str], flows: list[etree._Element],
                 missing: list[Finding], file: str) -> None:
    """The flow node ids and sequence flows under ``scope`` (the parser's walk, which also
    descends into scopes), and a B09 finding for each flow element without an id."""
    for child in scope.iterchildren(_ANY_MODEL):
        tag = child.tag[_LOCAL:]
        is_esp = tag == "subProcess" and child.get("triggeredByEvent") == "true"
        if element_type_of(tag, is_esp) is None:
            continue
        element_id = (child.get("id") or "").strip()
        if not element_id:
            missing.append(Finding("B09", Severity.ERROR, f"{tag} without an id",
                                   Location(file, line_of(child)), hint=_NO_ID_HINT))
        elif tag == _SEQUENCE_FLOW:
            flows.append(child)
        else:
            nodes.add(element_id)
        if tag in SCOPE_TAGS:
            _collect_ids(child, nodes, flows, missing, file)
