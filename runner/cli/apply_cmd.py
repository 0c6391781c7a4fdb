"""`c8migrate apply [PATHS...]`: migrate what the plans say, safely, and verify it.

Per plan: re-compute the dry run, check the guards (maxInstances, reviewed definition keys,
plan checksum and blockers from --expect-preview), migrate (single or batch mode), read
back, record the run in the journal (--journal-dir). A second run migrates nothing.

Exit codes: 0 every plan applied (or had nothing to do); 1 a plan was refused (error
findings, or blocked instances without rollout.allowBlocked), could not be loaded, or left
instances unmigrated; 2 usage, configuration, cluster errors or a held lock; 4 live state
drifted from what was reviewed (nothing of that plan was migrated). A plan refused by its
guards or a held lock does not stop the other plans of the run; it is in the report
(status refused) and decides the exit code (4 before 2).
"""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import cast

import click

from runner import exit_codes
from runner.cli.cluster_options import (
    ClusterOptions,
    RetryNoticePrinter,
    build_client,
    cluster_options,
)
from runner.cli.errors import error_boundary, exit_code_for
from runner.cli.flow_common import (
    concurrency_option,
    journal_dir_option,
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
from runner.errors import ConfigError, DriftDetected, LockHeld
from runner.findings import Finding, Severity
from runner.flow.apply import ApplyInterrupted, ApplySettings, PlanRefused, apply_plan
from runner.flow.guards import ReviewedPreview, load_reviewed
from runner.flow.journal import ensure_journal_dir
from runner.plan.model import Plan, RolloutMode
from runner.reporters import RenderOptions, render_apply, render_validation
from runner.reporters.github import job_summary, step_outputs
from runner.results import ApplyReport, PlanPreview, ValidationResult
from runner.version import ServerVersion


@click.command("apply")
@click.argument("paths", nargs=-1, type=click.Path(exists=True, path_type=Path))
@cluster_options
@report_options
@journal_dir_option
@click.option("--expect-preview", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              default=None, help="JSON report of the reviewed dry run "
              "(`c8migrate plan --format json`); apply refuses (exit 4) when live state "
              "differs from it.")
@click.option("--changed-since", metavar="REF", default=None,
              help="Only plans added or changed since the merge base with REF (git).")
@click.option("--mode", type=click.Choice(["auto", "single", "batch"]), default=None,
              help="Override the plans' rollout.mode.")
@concurrency_option
@click.option("--yes", "-y", is_flag=True,
              help="Do not ask for confirmation (needed when stdin is not a terminal).")
@quiet_option
@click.pass_context
def command(ctx: click.Context, paths: tuple[Path, ...], cluster: ClusterOptions, fmt: str,
            output: Path | None, strict: bool, journal_dir: Path,
            expect_preview: Path | None, changed_since: str | None, mode: str | None,
            concurrency: int | None, yes: bool, quiet: bool) -> None:
    """Migrate the instances the plans select, verify them, record an audit trail.

    PATHS are plan files or folders of plans (default: plans/).
    """
    debug = bool((ctx.obj or {}).get("debug"))
    with error_boundary(debug):
        code = _run(paths, cluster, fmt, output, strict, journal_dir, expect_preview,
                    changed_since, mode, concurrency, yes, quiet)
    ctx.exit(code)


def _run(paths: tuple[Path, ...], cluster: ClusterOptions, fmt: str, output: Path | None,
         strict: bool, journal_dir: Path, expect_preview: Path | None,
         changed_since: str | None, mode: str | None, concurrency: int | None, yes: bool,
         quiet: bool) -> int:
    loaded = load_plans(plan_files(paths, changed_since))
    reviewed = load_reviewed(expect_preview) if expect_preview else {}
    for plan in loaded.plans:  # every plan must have been reviewed, before any is applied
        _reviewed_for(plan.name, reviewed, expect_preview)
    ensure_journal_dir(journal_dir)
    if loaded.plans and not yes:
        _confirm([p.name for p in loaded.plans])
    progress = progress_for(quiet=quiet)
    reports: list[ApplyReport] = []
    stopped: list[int] = []  # exit codes of plans refused before or by their guards
    with build_client(cluster, on_retry=RetryNoticePrinter()) as client:
        server = client.server_version()
        for plan in loaded.plans:
            settings = ApplySettings(journal_dir=journal_dir,
                                     reviewed=_reviewed_for(plan.name, reviewed, expect_preview),
                                     mode=cast("RolloutMode | None", mode),
                                     concurrency=concurrency)
            try:
                reports.append(apply_plan(plan, client, settings=settings, server=server,
                                          progress=progress))
            except ApplyInterrupted as interrupted:
                click.echo(f"plan {plan.name}: {interrupted.summary}", err=True)
                raise
            except (DriftDetected, LockHeld) as refused:
                # a refusal stops this plan only; the report and exit code show it
                if isinstance(refused, PlanRefused):
                    reports.append(refused.report)
                elif isinstance(refused, LockHeld):
                    reports.append(_lock_refusal(plan, server, refused))
                stopped.append(exit_code_for(refused))
                _tell_refusal(plan.name, refused)
    report = ReportOut(fmt, output, strict)
    report.write(reports, loaded.failures(server))
    if stopped:
        return exit_codes.DRIFT if exit_codes.DRIFT in stopped else stopped[0]
    failed = bool(loaded.failed) or any(report_fails(r) for r in reports)
    return exit_codes.FINDINGS if failed else exit_codes.OK


def _lock_refusal(plan: Plan, server: ServerVersion, held: LockHeld) -> ApplyReport:
    """The report entry of a plan refused before anything was computed for it: its lock
    is held by another apply (so the report, not only stderr, shows the refusal)."""
    finding = Finding("A05", Severity.ERROR, f"not applied: {held.message}",
                      location=plan.location_of(""), hint=held.hint)
    preview = PlanPreview(plan=plan, server_version=server, source_definition_key="",
                          target_definition_key="", matched=0, migrating=0, blocked=())
    return ApplyReport(plan=plan, preview=preview,
                       mode="batch" if plan.rollout.mode == "batch" else "single",
                       counts={}, findings=(finding,))


def _tell_refusal(name: str, refused: DriftDetected | LockHeld) -> None:
    """One block on stderr per refused plan (the report has it too, for drift)."""
    lines = [f"error: plan {name}: {refused.message}"]
    if isinstance(refused, DriftDetected):
        lines.extend(f"  - {reason}" for reason in refused.reasons)
    if refused.hint:
        lines.append(f"hint: {refused.hint}")
    click.echo("\n".join(lines), err=True)


def _reviewed_for(name: str, reviewed: dict[str, ReviewedPreview],
                  source: Path | None) -> ReviewedPreview | None:
    if source is None:
        return None
    if name not in reviewed:
        raise ConfigError(f"the reviewed preview {source} has no plan named '{name}'",
                          hint="apply exactly the plans whose dry run was reviewed")
    return reviewed[name]


def _confirm(names: list[str]) -> None:
    if not sys.stdin.isatty():
        raise ConfigError("apply needs --yes when it cannot ask (stdin is not a terminal)")
    click.confirm(f"Migrate instances for {len(names)} plan(s): {', '.join(names)}?",
                  abort=True, err=True)


def report_fails(report: ApplyReport) -> bool:
    """A refused plan (error findings) or instances that did not migrate."""
    if any(f.severity == Severity.ERROR for f in report.findings):
        return True
    return not report.ok


class ReportOut:
    """Writes the apply report in the chosen format; plan files that could not be loaded
    are listed on stderr (text), so machine formats stay one document."""

    def __init__(self, fmt: str, output: Path | None, strict: bool) -> None:
        self.settings = report_settings(fmt, output, strict)

    def write(self, reports: list[ApplyReport], failures: ValidationResult | None) -> None:
        if failures is not None:
            click.echo(render_validation(failures, "text"), err=True, nl=False)
        write_report(render_apply(reports, self.settings.fmt, self.settings.render),
                     self.settings.output)
        if self.settings.fmt == "github":
            summary = RenderOptions(rules_doc_uri=self.settings.render.rules_doc_uri,
                                    max_chars=STEP_SUMMARY_MAX_CHARS)
            append_github_files(os.environ,
                                summary=job_summary(reports=reports, options=summary),
                                outputs=step_outputs(reports=reports))
