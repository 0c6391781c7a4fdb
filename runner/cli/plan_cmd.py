"""`c8migrate plan` (placeholder until its owner lands it)."""

from __future__ import annotations

import click


@click.command("plan")
def command() -> None:
    """Not built yet."""
    raise click.ClickException("'plan' is not built yet")
