"""`c8migrate apply` (placeholder until its owner lands it)."""

from __future__ import annotations

import click


@click.command("apply")
def command() -> None:
    """Not built yet."""
    raise click.ClickException("'apply' is not built yet")
