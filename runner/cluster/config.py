"""Where the cluster is and how to authenticate: resolved from options, environment, file.

Precedence, per setting: command-line option > environment variable > config file > default.

Environment variables are the official Camunda SDKs' names, ``CAMUNDA_*`` first and the older
``ZEEBE_*`` names as fallbacks (see ENVIRONMENT). The config file is YAML, named by ``--config``
or ``C8MIGRATE_CONFIG``; it may name secrets only indirectly (``clientSecretFile``,
``clientSecretEnv``, ...), never contain them, because config files end up in git.

Secrets are wrapped in :class:`runner.cluster.secret.Secret` the moment they are read.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any, Literal
from urllib.parse import urlsplit

import yaml

from runner.cluster.secret import Secret
from runner.errors import ConfigError
from runner.plan.yaml_marks import load_marked
from runner.version import ServerVersion

AuthStrategy = Literal["NONE", "BASIC", "OAUTH", "BEARER"]
AUTH_STRATEGIES: tuple[AuthStrategy, ...] = ("NONE", "BASIC", "OAUTH", "BEARER")

DEFAULT_ADDRESS = "http://localhost:8080/v2"
DEFAULT_OAUTH_URL = "https://login.cloud.camunda.io/oauth/token"
DEFAULT_AUDIENCE = "zeebe.camunda.io"
CONFIG_ENV = "C8MIGRATE_CONFIG"

ENVIRONMENT: Mapping[str, tuple[str, ...]] = {
    "address": ("CAMUNDA_REST_ADDRESS", "ZEEBE_REST_ADDRESS"),
    "auth_strategy": ("CAMUNDA_AUTH_STRATEGY",),
    "client_id": ("CAMUNDA_CLIENT_ID", "CAMUNDA_CLIENT_AUTH_CLIENTID", "ZEEBE_CLIENT_ID"),
    "client_secret": ("CAMUNDA_CLIENT_SECRET", "CAMUNDA_CLIENT_AUTH_CLIENTSECRET",
                      "ZEEBE_CLIENT_SECRET"),
    "oauth_url": ("CAMUNDA_OAUTH_URL",),
    "audience": ("CAMUNDA_TOKEN_AUDIENCE", "ZEEBE_TOKEN_AUDIENCE",
                 "CAMUNDA_ZEEBE_OAUTH_AUDIENCE"),
    "scope": ("CAMUNDA_TOKEN_SCOPE",),
    "token": ("CAMUNDA_OAUTH_TOKEN",),
    "username": ("CAMUNDA_BASIC_AUTH_USERNAME",),
    "password": ("CAMUNDA_BASIC_AUTH_PASSWORD",),
    "tenant_id": ("CAMUNDA_TENANT_ID",),
    "ca_bundle": ("CAMUNDA_MTLS_CA_PATH",),
    "client_cert": ("CAMUNDA_MTLS_CERT_PATH",),
    "client_key": ("CAMUNDA_MTLS_KEY_PATH",),
    "ca_pem": ("CAMUNDA_MTLS_CA",),
    "client_cert_pem": ("CAMUNDA_MTLS_CERT",),
    "client_key_pem": ("CAMUNDA_MTLS_KEY",),
    "key_passphrase": ("CAMUNDA_MTLS_KEY_PASSPHRASE",),
    "server_version": ("C8MIGRATE_SERVER_VERSION",),
}
"""Setting -> environment variable names, the first set one wins."""

SECRET_SETTINGS = frozenset({"client_secret", "token", "password", "client_key_pem",
                             "key_passphrase"})

_FILE_KEYS: Mapping[str, str] = {
    "address": "address", "restAddress": "address", "authStrategy": "auth_strategy",
    "clientId": "client_id", "oauthUrl": "oauth_url", "audience": "audience", "scope": "scope",
    "username": "username", "tenantId": "tenant_id", "caBundle": "ca_bundle",
    "clientCert": "client_cert", "clientKey": "client_key", "serverVersion": "server_version",
    "timeout": "timeout", "retryDeadline": "retry_deadline",
}
_FILE_PATH_SETTINGS = frozenset({"ca_bundle", "client_cert", "client_key"})
_FILE_SECRET_KEYS: Mapping[str, str] = {
    "clientSecret": "client_secret", "token": "token", "password": "password",
    "keyPassphrase": "key_passphrase",
}


@dataclass(frozen=True, slots=True)
class ClusterConfig:
    """Everything needed to talk to one cluster. Secrets are :class:`Secret` values."""

    address: str = DEFAULT_ADDRESS
    """The REST base URL, always ending in ``/v2``."""
    auth_strategy: AuthStrategy = "NONE"
    client_id: str | None = None
    client_secret: Secret | None = None
    oauth_url: str = DEFAULT_OAUTH_URL
    audience: str = DEFAULT_AUDIENCE
    scope: str | None = None
    token: Secret | None = None
    username: str | None = None
    password: Secret | None = None
    tenant_id: str | None = None
    ca_bundle: str | None = None
    client_cert: str | None = None
    client_key: str | None = None
    ca_pem: str | None = None
    client_cert_pem: str | None = None
    client_key_pem: Secret | None = None
    key_passphrase: Secret | None = None
    server_version: ServerVersion | None = None
    """An override: when set, the client does not ask the cluster (GET /v2/topology)."""
    timeout: float = 30.0
    """Seconds for one HTTP request."""
    retry_deadline: float = 120.0
    """Seconds a retried call may take in total, waits included."""
    sources: Mapping[str, str] = field(default_factory=dict, compare=False)
    """Setting -> where its value came from ('option', 'env NAME', 'file PATH', 'default')."""

    def secrets(self) -> tuple[Secret, ...]:
        """Every secret in this config (for scrubbing texts that come from outside)."""
        values = (self.client_secret, self.token, self.password, self.client_key_pem,
                  self.key_passphrase)
        return tuple(s for s in values if s is not None)

    def describe(self) -> list[tuple[str, str, str]]:
        """(setting, value, source) rows for display; secrets show as 'set' or 'not set'."""
        rows: list[tuple[str, str, str]] = []
        for f in fields(self):
            if f.name == "sources":
                continue
            value = getattr(self, f.name)
            if f.name in SECRET_SETTINGS:
                shown = "set" if value is not None else "not set"
            else:
                shown = "" if value is None else str(value)
            rows.append((f.name, shown, self.sources.get(f.name, "default")))
        return rows


def _masked_url(url: str) -> str:
    """``url`` with anything before an '@' in its authority shown as ``***``."""
    scheme, sep, rest = url.partition("://")
    if not sep:
        scheme, rest = "", url
    authority, slash, path = rest.partition("/")
    if "@" in authority:
        authority = "***@" + authority.rpartition("@")[2]
    return f"{scheme}{sep}{authority}{slash}{path}"


def refuse_credentials_in_url(url: str, setting: str) -> None:
    """A URL with ``user:password@`` would print its password in every message and report
    that names the address; credentials have their own settings."""
    if "@" in urlsplit(url).netloc:
        raise ConfigError(
            f"the {setting} {_masked_url(url)!r} carries a user name or password",
            hint="remove 'USER:PASSWORD@' from it; give credentials with --username and "
                 "CAMUNDA_BASIC_AUTH_PASSWORD, or the OAuth client settings")


def normalize_address(address: str) -> str:
    """Strip trailing slashes and append ``/v2`` when missing, as the official SDKs do."""
    text = address.strip().rstrip("/")
    if not text.startswith(("http://", "https://")):
        raise ConfigError(
            f"cluster address {_masked_url(address)!r} is not an http(s) URL",
            hint="use e.g. http://localhost:8080 or https://HOST/CLUSTER_ID",
        )
    refuse_credentials_in_url(text, "cluster address")
    if not text.endswith("/v2"):
        text += "/v2"
    return text


def _read_secret_file(path: str, what: str) -> Secret:
    try:
        return Secret(Path(path).read_text(encoding="utf-8").strip())
    except OSError as exc:
        raise ConfigError(f"cannot read the {what} file {path}: {exc.strerror}") from exc


def _from_env(env: Mapping[str, str]) -> dict[str, tuple[Any, str]]:
    found: dict[str, tuple[Any, str]] = {}
    for setting, names in ENVIRONMENT.items():
        for name in names:
            value = env.get(name)
            if value:
                found[setting] = (Secret(value) if setting in SECRET_SETTINGS else value,
                                  f"env {name}")
                break
    camunda, zeebe = env.get("CAMUNDA_REST_ADDRESS"), env.get("ZEEBE_REST_ADDRESS")
    if camunda and zeebe and normalize_address(camunda) != normalize_address(zeebe):
        raise ConfigError(
            "CAMUNDA_REST_ADDRESS and ZEEBE_REST_ADDRESS are both set and differ",
            hint="unset one of them (CAMUNDA_REST_ADDRESS wins when they agree)",
        )
    return found


def _from_file(path: Path, env: Mapping[str, str]) -> dict[str, tuple[Any, str]]:
    try:
        # The plan loader's YAML reading: bounded nesting and alias expansion, and bytes the
        # reader decodes (bad encodings become YAML errors instead of UnicodeDecodeError).
        data = load_marked(path.read_bytes(), str(path)).data
    except OSError as exc:
        raise ConfigError(f"cannot read the config file {path}: {exc.strerror}") from exc
    except yaml.YAMLError as exc:
        raise ConfigError(f"the config file {path} is not valid YAML: {exc}") from exc
    if data is None:
        return {}
    if isinstance(data, dict) and isinstance(data.get("cluster"), dict):
        data = data["cluster"]
    if not isinstance(data, dict):
        raise ConfigError(f"the config file {path} must hold a mapping of settings")
    source = f"file {path}"
    found: dict[str, tuple[Any, str]] = {}
    for raw_key, value in data.items():
        key = str(raw_key)
        if key in _FILE_SECRET_KEYS:
            raise ConfigError(
                f"the config file {path} contains a secret ({key})",
                hint=f"use {key}File (a path) or {key}Env (a variable name) instead",
            )
        if key.endswith("File") and key[:-4] in _FILE_SECRET_KEYS:
            setting = _FILE_SECRET_KEYS[key[:-4]]
            found[setting] = (_read_secret_file(str(path.parent / str(value)), key), source)
        elif key.endswith("Env") and key[:-3] in _FILE_SECRET_KEYS:
            setting = _FILE_SECRET_KEYS[key[:-3]]
            if not env.get(str(value)):
                raise ConfigError(f"the config file {path} names {key}: {value}, "
                                  "but that variable is not set")
            found[setting] = (Secret(env[str(value)]), f"env {value} (via {path})")
        elif key in _FILE_KEYS:
            setting = _FILE_KEYS[key]
            if setting in _FILE_PATH_SETTINGS:
                value = str(path.parent / str(value))
            found[setting] = (value, source)
        else:
            raise ConfigError(f"the config file {path} has an unknown setting {key!r}",
                              hint="known: " + ", ".join(sorted(
                                  [*_FILE_KEYS, *(k + "File" for k in _FILE_SECRET_KEYS),
                                   *(k + "Env" for k in _FILE_SECRET_KEYS)])))
    return found


def _infer_strategy(values: Mapping[str, Any]) -> AuthStrategy:
    if values.get("token") is not None:
        return "BEARER"
    if values.get("client_id") and values.get("client_secret") is not None:
        return "OAUTH"
    if values.get("username") and values.get("password") is not None:
        return "BASIC"
    return "NONE"


def _number(setting: str, value: Any) -> float:
    try:
        number = float(value)
    except (TypeError, ValueError) as exc:
        raise ConfigError(f"{setting} must be a number of seconds, not {value!r}") from exc
    if number <= 0:
        raise ConfigError(f"{setting} must be positive, not {value!r}")
    return number


def resolve(options: Mapping[str, Any] | None = None, env: Mapping[str, str] | None = None,
            config_file: str | Path | None = None) -> ClusterConfig:
    """Build a :class:`ClusterConfig` from options > environment > config file > defaults.

    ``options`` holds setting names (the ClusterConfig field names) to values; None means
    "not given". Secrets in ``options`` must already be :class:`Secret` values (the CLI reads
    them from files or named variables). ``config_file`` falls back to ``C8MIGRATE_CONFIG``.
    Raises ConfigError for contradictory or incomplete settings.
    """
    environ: Mapping[str, str] = os.environ if env is None else env
    layers: list[dict[str, tuple[Any, str]]] = []
    path = config_file or environ.get(CONFIG_ENV)
    if path:
        layers.append(_from_file(Path(path), environ))
    layers.append(_from_env(environ))
    layers.append({k: (v, "option") for k, v in (options or {}).items() if v is not None})

    merged: dict[str, Any] = {}
    sources: dict[str, str] = {}
    for layer in layers:  # later layers win
        for setting, (value, source) in layer.items():
            merged[setting] = value
            sources[setting] = source
    for secret_setting in SECRET_SETTINGS & merged.keys():
        if not isinstance(merged[secret_setting], Secret):
            merged[secret_setting] = Secret(str(merged[secret_setting]))

    strategy_text = str(merged.get("auth_strategy") or _infer_strategy(merged)).upper()
    if strategy_text not in AUTH_STRATEGIES:
        raise ConfigError(f"unknown auth strategy {strategy_text!r}",
                          hint="use one of " + ", ".join(AUTH_STRATEGIES))
    strategy: AuthStrategy = strategy_text
    if "auth_strategy" not in sources:
        sources["auth_strategy"] = "inferred"
    _check_complete(strategy, merged)

    oauth_url = str(merged.get("oauth_url") or DEFAULT_OAUTH_URL)
    refuse_credentials_in_url(oauth_url, "OAuth token URL")
    version = merged.get("server_version")
    if version is not None and not isinstance(version, ServerVersion):
        try:
            version = ServerVersion.parse(str(version))
        except ValueError as exc:
            raise ConfigError(f"server version {version!r} is not a version like 8.8") from exc
    return ClusterConfig(
        address=normalize_address(str(merged.get("address", DEFAULT_ADDRESS))),
        auth_strategy=strategy,
        client_id=_text(merged.get("client_id")),
        client_secret=merged.get("client_secret"),
        oauth_url=oauth_url,
        audience=str(merged.get("audience") or DEFAULT_AUDIENCE),
        scope=_text(merged.get("scope")),
        token=merged.get("token"),
        username=_text(merged.get("username")),
        password=merged.get("password"),
        tenant_id=_text(merged.get("tenant_id")),
        ca_bundle=_text(merged.get("ca_bundle")),
        client_cert=_text(merged.get("client_cert")),
        client_key=_text(merged.get("client_key")),
        ca_pem=_text(merged.get("ca_pem")),
        client_cert_pem=_text(merged.get("client_cert_pem")),
        client_key_pem=merged.get("client_key_pem"),
        key_passphrase=merged.get("key_passphrase"),
        server_version=version,
        timeout=_number("timeout", merged.get("timeout", 30.0)),
        retry_deadline=_number("retry deadline", merged.get("retry_deadline", 120.0)),
        sources=sources,
    )


def _text(value: Any) -> str | None:
    return None if value is None or value == "" else str(value)


def _check_complete(strategy: AuthStrategy, values: Mapping[str, Any]) -> None:
    missing: list[str] = []
    if strategy == "OAUTH":
        if not values.get("client_id"):
            missing.append("client id (--client-id or CAMUNDA_CLIENT_ID)")
        if values.get("client_secret") is None:
            missing.append("client secret (--client-secret-file or CAMUNDA_CLIENT_SECRET)")
    elif strategy == "BASIC":
        if not values.get("username"):
            missing.append("user name (--username or CAMUNDA_BASIC_AUTH_USERNAME)")
        if values.get("password") is None:
            missing.append("password (--password-env/--password-file or "
                           "CAMUNDA_BASIC_AUTH_PASSWORD)")
    elif strategy == "BEARER" and values.get("token") is None:
        missing.append("token (--token-file/--token-env or CAMUNDA_OAUTH_TOKEN)")
    if missing:
        raise ConfigError(f"auth strategy {strategy} needs " + " and ".join(missing))
