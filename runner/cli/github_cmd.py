"""`c8migrate github ...`: what the GitHub workflows need beyond validate / plan / apply.

    github changed --since REF [PATHS]   which plans the change touches (+ step outputs)
    github summary --report FILE         annotations, job summary and step outputs of a report
    github comment --report FILE         the sticky dry-run comment on the pull request
    github outcome --report FILE         the outcome comment on the merged pull request
    github reviewed --output FILE        the dry run the merged pull request was reviewed with
"""

from __future__ import annotations

import os
import sys
from collections.abc import Sequence
from pathlib import Path

import click

from runner.cli.errors import error_boundary
from runner.errors import ConfigError
from runner.gitops import bodies, reviewed
from runner.gitops.changed import PlanSelection, select_plans
from runner.gitops.comment import (
    OUTCOME_KIND,
    PLAN_KIND,
    CommentContext,
    marker,
    upsert_comment,
)
from runner.gitops.github import GitHubClient, GitHubSettings, pr_number_from_event
from runner.gitops.report_io import read_report
from runner.gitops.reviewed import merged_pull_request
from runner.reporters import RenderOptions, render_apply, render_previews, render_validation
from runner.reporters import github as github_format

_report_option = click.option(
    "--report", "report_path", required=True, type=click.Path(dir_okay=False, path_type=Path),
    help="JSON report written by `plan`/`apply`/`validate --format json --output FILE`.")
def _check_key(ctx: click.Context, param: click.Parameter, value: str) -> str:
    try:
        marker(PLAN_KIND, value)
    except ValueError as exc:
        raise click.BadParameter(str(exc)) from exc
    return value


_key_option = click.option(
    "--key", default="plans", show_default=True, callback=_check_key,
    help="Identifies the comment: one per key (e.g. one per environment).")
_stdout_option = click.option(
    "--stdout", "to_stdout", is_flag=True,
    help="Print the comment body instead of posting it (no token needed).")
_since_option = click.option(
    "--changed-since", "since", metavar="REF",
    help="Also name the plans this change touches and list deleted ones (git merge base).")


@click.group("github")
def command() -> None:
    """GitHub Actions glue: changed plans, job summary, pull-request comments."""


@command.command("changed")
@click.option("--since", "since", required=True, metavar="REF",
              help="Base ref; plans changed between its merge base and HEAD are selected.")
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
@click.pass_context
def changed(ctx: click.Context, since: str, paths: tuple[Path, ...]) -> None:
    """List the plans changed since REF, one per line; deleted plans go to stderr.

    In GitHub Actions also writes the step outputs `plans` (space separated), `count` and
    `deleted`.
    """
    with error_boundary(_debug(ctx)):
        selection = select_plans(since, paths or (Path("plans"),))
        for plan in selection.changed:
            click.echo(plan.path)
        for gone in selection.deleted:
            click.echo(f"deleted (reported, not applied): {gone.repo_path}", err=True)
        _append_env_file("GITHUB_OUTPUT", (
            f"plans={' '.join(selection.paths)}\n"
            f"count={len(selection.changed)}\n"
            f"deleted={' '.join(d.repo_path for d in selection.deleted)}\n"))


@command.command("summary")
@_report_option
@click.option("--markdown", "markdown_path", type=click.Path(dir_okay=False, path_type=Path),
              help="Also write the whole markdown report, uncut, to this file (an artifact).")
@click.pass_context
def summary(ctx: click.Context, report_path: Path, markdown_path: Path | None) -> None:
    """Print annotations for a report and, in GitHub Actions, write the job summary
    ($GITHUB_STEP_SUMMARY) and step outputs ($GITHUB_OUTPUT: status and counts)."""
    with error_boundary(_debug(ctx)):
        report = read_report(report_path)
        validation = report.validation()
        uncut = RenderOptions(max_chars=sys.maxsize)
        if report.kind == "apply":
            reports = report.apply_reports()
            click.echo(render_apply(reports, "github"), nl=False)
            job = github_format.job_summary(reports=reports)
            outputs = github_format.step_outputs(reports=reports)
            full = render_apply(reports, "markdown", uncut)
        elif report.kind == "preview":
            previews = report.previews()
            click.echo(render_previews(previews, "github", validation), nl=False)
            job = github_format.job_summary(previews=previews, validation=validation)
            outputs = github_format.step_outputs(previews=previews)
            full = render_previews(previews, "markdown", validation, uncut)
        else:
            assert validation is not None
            click.echo(render_validation(validation, "github"), nl=False)
            job = github_format.job_summary(validation=validation)
            outputs = github_format.step_outputs(validation=validation)
            full = render_validation(validation, "markdown", uncut)
        _append_env_file("GITHUB_STEP_SUMMARY", job)
        _append_env_file("GITHUB_OUTPUT", outputs)
        if markdown_path is not None:
            markdown_path.write_text(full, encoding="utf-8")


@command.command("comment")
@_report_option
@click.option("--pr", "number", type=int, help="Pull-request number [default: from the event].")
@_key_option
@_since_option
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
@_stdout_option
@click.pass_context
def comment(ctx: click.Context, report_path: Path, number: int | None, key: str,
            since: str | None, paths: tuple[Path, ...], to_stdout: bool) -> None:
    """Post or edit the sticky dry-run comment of a pull request from a plan/validate report.

    The comment is found again by a hidden marker and edited in place; it stays under
    GitHub's size limit. Needs GITHUB_TOKEN with `pull-requests: write`.
    """
    with error_boundary(_debug(ctx)):
        report = read_report(report_path)
        selection = _selection(since, paths)
        tag = marker(PLAN_KIND, key)
        body = bodies.dry_run_comment(
            report, tag, bodies.context_from_env(os.environ),
            changed=selection.changed if selection else (),
            deleted=selection.deleted if selection else (), selection_known=selection is not None)
        _post(body, tag, number, to_stdout)


@command.command("outcome")
@_report_option
@click.option("--sha", help="The merge commit [default: GITHUB_SHA].")
@click.option("--pr", "number", type=int,
              help="Pull-request number [default: the one merged as --sha].")
@_key_option
@_since_option
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
@_stdout_option
@click.option("--exit-code", type=int, default=None,
              help="apply's exit code, to say when it refused or stopped early.")
@click.pass_context
def outcome(ctx: click.Context, report_path: Path, sha: str | None, number: int | None,
            key: str, since: str | None, paths: tuple[Path, ...], to_stdout: bool,
            exit_code: int | None) -> None:
    """Comment what `apply` did on the pull request that was merged as --sha.

    With a non-zero --exit-code the report may be missing (apply stopped before writing
    it); the comment then says which selected plans were not applied. A push that did not
    come from a pull request has nobody to tell: that is not an error.
    """
    with error_boundary(_debug(ctx)):
        stopped_early = exit_code not in (None, 0) and not report_path.exists()
        report = None if stopped_early else read_report(report_path)
        selection = _selection(since, paths)
        context = bodies.context_from_env(os.environ)
        commit = sha or os.environ.get("GITHUB_SHA") or context.commit
        if commit:
            context = CommentContext(commit, context.run_url, context.artifact_url)
        tag = marker(OUTCOME_KIND, key)
        body = bodies.outcome_comment(report, tag, context,
                                      deleted=selection.deleted if selection else (),
                                      changed=selection.changed if selection else (),
                                      exit_code=exit_code)
        if to_stdout:
            click.echo(body, nl=False)
            return
        settings = GitHubSettings.from_env()
        with GitHubClient(settings) as client:
            if number is None:
                if not commit:
                    raise ConfigError("no merge commit: pass --sha or set GITHUB_SHA")
                pull = merged_pull_request(client, commit)
                number = pull.number if pull else None
                if number is None:
                    click.echo(f"no pull request was merged as {commit[:12]}; "
                               "nothing to comment", err=True)
                    return
            done = upsert_comment(client, number, tag, body)
        click.echo(f"outcome comment {done.action} on #{number}: {done.url}", err=True)


@command.command("reviewed")
@click.option("--sha", help="The merge commit [default: GITHUB_SHA].")
@click.option("--output", "output", required=True,
              type=click.Path(dir_okay=False, path_type=Path),
              help="Where to write the reviewed JSON dry-run report.")
@click.option("--workflow", default=reviewed.DEFAULT_WORKFLOW, show_default=True,
              help="File name of the pull-request workflow that ran the dry run.")
@click.option("--artifact", default=reviewed.DEFAULT_ARTIFACT, show_default=True,
              help="Name of the artifact holding the report.")
@click.option("--member", default=reviewed.DEFAULT_MEMBER, show_default=True,
              help="The report's file name inside the artifact.")
@click.option("--required", is_flag=True,
              help="Fail (exit 2) when there is no reviewed dry run, instead of a warning.")
@click.pass_context
def reviewed_cmd(ctx: click.Context, sha: str | None, output: Path, workflow: str,
                 artifact: str, member: str, required: bool) -> None:
    """Fetch the dry run the pull request merged as --sha was reviewed with, for
    `apply --expect-preview`. Step outputs: `found` (true/false), `pr`, `run-id`.

    Needs `actions: read` to list the runs and download the artifact.
    """
    with error_boundary(_debug(ctx)):
        commit = sha or os.environ.get("GITHUB_SHA")
        if not commit:
            raise ConfigError("no merge commit: pass --sha or set GITHUB_SHA")
        with GitHubClient(GitHubSettings.from_env()) as client:
            found = reviewed.fetch_reviewed_dry_run(client, commit, workflow=workflow,
                                                    artifact=artifact, member=member)
        if found is None:
            message = (f"no reviewed dry run found for {commit[:12]} (no pull request, no "
                       f"{workflow} run with the {artifact!r} artifact, or it expired)")
            if required:
                raise ConfigError(message, hint="re-run the pull request's dry run, or apply "
                                                "without --expect-preview")
            click.echo(f"warning: {message}; apply re-checks live state without it", err=True)
            _append_env_file("GITHUB_OUTPUT", "found=false\n")
            return
        output.write_bytes(found.report)
        read_report(output)  # a readable JSON report, or an input error now
        click.echo(f"reviewed dry run of #{found.pull_request} (head {found.head_sha[:12]}, "
                   f"run {found.run_id}) written to {output}", err=True)
        _append_env_file("GITHUB_OUTPUT", f"found=true\npr={found.pull_request}\n"
                                          f"run-id={found.run_id}\n")


def _post(body: str, tag: str, number: int | None, to_stdout: bool) -> None:
    if to_stdout:
        click.echo(body, nl=False)
        return
    number = number or pr_number_from_event(os.environ.get("GITHUB_EVENT_PATH"))
    if number is None:
        raise ConfigError("no pull request to comment on",
                          hint="pass --pr N, or run on a pull_request event")
    with GitHubClient(GitHubSettings.from_env()) as client:
        done = upsert_comment(client, number, tag, body)
    extra = f", {done.duplicates_removed} duplicate(s) removed" if done.duplicates_removed else ""
    click.echo(f"comment {done.action} on #{number}{extra}: {done.url}", err=True)


def _selection(since: str | None, paths: Sequence[Path]) -> PlanSelection | None:
    if since is None:
        return None
    return select_plans(since, paths or (Path("plans"),))


def _append_env_file(variable: str, text: str) -> None:
    """Append to the file GitHub Actions names in ``variable``; outside Actions do nothing."""
    target = os.environ.get(variable)
    if not target:
        return
    with open(target, "a", encoding="utf-8") as handle:
        handle.write(text if text.endswith("\n") else text + "\n")


def _debug(ctx: click.Context) -> bool:
    return bool((ctx.obj or {}).get("debug"))

