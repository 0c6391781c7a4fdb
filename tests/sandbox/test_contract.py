"""The sandbox's responses (8.8) match the official spec in ../shared/openapi."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import httpx
import jsonschema
import pytest
from support.sandbox import SandboxHandle

from .helpers import DATA, deploy

pytestmark = pytest.mark.spec


def _openapi_to_jsonschema(node: Any) -> Any:
    """OpenAPI 3.0 ``nullable`` becomes a JSON Schema union with null."""
    if isinstance(node, list):
        return [_openapi_to_jsonschema(x) for x in node]
    if not isinstance(node, dict):
        return node
    converted = {k: _openapi_to_jsonschema(v) for k, v in node.items() if k != "nullable"}
    if "\\p{" in str(converted.get("pattern", "")):
        del converted["pattern"]  # Unicode classes (\p{L}) are beyond Python's re
    if node.get("nullable"):
        return {"anyOf": [converted, {"type": "null"}]}
    return converted


class Spec:
    def __init__(self, bundle: Path) -> None:
        document = json.loads(bundle.read_text("utf-8"))
        self.paths = document["paths"]
        self.components = _openapi_to_jsonschema(document["components"])
        self.templates = [(re.compile("^/v2" + re.sub(r"\{\w+\}", "[^/]+", p) + "$"), p)
                          for p in self.paths]

    def check(self, method: str, response: httpx.Response) -> None:
        path = response.request.url.path
        matches = [p for regex, p in self.templates
                   if regex.match(path) and method.lower() in self.paths[p]]
        # a literal segment wins over a template ("/process-instances/search")
        template = min(matches, key=lambda p: p.count("{"))
        operation = self.paths[template][method.lower()]
        status = str(response.status_code)
        assert status in operation["responses"], f"{method} {template} cannot answer {status}"
        content = operation["responses"][status].get("content")
        if content is None:
            assert response.content == b""
            return
        content_type = response.headers["content-type"].split(";")[0]
        assert content_type in content, f"{method} {template} {status}: {content_type}"
        schema = content[content_type]["schema"]
        if content_type.endswith("json"):
            jsonschema.validate(response.json(), {**_openapi_to_jsonschema(schema),
                                                  "components": self.components})


@pytest.fixture
def spec(shared_dir: Path) -> Spec:
    return Spec(shared_dir / "openapi" / "rest-api.bundle.json")


def test_responses_match_the_official_spec(spec: Spec, sandbox: SandboxHandle) -> None:
    with httpx.Client(base_url=sandbox.url, timeout=30) as client:
        def call(method: str, url: str, **kwargs: Any) -> httpx.Response:
            response = client.request(method, url, **kwargs)
            spec.check(method, response)
            return response

        call("GET", "/v2/topology")
        keys = deploy(client, "shipping.v1.bpmn", "shipping.v2.bpmn")
        call("POST", "/v2/deployments", files=[("resources", (
            "shipping.v1.bpmn", (DATA / "shipping.v1.bpmn").read_bytes(), "text/xml"))])
        seeded = sandbox.seed({"instances": [
            {"process": "shipping", "version": 1, "count": 2, "waitAt": ["Task_Label"],
             "hasIncident": True, "takenFlows": {"shipping": ["Flow_2"]}},
            {"process": "shipping", "version": 1, "count": 2, "waitAt": ["Task_Box"]}]})
        label, box = (g["instanceKeys"][0] for g in seeded["instances"])
        call("POST", "/v2/process-definitions/search", json={"filter": {"version": 1}})
        call("GET", f"/v2/process-definitions/{keys['1']}")
        call("GET", f"/v2/process-definitions/{keys['1']}/xml")
        call("GET", "/v2/process-definitions/1")
        call("POST", "/v2/process-instances/search", json={"page": {"limit": 1}})
        call("POST", "/v2/process-instances/search", json={"filter": {"x": 1}})
        call("GET", f"/v2/process-instances/{label}")
        call("GET", f"/v2/process-instances/{label}/sequence-flows")
        call("POST", "/v2/element-instances/search",
             json={"filter": {"processInstanceKey": label}})
        call("POST", f"/v2/process-instances/{label}/migration", json={
            "targetProcessDefinitionKey": keys["2"], "mappingInstructions": [
                {"sourceElementId": s, "targetElementId": s}
                for s in ("Sub_Pack", "Task_Label")]})
        call("POST", f"/v2/process-instances/{box}/migration", json={
            "targetProcessDefinitionKey": keys["2"], "mappingInstructions": []})
        call("POST", "/v2/process-instances/1/migration", json={
            "targetProcessDefinitionKey": keys["2"], "mappingInstructions": []})
        batch = call("POST", "/v2/process-instances/migration", json={
            "filter": {"processDefinitionKey": keys["1"]},
            "migrationPlan": {"targetProcessDefinitionKey": keys["2"],
                              "mappingInstructions": []}}).json()["batchOperationKey"]
        for _ in range(200):
            status = call("GET", f"/v2/batch-operations/{batch}").json()
            if status["endDate"]:
                break
        call("POST", "/v2/batch-operation-items/search",
             json={"filter": {"batchOperationKey": batch}})
        call("POST", "/v2/batch-operations/search", json={"page": {"limit": 5}})
        call("GET", "/v2/batch-operations/123")
