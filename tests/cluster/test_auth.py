"""Auth strategies against the fake Camunda, and secrets absent from every text we produce."""

from __future__ import annotations

import logging
import traceback
from pathlib import Path

import click
import httpx
import pytest
from click.testing import CliRunner

from runner.cli.cluster_options import ClusterOptions, build_client, cluster_options
from runner.cli.errors import error_boundary
from runner.errors import ClusterAuthError, RunnerError

from .conftest import FakeClock, MakeClient
from .fakes import BASE, OAUTH_URL, FakeCamunda

SECRET = "s3cr3t-value"
PASSWORD = "pa55-w0rd-value"
TOKEN = "given-bearer-token-value"


def _texts(error: BaseException) -> str:
    """Every text an exception can show: message, repr, hint, and the formatted chain."""
    parts = [str(error), repr(error), "".join(traceback.format_exception(error))]
    if isinstance(error, RunnerError):
        parts.append(str(error.hint))
    return "\n".join(parts)


def test_none_sends_no_authorization(fake: FakeCamunda, make_client: MakeClient) -> None:
    make_client().server_version()
    assert "authorization" not in fake.requests[0].headers


def test_basic(fake: FakeCamunda, make_client: MakeClient) -> None:
    fake.auth = "BASIC"
    fake.basic = ("demo", PASSWORD)
    client = make_client(env={"CAMUNDA_BASIC_AUTH_USERNAME": "demo",
                              "CAMUNDA_BASIC_AUTH_PASSWORD": PASSWORD})
    assert client.config.auth_strategy == "BASIC"
    client.server_version()
    assert fake.requests[-1].headers["authorization"].startswith("Basic ")


def test_basic_wrong_password(fake: FakeCamunda, make_client: MakeClient) -> None:
    fake.auth = "BASIC"
    client = make_client(env={"CAMUNDA_BASIC_AUTH_USERNAME": "demo",
                              "CAMUNDA_BASIC_AUTH_PASSWORD": PASSWORD})
    with pytest.raises(ClusterAuthError, match="refused our credentials") as caught:
        client.server_version()
    assert PASSWORD not in _texts(caught.value)


def test_bearer(fake: FakeCamunda, make_client: MakeClient) -> None:
    fake.auth = "BEARER"
    fake.bearer_tokens.add(TOKEN)
    client = make_client(env={"CAMUNDA_OAUTH_TOKEN": TOKEN})
    assert client.config.auth_strategy == "BEARER"
    client.server_version()
    assert fake.requests[-1].headers["authorization"] == f"Bearer {TOKEN}"


def test_oauth_token_is_fetched_once_and_cached(fake: FakeCamunda, make_client: MakeClient,
                                                clock: FakeClock) -> None:
    fake.auth = "OAUTH"
    fake.add_instances(1, "100")
    client = make_client(env={"CAMUNDA_CLIENT_ID": "c8migrate", "CAMUNDA_CLIENT_SECRET": SECRET,
                              "CAMUNDA_TOKEN_AUDIENCE": "zeebe-api"})
    client.server_version()
    client.get_instance("1000")
    client.get_instance("1000")
    token_requests = [r for r in fake.requests if r.path == "TOKEN"]
    assert len(token_requests) == 1
    assert token_requests[0].body == {"grant_type": "client_credentials",
                                      "client_id": "c8migrate", "client_secret": SECRET,
                                      "audience": "zeebe-api"}
    assert token_requests[0].headers["content-type"] == "application/x-www-form-urlencoded"
    assert fake.requests[-1].headers["authorization"] == "Bearer token-1"


def test_oauth_token_refreshed_shortly_before_expiry(fake: FakeCamunda,
                                                     make_client: MakeClient,
                                                     clock: FakeClock) -> None:
    fake.auth = "OAUTH"
    fake.token_lifetime = 300
    client = make_client(env={"CAMUNDA_CLIENT_ID": "c8migrate", "CAMUNDA_CLIENT_SECRET": SECRET})
    client.session.json("GET", "/topology")
    clock.t += 265  # still 35 s left: above the 30 s margin
    client.session.json("GET", "/topology")
    assert fake.tokens_issued == 1
    clock.t += 10  # 25 s left: inside the margin
    client.session.json("GET", "/topology")
    assert fake.tokens_issued == 2
    assert fake.requests[-1].headers["authorization"] == "Bearer token-2"


def test_oauth_401_refreshes_once_and_retries_once(fake: FakeCamunda,
                                                   make_client: MakeClient) -> None:
    fake.auth = "OAUTH"
    client = make_client(env={"CAMUNDA_CLIENT_ID": "c8migrate", "CAMUNDA_CLIENT_SECRET": SECRET})
    client.session.json("GET", "/topology")
    fake.revoked.add("token-1")
    client.session.json("GET", "/topology")
    api = [r for r in fake.requests if r.path == "/topology"]
    assert [r.headers["authorization"] for r in api] == ["Bearer token-1", "Bearer token-1",
                                                         "Bearer token-2"]


def test_oauth_401_twice_is_an_auth_error(fake: FakeCamunda, make_client: MakeClient) -> None:
    fake.auth = "OAUTH"
    client = make_client(env={"CAMUNDA_CLIENT_ID": "c8migrate", "CAMUNDA_CLIENT_SECRET": SECRET})
    fake.revoked.update({"token-1", "token-2", "token-3"})
    with pytest.raises(ClusterAuthError, match="HTTP 401"):
        client.session.json("GET", "/topology")
    assert fake.tokens_issued == 2  # the first token and exactly one refresh
    assert len([r for r in fake.requests if r.path == "/topology"]) == 2


def test_oauth_wrong_secret(fake: FakeCamunda, make_client: MakeClient,
                            caplog: pytest.LogCaptureFixture,
                            capsys: pytest.CaptureFixture[str]) -> None:
    caplog.set_level(logging.DEBUG)
    fake.auth = "OAUTH"
    wrong = "wr0ng-secret-value"
    client = make_client(env={"CAMUNDA_CLIENT_ID": "c8migrate", "CAMUNDA_CLIENT_SECRET": wrong})
    with pytest.raises(ClusterAuthError) as caught:
        client.server_version()
    message = str(caught.value)
    assert message == (f"the OAuth token endpoint {OAUTH_URL} refused the client credentials "
                       "of client 'c8migrate' (HTTP 401: unauthorized_client - Invalid client "
                       "credentials)")
    captured = capsys.readouterr()
    everything = "\n".join([_texts(caught.value), caplog.text, captured.out, captured.err,
                            repr(client.config), repr(client.session.http.auth)])
    assert wrong not in everything


def test_token_endpoint_echoing_the_secret_is_scrubbed(fake: FakeCamunda,
                                                        make_client: MakeClient) -> None:
    def echo(request: httpx.Request) -> httpx.Response:
        return httpx.Response(400, text=f"bad request: {request.content.decode()}")

    client = make_client(env={"CAMUNDA_CLIENT_ID": "c8migrate", "CAMUNDA_CLIENT_SECRET": SECRET})
    client.session._token_http._transport = httpx.MockTransport(echo)
    with pytest.raises(ClusterAuthError) as caught:
        client.server_version()
    assert "client_secret=***" in str(caught.value)
    assert SECRET not in _texts(caught.value)


@click.command()
@cluster_options
def _probe(cluster: ClusterOptions) -> None:
    """A command like the real ones: build a client, ask the version, print it."""
    with error_boundary():
        transport = httpx.MockTransport(_PROBE_FAKE[0])
        with build_client(cluster, transport=transport) as client:
            click.echo(f"version {client.server_version()} via {client.config.auth_strategy}")
            for name, value, source in client.config.describe():
                click.echo(f"{name}={value} ({source})")


_PROBE_FAKE: list[FakeCamunda] = []


@pytest.mark.parametrize("right", [True, False])
def test_cli_secret_never_printed(tmp_path: Path, right: bool) -> None:
    fake = FakeCamunda()
    fake.auth = "OAUTH"
    _PROBE_FAKE[:] = [fake]
    secret = SECRET if right else "wr0ng-secret-value"
    secret_file = tmp_path / "secret"
    secret_file.write_text(secret + "\n")
    result = CliRunner().invoke(_probe, [
        "--cluster", BASE, "--oauth-url", OAUTH_URL, "--client-id", "c8migrate",
        "--client-secret-file", str(secret_file), "--auth-strategy", "oauth"], env={})
    output = result.output + (result.stderr_bytes or b"").decode()
    assert secret not in output
    if right:
        assert result.exit_code == 0, output
        assert "version 8.8.0 via OAUTH" in output
        assert "client_secret=set (option)" in output
    else:
        assert result.exit_code == 2
        assert "refused the client credentials of client 'c8migrate'" in output


def test_cli_password_from_named_env(tmp_path: Path) -> None:
    fake = FakeCamunda()
    fake.auth = "BASIC"
    fake.basic = ("demo", PASSWORD)
    _PROBE_FAKE[:] = [fake]
    result = CliRunner().invoke(_probe, ["--cluster", BASE, "--username", "demo",
                                         "--password-env", "MY_PASSWORD"],
                                env={"MY_PASSWORD": PASSWORD})
    assert result.exit_code == 0, result.output
    assert "via BASIC" in result.output
    assert PASSWORD not in result.output


def test_cli_has_no_secret_options() -> None:
    names = {opt for param in _probe.params for opt in getattr(param, "opts", [])}
    assert "--client-secret" not in names and "--password" not in names
    assert "--token" not in names
    assert {"--client-secret-file", "--password-env", "--token-file"} <= names
