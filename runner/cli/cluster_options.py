"""The command-line options that say which cluster to talk to and how to authenticate.

Usage in a command module::

    @click.command("plan")
    @cluster_options
    def command(cluster: ClusterOptions, ...) -> None:
        with build_client(cluster) as client:
            ...

Secrets are never accepted as option values (they would show in shell history and process
lists): the client secret comes from a file or CAMUNDA_CLIENT_SECRET, the token from a file or
a named variable, the password from a named variable or a file. Precedence: options >
environment > config file > defaults (runner/cluster/config.py).
"""

from __future__ import annotations

import functools
import os
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

import click
import httpx

from runner.cluster.client import ClusterClient
from runner.cluster.config import AUTH_STRATEGIES, ClusterConfig, resolve
from runner.cluster.secret import Secret
from runner.cluster.transport import RetryListener, RetryNotice
from runner.errors import ConfigError

F = TypeVar("F", bound=Callable[..., Any])


@dataclass(frozen=True, slots=True)
class ClusterOptions:
    """The parsed cluster options (None: not given). Secrets are still references here."""

    address: str | None = None
    auth_strategy: str | None = None
    client_id: str | None = None
    client_secret_file: str | None = None
    oauth_url: str | None = None
    audience: str | None = None
    token_file: str | None = None
    token_env: str | None = None
    username: str | None = None
    password_env: str | None = None
    password_file: str | None = None
    ca_bundle: str | None = None
    client_cert: str | None = None
    client_key: str | None = None
    config_file: str | None = None
    server_version: str | None = None
    tenant_id: str | None = None


_OPTIONS: list[tuple[tuple[str, ...], dict[str, Any]]] = [
    (("--cluster", "address"), {"metavar": "URL", "help":
        "REST address of the cluster (/v2 is appended if missing) "
        "[env CAMUNDA_REST_ADDRESS, ZEEBE_REST_ADDRESS; default http://localhost:8080/v2]"}),
    (("--auth-strategy", "auth_strategy"), {
        "type": click.Choice(AUTH_STRATEGIES, case_sensitive=False), "help":
        "How to authenticate [env CAMUNDA_AUTH_STRATEGY; default: inferred from the "
        "credentials given, else NONE]"}),
    (("--client-id", "client_id"), {"help": "OAuth client id [env CAMUNDA_CLIENT_ID]"}),
    (("--client-secret-file", "client_secret_file"), {
        "metavar": "PATH", "type": click.Path(dir_okay=False),
        "help": "File holding the OAuth client secret [or env CAMUNDA_CLIENT_SECRET]"}),
    (("--oauth-url", "oauth_url"), {"metavar": "URL", "help":
        "OAuth token URL [env CAMUNDA_OAUTH_URL; default the SaaS login URL]"}),
    (("--audience", "audience"), {"help":
        "OAuth token audience [env CAMUNDA_TOKEN_AUDIENCE; default zeebe.camunda.io]"}),
    (("--token-file", "token_file"), {
        "metavar": "PATH", "type": click.Path(dir_okay=False),
        "help": "File holding a bearer token (strategy BEARER) [or env CAMUNDA_OAUTH_TOKEN]"}),
    (("--token-env", "token_env"), {"metavar": "NAME",
        "help": "Name of an environment variable holding a bearer token"}),
    (("--username", "username"), {"help":
        "Basic-auth user name [env CAMUNDA_BASIC_AUTH_USERNAME]"}),
    (("--password-env", "password_env"), {"metavar": "NAME", "help":
        "Name of an environment variable holding the basic-auth password "
        "[default CAMUNDA_BASIC_AUTH_PASSWORD]"}),
    (("--password-file", "password_file"), {
        "metavar": "PATH", "type": click.Path(dir_okay=False),
        "help": "File holding the basic-auth password"}),
    (("--ca-bundle", "ca_bundle"), {
        "metavar": "PATH", "type": click.Path(dir_okay=False),
        "help": "PEM file of CA certificates to trust [env CAMUNDA_MTLS_CA_PATH]"}),
    (("--client-cert", "client_cert"), {
        "metavar": "PATH", "type": click.Path(dir_okay=False),
        "help": "Client certificate for mTLS [env CAMUNDA_MTLS_CERT_PATH]"}),
    (("--client-key", "client_key"), {
        "metavar": "PATH", "type": click.Path(dir_okay=False),
        "help": "Client key for mTLS [env CAMUNDA_MTLS_KEY_PATH]"}),
    (("--config", "config_file"), {
        "metavar": "FILE", "type": click.Path(dir_okay=False),
        "help": "YAML file with cluster settings [env C8MIGRATE_CONFIG]"}),
    (("--server-version", "server_version"), {"metavar": "VERSION", "help":
        "Do not ask the cluster its version; assume this one, e.g. 8.7 "
        "[env C8MIGRATE_SERVER_VERSION]"}),
    (("--tenant", "tenant_id"), {"metavar": "ID", "help":
        "Tenant id, when the plan names none [env CAMUNDA_TENANT_ID]"}),
]


def cluster_options(function: F) -> F:
    """Add the cluster options to a click command; it receives them as ``cluster``."""
    names = [decls[1] for decls, _ in _OPTIONS]

    @functools.wraps(function)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        values = {name: kwargs.pop(name, None) for name in names}
        kwargs["cluster"] = ClusterOptions(**values)
        return function(*args, **kwargs)

    decorated: Any = wrapper
    for decls, settings in reversed(_OPTIONS):
        decorated = click.option(*decls, default=None, **settings)(decorated)
    return decorated  # type: ignore[no-any-return]


def _secret_from_file(path: str, what: str) -> Secret:
    try:
        return Secret(Path(path).read_text(encoding="utf-8").strip())
    except OSError as exc:
        raise ConfigError(f"cannot read the {what} file {path}: {exc.strerror}") from exc


def _secret_from_env(name: str, env: Mapping[str, str], what: str) -> Secret:
    value = env.get(name)
    if not value:
        raise ConfigError(f"the {what} variable {name} is not set")
    return Secret(value)


def resolve_config(options: ClusterOptions,
                   env: Mapping[str, str] | None = None) -> ClusterConfig:
    """The ClusterConfig for parsed options plus the environment (and the config file)."""
    environ: Mapping[str, str] = os.environ if env is None else env
    values: dict[str, Any] = {
        "address": options.address, "auth_strategy": options.auth_strategy,
        "client_id": options.client_id, "oauth_url": options.oauth_url,
        "audience": options.audience, "username": options.username,
        "ca_bundle": options.ca_bundle, "client_cert": options.client_cert,
        "client_key": options.client_key, "server_version": options.server_version,
        "tenant_id": options.tenant_id,
    }
    if options.client_secret_file:
        values["client_secret"] = _secret_from_file(options.client_secret_file, "client secret")
    if options.token_file:
        values["token"] = _secret_from_file(options.token_file, "token")
    elif options.token_env:
        values["token"] = _secret_from_env(options.token_env, environ, "token")
    if options.password_file:
        values["password"] = _secret_from_file(options.password_file, "password")
    elif options.password_env:
        values["password"] = _secret_from_env(options.password_env, environ, "password")
    return resolve(values, env=environ, config_file=options.config_file)


def build_client(options: ClusterOptions, env: Mapping[str, str] | None = None, *,
                 on_retry: RetryListener | None = None,
                 transport: httpx.BaseTransport | None = None) -> ClusterClient:
    """A ClusterClient for the parsed options. Raises ConfigError for bad settings.

    ``on_retry`` hears of each retry (commands pass a RetryNoticePrinter); ``transport``
    replaces the network (tests use httpx.MockTransport)."""
    return ClusterClient(resolve_config(options, env), on_retry=on_retry, transport=transport)


class RetryNoticePrinter:
    """Prints the client's retry notices on stderr, at most one line every ``interval``
    seconds, so a user facing a wrong address or a busy cluster sees why nothing happens."""

    def __init__(self, *, echo: Callable[[str], None] | None = None,
                 monotonic: Callable[[], float] = time.monotonic,
                 interval: float = 5.0) -> None:
        self._echo = echo or (lambda line: click.echo(line, err=True))
        self._monotonic = monotonic
        self._interval = interval
        self._last: float | None = None
        self._lock = threading.Lock()  # retries come from the worker threads too

    def __call__(self, notice: RetryNotice) -> None:
        now = self._monotonic()
        with self._lock:
            if self._last is not None and now - self._last < self._interval:
                return
            self._last = now
        self._echo(f"c8migrate: {notice.describe()}")
