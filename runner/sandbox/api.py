"""The REST operations of the sandbox, independent of the HTTP plumbing in server.py.

Each handler takes the path parameters and the request and returns a Response. Bodies
follow the official spec's shapes (../shared/openapi), per server version (views.Flavor).
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from runner.sandbox import batch as batches
from runner.sandbox.deploy import DeploymentRejected, deploy, parse_multipart
from runner.sandbox.filters import FilterError, Kind, compile_property
from runner.sandbox.migrate import BadMigrationRequest, migrate_instance, parse_plan
from runner.sandbox.paging import (
    PageRequest,
    SortSpec,
    page_response,
    paginate,
    parse_page,
    parse_sort,
)
from runner.sandbox.queries import (
    ELEMENT_SORT_FIELDS,
    INSTANCE_SORT_FIELDS,
    V87_ELEMENT_FIELDS,
    V88_ELEMENT_FIELDS,
    InstanceSearch,
    Sorted,
    compile_element_filter,
    element_sort_value,
)
from runner.sandbox.store import DEFAULT_TENANT, Store
from runner.sandbox.views import (
    Flavor,
    definition_json,
    deployed_process_json,
    element_json,
    incident_offset,
    instance_json,
    problem,
)


@dataclass(frozen=True, slots=True)
class Request:
    method: str
    path: str
    headers: dict[str, str]
    body: bytes

    def json(self) -> Any:
        """The JSON body (None when empty); ApiError 400 when it is not JSON."""
        if not self.body.strip():
            return None
        try:
            return json.loads(self.body)
        except (ValueError, UnicodeDecodeError) as exc:
            raise ApiError(400, "Bad Request", f"Failed to parse the request body: {exc}") \
                from exc


@dataclass(frozen=True, slots=True)
class Response:
    status: int
    body: Any = None
    """A JSON-able value, raw bytes, or None for no body."""
    content_type: str = "application/json"
    headers: dict[str, str] = field(default_factory=dict)


class ApiError(Exception):
    """An answer in problem+json form."""

    def __init__(self, status: int, title: str, detail: str) -> None:
        super().__init__(detail)
        self.status, self.title, self.detail = status, title, detail


def problem_response(status: int, title: str, detail: str, path: str,
                     headers: dict[str, str] | None = None) -> Response:
    return Response(status, problem(status, title, detail, path),
                    "application/problem+json", headers or {})


def _search_body(request: Request) -> dict[str, Any]:
    body = request.json()
    if body is None:
        return {}
    if not isinstance(body, dict):
        raise ApiError(400, "Bad Request", "the search request must be a JSON object")
    unknown = set(body) - {"filter", "sort", "page"}
    if unknown:
        raise ApiError(400, "Bad Request", f"unknown search request properties {sorted(unknown)}")
    return body


def _key(text: str) -> int:
    if not text.lstrip("-").isdigit():
        raise ApiError(400, "Bad Request", f"'{text}' is not a valid key")
    return int(text)


class Api:
    """All operations, bound to one store and one server version."""

    def __init__(self, store: Store, flavor: Flavor, search_lag: Callable[[], float],
                 batch_not_found: Callable[[], float]) -> None:
        self.store = store
        self.flavor = flavor
        self.search = InstanceSearch(store)
        self._lag = search_lag
        self._batch_not_found = batch_not_found

    # helpers ------------------------------------------------------------------------------
    def _page(self, result: Sorted, spec: SortSpec, page: PageRequest,
              render: Callable[[Any], Any]) -> Response:
        start, end = paginate(result.keys, result.values, spec, page)
        items = [render(item) for item in result.items[start:end]]
        return Response(200, {"items": items, "page": page_response(
            result.values, start, end, len(result.items), self.flavor.cursor_paging,
            self.flavor.keys_as_strings)})

    def _search_parts(self, request: Request, sort_fields: frozenset[str]
                      ) -> tuple[Any, SortSpec, PageRequest]:
        body = _search_body(request)
        try:
            spec = parse_sort(body.get("sort"), sort_fields)
            page = parse_page(body.get("page"), self.flavor.cursor_paging)
        except FilterError as exc:
            raise ApiError(400, "Bad Request", str(exc)) from exc
        return body.get("filter"), spec, page

    # cluster ------------------------------------------------------------------------------
    def topology(self, params: dict[str, str], request: Request) -> Response:
        version = str(self.flavor.version)
        return Response(200, {
            "brokers": [{"nodeId": 0, "brokerId": "0", "host": "127.0.0.1", "port": 26501,
                         "partitions": [{"partitionId": 1, "role": "leader",
                                         "health": "healthy", "state": "active"}],
                         "version": version}],
            "clusterId": None, "clusterSize": 1, "partitionsCount": 1,
            "replicationFactor": 1, "gatewayVersion": version,
            "lastCompletedChangeId": "-1"})

    def deploy(self, params: dict[str, str], request: Request) -> Response:
        try:
            resources, tenant = parse_multipart(request.headers.get("content-type", ""),
                                                request.body)
            key, definitions = deploy(self.store, resources, tenant)
        except DeploymentRejected as exc:
            raise ApiError(400, "INVALID_ARGUMENT", str(exc)) from exc
        self.store.writes += 1
        return Response(200, {
            "deploymentKey": self.flavor.key(key), "tenantId": tenant or "<default>",
            "deployments": [{"processDefinition": deployed_process_json(self.flavor, d),
                             "decisionDefinition": None, "decisionRequirements": None,
                             "form": None, "resource": None} for d in definitions]})

    # process definitions ------------------------------------------------------------------
    def definition_search(self, params: dict[str, str], request: Request) -> Response:
        filter_, spec, page = self._search_parts(
            request, frozenset({"processDefinitionKey", "name", "resourceName", "version",
                                "versionTag", "processDefinitionId", "tenantId"}))
        tests = self._definition_tests(filter_)
        with self.store.lock:
            found = [d for d in self.store.definitions.values()
                     if all(t(d) for t in tests)]
        rows = []
        for d in found:
            raw = [_definition_value(d, f) for f, _ in spec.fields] + [d.key]
            rows.append((spec.key(raw), raw, d))
        rows.sort(key=lambda r: r[0])
        result = Sorted([r[0] for r in rows], [r[1] for r in rows], [r[2] for r in rows])
        return self._page(result, spec, page, lambda d: definition_json(self.flavor, d))

    def _definition_tests(self, filter_: Any) -> list[Callable[[Any], bool]]:
        if filter_ is None:
            return []
        if not isinstance(filter_, dict):
            raise ApiError(400, "Bad Request", "'filter' must be an object")
        kinds: dict[str, Kind] = {
                 "processDefinitionKey": "key", "name": "string", "resourceName": "string",
                 "version": "int", "versionTag": "string", "processDefinitionId": "string",
                 "tenantId": "string", "isLatestVersion": "bool", "hasStartForm": "bool",
                 "state": "enum"}
        tests: list[Callable[[Any], bool]] = []
        for name, condition in filter_.items():
            if name not in kinds:
                raise ApiError(400, "Bad Request", f"unknown process definition filter '{name}'")
            try:
                test = compile_property(condition, kinds[name], name)
            except FilterError as exc:
                raise ApiError(400, "Bad Request", str(exc)) from exc
            tests.append(self._definition_test(test, name))
        return tests

    def _definition_test(self, test: Callable[[Any], bool],
                         name: str) -> Callable[[Any], bool]:
        return lambda d: test(self._definition_field(d, name))

    def _definition_field(self, d: Any, name: str) -> Any:
        if name == "isLatestVersion":
            return self.store.is_latest(d)
        if name == "hasStartForm":
            return False
        if name == "state":
            return "ACTIVE"
        return _definition_value(d, name)

    def _definition(self, params: dict[str, str]) -> Any:
        key = _key(params["key"])
        definition = self.store.definitions.get(key)
        if definition is None:
            raise ApiError(404, "NOT_FOUND",
                           f"Process definition with key '{key}' not found")
        return definition

    def definition_get(self, params: dict[str, str], request: Request) -> Response:
        return Response(200, definition_json(self.flavor, self._definition(params)))

    def definition_xml(self, params: dict[str, str], request: Request) -> Response:
        return Response(200, self._definition(params).xml, "text/xml")

    # process instances --------------------------------------------------------------------
    def instance_search(self, params: dict[str, str], request: Request) -> Response:
        filter_, spec, page = self._search_parts(request, INSTANCE_SORT_FIELDS)
        try:
            result = self.search.run(filter_, spec)
        except FilterError as exc:
            raise ApiError(400, "Bad Request", str(exc)) from exc
        return self._page(result, spec, page, lambda v: instance_json(self.flavor, v))

    def _record(self, params: dict[str, str]) -> Any:
        key = _key(params["key"])
        record = self.store.instances.get(key)
        if record is None:
            raise ApiError(404, "NOT_FOUND", f"Process instance with key '{key}' not found")
        return record

    def instance_get(self, params: dict[str, str], request: Request) -> Response:
        with self.store.lock:
            view = self.store.visible(self._record(params), time.monotonic())
            return Response(200, instance_json(self.flavor, view))

    def sequence_flows(self, params: dict[str, str], request: Request) -> Response:
        with self.store.lock:
            view = self.store.visible(self._record(params), time.monotonic())
            r, d = view.record, view.definition
            items = [{"sequenceFlowId": flow, "processInstanceKey": self.flavor.key(r.key),
                      "rootProcessInstanceKey": self.flavor.key(r.key),
                      "processDefinitionKey": self.flavor.key(d.key),
                      "processDefinitionId": d.process_id, "elementId": flow,
                      "tenantId": r.tenant_id}
                     for flows in r.taken_flows.values() for flow in flows]
        return Response(200, {"items": items})

    def variable_search(self, params: dict[str, str], request: Request) -> Response:
        """POST /v2/variables/search by processInstanceKey: the process-scope variables
        (added by the flow engineer; the dry run reads them to predict Z22)."""
        filter_ = _search_body(request).get("filter") or {}
        wanted = filter_.get("processInstanceKey") if isinstance(filter_, dict) else None
        if not isinstance(wanted, str | int) or not str(wanted).isdigit():
            raise ApiError(400, "Bad Request", "filter.processInstanceKey is required")
        with self.store.lock:
            record = self.store.instances.get(int(wanted))
            variables = dict(record.variables) if record is not None else {}
            tenant = record.tenant_id if record is not None else DEFAULT_TENANT
        key = int(wanted)
        items = [{"name": name, "value": json.dumps(value, separators=(",", ":")),
                  "isTruncated": False, "tenantId": tenant,
                  "variableKey": self.flavor.key(key * 1000 + index),
                  "scopeKey": self.flavor.key(key), "processInstanceKey": self.flavor.key(key),
                  "rootProcessInstanceKey": self.flavor.key(key)}
                 for index, (name, value) in enumerate(sorted(variables.items()))]
        page = {"totalItems": len(items), "hasMoreTotalItems": False, "startCursor": None,
                "endCursor": None}
        return Response(200, {"items": items, "page": page})

    def element_search(self, params: dict[str, str], request: Request) -> Response:
        filter_, spec, page = self._search_parts(request, ELEMENT_SORT_FIELDS)
        allowed = V88_ELEMENT_FIELDS if self.flavor.version.at_least("8.8") \
            else V87_ELEMENT_FIELDS
        try:
            predicate, instance_key = compile_element_filter(
                filter_, allowed, lambda v, r: incident_offset(v) == r.offset)
        except FilterError as exc:
            raise ApiError(400, "Bad Request", str(exc)) from exc
        store = self.store
        with store.lock:
            now = time.monotonic()
            if instance_key is not None:
                keys = [instance_key] if instance_key in store.instances else []
            else:
                keys = list(store.instance_keys)
            rows = []
            for key in keys:
                view = store.visible(store.instances[key], now)
                for row in view.template.rows:
                    if predicate(view, row):
                        raw = [element_sort_value(view, row, f) for f, _ in spec.fields]
                        raw.append(view.record.key + row.offset)
                        rows.append((spec.key(raw), raw, (view, row)))
        rows.sort(key=lambda r: r[0])
        result = Sorted([r[0] for r in rows], [r[1] for r in rows], [r[2] for r in rows])
        return self._page(result, spec, page,
                          lambda vr: element_json(self.flavor, vr[0], vr[1]))

    # migration ----------------------------------------------------------------------------
    def migrate(self, params: dict[str, str], request: Request) -> Response:
        key = _key(params["key"])
        try:
            plan = parse_plan(request.json())
        except BadMigrationRequest as exc:
            raise ApiError(400, "INVALID_ARGUMENT", str(exc)) from exc
        rejection = migrate_instance(self.store, key, plan, self.flavor.version)
        if rejection is not None:
            raise ApiError(rejection.http_status, rejection.rejection_type,
                           rejection.rest_detail)
        with self.store.lock:
            self.store.writes += 1
        return Response(204)

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
        tests = []
        for name, condition in (filter_ or {}).items():
            if name not in kinds:
                raise ApiError(400, "Bad Request", f"unknown batch item filter '{name}'")
            try:
                tests.append((name, compile_property(condition, kinds[name], name)))
            except FilterError as exc:
                raise ApiError(400, "Bad Request", str(exc)) from exc
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


def _definition_value(d: Any, name: str) -> Any:
    return {"processDefinitionKey": d.key, "name": d.name, "resourceName": d.resource_name,
            "version": d.version, "versionTag": d.version_tag,
            "processDefinitionId": d.process_id, "tenantId": d.tenant_id}[name]
