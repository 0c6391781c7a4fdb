"""Active element-instance rows -> the engine's ElementInstance tree (parents included).

The 8.8 element-instance search does not report parent keys. 8.6/8.7 flow-node instances
carry a ``treePath`` (``PI/parent/.../self``) that gives them directly. Without it, an element
sits under the process instance unless active containers exist; then each container's direct
children are asked for with an ``elementInstanceScopeKey`` search (one per container).
"""

from __future__ import annotations

from collections import deque
from typing import TYPE_CHECKING, Any

from runner.cluster.dialect import key_text
from runner.engine.state import ElementInstance

if TYPE_CHECKING:
    from runner.cluster.client import ClusterClient

CONTAINER_TYPES = frozenset({"SUB_PROCESS", "EVENT_SUB_PROCESS", "MULTI_INSTANCE_BODY",
                             "AD_HOC_SUB_PROCESS", "AD_HOC_SUB_PROCESS_INNER_INSTANCE"})


def row_key(row: dict[str, Any]) -> str | None:
    return key_text(row.get("elementInstanceKey", row.get("flowNodeInstanceKey")))


def row_element_id(row: dict[str, Any]) -> str:
    return str(row.get("elementId", row.get("flowNodeId")) or "")


def build_element_tree(client: ClusterClient, instance_key: str,
                       rows: list[dict[str, Any]]) -> tuple[ElementInstance, ...]:
    """The PROCESS row first, then breadth first; keys and parents as strings."""
    by_key = index_rows(rows)
    parents = _parents(client, instance_key, by_key)
    process_id = process_id_of(instance_key, rows, by_key)
    if not process_id:  # 8.6/8.7 flow-node rows do not name the process
        info = client.get_instance(instance_key)
        process_id = info.process_id if info is not None else ""
    return ordered_tree(instance_key, process_id, by_key, parents)


def index_rows(rows: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    """Rows by element-instance key (rows without a key are dropped)."""
    by_key: dict[str, dict[str, Any]] = {}
    for row in rows:
        key = row_key(row)
        if key is not None:
            by_key[key] = row
    return by_key


def process_id_of(instance_key: str, rows: list[dict[str, Any]],
                  by_key: dict[str, dict[str, Any]]) -> str:
    """The BPMN process id the rows name ("" when they do not)."""
    process_row = by_key.get(instance_key)
    if process_row:
        return row_element_id(process_row)
    return next((str(r.get("processDefinitionId")) for r in rows
                 if r.get("processDefinitionId")), "")


def ordered_tree(instance_key: str, process_id: str, by_key: dict[str, dict[str, Any]],
                 parents: dict[str, str]) -> tuple[ElementInstance, ...]:
    """ElementInstances from rows and their parents: the PROCESS row first, then breadth
    first, siblings in key order."""
    process_row = by_key.get(instance_key)
    children: dict[str, list[str]] = {}
    for key, parent in parents.items():
        children.setdefault(parent, []).append(key)

    ordered = [ElementInstance(key=instance_key, element_id=process_id, element_type="PROCESS",
                               parent_key=None,
                               has_incident=bool(process_row and _incident(process_row)))]
    queue = deque([instance_key])
    while queue:
        parent = queue.popleft()
        for key in sorted(children.get(parent, ()), key=numeric_key):
            row = by_key[key]
            parent_row = by_key.get(parent)
            ordered.append(ElementInstance(
                key=key, element_id=row_element_id(row),
                element_type=str(row.get("type") or "UNKNOWN").upper(), parent_key=parent,
                has_incident=_incident(row),
                is_inner_instance=bool(parent_row and
                                       str(parent_row.get("type")) == "MULTI_INSTANCE_BODY"),
                state=str(row.get("state") or "ACTIVE").upper()))
            queue.append(key)
    return tuple(ordered)


def non_process_keys(instance_key: str, by_key: dict[str, dict[str, Any]]) -> list[str]:
    """Keys of every row but the process instance's own."""
    return [k for k, r in by_key.items()
            if k != instance_key and str(r.get("type")) != "PROCESS"]


def _parents(client: ClusterClient, instance_key: str,
             by_key: dict[str, dict[str, Any]]) -> dict[str, str]:
    parents: dict[str, str] = {}
    others = non_process_keys(instance_key, by_key)
    if others and all(isinstance(by_key[k].get("treePath"), str) for k in others):
        for key in others:
            path = [p for p in str(by_key[key]["treePath"]).split("/") if p]
            parent = path[-2] if len(path) >= 2 and path[-1] == key else instance_key
            parents[key] = parent if parent in by_key or parent == instance_key else instance_key
        return parents
    containers = [k for k in others if str(by_key[k].get("type")) in CONTAINER_TYPES]
    for container in containers:
        for row in client.element_rows(instance_key, scope_key=container):
            child = row_key(row)
            if child is not None and child in by_key and child != container:
                parents[child] = container
    for key in others:
        parents.setdefault(key, instance_key)
    return parents


def _incident(row: dict[str, Any]) -> bool:
    return bool(row.get("hasIncident", row.get("incident", False)))


def numeric_key(key: str) -> tuple[int, str]:
    return (int(key), key) if key.lstrip("-").isdigit() else (0, key)
