"""The real sandbox process driven through the client; every exchange it answers is checked
against the official spec (adapted to 8.8) and the in-project API subset."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import httpx
import pytest
from support.sandbox import StartSandbox, sandbox_factory

from runner.bpmn.parser import load_bpmn
from runner.cluster.client import ClusterClient
from runner.cluster.config import resolve
from runner.cluster.problem import MigrationRejected
from runner.engine.state import Instruction
from runner.plan.model import InstanceFilter
from runner.version import ServerVersion

from .specs import OfficialSpec, SubsetSpec

__all__ = ["sandbox_factory"]
pytestmark = pytest.mark.spec

DATA = Path(__file__).resolve().parents[1] / "sandbox" / "data"


class RecordingTransport(httpx.BaseTransport):
    """Passes requests to the real transport and keeps (method, path, status, request body,
    response body) of each exchange."""

    def __init__(self) -> None:
        self.inner = httpx.HTTPTransport()
        self.log: list[tuple[str, str, int, Any, Any]] = []

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        response = self.inner.handle_request(request)
        response.read()
        sent = json.loads(request.content) if request.content and "json" in request.headers.get(
            "content-type", "") else None
        got = response.json() if "json" in response.headers.get("content-type", "") else None
        self.log.append((request.method, request.url.path.removeprefix("/v2"),
                         response.status_code, sent, got))
        return response

    def close(self) -> None:
        self.inner.close()


def _drive(sandbox_url: str, transport: RecordingTransport) -> None:
    config = resolve({}, env={"CAMUNDA_REST_ADDRESS": sandbox_url})
    with ClusterClient(config, transport=transport) as client:
        client.server_version()
        source = client.find_definition("shipping", version=1)
        target = client.find_definition("shipping", version=2)
        client.definition_xml(source.key)
        instances = list(client.iter_instances(source.key, InstanceFilter(), page_size=2))
        first = instances[0].key
        client.get_instance(first)
        client.active_elements(first)
        client.get_instances([i.key for i in instances])
        model = load_bpmn(DATA / "shipping.v1.bpmn").process("shipping")
        assert model is not None
        reader = client.active_element_reader(source.key, model, page_size=2)
        assert reader is not None
        assert all(reader.tree_of(i.key) is not None for i in instances)
        client.taken_flows(first)
        client.migrate(first, target.key, [Instruction("Task_Pick", "Task_PickItems")])
        with pytest.raises(MigrationRejected):
            client.migrate(instances[1].key, target.key, [])
        batch = client.start_batch_migration(
            InstanceFilter(process_instance_keys=tuple(i.key for i in instances[2:])),
            target.key, [Instruction("Task_Pick", "Task_PickItems")],
            source_definition_key=source.key)
        client.follow_batch(batch, timeout=30, poll=0.05)
        list(client.iter_batch_items(batch))


def test_sandbox_answers_match_the_specs(sandbox_factory: StartSandbox,
                                         shared_dir: Path) -> None:
    sandbox = sandbox_factory(server_version="8.8.0")
    files = ["shipping.v1.bpmn", "shipping.v2.bpmn"]
    sandbox.seed({
        "deploy": [{"resourceName": f, "xml": (DATA / f).read_text("utf-8")} for f in files],
        "instances": [{"process": "shipping", "version": 1, "count": 5,
                       "waitAt": ["Task_Pick"]}]})
    transport = RecordingTransport()
    _drive(sandbox.url, transport)
    spec = OfficialSpec(shared_dir / "openapi" / "rest-api.bundle.json", ServerVersion(8, 8))
    subset = SubsetSpec()
    problems: dict[str, list[str]] = {}
    for method, path, status, sent, got in transport.log:
        where = f"{method} {path} -> {status}"
        errors = spec.errors(spec.request_schema(method, path), sent)
        if got is not None:
            errors += spec.errors(spec.response_schema(method, path, status), got)
        if status < 400:
            errors += subset.errors(method, path, "request", sent)
            if got is not None:
                errors += subset.errors(method, path, "response", got)
        if errors:
            problems[where] = errors
    assert len(transport.log) >= 12
    sent_filters = [sent["filter"] for method, path, _, sent, _ in transport.log
                    if method == "POST" and path.endswith("/search") and sent
                    and "filter" in sent]
    assert any(isinstance(f.get("processInstanceKey"), dict)
               and "$in" in f["processInstanceKey"] for f in sent_filters)  # bulk read-back
    assert any("processDefinitionKey" in f and f.get("state") == "ACTIVE"
               for f in sent_filters)  # bulk element search
    assert problems == {}
