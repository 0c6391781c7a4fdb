"""Configuration precedence: options > environment (CAMUNDA_* before ZEEBE_*) > file > defaults."""

from __future__ import annotations

from pathlib import Path

import pytest

from runner.cluster.config import DEFAULT_ADDRESS, normalize_address, resolve
from runner.cluster.secret import Secret
from runner.errors import ConfigError
from runner.version import ServerVersion


def test_defaults() -> None:
    config = resolve({}, env={})
    assert config.address == DEFAULT_ADDRESS
    assert config.auth_strategy == "NONE"
    assert config.oauth_url == "https://login.cloud.camunda.io/oauth/token"
    assert config.audience == "zeebe.camunda.io"
    assert config.sources == {"auth_strategy": "inferred"}


@pytest.mark.parametrize(("given", "expected"), [
    ("http://localhost:8080", "http://localhost:8080/v2"),
    ("http://localhost:8080/", "http://localhost:8080/v2"),
    ("https://bru-2.zeebe.camunda.io/abc/v2/", "https://bru-2.zeebe.camunda.io/abc/v2"),
])
def test_v2_is_appended(given: str, expected: str) -> None:
    assert normalize_address(given) == expected


def test_not_a_url_is_a_config_error() -> None:
    with pytest.raises(ConfigError, match="not an http"):
        resolve({"address": "localhost:8080"}, env={})


def test_camunda_names_win_over_zeebe_names() -> None:
    env = {"CAMUNDA_CLIENT_ID": "new", "ZEEBE_CLIENT_ID": "old",
           "ZEEBE_CLIENT_SECRET": "zs", "ZEEBE_REST_ADDRESS": "http://z:8080",
           "ZEEBE_TOKEN_AUDIENCE": "aud"}
    config = resolve({}, env=env)
    assert config.client_id == "new"
    assert config.client_secret == Secret("zs")
    assert config.address == "http://z:8080/v2"
    assert config.audience == "aud"
    assert config.auth_strategy == "OAUTH"  # inferred from id + secret
    assert config.sources["client_id"] == "env CAMUNDA_CLIENT_ID"
    assert config.sources["client_secret"] == "env ZEEBE_CLIENT_SECRET"


def test_both_addresses_must_agree() -> None:
    with pytest.raises(ConfigError, match="both set and differ"):
        resolve({}, env={"CAMUNDA_REST_ADDRESS": "http://a:1", "ZEEBE_REST_ADDRESS": "http://b:1"})
    same = resolve({}, env={"CAMUNDA_REST_ADDRESS": "http://a:1",
                            "ZEEBE_REST_ADDRESS": "http://a:1/v2"})
    assert same.address == "http://a:1/v2"


def test_precedence_option_env_file_default(tmp_path: Path) -> None:
    secret_file = tmp_path / "secret.txt"
    secret_file.write_text("from-file\n")
    config_file = tmp_path / "c8.yaml"
    config_file.write_text(
        "cluster:\n"
        "  address: http://file:8080\n"
        "  clientId: file-id\n"
        "  clientSecretFile: secret.txt\n"
        "  audience: file-aud\n"
        "  tenantId: file-tenant\n"
        "  caBundle: ca.pem\n"
        "  serverVersion: '8.7'\n")
    env = {"C8MIGRATE_CONFIG": str(config_file), "CAMUNDA_CLIENT_ID": "env-id",
           "CAMUNDA_TENANT_ID": "env-tenant"}
    config = resolve({"tenant_id": "opt-tenant"}, env=env)
    assert config.address == "http://file:8080/v2"          # file (nothing above it)
    assert config.client_id == "env-id"                     # env beats file
    assert config.tenant_id == "opt-tenant"                 # option beats env
    assert config.client_secret == Secret("from-file")      # file reference
    assert config.audience == "file-aud"
    assert config.ca_bundle == str(tmp_path / "ca.pem")     # relative to the file
    assert config.server_version == ServerVersion(8, 7)
    assert config.oauth_url.startswith("https://login.cloud")  # default
    assert config.sources["tenant_id"] == "option"
    assert config.sources["client_id"] == "env CAMUNDA_CLIENT_ID"
    assert config.sources["address"] == f"file {config_file}"


def test_config_file_may_not_hold_secrets(tmp_path: Path) -> None:
    path = tmp_path / "c8.yaml"
    path.write_text("clientSecret: plain-text-secret\n")
    with pytest.raises(ConfigError, match="contains a secret") as caught:
        resolve({}, env={}, config_file=path)
    assert "plain-text-secret" not in str(caught.value)


def test_config_file_unknown_setting_and_bad_yaml(tmp_path: Path) -> None:
    path = tmp_path / "c8.yaml"
    path.write_text("adress: http://x\n")
    with pytest.raises(ConfigError, match="unknown setting 'adress'"):
        resolve({}, env={}, config_file=path)
    path.write_text("a: [\n")
    with pytest.raises(ConfigError, match="not valid YAML"):
        resolve({}, env={}, config_file=path)


def test_secret_from_named_env_in_config_file(tmp_path: Path) -> None:
    path = tmp_path / "c8.yaml"
    path.write_text("authStrategy: basic\nusername: demo\npasswordEnv: MY_PW\n")
    config = resolve({}, env={"MY_PW": "pw"}, config_file=path)
    assert (config.auth_strategy, config.username, config.password) == ("BASIC", "demo",
                                                                         Secret("pw"))
    with pytest.raises(ConfigError, match="MY_PW, but that variable is not set"):
        resolve({}, env={}, config_file=path)


@pytest.mark.parametrize(("strategy", "message"), [
    ("OAUTH", "needs client id.*and client secret"),
    ("BASIC", "needs user name.*and password"),
    ("BEARER", "needs token"),
])
def test_incomplete_strategy(strategy: str, message: str) -> None:
    with pytest.raises(ConfigError, match=message):
        resolve({"auth_strategy": strategy.lower()}, env={})


def test_unknown_strategy() -> None:
    with pytest.raises(ConfigError, match="unknown auth strategy 'COOKIE'"):
        resolve({}, env={"CAMUNDA_AUTH_STRATEGY": "cookie"})


def test_inferred_strategies() -> None:
    assert resolve({}, env={"CAMUNDA_OAUTH_TOKEN": "t"}).auth_strategy == "BEARER"
    assert resolve({}, env={"CAMUNDA_BASIC_AUTH_USERNAME": "u",
                            "CAMUNDA_BASIC_AUTH_PASSWORD": "p"}).auth_strategy == "BASIC"


def test_describe_hides_secrets() -> None:
    config = resolve({}, env={"CAMUNDA_CLIENT_ID": "id", "CAMUNDA_CLIENT_SECRET": "hush-123"})
    rows = dict((name, (value, source)) for name, value, source in config.describe())
    assert rows["client_secret"] == ("set", "env CAMUNDA_CLIENT_SECRET")
    assert rows["token"] == ("not set", "default")
    assert "hush-123" not in repr(config) + str(config) + repr(config.describe())


def test_secret_text_forms() -> None:
    secret = Secret("hush")
    assert str(secret) == repr(secret) == f"{secret}" == f"{secret!r}" == "***"
    assert secret.reveal() == "hush"
