"""Resilience: every fault kind, Retry-After, the deadline, and what is never retried."""

from __future__ import annotations

from email.utils import format_datetime

import httpx
import pytest

from runner.cluster.retry import RetryPolicy, retry_after_seconds
from runner.errors import ClusterResponseError, ClusterUnreachable

from .conftest import FakeClock, MakeClient
from .fakes import FakeCamunda, problem

ROUTE = "GET /topology"


def _connect_error() -> httpx.ConnectError:
    return httpx.ConnectError("connection refused")


@pytest.mark.parametrize("fault", [
    503, 504, 429,
    problem(500, "RESOURCE_EXHAUSTED", "Expected to handle request, but the gateway is busy"),
    problem(500, "Internal Server Error", "RESOURCE_EXHAUSTED: too many requests"),
    httpx.ConnectError("refused"), httpx.ReadTimeout("slow"), httpx.ConnectTimeout("slow"),
    httpx.RemoteProtocolError("dropped"),
], ids=["503", "504", "429", "500-title", "500-detail", "connect", "read-timeout",
        "connect-timeout", "dropped"])
def test_transient_faults_are_retried(fake: FakeCamunda, make_client: MakeClient,
                                      clock: FakeClock, fault: object) -> None:
    fake.fault(ROUTE, fault, fault)
    assert make_client().server_version().minor == 8
    assert len([r for r in fake.requests if r.path == "/topology"]) >= 1
    assert len(clock.sleeps) == 2


@pytest.mark.parametrize("status", [400, 404, 409, 500])
def test_other_errors_are_not_retried(fake: FakeCamunda, make_client: MakeClient,
                                      clock: FakeClock, status: int) -> None:
    fake.fault(ROUTE, problem(status, "Bad", "plain error"))
    with pytest.raises(ClusterResponseError, match=f"HTTP {status}: Bad: plain error"):
        make_client().session.json("GET", "/topology")
    assert len(fake.requests) == 1
    assert clock.sleeps == []


def test_retry_after_seconds_is_honoured(fake: FakeCamunda, make_client: MakeClient,
                                         clock: FakeClock) -> None:
    fake.fault(ROUTE, problem(429, "Too Many Requests", "slow down",
                              headers={"Retry-After": "7"}))
    make_client().server_version()
    assert clock.sleeps == [7.0]


def test_retry_after_http_date(clock: FakeClock) -> None:
    later = clock.now().replace(second=12)
    response = httpx.Response(429, headers={"Retry-After": format_datetime(later, usegmt=True)})
    assert retry_after_seconds(response, clock.now()) == 12.0
    assert retry_after_seconds(httpx.Response(429, headers={"Retry-After": "soon"}),
                               clock.now()) is None


def test_backoff_grows_with_jitter_and_stops_at_the_deadline(fake: FakeCamunda,
                                                             make_client: MakeClient,
                                                             clock: FakeClock) -> None:
    fake.fault(ROUTE, *([503] * 100))
    client = make_client(deadline=10.0)
    with pytest.raises(ClusterUnreachable, match=r"within 10s .* last: GET /topology: HTTP 503"):
        client.server_version()
    assert sum(clock.sleeps) <= 10.0
    policy = RetryPolicy()
    for n, delay in enumerate(clock.sleeps, start=1):
        cap = min(policy.max_delay, policy.initial * policy.multiplier ** (n - 1))
        assert cap * (1 - policy.jitter) <= delay <= cap
    assert len(set(clock.sleeps)) == len(clock.sleeps)  # jittered, not a fixed ladder


def test_connection_refused_until_deadline(fake: FakeCamunda, make_client: MakeClient,
                                           clock: FakeClock) -> None:
    fake.fault(ROUTE, *(_connect_error() for _ in range(100)))
    with pytest.raises(ClusterUnreachable, match="ConnectError") as caught:
        make_client(deadline=5.0).server_version()
    assert caught.value.hint is not None and "CAMUNDA_REST_ADDRESS" in caught.value.hint


def test_searches_are_retried_mid_paging(fake: FakeCamunda, make_client: MakeClient) -> None:
    keys = fake.add_instances(25, "100")
    fake.fault("POST /process-instances/search", None, 503, httpx.ReadTimeout("slow"))
    found = [i.key for i in make_client().iter_instances("100", page_size=10)]
    assert found == keys
