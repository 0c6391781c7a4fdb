"""Starting the sandbox (module and CLI), seed files and seed errors."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import httpx
import pytest
from support.sandbox import SandboxHandle, StartSandbox

from runner.sandbox.process import READY, SandboxStartError, start_sandbox

from .helpers import DATA

REPO = Path(__file__).resolve().parents[2]


def _seed_file(tmp_path: Path, body: str) -> Path:
    (tmp_path / "bpmn").mkdir()
    (tmp_path / "bpmn" / "shipping.v1.bpmn").write_bytes((DATA / "shipping.v1.bpmn").read_bytes())
    path = tmp_path / "seed.yaml"
    path.write_text(body, encoding="utf-8")
    return path


def test_seed_file_paths_are_relative_to_it(sandbox_factory: StartSandbox,
                                            tmp_path: Path) -> None:
    seed = _seed_file(tmp_path, "deploy: [bpmn/shipping.v1.bpmn]\n"
                                "instances:\n"
                                "  - {process: shipping, count: 4, waitAt: [Task_Confirm]}\n")
    sandbox = sandbox_factory(seed=seed)
    with httpx.Client(base_url=sandbox.url) as client:
        found = client.post("/v2/process-instances/search",
                            json={"filter": {"elementId": "Task_Confirm"}}).json()
        assert found["page"]["totalItems"] == 4
        by_definition = client.post("/v2/element-instances/search", json={
            "filter": {"processDefinitionKey": found["items"][0]["processDefinitionKey"],
                       "type": "USER_TASK"}}).json()
        assert by_definition["page"]["totalItems"] == 4
    assert sandbox.stats()["writes"] == 0  # seeding is not an API write


def test_a_bad_seed_file_stops_the_start_with_its_reason(tmp_path: Path) -> None:
    seed = _seed_file(tmp_path, "deploy: [bpmn/shipping.v1.bpmn]\n"
                                "instances: [{process: shipping, waitAt: [Nope]}]\n")
    with pytest.raises(SandboxStartError) as caught:
        start_sandbox(seed=seed, timeout=20)
    assert "element 'Nope' is not in process 'shipping'" in caught.value.message


@pytest.mark.parametrize(("document", "reason"), [
    ({"instances": [{"process": "ghost", "waitAt": ["A"]}]}, "is not deployed"),
    ({"deploy": [{"resourceName": "x.bpmn", "xml": "<x/>"}]}, "deploy[0]"),
    ({"instances": [{"process": "shipping", "waitAt": ["Task_Pick"], "colour": "red"}]},
     "unknown keys ['colour']"),
    ({"extra": 1}, "unknown seed keys"),
])
def test_seed_errors_are_400(sandbox: SandboxHandle, document: dict[str, object],
                             reason: str) -> None:
    sandbox.deploy_files(DATA / "shipping.v1.bpmn")
    response = sandbox.admin.post("/sandbox/seed", json=document)
    assert response.status_code == 400
    assert reason in response.json()["detail"]


def test_admin_bad_json_is_400(sandbox: SandboxHandle) -> None:
    response = sandbox.admin.post("/sandbox/seed", content=b"{oops")
    assert response.status_code == 400
    assert response.json()["title"] == "Bad Request"


def test_a_hundred_thousand_instances(sandbox: SandboxHandle) -> None:
    sandbox.deploy_files(DATA / "shipping.v1.bpmn", DATA / "join.v1.bpmn")
    result = sandbox.seed({"instances": [
        {"process": "shipping", "count": 100_000, "waitAt": ["Task_Pick"]},
        {"process": "checks", "count": 3, "waitAt": ["Task_Fraud"]}]})
    few = result["instances"][1]["instanceKeys"]
    with httpx.Client(base_url=sandbox.url, timeout=60) as client:
        everything = client.post("/v2/process-instances/search",
                                 json={"page": {"limit": 1}}).json()
        assert everything["page"]["totalItems"] == 100_003
        checks = client.post("/v2/process-instances/search",
                             json={"filter": {"processDefinitionId": "checks"}}).json()
        assert [i["processInstanceKey"] for i in checks["items"]] == few
        last = client.post("/v2/element-instances/search", json={
            "filter": {"processInstanceKey": few[-1]}}).json()
        assert [e["elementId"] for e in last["items"]] == ["checks", "Task_Fraud"]
    assert sandbox.stats()["instances"] == 100_003


def test_the_cli_command_wraps_the_module() -> None:
    process = subprocess.Popen(
        [sys.executable, "-m", "runner", "sandbox", "--port", "0", "--server-version", "8.7"],
        cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        assert process.stdout is not None
        line = process.stdout.readline().strip()
        match = READY.match(line)
        assert match, line
        topology = httpx.get(match.group(1) + "/v2/topology").json()
        assert topology["gatewayVersion"] == "8.7.0"
    finally:
        process.terminate()
        process.communicate(timeout=10)


def test_unsupported_versions_are_refused() -> None:
    result = subprocess.run([sys.executable, "-m", "runner.sandbox", "--port", "0",
                             "--server-version", "8.5"], cwd=REPO, capture_output=True,
                            text=True, timeout=30)
    assert result.returncode == 2
    assert "8.6 and newer" in result.stderr
    assert result.stdout == ""
