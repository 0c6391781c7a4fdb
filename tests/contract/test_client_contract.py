"""Every request the client sends, and sample cluster responses, checked against the official
spec (../shared/openapi; skipped where absent) and runner/data/api-subset.schema.json."""

from __future__ import annotations

import json
import random
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import jsonschema
import pytest
from cluster.fakes import BASE, OAUTH_URL, FakeCamunda

from runner.cluster.client import ClusterClient
from runner.cluster.config import resolve
from runner.cluster.problem import MigrationRejected
from runner.cluster.retry import RetryPolicy
from runner.engine.state import Instruction
from runner.plan.model import DateRange, InstanceFilter
from runner.version import ServerVersion

from .samples import SAMPLES
from .specs import SUBSET_PATH, OfficialSpec, SubsetSpec

pytestmark = pytest.mark.spec


@dataclass
class Exchange:
    method: str
    path: str
    body: Any
    status: int
    response: Any


def _record(handler: Callable[[httpx.Request], httpx.Response],
            log: list[Exchange]) -> Callable[[httpx.Request], httpx.Response]:
    def recording(request: httpx.Request) -> httpx.Response:
        response = handler(request)
        body = json.loads(request.content) if request.content and request.headers.get(
            "content-type", "").endswith("json") else None
        path = request.url.path.removeprefix("/v2")
        if str(request.url).startswith(OAUTH_URL):
            path = "/oauth/token"
        parsed = None
        if response.content and "json" in response.headers.get("content-type", ""):
            parsed = json.loads(response.content)
        log.append(Exchange(request.method, path, body, response.status_code, parsed))
        return response
    return recording


def _session(version: str, auth: str = "NONE") -> list[Exchange]:
    """Drive every client operation against the fake and return what went over the wire."""
    fake = FakeCamunda(version)
    fake.auth = auth
    fake.deploy("order", 1, "100")
    fake.deploy("order", 2, "200", tag="v2")
    fake.add_instances(3, "100", elements=[("11", "Sub", "SUB_PROCESS", None),
                                           ("12", "Task_A", "SERVICE_TASK", "11")])
    log: list[Exchange] = []
    env = {"CAMUNDA_REST_ADDRESS": BASE, "CAMUNDA_OAUTH_URL": OAUTH_URL}
    if auth == "OAUTH":
        env |= {"CAMUNDA_CLIENT_ID": fake.client[0], "CAMUNDA_CLIENT_SECRET": fake.client[1]}
    client = ClusterClient(resolve({}, env=env), transport=httpx.MockTransport(
        _record(fake, log)), policy=RetryPolicy(deadline=1), rng=random.Random(1))
    with client:
        client.server_version()
        client.find_definition("order", version=1, tenant_id="<default>")
        client.find_definition("order", version_tag="v2")
        client.definition_xml("100")
        flt = InstanceFilter(has_incident=False, process_instance_keys=("1000", "1001", "1002"),
                             start_date=DateRange("2020-01-01T00:00:00Z", "2030-01-01T00:00:00Z"),
                             active_element_ids=("Task_A",),
                             variables={} if version < "8.8" else {"region": "EU"})
        list(client.iter_instances("100", flt, tenant_id="<default>", page_size=2))
        list(client.iter_instances("100", InstanceFilter(), page_size=2))
        client.get_instance("1000")
        client.active_elements("1000")
        client.taken_flows("1000")
        client.migrate("1000", "200", [Instruction("Task_A", "Task_A"), Instruction("Sub", "Sub")],
                       operation_reference=7)
        with pytest.raises(MigrationRejected):
            client.migrate("1001", "200", [Instruction("Nope", "Nope")])
        if version >= "8.8":
            key = client.start_batch_migration(
                InstanceFilter(process_instance_keys=("1001", "1002")), "200",
                [Instruction("Task_A", "Task_A")], source_definition_key="100")
            client.batch_operation(key)
            list(client.iter_batch_items(key, state="FAILED", page_size=2))
    return log


VERSIONS = ["8.6.0", "8.7.0", "8.8.0"]


def test_subset_schema_is_a_valid_schema() -> None:
    schema = json.loads(SUBSET_PATH.read_text(encoding="utf-8"))
    jsonschema.Draft202012Validator.check_schema(schema)


@pytest.mark.parametrize("version", VERSIONS)
def test_requests_match_the_api_subset(version: str) -> None:
    subset = SubsetSpec()
    log = _session(version, auth="OAUTH")
    operations = {(e.method, subset.definition(e.method, e.path, "request") or e.path)
                  for e in log}
    assert len(operations) >= (7 if version < "8.8" else 11)
    problems = {f"{e.method} {e.path}": subset.errors(e.method, e.path, "request", e.body)
                for e in log if e.path != "/oauth/token"}
    assert {k: v for k, v in problems.items() if v} == {}


def test_requests_match_the_official_spec(shared_dir: Path) -> None:
    spec = OfficialSpec(shared_dir / "openapi" / "rest-api.bundle.json", ServerVersion(8, 8))
    log = _session("8.8.0")
    paths = {f"{e.method} {e.path}" for e in log}
    assert any("/batch-operation-items/search" in p for p in paths)
    problems = {}
    for e in log:
        errors = spec.errors(spec.request_schema(e.method, e.path), e.body)
        if errors:
            problems[f"{e.method} {e.path} {json.dumps(e.body)}"] = errors
    assert problems == {}


@pytest.mark.parametrize("sample", list(SAMPLES), ids=lambda s: f"{s[0]} {s[1]} {s[2]}")
def test_samples_match_the_api_subset(sample: tuple[str, str, int]) -> None:
    method, path, status = sample
    if status >= 400:
        subset = SubsetSpec()
        schema = {**subset.schema, "$ref": "#/$defs/ProblemDetail"}
        assert list(jsonschema.Draft202012Validator(schema).iter_errors(SAMPLES[sample])) == []
        return
    assert SubsetSpec().errors(method, path, "response", SAMPLES[sample]) == []


@pytest.mark.parametrize("sample", list(SAMPLES), ids=lambda s: f"{s[0]} {s[1]} {s[2]}")
def test_samples_match_the_official_spec(shared_dir: Path,
                                         sample: tuple[str, str, int]) -> None:
    spec = OfficialSpec(shared_dir / "openapi" / "rest-api.bundle.json", ServerVersion(8, 8))
    method, path, status = sample
    assert spec.errors(spec.response_schema(method, path, status), SAMPLES[sample]) == []


def test_client_reads_the_samples() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        path = request.url.path.removeprefix("/v2")
        for (method, sample_path, status), body in SAMPLES.items():
            if method == request.method and sample_path == path:
                content_type = "application/problem+json" if status >= 400 else "application/json"
                return httpx.Response(status, json=body, headers={"content-type": content_type})
        raise AssertionError(f"no sample for {request.method} {path}")

    config = resolve({}, env={"CAMUNDA_REST_ADDRESS": BASE})
    with ClusterClient(config, transport=httpx.MockTransport(handler)) as client:
        assert client.server_version() == ServerVersion(8, 8, 3)
        definition = client.find_definition("order-process", version=4)
        assert (definition.key, definition.version_tag) == ("2251799813686749", "2026.1")
        [instance] = client.iter_instances("2251799813686001", InstanceFilter())
        assert (instance.key, instance.has_incident, instance.version) == (
            "2251799813690746", True, 3)
        elements = client.active_elements("2251799813690746")
        assert [(e.element_id, e.element_type, e.parent_key, e.has_incident)
                for e in elements] == [("order-process", "PROCESS", None, False),
                                       ("Task_Pay", "SERVICE_TASK", "2251799813690746", True)]
        assert client.taken_flows("2251799813690746") == ("Flow_1",)
        with pytest.raises(MigrationRejected) as caught:
            client.migrate("2251799813690746", "2251799813686749", [])
        assert caught.value.detail == SAMPLES[("POST", "/process-instances/2251799813690746/"
                                                       "migration", 409)]["detail"]
        status = client.batch_operation("2251799813699999")
        assert status is not None and (status.state, status.failed) == ("PARTIALLY_COMPLETED", 1)
        [item] = client.iter_batch_items("2251799813699999")
        assert item.error_message is not None and item.error_message.startswith("Command")
