"""Cluster and process-definition operations: topology, deployments, definitions."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from runner.sandbox.api_base import ApiBase, ApiError, Request, Response, parse_key
from runner.sandbox.deploy import DeploymentRejected, deploy, parse_multipart
from runner.sandbox.filters import FilterError, Kind, compile_property
from runner.sandbox.queries import Sorted
from runner.sandbox.views import definition_json, deployed_process_json


class DefinitionOps(ApiBase):
    """GET /v2/topology, POST /v2/deployments, /v2/process-definitions/*."""

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
        with self.store.lock:
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
        key = parse_key(params["key"])
        definition = self.store.definitions.get(key)
        if definition is None:
            raise ApiError(404, "NOT_FOUND",
                           f"Process definition with key '{key}' not found")
        return definition

    def definition_get(self, params: dict[str, str], request: Request) -> Response:
        return Response(200, definition_json(self.flavor, self._definition(params)))

    def definition_xml(self, params: dict[str, str], request: Request) -> Response:
        return Response(200, self._definition(params).xml, "text/xml")


def _definition_value(d: Any, name: str) -> Any:
    return {"processDefinitionKey": d.key, "name": d.name, "resourceName": d.resource_name,
            "version": d.version, "versionTag": d.version_tag,
            "processDefinitionId": d.process_id, "tenantId": d.tenant_id}[name]
