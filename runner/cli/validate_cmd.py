"""`c8migrate validate [PATHS...]`: check plans offline against their BPMN files.

Exit codes (runner/exit_codes.py): 0 no error findings (and no warnings with --strict);
1 error findings, including plan or BPMN files that are unreadable, malformed or hostile
(they are located findings in the report, so one run lists every problem); 2 the command
itself cannot run (bad options, no plans found, a report that cannot be written).
"""

from __future__ import annotations

import os
from pathlib import Path

import click

from runner.cli.errors import error_boundary
from runner.cli.options import (
    STEP_SUMMARY_MAX_CHARS,
    append_github_files,
    findings_exit_code,
    report_options,
    report_settings,
    server_version_option,
    write_report,
)
from runner.errors import ConfigError
from runner.reporters import RenderOptions, render_validation
from runner.reporters.github import job_summary, step_outputs
from runner.validate import validate_paths
from runner.version import ServerVersion

DEFAULT_PLANS_DIR = Path("plans")


@click.command("validate")
@click.argument("paths", nargs=-1, type=click.Path(exists=True, path_type=Path))
@server_version_option
@report_options
@click.pass_context
def command(ctx: click.Context, paths: tuple[Path, ...], server_version: ServerVersion | None,
            fmt: str, output: Path | None, strict: bool) -> None:
    """Check migration plans offline, with the same rules Zeebe applies.

    PATHS are plan files or folders of plans (default: plans/). Every problem is reported
    as a located, coded finding; nothing talks to a cluster.
    """
    debug = bool((ctx.obj or {}).get("debug"))
    with error_boundary(debug):
        code = _run(paths, server_version, fmt, output, strict)
    ctx.exit(code)


def _run(paths: tuple[Path, ...], server_version: ServerVersion | None, fmt: str,
         output: Path | None, strict: bool) -> int:
    targets = [str(p) for p in paths] or [str(_default_plans_dir())]
    if server_version is None:
        result = validate_paths(targets)
    else:
        result = validate_paths(targets, server_version, "option")
    if not result.plans:
        where = ", ".join(targets)
        raise ConfigError(f"no plan files found in {where}",
                          hint="plans are *.yaml files with 'kind: MigrationPlan'")
    settings = report_settings(fmt, output, strict)
    write_report(render_validation(result, settings.fmt, settings.render), settings.output)
    if settings.fmt == "github":
        summary_options = RenderOptions(rules_doc_uri=settings.render.rules_doc_uri,
                                        max_chars=STEP_SUMMARY_MAX_CHARS)
        append_github_files(os.environ,
                            summary=job_summary(validation=result, options=summary_options),
                            outputs=step_outputs(validation=result))
    return findings_exit_code(result.findings, strict)


def _default_plans_dir() -> Path:
    if DEFAULT_PLANS_DIR.is_dir():
        return DEFAULT_PLANS_DIR
    raise click.UsageError("no PATHS given and there is no plans/ folder here; "
                           "name the plan files or folders to validate")
