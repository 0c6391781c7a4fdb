"""`c8migrate validate` (placeholder until its owner lands it)."""

from __future__ import annotations

import click


@click.command("validate")
def command() -> None:
    """Not built yet."""
    raise click.ClickException("'validate' is not built yet")
