"""The REST operations of the sandbox, independent of the HTTP plumbing in server.py.

Each handler takes the path parameters and the request and returns a Response. Bodies
follow the official spec's shapes (../shared/openapi), per server version (views.Flavor).
Definitions live in api_definitions.py, batch operations in api_batch.py.
"""

from __future__ import annotations

import json
import time
from typing import Any

from runner.sandbox.api_base import (
    ApiError,
    Request,
    Response,
    parse_key,
    problem_response,
    search_body,
)
from runner.sandbox.api_batch import BatchOps
from runner.sandbox.api_definitions import DefinitionOps
from runner.sandbox.filters import FilterError
from runner.sandbox.migrate import BadMigrationRequest, migrate_instance, parse_plan
from runner.sandbox.queries import (
    ELEMENT_SORT_FIELDS,
    INSTANCE_SORT_FIELDS,
    V87_ELEMENT_FIELDS,
    V88_ELEMENT_FIELDS,
    V88_PLAIN_ELEMENT_FIELDS,
)
from runner.sandbox.store import DEFAULT_TENANT
from runner.sandbox.views import element_json, incident_offset, instance_json

__all__ = ["Api", "ApiError", "Request", "Response", "problem_response"]


class Api(DefinitionOps, BatchOps):
    """All operations, bound to one store and one server version."""

    # process instances --------------------------------------------------------------------
    def instance_search(self, params: dict[str, str], request: Request) -> Response:
        filter_, spec, page = self._search_parts(request, INSTANCE_SORT_FIELDS)
        try:
            result = self.search.run(filter_, spec)
        except FilterError as exc:
            raise ApiError(400, "Bad Request", str(exc)) from exc
        return self._page(result, spec, page, lambda v: instance_json(self.flavor, v))

    def _record(self, params: dict[str, str]) -> Any:
        key = parse_key(params["key"])
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
        filter_ = search_body(request).get("filter") or {}
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
        v88 = self.flavor.version.at_least("8.8")
        try:
            result = self.elements.run(
                filter_, spec, V88_ELEMENT_FIELDS if v88 else V87_ELEMENT_FIELDS,
                V88_PLAIN_ELEMENT_FIELDS if v88 else frozenset(),
                lambda v, r: incident_offset(v) == r.offset)
        except FilterError as exc:
            raise ApiError(400, "Bad Request", str(exc)) from exc
        return self._page(result, spec, page,
                          lambda vr: element_json(self.flavor, vr[0], vr[1]))

    # migration ----------------------------------------------------------------------------
    def migrate(self, params: dict[str, str], request: Request) -> Response:
        key = parse_key(params["key"])
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
