"""`c8migrate rules` (placeholder until its owner lands it)."""

from __future__ import annotations

import click


@click.command("rules")
def command() -> None:
    """Not built yet."""
    raise click.ClickException("'rules' is not built yet")
