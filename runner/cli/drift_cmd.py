"""`c8migrate drift` (placeholder until its owner lands it)."""

from __future__ import annotations

import click


@click.command("drift")
def command() -> None:
    """Not built yet."""
    raise click.ClickException("'drift' is not built yet")
