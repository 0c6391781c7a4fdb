"""Bulk reads against the sandbox process: element trees from one definition-wide search
must equal the per-instance walk, and read-back by ``$in`` must equal GET per key."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest
from support.sandbox import SandboxHandle, StartSandbox, sandbox_factory

from runner.bpmn.model import ProcessModel
from runner.bpmn.parser import load_bpmn
from runner.cluster.bulk import SPARSE_GROUPS
from runner.cluster.client import ClusterClient
from runner.cluster.config import resolve

__all__ = ["sandbox_factory"]

DATA = Path(__file__).resolve().parent / "data"
PLANS = Path(__file__).resolve().parents[2] / "plans"

SCOPE_GROUPS = [
    # (waitAt, innerInstances, count, model decides every parent)
    (["Guarded"], 1, 3, True),
    (["Guarded", "Escalated"], 1, 2, True),           # non-interrupting boundary fired
    (["DeepTask"], 1, 2, True),                       # sub-process in a sub-process
    (["OuterTask", "DeepTask"], 1, 1, True),
    (["FanoutTask"], 1, 2, True),                     # multi-instance sub-process, 1 inner
    (["FanoutTask"], 3, 2, False),                    # 3 inner instances: which one?
    (["Each"], 3, 2, True),                           # multi-instance task: inner under body
    (["PokedTask", "Guarded"], 1, 2, True),           # event sub-process
]


def scopes_model() -> ProcessModel:
    model = load_bpmn(DATA / "scopes.v1.bpmn").process("scopes")
    assert model is not None
    return model


def seed_scopes(handle: SandboxHandle, *, incident: bool = True) -> list[list[str]]:
    """Deploy scopes v1 and v2; the instance keys of each SCOPE_GROUPS entry."""
    handle.deploy_files(DATA / "scopes.v1.bpmn", DATA / "scopes.v2.bpmn")
    groups = [{"process": "scopes", "version": 1, "count": count, "waitAt": wait_at,
               "innerInstances": inner, "hasIncident": incident and index == 0}
              for index, (wait_at, inner, count, _) in enumerate(SCOPE_GROUPS)]
    result = handle.seed({"instances": groups})
    return [[str(k) for k in g["instanceKeys"]] for g in result["instances"]]


def client_of(handle: SandboxHandle) -> ClusterClient:
    return ClusterClient(resolve({"address": handle.url}, env={}))


@pytest.fixture
def scopes_sandbox(sandbox_factory: StartSandbox) -> tuple[SandboxHandle, list[list[str]]]:
    handle = sandbox_factory()
    return handle, seed_scopes(handle)


@pytest.mark.parametrize("page_size", [1000, 3, 1])
def test_bulk_trees_equal_the_per_instance_walk(
        scopes_sandbox: tuple[SandboxHandle, list[list[str]]], page_size: int) -> None:
    handle, groups = scopes_sandbox
    with client_of(handle) as client:
        key = client.find_definition("scopes", 1).key
        reader = client.active_element_reader(key, scopes_model(), page_size=page_size)
        assert reader is not None
        undecided: list[str] = []
        compared = 0
        for info in client.iter_instances(key):
            tree = reader.tree_of(info.key)
            walked = client.active_elements(info.key)
            if tree is None:
                undecided.append(info.key)
            else:
                assert tree == walked
                compared += 1
    expected_undecided = [k for keys, (_, _, _, decides) in zip(groups, SCOPE_GROUPS,
                                                                 strict=True)
                          if not decides for k in keys]
    assert sorted(undecided, key=int) == sorted(expected_undecided, key=int)
    assert compared == sum(len(keys) for keys in groups) - len(expected_undecided)
    assert reader.fallbacks == len(expected_undecided)


def test_bulk_trees_carry_structure_and_incident(
        scopes_sandbox: tuple[SandboxHandle, list[list[str]]]) -> None:
    handle, groups = scopes_sandbox
    with client_of(handle) as client:
        key = client.find_definition("scopes", 1).key
        reader = client.active_element_reader(key, scopes_model())
        assert reader is not None
        trees = {info.key: reader.tree_of(info.key) for info in client.iter_instances(key)}
    guarded = trees[groups[0][0]]
    assert guarded is not None
    assert [(e.element_id, e.element_type) for e in guarded] == [
        ("scopes", "PROCESS"), ("Guarded", "SERVICE_TASK")]
    assert guarded[1].has_incident and guarded[1].parent_key == guarded[0].key
    deep = trees[groups[2][0]]
    assert deep is not None
    by_id = {e.element_id: e for e in deep}
    assert by_id["DeepTask"].parent_key == by_id["Deep"].key
    assert by_id["Deep"].parent_key == by_id["Outer"].key
    each = trees[groups[6][0]]
    assert each is not None
    body = next(e for e in each if e.element_type == "MULTI_INSTANCE_BODY")
    inners = [e for e in each if e.element_id == "Each" and e is not body]
    assert len(inners) == 3
    assert all(e.parent_key == body.key and e.is_inner_instance for e in inners)
    poked = trees[groups[7][0]]
    assert poked is not None
    by_id = {e.element_id: e for e in poked}
    assert by_id["PokedTask"].parent_key == by_id["Poked"].key
    assert by_id["Poked"].element_type == "EVENT_SUB_PROCESS"


def test_demo_seed_trees_are_all_decided_in_bulk(sandbox_factory: StartSandbox) -> None:
    handle = sandbox_factory(seed=PLANS / "demo-seed.yaml")
    files = {"order-process": "order-process", "invoice-approval": "invoice-approval",
             "customer-onboarding": "customer-onboarding"}
    checked = 0
    with client_of(handle) as client:
        for process_id, stem in files.items():
            for version in (1, 2):
                model = load_bpmn(PLANS / "bpmn" / f"{stem}.v{version}.bpmn").process(
                    process_id)
                assert model is not None
                key = client.find_definition(process_id, version).key
                reader = client.active_element_reader(key, model, page_size=2)
                assert reader is not None
                for info in client.iter_instances(key):
                    assert reader.tree_of(info.key) == client.active_elements(info.key)
                    checked += 1
                assert reader.fallbacks == 0
    assert checked > 0


def test_keys_asked_out_of_order_fall_back(
        scopes_sandbox: tuple[SandboxHandle, list[list[str]]]) -> None:
    handle, groups = scopes_sandbox
    with client_of(handle) as client:
        key = client.find_definition("scopes", 1).key
        reader = client.active_element_reader(key, scopes_model())
        assert reader is not None
        later, earlier = groups[1][0], groups[0][0]
        assert reader.tree_of(later) is not None
        assert reader.tree_of(earlier) is None
        assert reader.tree_of("999999999999") is None  # not in the stream at all
    assert reader.fallbacks == 2


def test_bulk_reads_are_not_offered_before_8_8(sandbox_factory: StartSandbox) -> None:
    handle = sandbox_factory(server_version="8.7.0")
    with client_of(handle) as client:
        assert client.active_element_reader("1", scopes_model()) is None


@pytest.mark.parametrize("version", ["8.7.0", "8.8.0"])
def test_get_instances_equals_one_get_per_key(sandbox_factory: StartSandbox,
                                              version: str) -> None:
    handle = sandbox_factory(server_version=version)
    keys = [k for group in seed_scopes(handle, incident=False) for k in group]
    asked = [*keys, "424242424242"]
    before = handle.stats()["requests"]
    with client_of(handle) as client:
        found = client.get_instances(asked)
        after = handle.stats()["requests"]
        assert set(found) == set(keys)
        for key in keys:
            assert found[key] == client.get_instance(key)
    searches = after.get("instance-search", 0) - before.get("instance-search", 0)
    if version == "8.8.0":
        assert searches == 1
    else:
        assert searches == len(asked)


class RefusingBulkSearch(httpx.BaseTransport):
    """Passes requests to the sandbox, but answers the definition-wide element search
    with 400, as a gateway that cannot run it would."""

    def __init__(self) -> None:
        self.inner = httpx.HTTPTransport()
        self.refused = 0

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        if request.url.path.endswith("/element-instances/search") and \
                b"processDefinitionKey" in request.content:
            self.refused += 1
            return httpx.Response(400, json={"type": "about:blank", "title": "Bad Request",
                                             "status": 400, "detail": "not supported here"},
                                  headers={"content-type": "application/problem+json"})
        return self.inner.handle_request(request)

    def close(self) -> None:
        self.inner.close()


def test_a_refused_bulk_search_falls_back_to_each_instance(
        scopes_sandbox: tuple[SandboxHandle, list[list[str]]]) -> None:
    handle, groups = scopes_sandbox
    transport = RefusingBulkSearch()
    config = resolve({"address": handle.url}, env={})
    with ClusterClient(config, transport=transport) as client:
        key = client.find_definition("scopes", 1).key
        reader = client.active_element_reader(key, scopes_model())
        assert reader is not None
        keys = [info.key for info in client.iter_instances(key)]
        assert all(reader.tree_of(k) is None for k in keys)
    assert transport.refused == 1
    assert reader.stopped is not None and "not supported here" in reader.stopped
    assert reader.fallbacks == len(keys) == sum(len(g) for g in groups)


def test_a_sparse_selection_stops_bulk_reads(sandbox_factory: StartSandbox) -> None:
    handle = sandbox_factory()
    handle.deploy_files(DATA / "scopes.v1.bpmn")
    count = SPARSE_GROUPS + 600
    seeded = handle.seed({"instances": [{"process": "scopes", "version": 1, "count": count,
                                         "waitAt": ["Guarded"]}]})
    keys = sorted((str(k) for k in seeded["instances"][0]["instanceKeys"]), key=int)
    with client_of(handle) as client:
        definition = client.find_definition("scopes", 1).key
        every_other = client.active_element_reader(definition, scopes_model())
        assert every_other is not None
        assert all(every_other.tree_of(k) is not None for k in keys[::2])
        assert every_other.stopped is None
        few = client.active_element_reader(definition, scopes_model())
        assert few is not None
        assert few.tree_of(keys[0]) is not None
        assert few.tree_of(keys[-1]) is None  # 2,598 skipped for 1 served
        assert few.stopped is not None and "sparse" in few.stopped
        assert few.tree_of(str(int(keys[-1]) + 1)) is None
