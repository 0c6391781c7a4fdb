"""Element-instance searches over the store, with sorted results cached per query.

A search for one process instance (the per-instance walk) is cheap and not cached. A search
across instances (by definition, for bulk reads) is sorted once and then served page after
page from the cache until the store changes, so paging through 100,000 instances costs one
pass, not one per page.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from typing import Any

from runner.sandbox.paging import SortSpec
from runner.sandbox.queries import Sorted, compile_element_filter, element_sort_value, exact_keys
from runner.sandbox.store import Store, View
from runner.sandbox.tree import TreeRow

MAX_CACHED = 16


class ElementSearch:
    """Runs element-instance searches (rows are (view, row) pairs)."""

    def __init__(self, store: Store) -> None:
        self.store = store
        self._cache: dict[str, tuple[int, Sorted]] = {}

    def run(self, filter_: Any, spec: SortSpec, allowed: frozenset[str],
            plain: frozenset[str], incident_of: Callable[[View, TreeRow], bool]) -> Sorted:
        """The sorted matches; FilterError for a filter the API would refuse."""
        predicate, instance_key = compile_element_filter(filter_, allowed, incident_of, plain)
        cache_key = json.dumps([filter_, spec.fields, sorted(allowed)], sort_keys=True)
        store = self.store
        with store.lock:
            now = time.monotonic()
            lagging = store.lagging_keys(now) if store.search_lag_s > 0 else []
            cacheable = instance_key is None and not lagging
            cached = self._cache.get(cache_key) if cacheable else None
            if cached and cached[0] == store.generation:
                return cached[1]
            definitions = exact_keys(filter_.get("processDefinitionKey")) \
                if isinstance(filter_, dict) and "processDefinitionKey" in filter_ else None
            if instance_key is not None:
                keys = [instance_key] if instance_key in store.instances else []
            else:
                keys = list(store.iter_candidates(definitions, now))
            rows = []
            for key in keys:
                view = store.visible(store.instances[key], now)
                for row in view.template.rows:
                    if predicate(view, row):
                        raw = [element_sort_value(view, row, f) for f, _ in spec.fields]
                        raw.append(view.record.key + row.offset)
                        rows.append((spec.key(raw), raw, (view, row)))
            generation = store.generation
        rows.sort(key=lambda r: r[0])
        result = Sorted([r[0] for r in rows], [r[1] for r in rows], [r[2] for r in rows])
        if cacheable:
            with store.lock:
                if len(self._cache) >= MAX_CACHED:
                    self._cache.clear()
                self._cache[cache_key] = (generation, result)
        return result
