"""The client over real HTTP against the sandbox process: paging at scale, auth, faults."""

from __future__ import annotations

from pathlib import Path

import click
import pytest
from click.testing import CliRunner
from support.sandbox import SandboxHandle, StartSandbox, sandbox_factory

from runner.cli.cluster_options import ClusterOptions, build_client, cluster_options
from runner.cli.errors import error_boundary
from runner.cluster.batch import MigrationItem
from runner.cluster.client import ClusterClient
from runner.cluster.config import resolve
from runner.engine.state import Instruction
from runner.plan.model import InstanceFilter
from runner.sandbox.process import SandboxAuth

__all__ = ["sandbox_factory"]

DATA = Path(__file__).resolve().parents[1] / "sandbox" / "data"
SECRET = "sandbox-s3cret-value"


def _seed(sandbox: SandboxHandle, count: int, *, both: bool = False) -> list[str]:
    files = ["shipping.v1.bpmn", "shipping.v2.bpmn"] if both else ["shipping.v1.bpmn"]
    result = sandbox.seed({
        "deploy": [{"resourceName": f, "xml": (DATA / f).read_text("utf-8")} for f in files],
        "instances": [{"process": "shipping", "version": 1, "count": count,
                       "waitAt": ["Task_Pick"], "startDate": "2026-01-01T00:00:00Z"}]})
    return [str(k) for k in result["instances"][0]["instanceKeys"]]


def _client(sandbox: SandboxHandle, **env: str) -> ClusterClient:
    return ClusterClient(resolve({}, env={"CAMUNDA_REST_ADDRESS": sandbox.url, **env}))


@pytest.mark.parametrize("version", ["8.7.0", "8.8.0"])
def test_paging_25000_instances_each_exactly_once(sandbox_factory: StartSandbox,
                                                  version: str) -> None:
    sandbox = sandbox_factory(server_version=version)
    keys = _seed(sandbox, 25_000)
    with _client(sandbox) as client:
        definition = client.find_definition("shipping", version=1)
        seen = [i.key for i in client.iter_instances(definition.key, InstanceFilter(),
                                                     page_size=1000)]
    assert len(seen) == 25_000
    assert sorted(seen, key=int) == sorted(keys, key=int)
    assert len(set(seen)) == 25_000


@click.command()
@cluster_options
def _version(cluster: ClusterOptions) -> None:
    with error_boundary(), build_client(cluster) as client:
        click.echo(f"cluster version {client.server_version()}")


@pytest.mark.parametrize("right", [True, False])
def test_oauth_against_the_sandbox(sandbox_factory: StartSandbox, tmp_path: Path,
                                   right: bool) -> None:
    sandbox = sandbox_factory(auth=SandboxAuth("oauth", "c8migrate", SECRET))
    used = SECRET if right else "not-the-" + SECRET
    secret_file = tmp_path / "secret"
    secret_file.write_text(used)
    result = CliRunner().invoke(_version, [
        "--cluster", sandbox.url, "--client-id", "c8migrate", "--client-secret-file",
        str(secret_file), "--oauth-url", f"{sandbox.url}/oauth/token"], env={})
    output = result.output + (result.stderr_bytes or b"").decode()
    assert used not in output and SECRET not in output
    if right:
        assert result.exit_code == 0, output
        assert "cluster version 8.8.0" in output
    else:
        assert result.exit_code == 2, output
        assert "refused the client credentials of client 'c8migrate'" in output


def test_token_revoked_mid_run_is_refreshed(sandbox_factory: StartSandbox) -> None:
    sandbox = sandbox_factory(auth=SandboxAuth("oauth", "c8migrate", SECRET))
    _seed(sandbox, 3)
    with _client(sandbox, CAMUNDA_CLIENT_ID="c8migrate", CAMUNDA_CLIENT_SECRET=SECRET,
                 CAMUNDA_OAUTH_URL=f"{sandbox.url}/oauth/token") as client:
        definition = client.find_definition("shipping", version=1)
        assert sandbox.revoke_tokens() >= 1
        assert len(list(client.iter_instances(definition.key))) == 3


def test_migrate_many_under_faults_migrates_each_instance_once(
        sandbox_factory: StartSandbox) -> None:
    sandbox = sandbox_factory()
    keys = _seed(sandbox, 300, both=True)
    sandbox.faults({"seed": 11, "searchLagMs": 50, "rules": [
        {"kind": "unavailable", "rate": 0.04, "routes": ["migrate"]},
        {"kind": "throttle", "rate": 0.03, "routes": ["migrate"], "retryAfter": 0},
        {"kind": "exhausted", "rate": 0.03, "routes": ["migrate", "instance-get"]},
        {"kind": "drop", "rate": 0.05, "routes": ["migrate"]}]})
    with _client(sandbox) as client:
        target = client.find_definition("shipping", version=2)
        mapping = (Instruction("Task_Pick", "Task_PickItems"),)
        results = list(client.migrate_many(
            (MigrationItem(k, target.key, mapping) for k in keys), concurrency=8))
    outcomes = {r.item.instance_key: r.outcome for r in results}
    assert outcomes == dict.fromkeys(keys, "migrated")
    stats = sandbox.stats()
    assert stats["acceptedMigrations"] == dict.fromkeys(keys, 1)
    assert sum(stats["faultsInjected"].values()) > 0 if isinstance(
        stats["faultsInjected"], dict) else stats["faultsInjected"] > 0
    by_readback = [r for r in results if r.result and
                   r.result.outcome == "already-migrated-by-readback"]
    assert by_readback, "the drop faults should have needed a read back"
