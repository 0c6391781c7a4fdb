"""The single place where exceptions become messages and exit codes."""

from __future__ import annotations

import sys
import traceback
from collections.abc import Iterator
from contextlib import contextmanager

import click

from runner import exit_codes
from runner.errors import (
    ClusterError,
    ConfigError,
    DriftDetected,
    InputError,
    LockHeld,
    RunnerError,
)


def exit_code_for(error: RunnerError) -> int:
    if isinstance(error, DriftDetected):
        return exit_codes.DRIFT
    if isinstance(error, ConfigError | InputError | ClusterError | LockHeld):
        return exit_codes.USAGE
    return exit_codes.USAGE


@contextmanager
def error_boundary(debug: bool = False) -> Iterator[None]:
    """Run a command body; turn our errors into one located line and an exit code."""
    try:
        yield
    except click.exceptions.Exit:
        raise
    except click.ClickException:
        raise
    except click.exceptions.Abort:
        raise
    except RunnerError as err:
        if debug:
            traceback.print_exc()
        lines = [f"error: {err.message}"]
        if isinstance(err, InputError):
            lines.extend(f"  {f.location}: {f.code} {f.message}" if f.location else
                         f"  {f.code} {f.message}" for f in err.findings)
        if isinstance(err, DriftDetected):
            lines.extend(f"  - {r}" for r in err.reasons)
        if err.hint:
            lines.append(f"hint: {err.hint}")
        click.echo("\n".join(lines), err=True)
        sys.exit(exit_code_for(err))
    except KeyboardInterrupt:
        click.echo("interrupted", err=True)
        sys.exit(exit_codes.INTERRUPTED)
    except Exception:  # the last line of defence
        if debug:
            traceback.print_exc()
        else:
            etype, value, _ = sys.exc_info()
            click.echo(
                f"internal error: {etype.__name__ if etype else 'Exception'}: {value}\n"
                "hint: this is a bug in c8migrate; re-run with --debug and report the output",
                err=True,
            )
        sys.exit(exit_codes.INTERNAL)
