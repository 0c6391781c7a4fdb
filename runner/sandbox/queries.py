"""Process-instance and element-instance searches over the store (reference 2.4, 2.5).

Sorted results are cached per query until the store changes, so paging through 100,000
instances costs one filter pass, not one per page.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from runner.sandbox.filters import (
    FilterError,
    Kind,
    compile_property,
    compile_variables,
    parse_date_ms,
)
from runner.sandbox.paging import SortSpec
from runner.sandbox.store import Store, View
from runner.sandbox.tree import TreeRow
from runner.sandbox.views import element_name

Predicate = Callable[[View], bool]

_INSTANCE_FIELDS: dict[str, tuple[Kind, Callable[[View], Any]]] = {
    "processInstanceKey": ("key", lambda v: v.record.key),
    "processDefinitionKey": ("key", lambda v: v.definition.key),
    "processDefinitionId": ("string", lambda v: v.definition.process_id),
    "processDefinitionName": ("string", lambda v: v.definition.name),
    "processDefinitionVersion": ("int", lambda v: v.definition.version),
    "processDefinitionVersionTag": ("string", lambda v: v.definition.version_tag),
    "startDate": ("date", lambda v: v.record.start_ms),
    "endDate": ("date", lambda v: parse_date_ms(v.record.end_date)
                if v.record.end_date else None),
    "state": ("enum", lambda v: v.record.state),
    "hasIncident": ("bool", lambda v: v.record.has_incident),
    "tenantId": ("string", lambda v: v.record.tenant_id),
    # every element instance of a sandbox instance shares its state; the incident sits on
    # one of them
    "elementInstanceState": ("enum", lambda v: v.record.state),
    "hasElementInstanceIncident": ("bool", lambda v: v.record.has_incident),
    "parentProcessInstanceKey": ("key", lambda v: None),
    "parentElementInstanceKey": ("key", lambda v: None),
}

INSTANCE_SORT_FIELDS = frozenset({
    "processInstanceKey", "processDefinitionId", "processDefinitionName",
    "processDefinitionVersion", "processDefinitionVersionTag", "processDefinitionKey",
    "parentProcessInstanceKey", "parentElementInstanceKey", "startDate", "endDate", "state",
    "hasIncident", "tenantId",
})


def _has_element(condition: Any) -> Predicate:
    test = compile_property(condition, "string", "elementId")
    return lambda v: any(test(row.element_id) for row in v.template.rows[1:])


def compile_instance_filter(filter_: Any) -> tuple[Predicate, list[int] | None]:
    """A predicate for the filter, and the definition keys it is limited to (if any)."""
    if filter_ is None:
        return (lambda v: True), None
    if not isinstance(filter_, dict):
        raise FilterError("'filter' must be an object")
    tests: list[Predicate] = []
    definition_keys: list[int] | None = None
    for field, condition in filter_.items():
        if field == "$or":
            if not isinstance(condition, list) or not condition:
                raise FilterError("'$or' must be a non-empty array of filters")
            branches = [compile_instance_filter(b)[0] for b in condition]
            tests.append(lambda v, bs=branches: any(b(v) for b in bs))  # type: ignore[misc]
        elif field == "variables":
            check = compile_variables(condition)
            tests.append(lambda v, c=check: c(v.record.variables))  # type: ignore[misc]
        elif field == "elementId":
            tests.append(_has_element(condition))
        elif field in _INSTANCE_FIELDS:
            kind, getter = _INSTANCE_FIELDS[field]
            test = compile_property(condition, kind, field)
            tests.append(lambda v, t=test, g=getter: t(g(v)))  # type: ignore[misc]
            if field == "processDefinitionKey":
                definition_keys = exact_keys(condition)
        else:
            raise FilterError(f"the sandbox does not support the process instance filter "
                              f"'{field}'")
    return (lambda v: all(t(v) for t in tests)), definition_keys


def exact_keys(condition: Any) -> list[int] | None:
    """The keys an exact or $eq/$in key filter allows; None when it is not that simple."""
    try:
        if isinstance(condition, dict):
            if "$eq" in condition:
                return [int(condition["$eq"])]
            if "$in" in condition:
                return [int(k) for k in condition["$in"]]
            return None
        return [int(condition)]
    except (TypeError, ValueError):
        return None


def instance_sort_value(view: View, field: str) -> Any:
    if field == "startDate":
        return view.record.start_ms
    if field == "endDate":
        return parse_date_ms(view.record.end_date) if view.record.end_date else None
    getter = _INSTANCE_FIELDS[field][1]
    return getter(view)


@dataclass(frozen=True, slots=True)
class Sorted:
    """A sorted search result: comparable keys, raw sort values, the items."""

    keys: Sequence[tuple[Any, ...]]
    values: Sequence[Sequence[Any]]
    items: Sequence[Any]


class InstanceSearch:
    """Runs process-instance searches with a small per-query cache."""

    def __init__(self, store: Store) -> None:
        self.store = store
        self._cache: dict[str, tuple[int, Sorted]] = {}

    def run(self, filter_: Any, spec: SortSpec, *, active_only: bool = False) -> Sorted:
        predicate, definition_keys = compile_instance_filter(filter_)
        cache_key = json.dumps([filter_, spec.fields, active_only], sort_keys=True)
        store = self.store
        with store.lock:
            now = time.monotonic()
            lagging = store.lagging_keys(now) if store.search_lag_s > 0 else []
            cached = self._cache.get(cache_key)
            if cached and cached[0] == store.generation and not lagging:
                return cached[1]
            views = []
            for key in _candidates(store, filter_, definition_keys, now):
                view = store.visible(store.instances[key], now)
                if active_only and view.record.state != "ACTIVE":
                    continue
                if predicate(view):
                    views.append(view)
            result = self._sort(views, spec)
            if not lagging:
                if len(self._cache) > 16:
                    self._cache.clear()
                self._cache[cache_key] = (store.generation, result)
            return result

    @staticmethod
    def _sort(views: list[View], spec: SortSpec) -> Sorted:
        if not spec.fields:  # candidates come in key order already
            values = [[v.record.key] for v in views]
            return Sorted([(v.record.key,) for v in views], values, views)
        rows = []
        for view in views:
            raw = [instance_sort_value(view, f) for f, _ in spec.fields] + [view.record.key]
            rows.append((spec.key(raw), raw, view))
        rows.sort(key=lambda r: r[0])
        return Sorted([r[0] for r in rows], [r[1] for r in rows], [r[2] for r in rows])


def _candidates(store: Store, filter_: Any, definition_keys: list[int] | None,
                now: float) -> list[int]:
    """Keys to test: those an exact or ``$eq``/``$in`` key filter names, else the store's
    candidates (narrowed by definition)."""
    wanted = exact_keys(filter_.get("processInstanceKey")) \
        if isinstance(filter_, dict) and "processInstanceKey" in filter_ else None
    if wanted is None:
        return store.iter_candidates(definition_keys, now)
    return sorted(k for k in set(wanted) if k in store.instances)


# element instances -----------------------------------------------------------------------

_ELEMENT_FIELDS: dict[str, tuple[Kind, Callable[[View, TreeRow], Any]]] = {
    "processInstanceKey": ("key", lambda v, r: v.record.key),
    "processDefinitionKey": ("key", lambda v, r: v.definition.key),
    "processDefinitionId": ("string", lambda v, r: v.definition.process_id),
    "elementInstanceKey": ("key", lambda v, r: v.record.key + r.offset),
    "flowNodeInstanceKey": ("key", lambda v, r: v.record.key + r.offset),
    "elementId": ("string", lambda v, r: r.element_id),
    "flowNodeId": ("string", lambda v, r: r.element_id),
    "elementName": ("string", lambda v, r: element_name(v, r)),
    "flowNodeName": ("string", lambda v, r: element_name(v, r)),
    "type": ("enum", lambda v, r: r.element_type),
    "state": ("enum", lambda v, r: v.record.state),
    "tenantId": ("string", lambda v, r: v.record.tenant_id),
    "elementInstanceScopeKey": ("key", lambda v, r: None if r.parent_offset is None
                                else v.record.key + r.parent_offset),
}
V88_ELEMENT_FIELDS = frozenset(_ELEMENT_FIELDS) - {"flowNodeInstanceKey", "flowNodeId",
                                                  "flowNodeName"} | {"hasIncident"}
V87_ELEMENT_FIELDS = frozenset(_ELEMENT_FIELDS) - {"elementInstanceKey", "elementId",
                                                  "elementName", "elementInstanceScopeKey"} \
    | {"incident"}
V88_PLAIN_ELEMENT_FIELDS = frozenset({
    "processDefinitionId", "type", "hasIncident", "tenantId", "elementInstanceKey",
    "processInstanceKey", "processDefinitionKey", "elementInstanceScopeKey"})
"""8.8+ element-instance filter fields the spec types as plain values, not filter
properties: an operator object (``{"$in": [...]}``) is a bad request there."""
ELEMENT_SORT_FIELDS = frozenset({"elementInstanceKey", "processInstanceKey", "elementId",
                                 "type", "state", "flowNodeInstanceKey", "flowNodeId"})


ElementPredicate = Callable[[View, TreeRow], bool]


def compile_element_filter(filter_: Any, allowed: frozenset[str],
                           incident_of: Callable[[View, TreeRow], bool],
                           plain: frozenset[str] = frozenset()
                           ) -> tuple[ElementPredicate, int | None]:
    """A predicate over (instance view, row) and the process-instance key it is limited to."""
    if filter_ is None:
        return (lambda v, r: True), None
    if not isinstance(filter_, dict):
        raise FilterError("'filter' must be an object")
    tests: list[ElementPredicate] = []
    instance_key: int | None = None
    for field, condition in filter_.items():
        if field not in allowed:
            raise FilterError(f"the sandbox does not support the element instance filter "
                              f"'{field}'")
        if field in plain and isinstance(condition, dict):
            raise FilterError(f"'{field}' takes a plain value, not filter operators")
        if field in ("hasIncident", "incident"):
            test = compile_property(condition, "bool", field)
            tests.append(lambda v, r, t=test: t(incident_of(v, r)))  # type: ignore[misc]
            continue
        kind, getter = _ELEMENT_FIELDS[field]
        test = compile_property(condition, kind, field)
        tests.append(lambda v, r, t=test, g=getter: t(g(v, r)))  # type: ignore[misc]
        if field == "processInstanceKey" and not isinstance(condition, dict):
            instance_key = int(condition)
    return (lambda v, r: all(t(v, r) for t in tests)), instance_key


def element_sort_value(view: View, row: TreeRow, field: str) -> Any:
    if field in ("elementInstanceKey", "flowNodeInstanceKey"):
        return view.record.key + row.offset
    if field == "processInstanceKey":
        return view.record.key
    if field in ("elementId", "flowNodeId"):
        return row.element_id
    if field == "type":
        return row.element_type
    return view.record.state
