"""The first contact with a cluster fails fast when nothing answers (a wrong address or port),
while a cluster that has answered once gets the full retry deadline; every retry is reported
to the ``on_retry`` listener."""

from __future__ import annotations

import random
import socket

import httpx
import pytest

from runner.cluster.client import ClusterClient
from runner.cluster.config import resolve
from runner.cluster.retry import RetryPolicy
from runner.cluster.secret import Secret
from runner.cluster.transport import FIRST_CONTACT_DEADLINE, RetryNotice
from runner.errors import ClusterUnreachable

from .conftest import FakeClock, MakeClient
from .fakes import BASE, FakeCamunda


def _closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def test_a_refused_first_contact_gives_up_after_the_short_deadline(clock: FakeClock) -> None:
    port = _closed_port()
    notices: list[RetryNotice] = []
    config = resolve({"address": f"http://127.0.0.1:{port}"}, env={})
    with ClusterClient(config, clock=clock, policy=RetryPolicy(deadline=120.0),
                       rng=random.Random(3), on_retry=notices.append) as client, \
            pytest.raises(ClusterUnreachable) as caught:
        client.server_version()
    message = caught.value.message
    assert f"nothing answered at http://127.0.0.1:{port}" in message
    assert f"within {FIRST_CONTACT_DEADLINE:g}s" in message
    assert "last: GET /topology: connection refused (ConnectError)" in message
    assert FIRST_CONTACT_DEADLINE == 10.0
    assert 0 < sum(clock.sleeps) <= FIRST_CONTACT_DEADLINE
    assert clock.t <= FIRST_CONTACT_DEADLINE
    assert len(notices) == len(clock.sleeps) >= 3
    assert all(not n.answered and n.reason == "connection refused" for n in notices)
    assert [n.attempt for n in notices] == list(range(2, len(notices) + 2))
    assert all(0 <= n.remaining <= FIRST_CONTACT_DEADLINE for n in notices)
    assert notices[0].request == "GET /topology"


def test_the_short_deadline_also_covers_a_first_request_that_is_no_version_probe(
        clock: FakeClock) -> None:
    config = resolve({"address": f"http://127.0.0.1:{_closed_port()}",
                      "server_version": "8.8.0"}, env={})
    with ClusterClient(config, clock=clock, policy=RetryPolicy(deadline=120.0)) as client, \
            pytest.raises(ClusterUnreachable, match=r"nothing answered .* within 10s"):
        client.find_definition("order")
    assert clock.t <= FIRST_CONTACT_DEADLINE


def test_a_cluster_that_answers_busy_gets_the_full_deadline(fake: FakeCamunda,
                                                            clock: FakeClock) -> None:
    fake.fault("GET /topology", httpx.ConnectError("refused"), *([503] * 200))
    notices: list[RetryNotice] = []
    config = resolve({"address": BASE}, env={})
    with ClusterClient(config, transport=httpx.MockTransport(fake), clock=clock,
                       policy=RetryPolicy(deadline=60.0), on_retry=notices.append) as client, \
            pytest.raises(ClusterUnreachable,
                          match=r"did not answer successfully within 60s .* HTTP 503"):
        client.server_version()
    assert FIRST_CONTACT_DEADLINE < clock.t <= 60.0
    assert notices[0].answered is False and notices[0].reason.startswith("refused")
    assert notices[1].answered is True and notices[1].reason == "HTTP 503"


def test_after_the_first_answer_refusals_get_the_full_deadline(
        fake: FakeCamunda, make_client: MakeClient, clock: FakeClock) -> None:
    client = make_client(deadline=60.0)
    assert client.server_version().minor == 8
    fake.fault("POST /process-definitions/search", *[httpx.ConnectError("down")] * 200)
    with pytest.raises(ClusterUnreachable, match=r"did not answer successfully within 60s"):
        client.find_definition("order")
    assert FIRST_CONTACT_DEADLINE < clock.t <= 60.0


def test_a_notice_reads_as_one_line() -> None:
    first = RetryNotice("GET /topology", "connection refused", 2, 9.6, answered=False)
    assert first.describe() == ("the cluster did not answer GET /topology (connection "
                                "refused); retrying for up to 10 s more")
    busy = RetryNotice("POST /process-instances/search", "HTTP 503", 4, 100.2, answered=True)
    assert busy.describe() == ("the cluster answered POST /process-instances/search with "
                               "HTTP 503; retrying for up to 100 s more")


def test_an_unreachable_token_endpoint_gives_up_after_the_short_deadline(
        clock: FakeClock) -> None:
    port = _closed_port()
    secret = "s3cr3t-first-contact"
    notices: list[RetryNotice] = []
    config = resolve({"address": f"http://127.0.0.1:{port}", "auth_strategy": "OAUTH",
                      "client_id": "c8migrate", "client_secret": Secret(secret),
                      "oauth_url": f"http://127.0.0.1:{port}/oauth/token"}, env={})
    with ClusterClient(config, clock=clock, policy=RetryPolicy(deadline=120.0),
                       on_retry=notices.append) as client, \
            pytest.raises(ClusterUnreachable) as caught:
        client.server_version()
    message = caught.value.message
    assert (f"cannot reach the OAuth token endpoint http://127.0.0.1:{port}/oauth/token "
            f"within {FIRST_CONTACT_DEADLINE:g}s") in message
    assert "last: connection refused (ConnectError)" in message
    assert 0 < clock.t <= FIRST_CONTACT_DEADLINE
    assert notices
    assert all(n.server == "the OAuth token endpoint" and n.request == "POST /oauth/token"
               and not n.answered for n in notices)
    assert notices[0].describe().startswith("the OAuth token endpoint did not answer POST "
                                            "/oauth/token (connection refused); retrying")
    assert secret not in message + "".join(n.describe() for n in notices)


def test_a_token_endpoint_that_answered_once_gets_the_full_deadline(
        fake: FakeCamunda, make_client: MakeClient, clock: FakeClock) -> None:
    fake.auth = "OAUTH"
    client = make_client(env={"CAMUNDA_AUTH_STRATEGY": "OAUTH", "CAMUNDA_CLIENT_ID": "c8migrate",
                              "CAMUNDA_CLIENT_SECRET": "s3cr3t-value",
                              "CAMUNDA_TOKEN_AUDIENCE": "zeebe-api"}, deadline=60.0)
    assert client.server_version().minor == 8
    clock.t += 100_000.0  # the token expired: the next request fetches a new one
    fake.fault("TOKEN", *[httpx.ConnectError("down")] * 200)
    with pytest.raises(ClusterUnreachable, match=r"OAuth token endpoint .* within 60s"):
        client.find_definition("order")
    assert FIRST_CONTACT_DEADLINE < clock.t - 100_000.0 <= 60.0


def test_a_first_contact_that_is_accepted_but_never_answered_is_capped_per_attempt(
        clock: FakeClock) -> None:
    # A port that accepts connections and never answers: each attempt waits for the read
    # timeout, so the attempts themselves must fit the short first-contact deadline too.
    read_timeouts: list[float] = []

    def silent(request: httpx.Request) -> httpx.Response:
        read_timeouts.append(request.extensions["timeout"]["read"])
        raise httpx.ReadTimeout("no answer", request=request)

    config = resolve({"address": "http://127.0.0.1:9", "timeout": 30}, env={})
    with ClusterClient(config, clock=clock, policy=RetryPolicy(deadline=120.0),
                       transport=httpx.MockTransport(silent)) as client, \
            pytest.raises(ClusterUnreachable, match=r"nothing answered .* within 10s"):
        client.server_version()
    assert read_timeouts and max(read_timeouts) <= FIRST_CONTACT_DEADLINE
