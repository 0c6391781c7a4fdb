"""`c8migrate init` (placeholder until its owner lands it)."""

from __future__ import annotations

import click


@click.command("init")
def command() -> None:
    """Not built yet."""
    raise click.ClickException("'init' is not built yet")
