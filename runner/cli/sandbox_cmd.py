"""`c8migrate sandbox` (placeholder until its owner lands it)."""

from __future__ import annotations

import click


@click.command("sandbox")
def command() -> None:
    """Not built yet."""
    raise click.ClickException("'sandbox' is not built yet")
