"""ClusterClient against the fake Camunda: versions, definitions, paging, elements, migrate."""

from __future__ import annotations

import pytest

from runner.cluster.problem import DefinitionNotFound, MigrationRejected
from runner.engine.state import Instruction
from runner.errors import UnsupportedServerVersion
from runner.plan.model import DateRange, InstanceFilter
from runner.version import ServerVersion

from .conftest import MakeClient
from .fakes import FakeCamunda


def test_detects_version_from_topology(fake: FakeCamunda, make_client: MakeClient) -> None:
    fake.version = "8.8.3"
    assert make_client().server_version() == ServerVersion(8, 8, 3)
    assert [r.path for r in fake.requests] == ["/topology"]


def test_version_override_skips_topology(fake: FakeCamunda, make_client: MakeClient) -> None:
    client = make_client(server_version="8.7")
    assert client.server_version() == ServerVersion(8, 7)
    assert fake.requests == []


def test_older_than_86_is_refused_clearly(fake: FakeCamunda, make_client: MakeClient) -> None:
    fake.version = "8.5.4"
    with pytest.raises(UnsupportedServerVersion, match=r"8\.5\.4.*8\.6 or newer"):
        make_client().server_version()


def test_find_definition_latest_and_by_version(fake: FakeCamunda,
                                               make_client: MakeClient) -> None:
    fake.deploy("order", 1, "100")
    fake.deploy("order", 2, "200", tag="v2")
    client = make_client()
    latest = client.find_definition("order")
    assert (latest.key, latest.version, latest.version_tag) == ("200", 2, "v2")
    assert client.find_definition("order", version=1).key == "100"
    assert client.find_definition("order", version_tag="v2").key == "200"
    with pytest.raises(DefinitionNotFound, match="'order' \\(version 3"):
        client.find_definition("order", version=3)


def test_definition_xml(fake: FakeCamunda, make_client: MakeClient) -> None:
    fake.deploy("order", 1, "100")
    client = make_client()
    assert client.definition_xml("100") == b"<definitions/>"
    with pytest.raises(DefinitionNotFound):
        client.definition_xml("999")


@pytest.mark.parametrize("version", ["8.6.2", "8.7.1", "8.8.0", "8.9.0"])
def test_paging_returns_every_instance_once(fake: FakeCamunda, make_client: MakeClient,
                                            version: str) -> None:
    fake.version = version
    fake.deploy("order", 1, "100")
    keys = fake.add_instances(53, "100")
    fake.add_instances(5, "555", first_key=5000)  # another definition
    client = make_client()
    client.find_definition("order", version=1)
    found = [i.key for i in client.iter_instances("100", InstanceFilter(), page_size=10)]
    assert found == keys
    pages = [r.body["page"] for r in fake.requests if r.path == "/process-instances/search"]
    if version >= "8.8":
        assert "after" not in pages[0] and all("after" in p for p in pages[1:])
        assert all("searchAfter" not in p for p in pages)
    else:
        assert "searchAfter" not in pages[0] and all("searchAfter" in p for p in pages[1:])
        assert all("after" not in p for p in pages)
        sorts = [r.body["sort"] for r in fake.requests if r.path == "/process-instances/search"]
        assert all(s == [{"field": "processInstanceKey", "order": "ASC"}] for s in sorts)


def test_keys_are_numbers_on_86_and_strings_after(fake: FakeCamunda,
                                                  make_client: MakeClient) -> None:
    for version, expected in (("8.6.0", int), ("8.7.0", str), ("8.8.0", str)):
        fake.version = version
        fake.instances.clear()
        fake.requests.clear()
        fake.add_instances(1, "100", elements=[("10001", "Task_A", "SERVICE_TASK", None)])
        client = make_client()
        result = client.migrate("1000", "200", [Instruction("Task_A", "Task_A")])
        assert result.outcome == "migrated"
        sent = next(r.body for r in fake.requests if r.path.endswith("/migration"))
        assert isinstance(sent["targetProcessDefinitionKey"], expected)
        elements = client.active_elements("1000")
        assert all(isinstance(e.key, str) for e in elements)


def test_filter_is_applied_identically(fake: FakeCamunda, make_client: MakeClient) -> None:
    fake.deploy("order", 1, "100")
    fake.add_instances(3, "100", first_key=1000, start_date="2026-01-01T00:00:00Z")
    fake.add_instances(2, "100", first_key=2000, start_date="2026-03-01T00:00:00Z",
                       has_incident=True)
    flt = InstanceFilter(has_incident=False,
                         start_date=DateRange(after="2025-12-31T00:00:00Z",
                                              before="2026-02-01T00:00:00Z"))
    for version in ("8.7.0", "8.8.0"):
        fake.version = version
        client = make_client()
        client.find_definition("order", version=1)
        assert [i.key for i in client.iter_instances("100", flt)] == ["1000", "1001", "1002"]


def test_variable_filter_refused_on_87(fake: FakeCamunda, make_client: MakeClient) -> None:
    from runner.cluster.filters import UnsupportedFilter

    fake.version = "8.7.0"
    with pytest.raises(UnsupportedFilter, match=r"variable filters need Camunda 8\.8"):
        list(make_client().iter_instances("100", InstanceFilter(variables={"region": "EU"})))


def test_variable_filter_sent_as_json_text_on_88(fake: FakeCamunda,
                                                 make_client: MakeClient) -> None:
    fake.add_instances(2, "100", first_key=1000, variables={"region": "EU"})
    fake.add_instances(2, "100", first_key=2000, variables={"region": "US"})
    found = list(make_client().iter_instances("100", InstanceFilter(variables={"region": "EU"})))
    assert [i.key for i in found] == ["1000", "1001"]
    sent = next(r.body for r in fake.requests if r.path == "/process-instances/search")
    assert sent["filter"]["variables"] == [{"name": "region", "value": '"EU"'}]


@pytest.mark.parametrize("version", ["8.7.0", "8.8.0"])
def test_active_elements_with_parents(fake: FakeCamunda, make_client: MakeClient,
                                      version: str) -> None:
    fake.version = version
    fake.add_instances(1, "100", elements=[
        ("11", "Sub", "SUB_PROCESS", None),
        ("12", "Body", "MULTI_INSTANCE_BODY", "11"),
        ("13", "Inner", "SERVICE_TASK", "12"),
        ("14", "Inner", "SERVICE_TASK", "12"),
        ("15", "Wait", "RECEIVE_TASK", None),
    ])
    tree = make_client().active_elements("1000")
    summary = [(e.key, e.element_id, e.element_type, e.parent_key, e.is_inner_instance)
               for e in tree]
    assert summary == [
        ("1000", "order", "PROCESS", None, False),
        ("11", "Sub", "SUB_PROCESS", "1000", False),
        ("15", "Wait", "RECEIVE_TASK", "1000", False),
        ("12", "Body", "MULTI_INSTANCE_BODY", "11", False),
        ("13", "Inner", "SERVICE_TASK", "12", True),
        ("14", "Inner", "SERVICE_TASK", "12", True),
    ]


def test_active_element_filter(fake: FakeCamunda, make_client: MakeClient) -> None:
    fake.add_instances(1, "100", first_key=1000,
                       elements=[("1", "Task_A", "SERVICE_TASK", None)])
    fake.add_instances(1, "100", first_key=2000,
                       elements=[("2", "Task_B", "SERVICE_TASK", None)])
    found = list(make_client().iter_instances(
        "100", InstanceFilter(active_element_ids=("Task_B",))))
    assert [i.key for i in found] == ["2000"]


def test_rejection_is_verbatim_with_instance_key(fake: FakeCamunda,
                                                 make_client: MakeClient) -> None:
    fake.add_instances(1, "100", elements=[("1", "Task_A", "SERVICE_TASK", None)])
    with pytest.raises(MigrationRejected) as caught:
        make_client().migrate("1000", "200", [Instruction("Other", "Other")])
    rejected = caught.value
    assert rejected.instance_key == "1000"
    assert rejected.status == 409
    assert rejected.title == "INVALID_STATE"
    assert rejected.detail == (
        "Command 'MIGRATE' rejected with code 'INVALID_STATE': Expected to migrate process "
        "instance '1000' but no mapping instruction defined for active element with id "
        "'Task_A'. Elements cannot be migrated without a mapping.")
    assert not rejected.transient


def test_get_instance_and_taken_flows(fake: FakeCamunda, make_client: MakeClient) -> None:
    fake.add_instances(1, "100")
    fake.sequence_flows["1000"] = ["Flow_1", "Flow_2", "Flow_1"]
    client = make_client()
    info = client.get_instance("1000")
    assert info is not None and info.process_definition_key == "100"
    assert client.get_instance("4242") is None
    assert client.taken_flows("1000") == ("Flow_1", "Flow_2")
    fake.version = "8.7.0"
    assert make_client().taken_flows("1000") is None
