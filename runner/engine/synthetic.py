"""Snapshots of instances that wait at given elements, built from the source model alone.

Offline validation and the rule data cases both need "an instance waiting at X": the
PROCESS row, one instance of every container around X, and X itself, where a
multi-instance activity is a body plus one inner instance with the same id.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Mapping
from typing import Any

from runner.bpmn.model import ProcessModel
from runner.engine.state import ElementInstance, InstanceSnapshot

SYNTHETIC_INSTANCE_KEY = "2251799813685251"
"""The process instance key synthetic snapshots use."""


def synthetic_snapshot(
    source: ProcessModel,
    active: Iterable[str],
    *,
    instance_key: str = SYNTHETIC_INSTANCE_KEY,
    taken_flows: Mapping[str, Iterable[str]] | None = None,
    camunda_user_task: Mapping[str, bool] | None = None,
    incidents: Iterable[str] = (),
    activating: Iterable[str] = (),
    **fields: Any,
) -> InstanceSnapshot:
    """An instance of ``source`` waiting at the ``active`` leaf elements.

    ``taken_flows`` maps scope element ids (the process id or a sub-process id) to taken
    sequence flow ids; ``fields`` are passed on to InstanceSnapshot.
    """
    counter = itertools.count(int(instance_key) + 49)
    process_row = ElementInstance(instance_key, source.process_id, "PROCESS", None)
    rows: list[ElementInstance] = [process_row]
    scope_keys: dict[str, str] = {source.process_id: instance_key}
    user_tasks = camunda_user_task or {}
    with_incident = set(incidents)
    still_activating = set(activating)

    def add(element_id: str, parent_key: str) -> str:
        element = source.get(element_id)
        if element is None:
            raise ValueError(f"element {element_id!r} is not in process {source.process_id!r}")
        incident = element_id in with_incident
        camunda = user_tasks.get(element_id)
        state = "ACTIVATING" if element_id in still_activating else "ACTIVE"
        if element.multi_instance:
            body_key = str(next(counter))
            rows.append(ElementInstance(body_key, element_id, "MULTI_INSTANCE_BODY", parent_key))
            inner_key = str(next(counter))
            rows.append(ElementInstance(inner_key, element_id, element.element_type, body_key,
                                        has_incident=incident, is_camunda_user_task=camunda,
                                        is_inner_instance=True, state=state))
            return inner_key
        key = str(next(counter))
        rows.append(ElementInstance(key, element_id, element.element_type, parent_key,
                                    has_incident=incident, is_camunda_user_task=camunda,
                                    state=state))
        return key

    def ensure_scope(scope: str) -> str:
        if scope not in scope_keys:
            chain = source.scope_chain(scope)
            parent = ensure_scope(chain[0]) if chain else instance_key
            scope_keys[scope] = add(scope, parent)
        return scope_keys[scope]

    for leaf in active:
        chain = source.scope_chain(leaf)
        parent_key = ensure_scope(chain[0]) if chain else instance_key
        if leaf not in scope_keys:
            scope_keys[leaf] = add(leaf, parent_key)

    taken = {ensure_scope(scope): tuple(flows) for scope, flows in (taken_flows or {}).items()}
    return InstanceSnapshot(
        process_instance_key=instance_key,
        process_definition_key="0",
        bpmn_process_id=source.process_id,
        elements=tuple(rows),
        taken_flows=taken,
        **fields,
    )
