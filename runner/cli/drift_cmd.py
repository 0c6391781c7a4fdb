"""`c8migrate drift`: are instances still on the source version of an applied plan?

Reads the audit records in the journal (--journal-dir) and counts, per applied plan, the
instances its filter selects on the source definition. Meant for a scheduled CI job.

Formats: text (default), json, markdown (a table, e.g. for a job summary) and github
(annotations for drifted plans and the text report on stdout; the markdown table appended to
$GITHUB_STEP_SUMMARY and status/plans/drifted to $GITHUB_OUTPUT).

Exit codes: 0 no drift (or nothing applied yet); 1 drift: more instances on a source
definition than the last run left behind on purpose; 2 usage, configuration or cluster
errors.
"""

from __future__ import annotations

import json
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
from runner.cli.flow_common import journal_dir_option
from runner.cli.options import append_github_files, write_report
from runner.flow.drift import PlanDrift, check_drift
from runner.reporters.github import annotation

DRIFT_FORMATS = ("text", "json", "markdown", "github")


@click.command("drift")
@cluster_options
@journal_dir_option
@click.option("--format", "fmt", type=click.Choice(DRIFT_FORMATS), default="text",
              show_default=True,
              help="Report format; github adds annotations and the job summary.")
@click.option("--output", "-o", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="Write the report to FILE instead of stdout.")
@click.pass_context
def command(ctx: click.Context, cluster: ClusterOptions, journal_dir: Path, fmt: str,
            output: Path | None) -> None:
    """Check applied plans for instances still on their source version."""
    debug = bool((ctx.obj or {}).get("debug"))
    with error_boundary(debug):
        with build_client(cluster, on_retry=RetryNoticePrinter()) as client:
            results = check_drift(journal_dir, client)
        write_report(render(fmt, results, journal_dir), output)
        if fmt == "github":
            append_github_files(os.environ, summary=render_markdown(results, journal_dir),
                                outputs=github_outputs(results))
    ctx.exit(exit_codes.FINDINGS if any(r.drifted for r in results) else exit_codes.OK)


def render(fmt: str, results: list[PlanDrift], journal_dir: Path) -> str:
    """The report in one of DRIFT_FORMATS."""
    if fmt == "json":
        return render_json(results)
    if fmt == "markdown":
        return render_markdown(results, journal_dir)
    if fmt == "github":
        return render_github(results, journal_dir)
    return render_text(results, journal_dir)


def render_text(results: list[PlanDrift], journal_dir: Path) -> str:
    if not results:
        return f"no applied plans recorded in {journal_dir}; nothing to check\n"
    lines = []
    for r in results:
        rec = r.record
        state = "DRIFT" if r.drifted else "ok"
        lines.append(f"{state:5} {rec.plan}: {r.on_source} instance(s) still on "
                     f"{rec.process_definition_id} (key {rec.source_definition_key}); "
                     f"{r.allowed} left behind on purpose by the run of {rec.finished}")
        if r.filter_source == "none":
            lines.append("      (plan file missing or changed: counted without its filter)")
    drifted = sum(1 for r in results if r.drifted)
    lines.append(f"\n{drifted} of {len(results)} applied plan(s) drifted")
    return "\n".join(lines) + "\n"


def render_json(results: list[PlanDrift]) -> str:
    document = {
        "kind": "drift",
        "drifted": sum(1 for r in results if r.drifted),
        "plans": [{"plan": r.record.plan, "planPath": r.record.plan_path,
                   "sourceDefinitionKey": r.record.source_definition_key,
                   "targetDefinitionKey": r.record.target_definition_key,
                   "onSource": r.on_source, "allowed": r.allowed, "drifted": r.drifted,
                   "filter": r.filter_source, "lastRun": r.record.run,
                   "lastOutcome": r.record.outcome, "lastFinished": r.record.finished}
                  for r in results],
    }
    return json.dumps(document, indent=2) + "\n"


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def render_markdown(results: list[PlanDrift], journal_dir: Path) -> str:
    """A heading, the count and one table row per applied plan."""
    lines = ["### c8migrate drift check", ""]
    if not results:
        lines.append(f"No applied plans are recorded in `{journal_dir}`: nothing to check.")
        return "\n".join(lines) + "\n"
    drifted = sum(1 for r in results if r.drifted)
    lines += [f"**{drifted} of {len(results)} applied plan(s) drifted.**", "",
              "| status | plan | still on the source | left behind on purpose "
              "| source definition | last run |",
              "|---|---|---:|---:|---|---|"]
    for r in results:
        rec = r.record
        note = " (plan file missing or changed: counted without its filter)" \
            if r.filter_source == "none" else ""
        process = _cell(rec.process_definition_id or "?")
        lines.append(f"| {':x: drift' if r.drifted else 'ok'} | `{_cell(rec.plan)}` "
                     f"| {r.on_source} | {r.allowed} "
                     f"| {process} (key {rec.source_definition_key})"
                     f"{note} | {_cell(str(rec.finished))} ({_cell(str(rec.outcome))}) |")
    return "\n".join(lines) + "\n"


def render_github(results: list[PlanDrift], journal_dir: Path) -> str:
    """An ``::error`` annotation per drifted plan, then the text report for the log."""
    lines = [annotation("error", f"{r.record.plan}: {r.on_source} instance(s) still on "
                        f"{r.record.process_definition_id} (key "
                        f"{r.record.source_definition_key}); {r.allowed} left behind on "
                        "purpose by the last run", None, "c8migrate drift")
             for r in results if r.drifted]
    return "".join(f"{line}\n" for line in lines) + render_text(results, journal_dir)


def github_outputs(results: list[PlanDrift]) -> str:
    """``key=value`` lines for $GITHUB_OUTPUT."""
    drifted = sum(1 for r in results if r.drifted)
    return (f"status={'drift' if drifted else 'ok'}\nplans={len(results)}\n"
            f"drifted={drifted}\n")
