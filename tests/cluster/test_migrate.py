"""migrate(): retries, transient rejections, and the read back when the outcome is unknown."""

from __future__ import annotations

import httpx
import pytest

from runner.cluster.problem import MigrationOutcomeUnknown, MigrationRejected
from runner.cluster.retry import RetryNotice
from runner.engine.state import Instruction

from .conftest import FakeClock, MakeClient
from .fakes import Drop, FakeCamunda, problem

MIGRATE = "POST /process-instances/*/migration"
MAPPING = [Instruction("Task_A", "Task_A")]
CONCURRENT = ("Command 'MIGRATE' rejected with code 'INVALID_STATE': Expected to migrate process "
              "instance '1000' but a concurrent command was executed on the process instance. "
              "Please retry the migration.")


@pytest.fixture
def one(fake: FakeCamunda) -> str:
    fake.add_instances(1, "100", elements=[("10001", "Task_A", "SERVICE_TASK", None)])
    return "1000"


def _posts(fake: FakeCamunda) -> int:
    return len([r for r in fake.requests if r.path.endswith("/migration")])


def _readbacks(fake: FakeCamunda) -> int:
    return len([r for r in fake.requests if r.path == "/process-instances/1000"])


def _stale_instance() -> httpx.Response:
    return httpx.Response(200, json={"processInstanceKey": "1000", "processDefinitionKey": "100",
                                     "processDefinitionId": "order", "state": "ACTIVE",
                                     "hasIncident": False})


def _stale_elements() -> httpx.Response:
    return httpx.Response(200, json={"items": [
        {"elementInstanceKey": "10001", "elementId": "Task_A", "type": "SERVICE_TASK",
         "state": "ACTIVE", "processDefinitionKey": "100", "processInstanceKey": "1000"}],
        "page": {"totalItems": 1, "endCursor": None}})


def test_plain_success(fake: FakeCamunda, make_client: MakeClient, one: str) -> None:
    result = make_client().migrate(one, "200", MAPPING)
    assert (result.outcome, result.attempts) == ("migrated", 1)
    assert fake.migrations == {"1000": 1}
    assert _readbacks(fake) == 0


def test_dropped_after_applying_is_read_back_not_resent(fake: FakeCamunda,
                                                        make_client: MakeClient,
                                                        one: str) -> None:
    fake.fault(MIGRATE, Drop())
    result = make_client().migrate(one, "200", MAPPING)
    assert result.outcome == "already-migrated-by-readback"
    assert fake.migrations == {"1000": 1}
    assert _posts(fake) == 1
    assert _readbacks(fake) == 1


def test_timeout_before_applying_is_read_back_then_resent(fake: FakeCamunda,
                                                          make_client: MakeClient, one: str,
                                                          clock: FakeClock) -> None:
    fake.fault(MIGRATE, httpx.ReadTimeout("no answer"))
    client = make_client()
    result = client.migrate(one, "200", MAPPING)
    assert (result.outcome, result.attempts) == ("migrated", 2)
    assert fake.migrations == {"1000": 1}
    assert _readbacks(fake) == 2  # read, settle, read again
    assert client.readback_settle in clock.sleeps


@pytest.mark.parametrize("status", [502, 504])
def test_5xx_after_sending_is_read_back(fake: FakeCamunda, make_client: MakeClient, one: str,
                                        status: int) -> None:
    fake.fault(MIGRATE, problem(status, "Gateway", "upstream"))
    result = make_client().migrate(one, "200", MAPPING)
    assert result.outcome == "migrated"
    assert _readbacks(fake) >= 1
    assert fake.migrations == {"1000": 1}


@pytest.mark.parametrize("fault", [503, 429, 500], ids=["503", "429", "500-exhausted"])
def test_backpressure_is_resent_without_read_back(fake: FakeCamunda, make_client: MakeClient,
                                                  one: str, fault: int) -> None:
    fake.fault(MIGRATE, fault, fault)
    result = make_client().migrate(one, "200", MAPPING)
    assert (result.outcome, result.attempts) == ("migrated", 3)
    assert _readbacks(fake) == 0
    assert fake.migrations == {"1000": 1}


def test_connect_error_is_resent_without_read_back(fake: FakeCamunda, make_client: MakeClient,
                                                   one: str) -> None:
    fake.fault(MIGRATE, httpx.ConnectError("refused"))
    assert make_client().migrate(one, "200", MAPPING).attempts == 2
    assert _readbacks(fake) == 0


def test_transient_rejection_is_retried(fake: FakeCamunda, make_client: MakeClient,
                                        one: str) -> None:
    fake.fault(MIGRATE, problem(409, "INVALID_STATE", CONCURRENT))
    fake.fault(MIGRATE, problem(409, "INVALID_STATE", "Command 'MIGRATE' rejected with code "
                                "'INVALID_STATE': Expected to migrate process instance '1000' "
                                "but a pending message subscription migration distribution "
                                "exists. Please retry."))
    result = make_client().migrate(one, "200", MAPPING)
    assert (result.outcome, result.attempts) == ("migrated", 3)


def test_transient_rejection_until_deadline(fake: FakeCamunda, make_client: MakeClient,
                                            one: str) -> None:
    fake.fault(MIGRATE, *[problem(409, "INVALID_STATE", CONCURRENT)] * 200)
    with pytest.raises(MigrationRejected) as caught:
        make_client(deadline=5.0).migrate(one, "200", MAPPING)
    assert caught.value.transient
    assert caught.value.detail == CONCURRENT
    assert fake.migrations == {}


@pytest.mark.parametrize("status", [400, 404, 409])
def test_definite_rejections_are_not_retried(fake: FakeCamunda, make_client: MakeClient,
                                             one: str, status: int, clock: FakeClock) -> None:
    fake.fault(MIGRATE, problem(status, "INVALID_ARGUMENT", "Command 'MIGRATE' rejected"))
    with pytest.raises(MigrationRejected) as caught:
        make_client().migrate(one, "200", MAPPING)
    assert (caught.value.status, caught.value.title) == (status, "INVALID_ARGUMENT")
    assert caught.value.detail == "Command 'MIGRATE' rejected"
    assert _posts(fake) == 1 and clock.sleeps == []


def test_lagging_instance_row_but_elements_on_target(fake: FakeCamunda,
                                                     make_client: MakeClient, one: str) -> None:
    fake.fault(MIGRATE, Drop())
    fake.fault("GET /process-instances/*", _stale_instance())
    result = make_client().migrate(one, "200", MAPPING)
    assert result.outcome == "already-migrated-by-readback"
    assert fake.migrations == {"1000": 1}


def test_rejection_after_unknown_outcome_is_read_back(fake: FakeCamunda,
                                                      make_client: MakeClient, one: str) -> None:
    """Search lags: the read back still sees the source, the re-send is refused because the
    instance already moved; reading back once more shows the target: migrated, once."""
    fake.fault(MIGRATE, Drop())
    fake.fault("GET /process-instances/*", _stale_instance(), _stale_instance())
    fake.fault("POST /element-instances/search", _stale_elements(), _stale_elements())
    result = make_client().migrate(one, "200", MAPPING)
    assert (result.outcome, result.attempts) == ("already-migrated-by-readback", 2)
    assert fake.migrations == {"1000": 1}


def test_read_back_failure_is_unknown_not_success(fake: FakeCamunda, make_client: MakeClient,
                                                  one: str) -> None:
    fake.fault(MIGRATE, Drop())
    fake.fault("GET /process-instances/*", *[httpx.ConnectError("down")] * 100)
    with pytest.raises(MigrationOutcomeUnknown, match="outcome of attempt 1 is unknown"):
        make_client(deadline=3.0).migrate(one, "200", MAPPING)


def test_unknown_until_deadline_is_unknown(fake: FakeCamunda, make_client: MakeClient,
                                           one: str) -> None:
    fake.fault(MIGRATE, *[httpx.ReadTimeout("slow")] * 100)
    with pytest.raises(MigrationOutcomeUnknown, match="no definite answer"):
        make_client(deadline=5.0).migrate(one, "200", MAPPING)
    assert fake.migrations == {}


def test_operation_reference_is_sent(fake: FakeCamunda, make_client: MakeClient,
                                     one: str) -> None:
    make_client().migrate(one, "200", MAPPING, operation_reference=42)
    body = next(r.body for r in fake.requests if r.path.endswith("/migration"))
    assert body == {"targetProcessDefinitionKey": "200", "operationReference": 42,
                    "mappingInstructions": [{"sourceElementId": "Task_A",
                                             "targetElementId": "Task_A"}]}


def test_migration_retries_reach_the_retry_listener(fake: FakeCamunda, make_client: MakeClient,
                                                    one: str) -> None:
    notices: list[RetryNotice] = []
    client = make_client(on_retry=notices.append)
    client.server_version()
    fake.fault(MIGRATE, 503, problem(409, "INVALID_STATE", CONCURRENT))
    result = client.migrate(one, "200", MAPPING)
    assert (result.outcome, result.attempts) == ("migrated", 3)
    assert [(n.request, n.reason, n.attempt, n.answered) for n in notices] == [
        ("POST /process-instances/1000/migration", "HTTP 503", 2, True),
        ("POST /process-instances/1000/migration", "HTTP 409 (transient rejection)", 3, True)]
