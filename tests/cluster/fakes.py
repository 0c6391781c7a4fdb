"""A small in-memory Camunda REST API for httpx.MockTransport: enough to test the client.

It speaks the 8.6/8.7 (searchAfter, numeric keys on 8.6) and 8.8+ (cursors) dialects, checks
credentials for each auth strategy, and injects faults per route from a queue.
"""

from __future__ import annotations

import base64
import json
import re
import threading
from dataclasses import dataclass, field
from typing import Any

import httpx

OAUTH_URL = "https://login.example.test/oauth/token"
BASE = "http://camunda.test:8080/v2"


@dataclass
class Instance:
    key: str
    definition_key: str
    process_id: str = "order"
    version: int = 1
    state: str = "ACTIVE"
    has_incident: bool = False
    start_date: str = "2026-01-01T00:00:00.000Z"
    variables: dict[str, Any] = field(default_factory=dict)
    # (key, elementId, type, parent key or None)
    elements: list[tuple[str, str, str, str | None]] = field(default_factory=list)


@dataclass
class Recorded:
    method: str
    path: str
    body: Any
    headers: httpx.Headers


class Drop(Exception):
    """Marker fault: apply the request, then drop the connection."""


class FakeCamunda:
    """Call it with an httpx.Request (it is an httpx.MockTransport handler)."""

    def __init__(self, version: str = "8.8.0") -> None:
        self.version = version
        self.definitions: list[dict[str, Any]] = []
        self.instances: dict[str, Instance] = {}
        self.requests: list[Recorded] = []
        self.faults: dict[str, list[Any]] = {}
        self.auth: str = "NONE"
        self.basic: tuple[str, str] = ("demo", "demo")
        self.client: tuple[str, str] = ("c8migrate", "s3cr3t-value")
        self.bearer_tokens: set[str] = set()
        self.token_lifetime = 300
        self.tokens_issued = 0
        self.revoked: set[str] = set()
        self.migrations: dict[str, int] = {}
        self.batches: dict[str, dict[str, Any]] = {}
        self.batch_polls_before_visible = 0
        self.batch_states: list[str] = []
        self.sequence_flows: dict[str, list[str]] = {}
        self._lock = threading.Lock()

    # -- setup ---------------------------------------------------------------------------

    @property
    def modern(self) -> bool:
        return tuple(int(p) for p in self.version.split(".")[:2]) >= (8, 8)

    @property
    def numeric_keys(self) -> bool:
        return self.version.startswith("8.6")

    def deploy(self, process_id: str, version: int, key: str, tag: str | None = None) -> None:
        self.definitions.append({"processDefinitionKey": key, "processDefinitionId": process_id,
                                 "version": version, "versionTag": tag, "tenantId": "<default>",
                                 "name": process_id, "resourceName": f"{process_id}.bpmn",
                                 "hasStartForm": False})

    def add_instances(self, count: int, definition_key: str, first_key: int = 1000,
                      **kwargs: Any) -> list[str]:
        keys = []
        for n in range(count):
            key = str(first_key + n)
            elements = kwargs.pop("elements", None) if n == 0 else None
            inst = Instance(key, definition_key, **kwargs)
            inst.elements = elements or [(str(first_key + n) + "1", "Task_A", "SERVICE_TASK",
                                          None)]
            self.instances[key] = inst
            keys.append(key)
        return keys

    def fault(self, route: str, *faults: Any) -> None:
        """Queue faults for a route like 'POST /process-instances/*/migration'."""
        self.faults.setdefault(route, []).extend(faults)

    # -- handler -------------------------------------------------------------------------

    def __call__(self, request: httpx.Request) -> httpx.Response:
        body: Any = None
        if request.content:
            ctype = request.headers.get("content-type", "")
            body = (json.loads(request.content) if "json" in ctype
                    else dict(httpx.QueryParams(request.content.decode())))
        url = str(request.url)
        if url.startswith(OAUTH_URL):
            self.requests.append(Recorded(request.method, "TOKEN", body,
                                          httpx.Headers(request.headers)))
            token_faults = self.faults.get("TOKEN")
            if token_faults:
                raise token_faults.pop(0)
            return self._token(body)
        path = request.url.path.removeprefix("/v2")
        self.requests.append(Recorded(request.method, path, body, httpx.Headers(request.headers)))
        denied = self._check_auth(request)
        if denied is not None:
            return denied
        route = f"{request.method} {re.sub(r'/-?[0-9]+(?=/|$)', '/*', path)}"
        queue = self.faults.get(route)
        fault = queue.pop(0) if queue else None
        if isinstance(fault, Exception) and not isinstance(fault, Drop):
            raise fault
        if isinstance(fault, httpx.Response):
            return fault
        if isinstance(fault, int):
            return problem(fault, "RESOURCE_EXHAUSTED" if fault in (500, 503) else "Error",
                           "injected", headers={"Retry-After": "1"} if fault == 429 else None)
        response = self._route(request.method, path, body)
        if isinstance(fault, Drop):
            raise httpx.ReadError("connection dropped after applying", request=request)
        return response

    def _token(self, form: dict[str, str]) -> httpx.Response:
        if (form.get("grant_type") != "client_credentials"
                or (form.get("client_id"), form.get("client_secret")) != self.client):
            return httpx.Response(401, json={"error": "unauthorized_client",
                                             "error_description": "Invalid client credentials"})
        with self._lock:
            self.tokens_issued += 1
            token = f"token-{self.tokens_issued}"
        self.bearer_tokens.add(token)
        return httpx.Response(200, json={"access_token": token, "token_type": "Bearer",
                                         "expires_in": self.token_lifetime})

    def _check_auth(self, request: httpx.Request) -> httpx.Response | None:
        header = request.headers.get("authorization", "")
        if self.auth == "BASIC":
            wanted = "Basic " + base64.b64encode(":".join(self.basic).encode()).decode()
            if header != wanted:
                return problem(401, "Unauthorized", "bad credentials")
        elif self.auth in ("OAUTH", "BEARER"):
            token = header.removeprefix("Bearer ")
            if token not in self.bearer_tokens or token in self.revoked:
                return problem(401, "Unauthorized", "invalid token")
        return None

    def key_out(self, key: str) -> Any:
        return int(key) if self.numeric_keys else key

    def _route(self, method: str, path: str, body: Any) -> httpx.Response:
        if path == "/topology":
            return httpx.Response(200, json={"gatewayVersion": self.version, "brokers": [],
                                             "clusterSize": 1, "partitionsCount": 1,
                                             "replicationFactor": 1,
                                             "lastCompletedChangeId": "-1"})
        if path == "/process-definitions/search":
            flt = body.get("filter", {})
            items = [d for d in self.definitions
                     if d["processDefinitionId"] == flt.get("processDefinitionId")
                     and flt.get("version") in (None, d["version"])
                     and flt.get("versionTag") in (None, d["versionTag"])]
            items.sort(key=lambda d: -d["version"])
            items = [dict(d, processDefinitionKey=self.key_out(d["processDefinitionKey"]))
                     for d in items[:1]]
            return self._page(items, body, "processDefinitionKey")
        m = re.fullmatch(r"/process-definitions/(\d+)/xml", path)
        if m:
            if not any(d["processDefinitionKey"] == m.group(1) for d in self.definitions):
                return problem(404, "NOT_FOUND", "no such definition")
            return httpx.Response(200, content=b"<definitions/>",
                                  headers={"content-type": "text/xml"})
        if path == "/process-instances/search":
            return self._search_instances(body)
        m = re.fullmatch(r"/process-instances/(\d+)", path)
        if m:
            inst = self.instances.get(m.group(1))
            return (httpx.Response(200, json=self.instance_json(inst)) if inst
                    else problem(404, "NOT_FOUND", "no such instance"))
        m = re.fullmatch(r"/process-instances/(\d+)/migration", path)
        if m:
            return self._migrate(m.group(1), body)
        m = re.fullmatch(r"/process-instances/(\d+)/sequence-flows", path)
        if m:
            return httpx.Response(200, json={"items": [
                {"sequenceFlowId": f, "processInstanceKey": m.group(1)}
                for f in self.sequence_flows.get(m.group(1), [])]})
        if path in ("/element-instances/search", "/flownode-instances/search"):
            return self._search_elements(path, body)
        if path == "/process-instances/migration":
            key = str(9000 + len(self.batches))
            self.batches[key] = {"filter": body["filter"], "polls": 0}
            return httpx.Response(200, json={"batchOperationKey": key,
                                             "batchOperationType": "MIGRATE_PROCESS_INSTANCE"})
        m = re.fullmatch(r"/batch-operations/(\d+)", path)
        if m:
            return self._batch_status(m.group(1))
        if path == "/batch-operation-items/search":
            items = [{"batchOperationKey": body["filter"]["batchOperationKey"], "itemKey": k,
                      "processInstanceKey": k, "state": "FAILED",
                      "errorMessage": "Command 'MIGRATE' rejected", "processedDate": None,
                      "operationType": "MIGRATE_PROCESS_INSTANCE"}
                     for k in sorted(self.instances)]
            return self._page(items, body, "itemKey")
        return problem(404, "Not Found", f"no route {method} {path}")

    def instance_json(self, inst: Instance) -> dict[str, Any]:
        if self.modern:
            return {"processInstanceKey": inst.key, "processDefinitionKey": inst.definition_key,
                    "processDefinitionId": inst.process_id,
                    "processDefinitionVersion": inst.version, "state": inst.state,
                    "hasIncident": inst.has_incident, "startDate": inst.start_date,
                    "tenantId": "<default>"}
        return {"key": self.key_out(inst.key),
                "processDefinitionKey": self.key_out(inst.definition_key),
                "bpmnProcessId": inst.process_id, "processDefinitionVersion": inst.version,
                "state": "INCIDENT" if inst.has_incident else inst.state,
                "incident": inst.has_incident, "startDate": inst.start_date,
                "tenantId": "<default>"}

    def _search_instances(self, body: dict[str, Any]) -> httpx.Response:
        flt = body.get("filter", {})
        selected = []
        for inst in sorted(self.instances.values(), key=lambda i: int(i.key)):
            if "processDefinitionKey" in flt and inst.definition_key != str(
                    flt["processDefinitionKey"]):
                continue
            if "processInstanceKey" in flt:
                wanted = flt["processInstanceKey"]
                keys = ([str(k) for k in wanted["$in"]] if isinstance(wanted, dict)
                        else [str(wanted)])
                if inst.key not in keys:
                    continue
            if "state" in flt and inst.state != flt["state"]:
                continue
            if "hasIncident" in flt and inst.has_incident != flt["hasIncident"]:
                continue
            if "processDefinitionVersion" in flt and inst.version != flt[
                    "processDefinitionVersion"]:
                continue
            if any(v["name"] not in inst.variables or
                   json.dumps(inst.variables[v["name"]], separators=(",", ":")) != v["value"]
                   for v in flt.get("variables", [])):
                continue
            selected.append(self.instance_json(inst))
        return self._page(selected, body, "key" if not self.modern else "processInstanceKey")

    def _search_elements(self, path: str, body: dict[str, Any]) -> httpx.Response:
        flt = body["filter"]
        inst = self.instances.get(str(flt["processInstanceKey"]))
        rows: list[dict[str, Any]] = []
        if inst is not None:
            all_rows = [(inst.key, inst.process_id, "PROCESS", None), *inst.elements]
            scope = flt.get("elementInstanceScopeKey")
            for key, element_id, etype, parent in all_rows:
                actual_parent = parent or (inst.key if etype != "PROCESS" else None)
                if scope is not None and actual_parent != str(scope):
                    continue
                if self.modern:
                    rows.append({"elementInstanceKey": key, "elementId": element_id,
                                 "type": etype, "state": "ACTIVE", "hasIncident": False,
                                 "processInstanceKey": inst.key,
                                 "processDefinitionKey": inst.definition_key,
                                 "processDefinitionId": inst.process_id})
                elif etype != "PROCESS":
                    chain = [key]
                    p = actual_parent
                    parents = {k: pp for k, _, _, pp in inst.elements}
                    while p is not None and p != inst.key:
                        chain.append(p)
                        p = parents.get(p) or inst.key
                    chain.append(inst.key)
                    rows.append({"flowNodeInstanceKey": self.key_out(key), "flowNodeId":
                                 element_id, "type": etype, "state": "ACTIVE",
                                 "incident": False, "treePath": "/".join(reversed(chain)),
                                 "processInstanceKey": self.key_out(inst.key),
                                 "processDefinitionKey": self.key_out(inst.definition_key)})
        sort_key = "elementInstanceKey" if self.modern else "flowNodeInstanceKey"
        return self._page(rows, body, sort_key)

    def _page(self, items: list[dict[str, Any]], body: dict[str, Any],
              sort_key: str) -> httpx.Response:
        page = (body or {}).get("page", {})
        limit = page.get("limit", 100)
        if self.modern:
            start = int(base64.b64decode(page["after"]).decode()) if "after" in page else 0
            chunk = items[start:start + limit]
            end = base64.b64encode(str(start + len(chunk)).encode()).decode()
            return httpx.Response(200, json={"items": chunk, "page": {
                "totalItems": len(items), "hasMoreTotalItems": False,
                "startCursor": None, "endCursor": end if chunk else None}})
        if "searchAfter" in page:
            after = int(page["searchAfter"][0])
            items = [i for i in items if int(i[sort_key]) > after]
        chunk = items[:limit]
        return httpx.Response(200, json={"items": chunk, "page": {
            "totalItems": len(items),
            "firstSortValues": [chunk[0][sort_key]] if chunk else [],
            "lastSortValues": [chunk[-1][sort_key]] if chunk else []}})

    def _migrate(self, key: str, body: dict[str, Any]) -> httpx.Response:
        inst = self.instances.get(key)
        if inst is None:
            return problem(404, "NOT_FOUND", "Command 'MIGRATE' rejected with code "
                           "'NOT_FOUND': Expected to migrate process instance but no process "
                           f"instance found with key '{key}'")
        target = str(body["targetProcessDefinitionKey"])
        if inst.definition_key == target:
            return problem(400, "INVALID_ARGUMENT", "Command 'MIGRATE' rejected with code "
                           f"'INVALID_ARGUMENT': Expected to migrate process instance '{key}' "
                           "but mapping instructions contain a non-existing source element id")
        mapped = {m["sourceElementId"]: m["targetElementId"] for m in body["mappingInstructions"]}
        for _, element_id, _etype, _ in inst.elements:
            if element_id not in mapped:
                return problem(409, "INVALID_STATE", "Command 'MIGRATE' rejected with code "
                               f"'INVALID_STATE': Expected to migrate process instance '{key}' "
                               f"but no mapping instruction defined for active element with id "
                               f"'{element_id}'. Elements cannot be migrated without a mapping.")
        with self._lock:
            inst.definition_key = target
            inst.elements = [(k, mapped[e], t, p) for k, e, t, p in inst.elements]
            self.migrations[key] = self.migrations.get(key, 0) + 1
        return httpx.Response(204)

    def _batch_status(self, key: str) -> httpx.Response:
        batch = self.batches.get(key)
        if batch is None:
            return problem(404, "NOT_FOUND", "no such batch")
        batch["polls"] += 1
        if batch["polls"] <= self.batch_polls_before_visible:
            return problem(404, "NOT_FOUND", "batch operation not found")
        index = batch["polls"] - self.batch_polls_before_visible - 1
        states = self.batch_states or ["COMPLETED"]
        state = states[min(index, len(states) - 1)]
        return httpx.Response(200, json={
            "batchOperationKey": key, "state": state,
            "batchOperationType": "MIGRATE_PROCESS_INSTANCE", "startDate": None,
            "endDate": None, "actorType": None, "actorId": None,
            "operationsTotalCount": 3, "operationsFailedCount": 1,
            "operationsCompletedCount": 2 if state != "ACTIVE" else 0, "errors": []})


def problem(status: int, title: str, detail: str,
            headers: dict[str, str] | None = None) -> httpx.Response:
    return httpx.Response(status, headers=headers, json={
        "type": "about:blank", "title": title, "status": status, "detail": detail,
        "instance": "/v2/test"})
