"""An instance's element-instance tree from its active rows and the BPMN model alone.

A bulk element-instance search (8.8+) returns rows without parent keys. Zeebe places every
element instance in the element instance of its flow scope, so where the model leaves one
candidate the parent is exact:

* an element whose flow scope is the process sits under the process instance;
* a multi-instance body sits where its activity's flow scope says;
* an inner instance of a multi-instance activity sits under that activity's body;
* any other element sits under the one active instance of its flow scope (for a
  multi-instance scope: its one active inner instance).

Where a scope has several active instances (parallel inner instances of a multi-instance
sub-process with children), an element id the model does not know, or an ad-hoc
sub-process, the model cannot decide: ``tree_from_model`` answers None and the caller walks
the instance with per-scope searches instead.
"""

from __future__ import annotations

from typing import Any

from runner.bpmn.model import ProcessModel
from runner.cluster.elements import (
    index_rows,
    non_process_keys,
    ordered_tree,
    process_id_of,
    row_element_id,
)
from runner.engine.state import ElementInstance

BODY = "MULTI_INSTANCE_BODY"
UNDECIDABLE_TYPES = frozenset({"AD_HOC_SUB_PROCESS", "AD_HOC_SUB_PROCESS_INNER_INSTANCE"})


def tree_from_model(instance_key: str, rows: list[dict[str, Any]],
                    model: ProcessModel) -> tuple[ElementInstance, ...] | None:
    """The same tree ``elements.build_element_tree`` builds, or None when the model
    cannot decide a parent."""
    by_key = index_rows(rows)
    parents = parents_from_model(instance_key, by_key, model)
    if parents is None:
        return None
    return ordered_tree(instance_key, process_id_of(instance_key, rows, by_key) or
                        model.process_id, by_key, parents)


def parents_from_model(instance_key: str, by_key: dict[str, dict[str, Any]],
                       model: ProcessModel) -> dict[str, str] | None:
    """Parent key of every non-process row, or None when one is ambiguous."""
    others = non_process_keys(instance_key, by_key)
    bodies: dict[str, list[str]] = {}
    """element id -> keys of its multi-instance body rows"""
    scopes: dict[str, list[str]] = {}
    """element id -> keys of the rows that contain its children (inner instances for a
    multi-instance activity, else the element instance itself)"""
    for key in others:
        row = by_key[key]
        element = model.get(row_element_id(row))
        row_type = str(row.get("type") or "").upper()
        if element is None or row_type in UNDECIDABLE_TYPES \
                or element.element_type in UNDECIDABLE_TYPES:
            return None
        if row_type == BODY:
            if not element.multi_instance:
                return None
            bodies.setdefault(element.id, []).append(key)
        else:
            scopes.setdefault(element.id, []).append(key)

    parents: dict[str, str] = {}
    for key in others:
        row = by_key[key]
        element = model.get(row_element_id(row))
        assert element is not None  # checked above
        if element.multi_instance and str(row.get("type") or "").upper() != BODY:
            candidates = bodies.get(element.id, [])
        elif element.flow_scope is None or element.flow_scope == model.process_id:
            parents[key] = instance_key
            continue
        else:
            scope = model.get(element.flow_scope)
            if scope is None or scope.element_type in UNDECIDABLE_TYPES:
                return None
            candidates = scopes.get(scope.id, [])
        if len(candidates) != 1:
            return None
        parents[key] = candidates[0]
    return parents
