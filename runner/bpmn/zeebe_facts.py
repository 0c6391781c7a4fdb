"""Reading the ``zeebe:*`` extension elements of one BPMN element into Element fields.

Facts with their own Element field (job type, form, assignment, called process, input
mappings) go there; everything else lands in ``extensions`` under a flat key so that
version-to-version comparisons see it:

* ``taskHeader.<key>``            zeebe:taskHeaders/zeebe:header value
* ``executionListener.<event>``   zeebe:executionListeners types for that event (", "-joined)
* ``taskListener.<event>``        zeebe:taskListeners types for that event (", "-joined)
* ``output.<target>``             zeebe:ioMapping/zeebe:output source
* ``property.<name>``             zeebe:properties/zeebe:property value
* ``<element>.<attribute>``       any other zeebe extension attribute, e.g.
                                  ``calledDecision.decisionId``,
                                  ``loopCharacteristics.inputCollection``
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from lxml import etree

from runner.bpmn.element_types import CAMUNDA_USER_TASK_JOB_TYPE
from runner.bpmn.namespaces import ZEEBE_PREFIX, zeebe_extensions

EMBEDDED_FORM_PREFIX = "camunda-forms:bpmn:"


_LOCAL = len(ZEEBE_PREFIX)


def _zeebe_children(element: etree._Element, local: str) -> list[etree._Element]:
    return list(element.iterchildren(ZEEBE_PREFIX + local))


def _add_joined(extensions: dict[str, str], key: str, value: str) -> None:
    previous = extensions.get(key)
    extensions[key] = value if previous is None else f"{previous}, {value}"


def _listeners(container: etree._Element, kind: str, extensions: dict[str, str]) -> None:
    for listener in _zeebe_children(container, kind):
        event = listener.get("eventType") or "unspecified"
        _add_joined(extensions, f"{kind}.{event}", listener.get("type") or "")


def _form_kind(form: etree._Element) -> str | None:
    form_key = form.get("formKey")
    if form_key and form_key.startswith(EMBEDDED_FORM_PREFIX):
        return "embedded"
    if form.get("formId"):
        return "linked"
    if form_key or form.get("externalReference"):
        return "external"
    return None


def _generic(ext: etree._Element, local: str, extensions: dict[str, str]) -> None:
    for attribute in ext.attrib:
        name = str(attribute)
        if "}" not in name:
            extensions[f"{local}.{name}"] = ext.get(name) or ""


def zeebe_facts(element: etree._Element, element_type: str) -> dict[str, Any]:
    """Element keyword arguments read from ``element``'s zeebe extension elements."""
    return facts_of(zeebe_extensions(element), element_type)


def facts_of(zeebe_elements: Iterable[etree._Element], element_type: str) -> dict[str, Any]:
    """Element keyword arguments read from these zeebe extension elements of an element of
    ``element_type`` (none at all still gives the defaults, e.g. of a job-worker user task)."""
    facts: dict[str, Any] = {}
    extensions: dict[str, str] = {}
    inputs: list[tuple[str, str]] = []
    is_camunda_user_task = False
    for ext in zeebe_elements:
        local = ext.tag[_LOCAL:]
        if local == "taskDefinition":
            facts["job_type"] = ext.get("type")
            facts["job_retries"] = ext.get("retries")
        elif local == "calledElement":
            facts["called_process_id"] = ext.get("processId")
            _generic(ext, local, extensions)
        elif local == "ioMapping":
            for mapping in _zeebe_children(ext, "input"):
                inputs.append((mapping.get("source") or "", mapping.get("target") or ""))
            for mapping in _zeebe_children(ext, "output"):
                extensions[f"output.{mapping.get('target') or ''}"] = mapping.get("source") or ""
        elif local == "taskHeaders":
            for header in _zeebe_children(ext, "header"):
                extensions[f"taskHeader.{header.get('key') or ''}"] = header.get("value") or ""
        elif local in ("executionListeners", "taskListeners"):
            _listeners(ext, local[:-1], extensions)
        elif local == "properties":
            for prop in _zeebe_children(ext, "property"):
                extensions[f"property.{prop.get('name') or ''}"] = prop.get("value") or ""
        elif local == "userTask":
            is_camunda_user_task = True
        elif local == "userTaskForm":
            continue  # a process-level form body that formKeys refer to, not a fact to compare
        elif local == "formDefinition":
            facts["form"] = _form_kind(ext)
            _generic(ext, local, extensions)
        elif local == "assignmentDefinition":
            facts["assignee"] = ext.get("assignee")
            facts["candidate_groups"] = ext.get("candidateGroups")
            _generic(ext, local, extensions)
        else:
            _generic(ext, local, extensions)
    if element_type == "USER_TASK":
        facts["user_task_impl"] = "zeebe user task" if is_camunda_user_task else "job worker"
        if not is_camunda_user_task and facts.get("job_type") is None:
            facts["job_type"] = CAMUNDA_USER_TASK_JOB_TYPE
    facts["input_mappings"] = tuple(inputs)
    facts["extensions"] = extensions
    return facts


def loop_facts(loop: etree._Element, extensions: dict[str, str]) -> None:
    """Add the zeebe:loopCharacteristics attributes of a multi-instance marker."""
    for ext in zeebe_extensions(loop):
        _generic(ext, ext.tag[_LOCAL:], extensions)
