"""Options shared by the commands that report: --format, --output, --strict, --server-version,
and the small amount of I/O around a rendered report (stdout or file, GitHub's step files)."""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

import click

from runner import exit_codes
from runner.errors import ConfigError
from runner.findings import Finding, Severity
from runner.reporters import FORMATS, RenderOptions
from runner.version import NEWEST, OLDEST_OFFLINE, ServerVersion

F = TypeVar("F", bound=Callable[..., Any])

FORMAT_CHOICES = ("auto", *FORMATS)
STEP_SUMMARY_MAX_CHARS = 1_000_000
"""GitHub keeps at most 1 MiB of job summary per step; stay a little below."""


@dataclass(frozen=True, slots=True)
class ReportSettings:
    """Where and how one command writes its report."""

    fmt: str
    """A concrete format name (never 'auto')."""
    output: Path | None
    strict: bool
    render: RenderOptions


def resolve_format(name: str, env: Mapping[str, str]) -> str:
    """'auto' is github inside GitHub Actions, text everywhere else."""
    if name != "auto":
        return name
    return "github" if env.get("GITHUB_ACTIONS") == "true" else "text"


def wants_color(fmt: str, output: Path | None, env: Mapping[str, str], is_tty: bool) -> bool:
    """Colour only for text on a terminal, and never when NO_COLOR is set (no-color.org)."""
    return (fmt == "text" and output is None and is_tty and not env.get("NO_COLOR")
            and env.get("TERM") != "dumb")


def rules_doc_uri(env: Mapping[str, str]) -> str:
    """Rule docs as an absolute link inside GitHub Actions (SARIF and comments need one)."""
    server, repo, sha = (env.get(k) for k in ("GITHUB_SERVER_URL", "GITHUB_REPOSITORY",
                                              "GITHUB_SHA"))
    if server and repo and sha:
        return f"{server}/{repo}/blob/{sha}/docs/rules.md"
    return "docs/rules.md"


def report_settings(fmt: str, output: Path | None, strict: bool,
                    env: Mapping[str, str] | None = None,
                    is_tty: bool | None = None) -> ReportSettings:
    """Settle 'auto', colour and links from the options and the environment."""
    env = os.environ if env is None else env
    is_tty = sys.stdout.isatty() if is_tty is None else is_tty
    concrete = resolve_format(fmt, env)
    render = RenderOptions(color=wants_color(concrete, output, env, is_tty),
                           rules_doc_uri=rules_doc_uri(env))
    return ReportSettings(concrete, output, strict, render)


def report_options(func: F) -> F:
    """Add --format, --output and --strict to a command."""
    func = click.option(
        "--strict", is_flag=True,
        help="Fail (exit 1) on warnings too, not only on errors.")(func)
    func = click.option(
        "--output", "-o", type=click.Path(dir_okay=False, path_type=Path), default=None,
        callback=_writable_output,
        help="Write the report to FILE instead of stdout.")(func)
    func = click.option(
        "--format", "fmt", type=click.Choice(FORMAT_CHOICES), default="auto",
        show_default=True,
        help="Report format; auto is github inside GitHub Actions, text elsewhere.")(func)
    return func


def _writable_output(ctx: click.Context, param: click.Parameter,
                     value: Path | None) -> Path | None:
    """Refuse an --output whose folder is missing before the command does its work: apply
    would otherwise migrate and only then fail to write the report of what it did."""
    if value is None:
        return None
    folder = value.parent
    if not folder.is_dir():
        raise click.BadParameter(
            f"cannot write the report to {value}: the folder {folder} does not exist",
            ctx, param)
    if not os.access(folder, os.W_OK):
        raise click.BadParameter(
            f"cannot write the report to {value}: the folder {folder} is not writable",
            ctx, param)
    return value


class ServerVersionType(click.ParamType):  # type: ignore[type-arg]
    """A Camunda version such as 8.7 or 8.8.3, within the range offline rules know."""

    name = "VERSION"

    def convert(self, value: Any, param: click.Parameter | None,
                ctx: click.Context | None) -> ServerVersion:
        """Parse and range-check the version (click calls this)."""
        if isinstance(value, ServerVersion):
            return value
        try:
            version = ServerVersion.parse(str(value))
        except ValueError:
            self.fail(f"{value!r} is not a version such as 8.8 or 8.8.3", param, ctx)
        if version < OLDEST_OFFLINE:
            self.fail(f"{version} is older than {OLDEST_OFFLINE.major}.{OLDEST_OFFLINE.minor}, "
                      "the oldest version whose migration rules are known", param, ctx)
        return version


def server_version_option(func: F) -> F:
    """Add --server-version (offline: which Zeebe's rules to apply)."""
    return click.option(
        "--server-version", type=ServerVersionType(), default=None,
        help=f"Judge with the rules of this Camunda version [default: newest known, "
             f"{NEWEST.major}.{NEWEST.minor}].")(func)


def write_report(text: str, output: Path | None) -> None:
    """The report to ``output`` (created or replaced) or to stdout."""
    if output is None:
        click.echo(text, nl=False)
        return
    try:
        output.write_text(text, encoding="utf-8")
    except OSError as exc:
        raise ConfigError(f"cannot write the report to {output}: {exc.strerror or exc}",
                          hint="check that the folder exists and is writable") from exc


def append_github_files(env: Mapping[str, str], *, summary: str, outputs: str) -> None:
    """Append to $GITHUB_STEP_SUMMARY and $GITHUB_OUTPUT when the runner provides them."""
    for variable, text in (("GITHUB_STEP_SUMMARY", summary), ("GITHUB_OUTPUT", outputs)):
        target = env.get(variable)
        if not target:
            continue
        try:
            with open(target, "a", encoding="utf-8") as handle:
                handle.write(text if text.endswith("\n") else text + "\n")
        except OSError as exc:
            raise ConfigError(f"cannot append to ${variable} ({target}): "
                              f"{exc.strerror or exc}") from exc


def findings_exit_code(findings: Iterable[Finding], strict: bool) -> int:
    """0 when clean; 1 for any error finding, or any warning with --strict."""
    worst = max((f.severity for f in findings), default=None)
    if worst is Severity.ERROR or (strict and worst is Severity.WARNING):
        return exit_codes.FINDINGS
    return exit_codes.OK
