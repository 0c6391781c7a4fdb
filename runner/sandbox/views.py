"""JSON shapes of the sandbox's answers, per server version.

Keys are strings from 8.7 on and int64 numbers on 8.6 (reference section 2). Element
instances are ``element-instances`` items on 8.8+ and ``flownode-instances`` items on
8.6 / 8.7 (``flowNodeInstanceKey``, ``flowNodeId``, ``incident``).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from runner.sandbox.store import Definition, View
from runner.sandbox.tree import TreeRow
from runner.version import ServerVersion


@dataclass(frozen=True, slots=True)
class Flavor:
    """What the configured server version changes in the API."""

    version: ServerVersion

    @property
    def keys_as_strings(self) -> bool:
        return self.version.at_least("8.7")

    @property
    def cursor_paging(self) -> bool:
        return self.version.at_least("8.8")

    def key(self, value: int | None) -> str | int | None:
        if value is None:
            return None
        return str(value) if self.keys_as_strings else value


def definition_json(flavor: Flavor, d: Definition) -> dict[str, Any]:
    """A ProcessDefinitionResult."""
    return {
        "name": d.name, "resourceName": d.resource_name, "version": d.version,
        "versionTag": d.version_tag, "processDefinitionId": d.process_id,
        "tenantId": d.tenant_id, "processDefinitionKey": flavor.key(d.key),
        "hasStartForm": False, "state": "ACTIVE",
    }


def deployed_process_json(flavor: Flavor, d: Definition) -> dict[str, Any]:
    """The processDefinition of a deployment's DeploymentMetadataResult."""
    return {"processDefinitionId": d.process_id, "processDefinitionVersion": d.version,
            "resourceName": d.resource_name, "tenantId": d.tenant_id,
            "processDefinitionKey": flavor.key(d.key)}


def instance_json(flavor: Flavor, view: View) -> dict[str, Any]:
    """A ProcessInstanceResult (fields of newer versions are present and null)."""
    r, d = view.record, view.definition
    return {
        "processInstanceKey": flavor.key(r.key), "processDefinitionKey": flavor.key(d.key),
        "processDefinitionId": d.process_id, "processDefinitionName": d.name,
        "processDefinitionVersion": d.version, "processDefinitionVersionTag": d.version_tag,
        "startDate": r.start_date, "endDate": r.end_date, "state": r.state,
        "hasIncident": r.has_incident, "tenantId": r.tenant_id,
        "parentProcessInstanceKey": None, "parentElementInstanceKey": None,
        "rootProcessInstanceKey": flavor.key(r.key), "tags": [], "businessId": None,
        "suspendedDate": None,
    }


def element_name(view: View, row: TreeRow) -> str:
    """The element's name from the model; its id when it has none (as Operate shows it)."""
    element = view.definition.model.get(row.element_id)
    return element.name if element is not None and element.name else row.element_id


def incident_offset(view: View) -> int | None:
    """The row holding the instance's incident, if it has one."""
    return view.template.incident_row() if view.record.has_incident else None


def element_json(flavor: Flavor, view: View, row: TreeRow) -> dict[str, Any]:
    """One element instance: an element-instances item (8.8+) or a flownode-instances item."""
    r, d = view.record, view.definition
    incident = incident_offset(view) == row.offset
    # each instance reserves one key after its element instances for its incident
    incident_key = flavor.key(r.key + view.template.size) if incident else None
    if flavor.version.at_least("8.8"):
        return {
            "processDefinitionId": d.process_id, "startDate": r.start_date,
            "endDate": r.end_date, "elementId": row.element_id,
            "elementName": element_name(view, row),
            "type": row.element_type, "state": r.state, "hasIncident": incident,
            "tenantId": r.tenant_id, "elementInstanceKey": flavor.key(r.key + row.offset),
            "processInstanceKey": flavor.key(r.key), "rootProcessInstanceKey": flavor.key(r.key),
            "processDefinitionKey": flavor.key(d.key), "incidentKey": incident_key,
        }
    return {
        "flowNodeInstanceKey": flavor.key(r.key + row.offset),
        "processInstanceKey": flavor.key(r.key), "processDefinitionKey": flavor.key(d.key),
        "processDefinitionId": d.process_id, "startDate": r.start_date, "endDate": r.end_date,
        "flowNodeId": row.element_id,
        "flowNodeName": element_name(view, row),
        "treePath": tree_path(view, row), "type": row.element_type,
        "state": r.state, "incident": incident, "incidentKey": incident_key,
        "tenantId": r.tenant_id,
    }


def tree_path(view: View, row: TreeRow) -> str:
    """Operate-style tree path: element-instance keys from the process down, '/'-joined."""
    by_offset = {x.offset: x for x in view.template.rows}
    chain = [row.offset]
    parent = row.parent_offset
    while parent is not None:
        chain.append(parent)
        parent = by_offset[parent].parent_offset
    return "/".join(str(view.record.key + offset) for offset in reversed(chain))


def problem(status: int, title: str, detail: str, instance: str) -> dict[str, Any]:
    """An RFC 9457 problem detail as the Orchestration Cluster API returns it."""
    return {"type": "about:blank", "title": title, "status": status, "detail": detail,
            "instance": instance}
