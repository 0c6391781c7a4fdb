"""The dry run's bulk element reads (8.8+) give the same previews as reading each instance
on its own, and need far fewer requests."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from support.sandbox import SandboxHandle, StartSandbox

from runner.bpmn.model import ProcessModel
from runner.cluster.client import ClusterClient
from runner.flow.observe import observe
from runner.flow.preview import build_preview
from runner.flow.resolve import resolve_plan
from runner.plan.loader import load_plan
from runner.plan.model import Plan
from runner.results import PlanPreview

from .conftest import PLANS, client_for

CLUSTER_DATA = Path(__file__).resolve().parents[1] / "cluster" / "data"
SCOPE_GROUPS = [  # (waitAt, innerInstances): every kind of scope the bulk path derives
    (["Guarded"], 1), (["Guarded", "Escalated"], 1), (["OuterTask", "DeepTask"], 1),
    (["FanoutTask"], 1), (["FanoutTask"], 3), (["Each"], 3), (["PokedTask", "Guarded"], 1)]


class PerInstance:
    """The real client, with the bulk reader switched off: every instance is read alone."""

    def __init__(self, client: ClusterClient) -> None:
        self._client = client

    def __getattr__(self, name: str) -> Any:
        return getattr(self._client, name)

    def active_element_reader(self, definition_key: str, model: ProcessModel) -> None:
        return None


def _plan(path: Path) -> Plan:
    loaded = load_plan(path)
    assert loaded.plan is not None, loaded.findings
    return loaded.plan


def _observations(plan: Plan, client: Any) -> dict[str, tuple[Any, ...]]:
    """Every judged instance: key -> (snapshot elements, verdict)."""
    resolved = resolve_plan(plan, client, client.server_version())
    assert resolved.request is not None
    return {o.info.key: (o.elements, o.verdict)
            for o in observe(resolved.request, client, plan.filter)}


def _both(plan: Plan, client: ClusterClient, handle: SandboxHandle
          ) -> tuple[PlanPreview, PlanPreview, int, int]:
    """(bulk preview, per-instance preview, element searches of each)."""
    def element_searches() -> int:
        return int(handle.stats()["requests"].get("element-search", 0))

    start = element_searches()
    bulk = build_preview(plan, client, concurrency=1)
    middle = element_searches()
    alone = build_preview(plan, PerInstance(client), concurrency=1)  # type: ignore[arg-type]
    return bulk, alone, middle - start, element_searches() - middle


@pytest.mark.parametrize("name", ["order-v1-to-v2.yaml", "invoice-v1-to-v2.yaml",
                                  "onboarding-2025.1-to-2025.2.yaml"])
def test_demo_plans_preview_the_same_in_bulk(demo_sandbox: SandboxHandle,
                                             demo_client: ClusterClient, name: str) -> None:
    bulk, alone, bulk_searches, alone_searches = _both(_plan(PLANS / name), demo_client,
                                                       demo_sandbox)
    assert bulk == alone
    assert bulk.matched > 0
    assert bulk_searches < alone_searches
    per_instance = _observations(_plan(PLANS / name), PerInstance(demo_client))
    assert _observations(_plan(PLANS / name), demo_client) == per_instance
    assert len(per_instance) == bulk.matched


def test_scopes_plan_previews_the_same_in_bulk(sandbox_factory: StartSandbox,
                                               tmp_path: Path) -> None:
    handle = sandbox_factory()
    handle.deploy_files(CLUSTER_DATA / "scopes.v1.bpmn", CLUSTER_DATA / "scopes.v2.bpmn")
    groups = [{"process": "scopes", "version": 1, "count": 2, "waitAt": wait_at,
               "innerInstances": inner, "hasIncident": index == 0}
              for index, (wait_at, inner) in enumerate(SCOPE_GROUPS)]
    seeded = handle.seed({"instances": groups})["instances"]
    for version in ("v1", "v2"):
        (tmp_path / f"scopes.{version}.bpmn").write_bytes(
            (CLUSTER_DATA / f"scopes.{version}.bpmn").read_bytes())
    (tmp_path / "scopes.yaml").write_text(
        "apiVersion: c8migrate/v1\nkind: MigrationPlan\nmetadata: {name: scopes}\n"
        "source: {processDefinitionId: scopes, version: 1, bpmn: scopes.v1.bpmn}\n"
        "target: {processDefinitionId: scopes, version: 2, bpmn: scopes.v2.bpmn}\n"
        "mappings: {auto: same-id}\n", "utf-8")
    with client_for(handle) as client:
        bulk, alone, bulk_searches, alone_searches = _both(
            _plan(tmp_path / "scopes.yaml"), client, handle)
        per_instance = _observations(_plan(tmp_path / "scopes.yaml"), PerInstance(client))
        assert _observations(_plan(tmp_path / "scopes.yaml"), client) == per_instance
    verdicts = [verdict for _, verdict in per_instance.values()]
    assert any(v.rejection is None for v in verdicts)
    assert any(v.rejection is not None for v in verdicts)  # Escalated became a user task
    assert len(per_instance) == bulk.matched
    assert bulk == alone
    assert bulk.matched == sum(len(g["instanceKeys"]) for g in seeded)
    assert bulk_searches < alone_searches


@pytest.mark.parametrize("version", ["8.7.0", "8.8.0"])
def test_single_mode_apply_reads_back_in_bulk_from_8_8(sandbox_factory: StartSandbox,
                                                       tmp_path: Path, version: str) -> None:
    from runner.flow.apply import ApplySettings, apply_plan
    from runner.flow.single import Timing

    handle = sandbox_factory(server_version=version, seed=PLANS / "demo-seed.yaml")
    plan = _plan(PLANS / "invoice-v1-to-v2.yaml")
    settings = ApplySettings(journal_dir=tmp_path, timing=Timing(settle=0.3))
    before = handle.stats()["requests"]
    with client_for(handle) as client:
        report = apply_plan(plan, client, settings=settings)
    after = handle.stats()["requests"]
    sent = {route: after.get(route, 0) - before.get(route, 0) for route in after}
    migrated = report.counts.get("migrated", 0)
    assert migrated > 2
    assert migrated == len(handle.stats()["acceptedMigrations"])
    if version == "8.8.0":
        assert sent.get("instance-get", 0) == 0  # read back by $in search
        assert sent.get("element-search", 0) < migrated
    else:
        assert sent.get("flownode-search", 0) >= migrated  # one walk per instance
