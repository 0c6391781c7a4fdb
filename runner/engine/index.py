"""Lookups the rules make over and over, indexed once per process model.

ProcessModel answers "boundary events of X" or "event sub-processes in Y" by scanning all
elements; offline validation asks those questions thousands of times for one pair of
models, so the engine keeps a small cache of per-model indexes.
"""

from __future__ import annotations

from collections import OrderedDict
from dataclasses import dataclass, field

from runner.bpmn.model import Element, ProcessModel

_CACHE_SIZE = 64


@dataclass(frozen=True, slots=True)
class ModelIndex:
    """Elements of one model grouped the way the rules look them up."""

    boundary_by_activity: dict[str, list[Element]] = field(default_factory=dict)
    event_sub_processes_by_scope: dict[str, list[Element]] = field(default_factory=dict)
    start_events_by_scope: dict[str, list[Element]] = field(default_factory=dict)
    joins_by_scope: dict[str, list[Element]] = field(default_factory=dict)
    catch_events_memo: dict[tuple[str, str], tuple[Element, ...]] = field(default_factory=dict)
    """(element id, instance role) -> the catch events such an instance holds, filled by
    runner.engine.visit.catch_events as the rules ask."""

    def boundary_events(self, activity_id: str) -> list[Element]:
        return self.boundary_by_activity.get(activity_id, [])

    def event_sub_processes(self, scope_id: str) -> list[Element]:
        return self.event_sub_processes_by_scope.get(scope_id, [])

    def start_events(self, scope_id: str) -> list[Element]:
        return self.start_events_by_scope.get(scope_id, [])

    def joining_gateways(self, scope_id: str) -> list[Element]:
        return self.joins_by_scope.get(scope_id, [])


def _build(model: ProcessModel) -> ModelIndex:
    index = ModelIndex()
    for element in model:
        kind = element.element_type
        scope = element.flow_scope or ""
        if kind == "BOUNDARY_EVENT" and element.attached_to:
            index.boundary_by_activity.setdefault(element.attached_to, []).append(element)
        elif kind == "EVENT_SUB_PROCESS":
            index.event_sub_processes_by_scope.setdefault(scope, []).append(element)
        elif kind == "START_EVENT":
            index.start_events_by_scope.setdefault(scope, []).append(element)
        elif kind in ("PARALLEL_GATEWAY", "INCLUSIVE_GATEWAY"):
            index.joins_by_scope.setdefault(scope, []).append(element)
    return index


_cache: OrderedDict[int, tuple[ProcessModel, ModelIndex]] = OrderedDict()


_recent: list[tuple[ProcessModel, ModelIndex]] = []
"""The last two indexes handed out: a command asks for its source and target by turns."""


def index_of(model: ProcessModel) -> ModelIndex:
    """The index of ``model``, built on first use (the cache keeps the model alive, so an
    id is never reused while its entry exists)."""
    for recent_model, recent_index in _recent:
        if recent_model is model:
            return recent_index
    index = _cached_index(model)
    _recent.insert(0, (model, index))
    del _recent[2:]
    return index


def _cached_index(model: ProcessModel) -> ModelIndex:
    key = id(model)
    entry = _cache.get(key)
    if entry is not None and entry[0] is model:
        _cache.move_to_end(key)
        return entry[1]
    index = _build(model)
    _cache[key] = (model, index)
    if len(_cache) > _CACHE_SIZE:
        _cache.popitem(last=False)
    return index
