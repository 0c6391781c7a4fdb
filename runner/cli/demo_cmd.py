"""`c8migrate demo` (placeholder until its owner lands it)."""

from __future__ import annotations

import click


@click.command("demo")
def command() -> None:
    """Not built yet."""
    raise click.ClickException("'demo' is not built yet")
