"""Batch migration operations (8.8+): create, read, and search items."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from runner.sandbox import batch as batches
from runner.sandbox.api_base import ApiBase, ApiError, Request, Response
from runner.sandbox.filters import FilterError, Kind, compile_property
from runner.sandbox.migrate import BadMigrationRequest, parse_plan
from runner.sandbox.paging import SortSpec
from runner.sandbox.queries import Sorted


class BatchOps(ApiBase):
    """POST /v2/process-instances/migration, /v2/batch-operations*, batch items search."""

    def batch_migrate(self, params: dict[str, str], request: Request) -> Response:
        body = request.json()
        if not isinstance(body, dict) or not isinstance(body.get("filter"), dict) \
                or "migrationPlan" not in body:
            raise ApiError(400, "Bad Request", "a batch migration needs 'filter' and "
                           "'migrationPlan'")
        unknown = set(body) - {"filter", "migrationPlan", "operationReference"}
        if unknown:
            raise ApiError(400, "Bad Request", f"unknown properties {sorted(unknown)}")
        try:
            plan = parse_plan(body["migrationPlan"], allow_reference=False)
            self.search.run(body["filter"], SortSpec(()))  # reject a bad filter now
        except (BadMigrationRequest, FilterError) as exc:
            raise ApiError(400, "Bad Request", str(exc)) from exc
        operation = batches.start_batch(self.store, self.search, body["filter"], plan,
                                        self.flavor.version)
        with self.store.lock:
            self.store.writes += 1
        return Response(200, {"batchOperationKey": str(operation.key),
                              "batchOperationType": batches.OPERATION_TYPE})

    def batch_get(self, params: dict[str, str], request: Request) -> Response:
        key = params["key"]
        now = time.monotonic()
        with self.store.lock:
            operation = self.store.batches.get(int(key)) if key.isdigit() else None
            if operation is None or now < operation.created_at + self._batch_not_found():
                raise ApiError(404, "NOT_FOUND", f"Batch operation with key '{key}' not found")
            return Response(200, batches.operation_json(operation, now - self._lag(), key))

    def batch_items(self, params: dict[str, str], request: Request) -> Response:
        filter_, spec, page = self._search_parts(
            request, frozenset({"batchOperationKey", "itemKey", "processInstanceKey",
                                "state"}))
        kinds: dict[str, Kind] = {
                 "batchOperationKey": "key", "itemKey": "key", "processInstanceKey": "key",
                 "state": "enum", "operationType": "enum"}
        tests = _compiled(filter_, kinds, "batch item")
        seen_at = time.monotonic() - self._lag()
        with self.store.lock:
            items = [item for op in self.store.batches.values() if op.created_at <= seen_at
                     for item in batches.visible_items(op, seen_at)]
        fields: dict[str, Callable[[batches.ItemView], Any]] = {
                  "batchOperationKey": lambda i: i.operation_key,
                  "itemKey": lambda i: i.instance_key,
                  "processInstanceKey": lambda i: i.instance_key,
                  "state": lambda i: i.state, "operationType": lambda i: batches.OPERATION_TYPE}
        items = [i for i in items if all(t(fields[n](i)) for n, t in tests)]
        rows = []
        for item in items:
            # an instance can be an item of several operations: make the unique key unique
            unique = (item.operation_key << 64) | item.instance_key
            raw = [fields[f](item) for f, _ in spec.fields] + [unique]
            rows.append((spec.key(raw), raw, item))
        rows.sort(key=lambda r: r[0])
        result = Sorted([r[0] for r in rows], [r[1] for r in rows], [r[2] for r in rows])
        return self._page(result, spec, page,
                          lambda i: batches.item_json(i, self.flavor.key))

    def batch_search(self, params: dict[str, str], request: Request) -> Response:
        """POST /v2/batch-operations/search over the operations as a lagging reader sees them."""
        filter_, spec, page = self._search_parts(
            request, frozenset({"batchOperationKey", "operationType", "state", "startDate",
                                "endDate"}))
        kinds: dict[str, Kind] = {"batchOperationKey": "key", "operationType": "enum",
                                  "state": "enum"}
        tests = _compiled(filter_, kinds, "batch operation")
        seen_at = time.monotonic() - self._lag()
        with self.store.lock:
            found = [(op.key, batches.operation_json(op, seen_at, str(op.key)))
                     for op in self.store.batches.values() if op.created_at <= seen_at]
        values: dict[str, Callable[[int, dict[str, Any]], Any]] = {
            "batchOperationKey": lambda k, _: k,
            "operationType": lambda _, d: d["batchOperationType"],
            "state": lambda _, d: d["state"], "startDate": lambda _, d: d["startDate"],
            "endDate": lambda _, d: d["endDate"]}
        found = [(k, d) for k, d in found if all(t(values[n](k, d)) for n, t in tests)]
        rows = []
        for key, document in found:
            raw = [values[f](key, document) for f, _ in spec.fields] + [key]
            rows.append((spec.key(raw), raw, document))
        rows.sort(key=lambda r: r[0])
        result = Sorted([r[0] for r in rows], [r[1] for r in rows], [r[2] for r in rows])
        return self._page(result, spec, page, lambda d: d)


def _compiled(filter_: dict[str, Any] | None, kinds: dict[str, Kind],
              what: str) -> list[tuple[str, Callable[[Any], bool]]]:
    """(field, test) per filter field; 400 for an unknown field or a malformed condition."""
    tests = []
    for name, condition in (filter_ or {}).items():
        if name not in kinds:
            raise ApiError(400, "Bad Request", f"unknown {what} filter '{name}'")
        try:
            tests.append((name, compile_property(condition, kinds[name], name)))
        except FilterError as exc:
            raise ApiError(400, "Bad Request", str(exc)) from exc
    return tests
