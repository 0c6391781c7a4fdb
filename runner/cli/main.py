"""The ``c8migrate`` command group. Each verb lives in its own module."""

from __future__ import annotations

import click

from runner import __version__
from runner.cli import (
    apply_cmd,
    demo_cmd,
    drift_cmd,
    github_cmd,
    init_cmd,
    plan_cmd,
    rules_cmd,
    sandbox_cmd,
    validate_cmd,
)


@click.group(context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
@click.version_option(__version__, prog_name="c8migrate")
@click.option("--debug", is_flag=True, help="Show full tracebacks for errors.")
@click.pass_context
def cli(ctx: click.Context, debug: bool) -> None:
    """Migration as code for Camunda 8: validate, dry-run and apply process-instance
    migration plans kept in git."""
    ctx.ensure_object(dict)
    ctx.obj["debug"] = debug


for _module in (validate_cmd, plan_cmd, apply_cmd, demo_cmd, sandbox_cmd, init_cmd,
                rules_cmd, drift_cmd, github_cmd):
    cli.add_command(_module.command)


def main() -> None:
    cli(prog_name="c8migrate")
