"""XML namespace URIs of BPMN 2.0 and Camunda's extensions.

Elements are matched on these URIs, never on prefixes: exporters write ``bpmn:``,
``bpmn2:``, ``semantic:``, ``model:`` or no prefix at all for the same namespace.
"""

from __future__ import annotations

from lxml import etree

MODEL = "http://www.omg.org/spec/BPMN/20100524/MODEL"
BPMNDI = "http://www.omg.org/spec/BPMN/20100524/DI"
DC = "http://www.omg.org/spec/DD/20100524/DC"
DI = "http://www.omg.org/spec/DD/20100524/DI"
ZEEBE = "http://camunda.org/schema/zeebe/1.0"
MODELER = "http://camunda.org/schema/modeler/1.0"

ID_NAMESPACES = frozenset({MODEL, BPMNDI, DC, DI})
"""Namespaces whose ``id`` attributes share one XML ID space (BPMN 2.0 schema)."""


def qname(namespace: str, local: str) -> str:
    """Clark notation ``{namespace}local`` as lxml uses for tags and attributes."""
    return f"{{{namespace}}}{local}"


def split_tag(element: etree._Element) -> tuple[str | None, str]:
    """(namespace URI or None, local name) of an element's tag."""
    tag = element.tag
    if not isinstance(tag, str):
        return None, ""
    if tag.startswith("{"):
        namespace, _, local = tag[1:].partition("}")
        return namespace, local
    return None, tag


def line_of(element: etree._Element) -> int | None:
    """The element's 1-based source line (lxml knows lines, not columns)."""
    line: object = element.sourceline
    return line if isinstance(line, int) else None


MODEL_PREFIX = f"{{{MODEL}}}"
ZEEBE_PREFIX = f"{{{ZEEBE}}}"
_ANY_MODEL = f"{MODEL_PREFIX}*"
_ANY_ZEEBE = f"{ZEEBE_PREFIX}*"
_EXTENSION_ELEMENTS = f"{MODEL_PREFIX}extensionElements"


def model_children(element: etree._Element, local: str | None = None) -> list[etree._Element]:
    """Direct children in the BPMN MODEL namespace, optionally only those named ``local``."""
    # lxml filters by tag in C, which is far cheaper than splitting every tag in Python.
    return list(element.iterchildren(_ANY_MODEL if local is None else MODEL_PREFIX + local))


def zeebe_extensions(element: etree._Element) -> list[etree._Element]:
    """The ``zeebe:*`` elements under the element's ``extensionElements``."""
    found: list[etree._Element] = []
    for container in element.iterchildren(_EXTENSION_ELEMENTS):
        found.extend(container.iterchildren(_ANY_ZEEBE))
    return found
