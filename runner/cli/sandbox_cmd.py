"""`c8migrate sandbox`: run the local Camunda-compatible sandbox in the foreground."""

from __future__ import annotations

import click

from runner.cli.errors import error_boundary
from runner.sandbox.__main__ import DEFAULT_SECRET_ENV, build_config, serve


@click.command("sandbox")
@click.option("--host", default="127.0.0.1", show_default=True,
              help="Loopback address to listen on (others need --allow-non-loopback).")
@click.option("--allow-non-loopback", is_flag=True,
              help="Listen on a non-loopback address. The sandbox has no real security: "
                   "anyone who can reach it can read and change its state.")
@click.option("--port", type=int, default=8080, show_default=True,
              help="Port to listen on; 0 picks a free one.")
@click.option("--server-version", default="8.8.0", show_default=True,
              help="Camunda version to behave as (8.6, 8.7, 8.8 or newer).")
@click.option("--seed", type=click.Path(exists=True, dir_okay=False),
              help="Seed file (YAML): BPMN to deploy and instances to create.")
@click.option("--auth", type=click.Choice(["none", "basic", "oauth"]), default="none",
              show_default=True, help="Authentication the API requires.")
@click.option("--client-id", default="c8migrate", show_default=True,
              help="Client id (OAuth) or user name (basic).")
@click.option("--client-secret-env", default=DEFAULT_SECRET_ENV, show_default=True,
              help="Environment variable holding the client secret / password.")
@click.option("--token-ttl", type=int, default=3600, show_default=True,
              help="Lifetime of issued OAuth tokens in seconds.")
@click.option("--search-lag-ms", type=int, default=0, show_default=True,
              help="Searches see writes only after this delay (eventual consistency).")
@click.option("--fault", "faults", multiple=True, metavar="SPEC",
              help="Inject faults: KIND=RATE[@ROUTE,..][xTIMES] with KIND unavailable, "
                   "throttle, exhausted or drop; or latency=MS, lag=MS, seed=N.")
@click.option("--verbose", is_flag=True, help="Log every request to stderr.")
@click.pass_context
def command(ctx: click.Context, host: str, allow_non_loopback: bool, port: int,
            server_version: str, seed: str | None, auth: str, client_id: str,
            client_secret_env: str, token_ttl: int, search_lag_ms: int,
            faults: tuple[str, ...], verbose: bool) -> None:
    """Run a local server that speaks the Camunda 8 REST API subset c8migrate uses.

    It judges migrations with the same engine as `validate`, holds instances seeded at
    chosen wait states, and can inject faults. Admin endpoints: POST /sandbox/seed,
    GET /sandbox/stats, POST /sandbox/faults, POST /sandbox/reset (docs/sandbox.md).
    """
    with error_boundary(bool(ctx.obj.get("debug")) if ctx.obj else False):
        config = build_config(
            host=host, port=port, server_version=server_version, auth=auth,
            client_id=client_id, client_secret_env=client_secret_env, token_ttl=token_ttl,
            search_lag_ms=search_lag_ms, faults=list(faults), verbose=verbose,
            allow_non_loopback=allow_non_loopback)
        serve(config, seed)
