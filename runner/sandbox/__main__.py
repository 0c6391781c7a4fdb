"""``python -m runner.sandbox``: run the sandbox until interrupted.

Prints exactly one line ``c8migrate sandbox listening on http://HOST:PORT`` to stdout when
it is ready. Errors in the options or the seed file go to stderr with exit code 2.
"""

from __future__ import annotations

import argparse
import ipaddress
import os
import signal
import sys
from types import FrameType

from runner.errors import RunnerError
from runner.sandbox.auth import AuthSettings
from runner.sandbox.faults import FaultPlanError, merge_options, parse_plan
from runner.sandbox.seed import SeedError, apply_seed, load_seed_file
from runner.sandbox.server import Sandbox, SandboxConfig, make_server
from runner.version import OLDEST_CLUSTER, ServerVersion

DEFAULT_SECRET_ENV = "C8MIGRATE_SANDBOX_CLIENT_SECRET"
MAX_PORT = 65535


def build_config(*, host: str, port: int, server_version: str, auth: str,
                 client_id: str, client_secret_env: str, token_ttl: int,
                 search_lag_ms: int, faults: list[str], verbose: bool = False,
                 allow_non_loopback: bool = False) -> SandboxConfig:
    """The configuration from option values; RunnerError (ConfigError) when they are wrong."""
    from runner.errors import ConfigError

    if not 0 <= port <= MAX_PORT:
        raise ConfigError(f"--port {port} is not a port: use 0 to {MAX_PORT} (0 picks a free one)")
    if not allow_non_loopback and not is_loopback(host):
        raise ConfigError(
            f"--host '{host}' is not a loopback address (127.0.0.1, ::1 or localhost): "
            "the sandbox has no real security",
            hint="pass --allow-non-loopback to listen there anyway; anyone who can reach "
                 "it can read and change everything it holds")
    for option, value in (("--token-ttl", token_ttl), ("--search-lag-ms", search_lag_ms)):
        if value < 0:
            raise ConfigError(f"{option} {value}: must be 0 or more")
    try:
        version = ServerVersion.parse(server_version)
    except ValueError as exc:
        raise ConfigError(f"--server-version: {exc}") from exc
    if version < OLDEST_CLUSTER:
        raise ConfigError(f"--server-version {version}: the sandbox speaks 8.6 and newer")
    if auth not in ("none", "basic", "oauth"):
        raise ConfigError("--auth must be none, basic or oauth")
    secret = ""
    if auth != "none":
        secret = os.environ.get(client_secret_env, "")
        if not secret:
            raise ConfigError(f"--auth {auth} needs the client secret in the environment "
                              f"variable {client_secret_env}")
    try:
        fault_document = merge_options(faults)
        parse_plan(fault_document)
    except FaultPlanError as exc:
        raise ConfigError(str(exc)) from exc
    return SandboxConfig(
        host=host, port=port, server_version=version,
        auth=AuthSettings(auth, client_id, secret, token_ttl),  # type: ignore[arg-type]
        search_lag_ms=search_lag_ms, faults=fault_document, verbose=verbose)


def is_loopback(host: str) -> bool:
    """Whether ``host`` names this machine's loopback interface only ('' and 0.0.0.0 mean
    every interface)."""
    if host.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def serve(config: SandboxConfig, seed: str | None) -> None:
    """Seed, bind, print the ready line, serve until SIGINT/SIGTERM."""
    from runner.errors import ConfigError, InputError

    sandbox = Sandbox(config)
    if seed:
        document, base = load_seed_file(seed)
        try:
            apply_seed(sandbox.store, document, base)
        except SeedError as exc:
            raise InputError(f"seed file {seed}: {exc}") from exc
    try:
        server = make_server(sandbox)
    except OSError as exc:
        raise ConfigError(f"cannot listen on {config.host}:{config.port}: "
                          f"{exc.strerror or exc}") from exc

    def stop(signum: int, frame: FrameType | None) -> None:
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, stop)
    host, port = server.server_address[:2]
    if not is_loopback(config.host):
        print(f"warning: the sandbox listens on {config.host or 'every interface'}; it has "
              "no real security: anyone who can reach it can read and change its state",
              file=sys.stderr, flush=True)
    print(f"c8migrate sandbox listening on http://{host!s}:{port}", flush=True)
    try:
        server.serve_forever(poll_interval=0.2)
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="python -m runner.sandbox",
                                description="A local Camunda-8-compatible sandbox server.")
    p.add_argument("--host", default="127.0.0.1",
                   help="loopback address to listen on (others need --allow-non-loopback)")
    p.add_argument("--allow-non-loopback", action="store_true",
                   help="listen on a non-loopback address (the sandbox has no real security)")
    p.add_argument("--port", type=int, default=8080, help="0 picks a free port")
    p.add_argument("--server-version", default="8.8.0")
    p.add_argument("--seed", help="seed file (YAML) to deploy and create instances from")
    p.add_argument("--auth", default="none", choices=("none", "basic", "oauth"))
    p.add_argument("--client-id", default="c8migrate")
    p.add_argument("--client-secret-env", default=DEFAULT_SECRET_ENV,
                   help="environment variable that holds the client secret")
    p.add_argument("--token-ttl", type=int, default=3600, help="OAuth token lifetime (s)")
    p.add_argument("--search-lag-ms", type=int, default=0)
    p.add_argument("--fault", action="append", default=[],
                   help="KIND=RATE[@ROUTE,..][xTIMES] or latency=MS, lag=MS, seed=N")
    p.add_argument("--verbose", action="store_true", help="log every request to stderr")
    return p


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    try:
        config = build_config(
            host=args.host, port=args.port, server_version=args.server_version,
            auth=args.auth, client_id=args.client_id, client_secret_env=args.client_secret_env,
            token_ttl=args.token_ttl, search_lag_ms=args.search_lag_ms, faults=args.fault,
            verbose=args.verbose, allow_non_loopback=args.allow_non_loopback)
        serve(config, args.seed)
    except RunnerError as err:
        print(f"error: {err.message}", file=sys.stderr)
        if err.hint:
            print(f"hint: {err.hint}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
