"""`c8migrate plan [PATHS...]`: the dry run against a live cluster. Writes nothing.

For each plan: matched instances, where each active element goes, which instances Zeebe
would reject and why (verbatim), judged with the DEPLOYED models. Text on a terminal,
markdown for pull-request comments, json for `apply --expect-preview`.

Exit codes: 0 nothing blocks; 1 error findings, plans that cannot be loaded, more instances
than rollout.maxInstances, or blocked instances in a plan that does not set
rollout.allowBlocked; 2 usage, configuration or cluster errors.
"""

from __future__ import annotations

import os
from pathlib import Path

import click

from runner import exit_codes
from runner.cli.cluster_options import (
    ClusterOptions,
    RetryNoticePrinter,
    build_client,
    cluster_options,
)
from runner.cli.errors import error_boundary
from runner.cli.flow_common import (
    concurrency_option,
    load_plans,
    plan_files,
    quiet_option,
)
from runner.cli.options import (
    STEP_SUMMARY_MAX_CHARS,
    append_github_files,
    report_options,
    report_settings,
    write_report,
)
from runner.cli.progress_view import progress_for
from runner.findings import Severity
from runner.flow.observe import DEFAULT_CONCURRENCY
from runner.flow.preview import build_preview
from runner.reporters import RenderOptions, render_previews
from runner.reporters.github import job_summary, step_outputs
from runner.results import PlanPreview


@click.command("plan")
@click.argument("paths", nargs=-1, type=click.Path(exists=True, path_type=Path))
@cluster_options
@report_options
@click.option("--changed-since", metavar="REF", default=None,
              help="Only plans added or changed since the merge base with REF (git).")
@concurrency_option
@quiet_option
@click.pass_context
def command(ctx: click.Context, paths: tuple[Path, ...], cluster: ClusterOptions, fmt: str,
            output: Path | None, strict: bool, changed_since: str | None,
            concurrency: int | None, quiet: bool) -> None:
    """Dry run: what applying the plans would do to the live instances.

    PATHS are plan files or folders of plans (default: plans/). Only reads from the
    cluster; nothing is migrated.
    """
    debug = bool((ctx.obj or {}).get("debug"))
    with error_boundary(debug):
        code = _run(paths, cluster, fmt, output, strict, changed_since, concurrency, quiet)
    ctx.exit(code)


def _run(paths: tuple[Path, ...], cluster: ClusterOptions, fmt: str, output: Path | None,
         strict: bool, changed_since: str | None, concurrency: int | None,
         quiet: bool) -> int:
    loaded = load_plans(plan_files(paths, changed_since))
    progress = progress_for(quiet=quiet)
    with build_client(cluster, on_retry=RetryNoticePrinter()) as client:
        server = client.server_version()
        previews = [build_preview(plan, client, server=server, progress=progress,
                                  concurrency=concurrency or plan.rollout.concurrency
                                  or DEFAULT_CONCURRENCY)
                    for plan in loaded.plans]
    failures = loaded.failures(server)
    settings = report_settings(fmt, output, strict)
    write_report(render_previews(previews, settings.fmt, failures, settings.render),
                 settings.output)
    if settings.fmt == "github":
        summary = RenderOptions(rules_doc_uri=settings.render.rules_doc_uri,
                                max_chars=STEP_SUMMARY_MAX_CHARS)
        append_github_files(os.environ,
                            summary=job_summary(previews=previews, validation=failures,
                                                options=summary),
                            outputs=step_outputs(previews=previews, validation=failures))
    failed = bool(loaded.failed) or any(preview_fails(p, strict) for p in previews)
    return exit_codes.FINDINGS if failed else exit_codes.OK


def preview_fails(preview: PlanPreview, strict: bool = False) -> bool:
    """Whether a dry run should fail the command (see the module docstring)."""
    worst = max((f.severity for f in preview.findings), default=None)
    if worst is Severity.ERROR or (strict and worst is Severity.WARNING):
        return True
    if preview.guard_exceeded:
        return True
    blocked = max(preview.blocked_total, len(preview.blocked))
    return bool(blocked) and not preview.plan.rollout.allow_blocked
