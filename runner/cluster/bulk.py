"""Bulk reads (8.8+): one search for many instances instead of one request per instance.

* ``ActiveElementReader`` streams the ACTIVE element instances of a whole definition
  (``POST /v2/element-instances/search`` by ``processDefinitionKey`` and ``state``), sorted by
  process-instance key, and joins them with a stream of instances in the same order. Rows of
  one instance may span a page boundary; the group is carried over. Only one group is held.
  Trees come from the BPMN model (scopes.py); where it is ambiguous, or the order or the
  rows do not fit, the reader falls back to the instance's own walk.
* ``instances_by_key`` reads a chunk of instances with ``processInstanceKey: {"$in": [...]}``
  instead of one GET each.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import TYPE_CHECKING, Any

from runner.bpmn.model import ProcessModel
from runner.cluster.dialect import key_text
from runner.cluster.elements import numeric_key
from runner.cluster.model import InstanceInfo
from runner.cluster.paging import iter_search
from runner.cluster.parse import instance_info
from runner.cluster.scopes import tree_from_model
from runner.engine.state import ElementInstance
from runner.errors import ClusterResponseError

if TYPE_CHECKING:
    from runner.cluster.client import ClusterClient

Group = tuple[str, list[dict[str, Any]]]
SPARSE_GROUPS = 2000
SPARSE_RATIO = 8
"""Bulk reads stop when the stream has skipped more than SPARSE_GROUPS + SPARSE_RATIO x
(instances served) groups of instances nobody asked for: a filter that selects few of the
definition's instances is cheaper to read one instance at a time."""
MAX_IN_KEYS = 1000
"""Keys per ``$in`` read-back search (one page)."""


def iter_element_groups(client: ClusterClient, definition_key: str,
                        page_size: int) -> Iterator[Group]:
    """(instance key, its ACTIVE element rows) for every instance of the definition, in
    ascending instance-key order, streamed page by page."""
    d = client.dialect
    body = {"filter": {"processDefinitionKey": d.key(definition_key), "state": "ACTIVE"},
            "sort": [{"field": "processInstanceKey", "order": "ASC"},
                     {"field": d.element_key_field, "order": "ASC"}]}
    current: str | None = None
    rows: list[dict[str, Any]] = []
    for row in iter_search(client.session, d, d.element_search_path, body,
                           page_size=page_size, sort_field=d.element_key_field):
        key = key_text(row.get("processInstanceKey"))
        if key is None:
            continue
        if key != current:
            if current is not None:
                yield current, rows
            current, rows = key, []
        rows.append(row)
    if current is not None:
        yield current, rows


class ActiveElementReader:
    """Active element trees of instances asked for in ascending key order, read in bulk.

    Not thread-safe: one caller asks, in order. For an instance asked for out of order,
    without rows in the stream, or with a parent the model cannot decide, it answers None:
    the caller reads that one on its own (``client.active_elements``). After the server
    refuses the search, or when the caller asks for only a sparse part of the definition's
    instances, it stops reading in bulk and answers None from then on.
    """

    def __init__(self, client: ClusterClient, definition_key: str, model: ProcessModel,
                 page_size: int) -> None:
        self._model = model
        self._groups = iter_element_groups(client, definition_key, page_size)
        self._group: Group | None = None
        self._last: tuple[int, str] | None = None
        self.fallbacks = 0
        """How many instances needed their own walk (for tests and diagnostics)."""
        self.stopped: str | None = None
        """Why bulk reads stopped (the server refused the search, or the selection is
        sparse), after which every instance is read on its own; None while they run."""
        self._served = 0
        self._skipped = 0

    def tree_of(self, instance_key: str) -> tuple[ElementInstance, ...] | None:
        """The instance's active element tree as ``client.active_elements`` gives it, or
        None when the caller must walk the instance itself (out of order, no rows in the
        stream, or a parent the model cannot decide)."""
        wanted = numeric_key(instance_key)
        in_order = self._last is None or wanted > self._last
        self._last = wanted if in_order else self._last
        rows = self._rows_of(wanted) if in_order else None
        tree = tree_from_model(instance_key, rows, self._model) if rows else None
        if tree is None:
            self.fallbacks += 1
        return tree

    def _rows_of(self, wanted: tuple[int, str]) -> list[dict[str, Any]] | None:
        while self._group is None or numeric_key(self._group[0]) < wanted:
            if self.stopped is not None:
                return None
            if self._group is not None:
                self._skipped += 1
                if self._skipped > SPARSE_GROUPS + SPARSE_RATIO * self._served:
                    self.stopped = (f"the selection is sparse: {self._skipped} instances "
                                    f"skipped for {self._served} served")
                    self._group = None
                    return None
            try:
                self._group = next(self._groups, None)
            except ClusterResponseError as exc:
                if exc.status != 400:
                    raise
                # the server will not run this search (a gateway without it): read each
                # instance on its own from here on, as on older versions
                self.stopped, self._group = exc.message, None
                return None
            if self._group is None:
                return None
        key, rows = self._group
        if numeric_key(key) != wanted:
            return None
        self._served += 1
        self._group = None  # served: moving past it is no skip
        return rows


def instances_by_key(client: ClusterClient, keys: Sequence[str]) -> dict[str, InstanceInfo]:
    """The instances among ``keys`` the search knows, by key (absent: not found)."""
    found: dict[str, InstanceInfo] = {}
    d = client.dialect
    for start in range(0, len(keys), MAX_IN_KEYS):
        chunk = list(keys[start:start + MAX_IN_KEYS])
        body = {"filter": {"processInstanceKey": {"$in": [d.key(k) for k in chunk]}}}
        wanted = set(chunk)
        for item in iter_search(client.session, d, "/process-instances/search", body,
                                page_size=len(chunk), sort_field="processInstanceKey"):
            info = instance_info(item)
            if info is not None and info.key in wanted:
                found[info.key] = info
    return found
