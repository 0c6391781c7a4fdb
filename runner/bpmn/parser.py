"""Secure BPMN parsing into the typed model (runner.bpmn.model).

``load_bpmn`` reads a file, ``parse_bpmn_bytes`` parses bytes already in memory. Both return
a BpmnDocument with one ProcessModel per ``process`` of the file (each pool of a
collaboration is its own process; ids resolve only inside it) or raise BpmnLoadError whose
``findings`` say what is wrong and where:

    B01 not well-formed XML            B05 duplicate id (one finding per duplicate)
    B02 DOCTYPE / entities refused     B06 no process in the file
    B03 file too large                 B07 file missing or unreadable
    B04 root is not bpmn:definitions   B08 boundary event not attached to an activity
    B09 flow element without an id    B10 sequence flow refers to a missing element

B08-B10 are raised rather than passed on: Zeebe refuses to deploy such a model, so no
instance can ever wait in it, and a model whose boundary events float free or whose flows
lead nowhere would mislead every rule.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from lxml import etree

from runner.bounded_read import read_at_most
from runner.bpmn.element_types import (
    EVENT_DEFINITION_TYPES,
    EVENT_TAGS,
    SCOPE_TAGS,
    element_type_of,
)
from runner.bpmn.integrity import check_attachments, check_ids_and_flows, check_unique_ids
from runner.bpmn.lazy_elements import LazyElements
from runner.bpmn.model import BpmnDocument, Element, ProcessModel
from runner.bpmn.namespaces import (
    MODEL,
    MODEL_PREFIX,
    MODELER,
    line_of,
    model_children,
    qname,
    split_tag,
)
from runner.bpmn.root_index import RootIndex
from runner.bpmn.secure_xml import MAX_BPMN_BYTES, load_error, parse_secure
from runner.bpmn.zeebe_facts import facts_of, loop_facts, zeebe_facts
from runner.findings import Location

__all__ = ["MAX_BPMN_BYTES", "load_bpmn", "parse_bpmn_bytes"]

_LOCAL = len(MODEL_PREFIX)
_ANY_MODEL = f"{MODEL_PREFIX}*"
_MULTI_INSTANCE = f"{MODEL_PREFIX}multiInstanceLoopCharacteristics"
_STANDARD_LOOP = f"{MODEL_PREFIX}standardLoopCharacteristics"
_EXTENSION_ELEMENTS = f"{MODEL_PREFIX}extensionElements"
_TIMER_KINDS = {"timeDuration": "duration", "timeDate": "date", "timeCycle": "cycle"}


def load_bpmn(path: str | Path, *, display_path: str | None = None) -> BpmnDocument:
    """Read and parse the BPMN file at ``path``.

    ``display_path`` is how the file is named in locations (default: ``path`` as given).
    Raises BpmnLoadError (B07 when the file cannot be read, else see parse_bpmn_bytes).
    """
    file = display_path if display_path is not None else str(path)
    try:
        with open(path, "rb") as stream:
            data = read_at_most(stream, MAX_BPMN_BYTES)
    except FileNotFoundError as exc:
        raise load_error("B07", "BPMN file not found", Location(file)) from exc
    except OSError as exc:
        raise load_error("B07", f"cannot read the BPMN file: {exc.strerror or exc}",
                         Location(file)) from exc
    return parse_bpmn_bytes(data, file)


def parse_bpmn_bytes(data: bytes, file: str) -> BpmnDocument:
    """Parse BPMN ``data``; ``file`` names it in locations. Raises BpmnLoadError."""
    root = parse_secure(data, file)
    if split_tag(root) != (MODEL, "definitions"):
        namespace, local = split_tag(root)
        shown = f"{{{namespace}}}{local}" if namespace else local
        raise load_error(
            "B04",
            f"the root element is {shown}, not definitions in the BPMN 2.0 MODEL namespace "
            f"({MODEL})",
            Location(file, line_of(root)),
        )
    check_unique_ids(root, file)
    index = RootIndex(root)
    processes: dict[str, ProcessModel] = {}
    process_elements: dict[str, etree._Element] = {}
    for process in model_children(root, "process"):
        model = _ProcessBuilder(process, file, index).build()
        if model is not None:
            processes[model.process_id] = model
            process_elements[model.process_id] = process
    if not processes:
        raise load_error(
            "B06", "the file has no process (a collaboration without a process or empty "
            "definitions cannot be deployed)", Location(file, line_of(root)))
    check_ids_and_flows(process_elements, file)
    check_attachments(process_elements, file)
    return BpmnDocument(
        file=file,
        processes=processes,
        exporter=_joined(root.get("exporter"), root.get("exporterVersion")),
        execution_platform=root.get(qname(MODELER, "executionPlatform")),
        execution_platform_version=root.get(qname(MODELER, "executionPlatformVersion")),
    )


def _joined(exporter: str | None, version: str | None) -> str | None:
    if exporter and version:
        return f"{exporter} {version}"
    return exporter


class _ProcessBuilder:
    """Reads one ``process`` element: its own attributes at once, its flow elements into
    frozen Elements when the model's ``elements`` are first used (see LazyElements)."""

    def __init__(self, process: etree._Element, file: str, index: RootIndex) -> None:
        self.process = process
        self.file = file
        self.index = index
        self.fields: dict[str, dict[str, Any]] = {}
        self.model: ProcessModel | None = None

    def build(self) -> ProcessModel | None:
        process_id = self.process.get("id")
        if not process_id:
            return None
        facts = zeebe_facts(self.process, "PROCESS")
        version_tag = facts["extensions"].pop("versionTag.value", None)
        self.fields[process_id] = dict(
            id=process_id, tag="process", element_type="PROCESS", line=line_of(self.process),
            flow_scope=None, name=self.process.get("name"), **facts)
        self.model = ProcessModel(
            process_id=process_id, file=self.file, line=line_of(self.process),
            elements=LazyElements(self._elements), name=self.process.get("name"),
            version_tag=version_tag, is_executable=self.process.get("isExecutable") == "true",
        )
        return self.model

    def _elements(self) -> dict[str, Element]:
        process_id = next(iter(self.fields))
        self._collect(self.process, process_id, in_event_sub_process=False)
        self._link_flows()
        elements = {element_id: Element.from_fields(kwargs)
                    for element_id, kwargs in self.fields.items()}
        if self.model is not None:
            # The model holds the plain dict from now on, so that the rules' lookups (tens
            # of thousands per validation) skip the lazy wrapper. Its value is unchanged.
            object.__setattr__(self.model, "elements", elements)
        return elements

    def _collect(self, scope: etree._Element, scope_id: str, in_event_sub_process: bool) -> None:
        # integrity._collect_hosts walks the same elements: keep the two in step.
        for child in scope.iterchildren(_ANY_MODEL):
            tag = child.tag[_LOCAL:]
            is_esp = tag == "subProcess" and child.get("triggeredByEvent") == "true"
            element_type = element_type_of(tag, is_esp)
            if element_type is None:
                continue
            element_id = child.get("id")
            if not element_id:
                continue
            kwargs: dict[str, Any] = dict(
                id=element_id, tag=tag, element_type=element_type, line=child.sourceline,
                flow_scope=scope_id, name=child.get("name"))
            # One C-filtered pass tells whether the element has extensions or loop markers;
            # most elements (flows above all) have neither and skip both readers.
            special = list(child.iterchildren(_EXTENSION_ELEMENTS, _MULTI_INSTANCE,
                                              _STANDARD_LOOP))
            kwargs.update(zeebe_facts(child, element_type) if special else
                          facts_of((), element_type))
            if tag in EVENT_TAGS:
                self._event_fields(child, kwargs, in_event_sub_process)
            elif tag == "receiveTask":
                self._message_fields(child.get("messageRef"), kwargs)
            elif tag == "sequenceFlow":
                kwargs["source_ref"] = child.get("sourceRef")
                kwargs["target_ref"] = child.get("targetRef")
                for condition in child.iterchildren(f"{MODEL_PREFIX}conditionExpression"):
                    kwargs["extensions"]["conditionExpression"] = (condition.text or "").strip()
            default = child.get("default")
            if default:
                kwargs["extensions"]["defaultFlow"] = default
            if special:
                self._loop_fields(child, kwargs)
            self.fields[element_id] = kwargs
            if tag in SCOPE_TAGS:
                self._collect(child, element_id, in_event_sub_process=is_esp)

    def _loop_fields(self, element: etree._Element, kwargs: dict[str, Any]) -> None:
        for loop in element.iterchildren(_MULTI_INSTANCE):
            kwargs["multi_instance"] = (
                "sequential" if loop.get("isSequential") == "true" else "parallel")
            loop_facts(loop, kwargs["extensions"])
        for _ in element.iterchildren(_STANDARD_LOOP):
            kwargs["extensions"]["standardLoop"] = "true"
            break

    def _event_fields(self, event: etree._Element, kwargs: dict[str, Any],
                      in_event_sub_process: bool) -> None:
        definitions = [d for d in event.iterchildren(_ANY_MODEL)
                       if d.tag[_LOCAL:] in EVENT_DEFINITION_TYPES]
        for ref in event.iterchildren(f"{MODEL_PREFIX}eventDefinitionRef"):
            target = self.index.by_id.get((ref.text or "").strip())
            if target is not None and split_tag(target)[1] in EVENT_DEFINITION_TYPES:
                definitions.append(target)
        kinds = [EVENT_DEFINITION_TYPES[split_tag(d)[1]] for d in definitions]
        kwargs["event_type"] = kinds[0] if kinds else "NONE"
        if len(kinds) > 1:
            kwargs["extensions"]["eventDefinitions"] = ",".join(kinds)
        tag = kwargs["tag"]
        if tag == "boundaryEvent":
            kwargs["attached_to"] = event.get("attachedToRef")
            kwargs["interrupting"] = event.get("cancelActivity") != "false"
        elif tag == "startEvent" and in_event_sub_process:
            kwargs["interrupting"] = event.get("isInterrupting") != "false"
        if definitions:
            self._definition_fields(definitions[0], kwargs)

    def _definition_fields(self, definition: etree._Element, kwargs: dict[str, Any]) -> None:
        local = split_tag(definition)[1]
        if local == "messageEventDefinition":
            self._message_fields(definition.get("messageRef"), kwargs)
        elif local == "timerEventDefinition":
            for child in definition.iterchildren(_ANY_MODEL):
                kind = _TIMER_KINDS.get(child.tag[_LOCAL:])
                if kind is not None:
                    kwargs["timer"] = f"{kind}:{(child.text or '').strip()}"
        elif local == "signalEventDefinition":
            kwargs["signal_name"] = self.index.attribute(
                definition.get("signalRef"), "signal", "name")
        elif local == "errorEventDefinition":
            kwargs["error_code"] = self.index.attribute(
                definition.get("errorRef"), "error", "errorCode")
        elif local == "escalationEventDefinition":
            kwargs["escalation_code"] = self.index.attribute(
                definition.get("escalationRef"), "escalation", "escalationCode")

    def _message_fields(self, message_ref: str | None, kwargs: dict[str, Any]) -> None:
        kwargs["message_name"] = self.index.attribute(message_ref, "message", "name")
        kwargs["correlation_key"] = self.index.correlation_key(message_ref)

    def _link_flows(self) -> None:
        incoming: dict[str, list[str]] = {}
        outgoing: dict[str, list[str]] = {}
        for flow_id, kwargs in self.fields.items():
            if kwargs["element_type"] != "SEQUENCE_FLOW":
                continue
            if kwargs.get("source_ref"):
                outgoing.setdefault(kwargs["source_ref"], []).append(flow_id)
            if kwargs.get("target_ref"):
                incoming.setdefault(kwargs["target_ref"], []).append(flow_id)
        for element_id, kwargs in self.fields.items():
            kwargs["incoming"] = tuple(incoming.get(element_id, ()))
            kwargs["outgoing"] = tuple(outgoing.get(element_id, ()))
