"""Auth modes of the sandbox: basic and OAuth client credentials; 401 on bad credentials."""

from __future__ import annotations

import httpx
from support.sandbox import StartSandbox

from runner.sandbox.process import SandboxAuth, SandboxStartError, start_sandbox

SECRET = "s3cr3t-for-tests-only"


def test_basic_auth(sandbox_factory: StartSandbox) -> None:
    sandbox = sandbox_factory(auth=SandboxAuth("basic", "demo", SECRET))
    with httpx.Client(base_url=sandbox.url) as client:
        assert client.get("/v2/topology", auth=("demo", SECRET)).status_code == 200
        wrong = client.get("/v2/topology", auth=("demo", "nope"))
        assert wrong.status_code == 401
        assert wrong.json()["title"] == "Unauthorized"
        assert wrong.headers["www-authenticate"].startswith("Basic")
        assert client.get("/v2/topology").status_code == 401
    assert SECRET not in sandbox.process.stderr
    assert sandbox.stats()["requests"] == {"topology": 1, "unauthorized": 2}


def test_oauth_client_credentials(sandbox_factory: StartSandbox) -> None:
    sandbox = sandbox_factory(auth=SandboxAuth("oauth", "runner", SECRET))
    with httpx.Client(base_url=sandbox.url) as client:
        assert client.get("/v2/topology").status_code == 401
        token = client.post("/oauth/token", data={
            "grant_type": "client_credentials", "client_id": "runner",
            "client_secret": SECRET, "audience": "zeebe.camunda.io"})
        assert token.status_code == 200
        body = token.json()
        assert body["token_type"] == "Bearer" and body["expires_in"] == 3600
        bearer = {"Authorization": f"Bearer {body['access_token']}"}
        assert client.get("/v2/topology", headers=bearer).status_code == 200
        refused = client.post("/oauth/token", data={
            "grant_type": "client_credentials", "client_id": "runner",
            "client_secret": "wrong"})
        assert refused.status_code == 401
        assert refused.json()["error"] == "invalid_client"
        assert client.get("/v2/topology",
                          headers={"Authorization": "Bearer forged"}).status_code == 401
        assert sandbox.revoke_tokens() == 1
        assert client.get("/v2/topology", headers=bearer).status_code == 401
        # credentials as HTTP basic on the token endpoint work too
        again = client.post("/oauth/token", data={"grant_type": "client_credentials"},
                            auth=("runner", SECRET))
        assert again.status_code == 200
    assert sandbox.stats()["requests"]["token"] == 3


def test_tokens_expire(sandbox_factory: StartSandbox) -> None:
    sandbox = sandbox_factory(auth=SandboxAuth("oauth", "runner", SECRET),
                              extra_args=("--token-ttl", "0"))
    with httpx.Client(base_url=sandbox.url) as client:
        token = client.post("/oauth/token", data={
            "grant_type": "client_credentials", "client_id": "runner",
            "client_secret": SECRET}).json()
        assert token["expires_in"] == 0
        expired = client.get("/v2/topology",
                             headers={"Authorization": f"Bearer {token['access_token']}"})
        assert expired.status_code == 401


def test_missing_secret_fails_to_start_with_stderr() -> None:
    try:
        start_sandbox(auth=SandboxAuth("oauth", "runner", ""), timeout=20)
    except SandboxStartError as err:
        assert "C8MIGRATE_SANDBOX_CLIENT_SECRET" in err.message
        assert "exit code 2" in err.message
    else:
        raise AssertionError("the sandbox started without a secret")
