"""GitHub Actions: workflow-command annotations, the job summary and step outputs.

Annotations go to stdout (``::error file=...,line=...::message``), grouped per plan. The job
summary (markdown for $GITHUB_STEP_SUMMARY) and the step outputs (``key=value`` lines for
$GITHUB_OUTPUT) are pure functions too; the CLI appends them to those files.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from runner.findings import Finding, Location, Severity, sorted_findings
from runner.reporters import markdown
from runner.reporters.base import RenderOptions
from runner.reporters.summary import (
    APPLY_STATUSES,
    PREVIEW_STATUSES,
    VALIDATION_STATUSES,
    Counts,
    apply_status,
    blocked_count,
    extra_zeebe_text,
    group_blocked,
    plural,
    preview_status,
    validation_status,
    worst_status,
)
from runner.results import ApplyReport, PlanPreview, ValidationResult

_COMMAND = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.NOTE: "notice"}


def escape_data(text: str) -> str:
    """Escape a workflow command's message (GitHub's rules: %, CR, LF)."""
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def escape_property(text: str) -> str:
    """Escape a workflow command's property value (the message rules plus ':' and ',')."""
    return escape_data(text).replace(":", "%3A").replace(",", "%2C")


def annotation(command: str, message: str, location: Location | None, title: str) -> str:
    """One ``::error`` / ``::warning`` / ``::notice`` line."""
    props: list[tuple[str, str]] = []
    if location is not None:
        props.append(("file", location.file))
        if location.line is not None:
            props.append(("line", str(location.line)))
            if location.column is not None:
                props.append(("col", str(location.column)))
            if location.end_line is not None:
                props.append(("endLine", str(location.end_line)))
                if location.end_column is not None:
                    props.append(("endColumn", str(location.end_column)))
    props.append(("title", title))
    joined = ",".join(f"{key}={escape_property(value)}" for key, value in props)
    return f"::{command} {joined}::{escape_data(message)}"


def finding_annotation(finding: Finding, fallback_file: str | None = None) -> str:
    """A finding as an annotation; findings without a location land on ``fallback_file``."""
    location = finding.location
    if location is None and fallback_file:
        location = Location(fallback_file, 1)
    body = [finding.message]
    if finding.hint:
        body.append(f"hint: {finding.hint}")
    if zeebe := extra_zeebe_text(finding):
        body.append(f"zeebe: {zeebe}")
    body.extend(f"see {r}" for r in finding.related)
    return annotation(_COMMAND[finding.severity], "\n".join(body), location, finding.code)


def render_validation(result: ValidationResult, options: RenderOptions) -> str:
    """Findings as annotations, one group per plan, and a summary line."""
    lines: list[str] = []
    for plan in result.plans:
        lines.extend(_group(f"{plan.path}: {validation_status(plan)}",
                            plan.findings, plan.path))
    lines.append(f"c8migrate validate: {plural(len(result.plans), 'plan')} against Camunda "
                 f"{result.server_version}: {Counts.of(result.findings).phrase()}")
    return "\n".join(lines) + "\n"


def render_previews(previews: Sequence[PlanPreview], validation: ValidationResult | None,
                    options: RenderOptions) -> str:
    """Per plan a group: counts, finding annotations and one annotation per blocked reason."""
    lines: list[str] = []
    for preview in previews:
        path = preview.plan.path
        lines.append(f"::group::{escape_data(path)}: {preview_status(preview)}")
        lines.append(f"matched {preview.matched}, migrating {preview.migrating}, "
                     f"blocked {blocked_count(preview)}, "
                     f"already migrated {preview.already_on_target}")
        lines.extend(finding_annotation(f, path) for f in sorted_findings(preview.findings))
        allowed = preview.plan.rollout.allow_blocked
        for group in group_blocked(preview.blocked):
            where = f" at {group.element_id}" if group.element_id else ""
            stays = " and stay on the source (rollout.allowBlocked)" if allowed else ""
            message = (f"{plural(group.count, 'instance')}{where} would be rejected{stays}: "
                       f"{group.message}\nexamples: {', '.join(group.keys)}")
            # a red annotation on a run that passes would contradict the exit code
            kind = "warning" if group.transient or allowed else "error"
            lines.append(annotation(kind, message, Location(path, 1), group.code))
        lines.append("::endgroup::")
    lines.append(f"c8migrate plan: {plural(len(previews), 'plan')}, "
                 f"{sum(p.migrating for p in previews)} instances would migrate, "
                 f"{sum(blocked_count(p) for p in previews)} blocked")
    return "\n".join(lines) + "\n"


def render_apply(reports: Sequence[ApplyReport], options: RenderOptions) -> str:
    """Per plan a group: outcome counts and an annotation per instance not migrated."""
    lines: list[str] = []
    for report in reports:
        path = report.plan.path
        lines.append(f"::group::{escape_data(path)}: {apply_status(report)}")
        counts = ", ".join(f"{k} {v}" for k, v in sorted(report.counts.items()) if v)
        lines.append(f"instances: {counts or 'none'}; "
                     f"{report.remaining_on_source} left on the source definition")
        lines.extend(finding_annotation(f, path) for f in sorted_findings(report.findings))
        for outcome in report.outcomes:
            if outcome.outcome in ("rejected", "failed", "unknown"):
                message = f"instance {outcome.process_instance_key} {outcome.outcome}"
                if outcome.message:
                    message += f": {outcome.message}"
                lines.append(annotation("error", message, Location(path, 1), "apply"))
        lines.append("::endgroup::")
    lines.append(f"c8migrate apply: {plural(len(reports), 'plan')}, "
                 f"{sum(r.migrated for r in reports)} instances migrated")
    return "\n".join(lines) + "\n"


def job_summary(*, validation: ValidationResult | None = None,
                previews: Sequence[PlanPreview] | None = None,
                reports: Sequence[ApplyReport] | None = None,
                options: RenderOptions | None = None) -> str:
    """Markdown for $GITHUB_STEP_SUMMARY: the same report as the pull-request comment."""
    options = options or RenderOptions()
    if reports is not None:
        return markdown.render_apply(reports, options)
    if previews is not None:
        return markdown.render_previews(previews, validation, options)
    if validation is not None:
        return markdown.render_validation(validation, options)
    raise ValueError("job_summary needs validation, previews or reports")


def step_outputs(*, validation: ValidationResult | None = None,
                 previews: Sequence[PlanPreview] | None = None,
                 reports: Sequence[ApplyReport] | None = None) -> str:
    """``key=value`` lines for $GITHUB_OUTPUT: status and counts for later steps."""
    values: dict[str, str | int] = {}
    if validation is not None:
        counts = Counts.of(validation.findings)
        values |= {
            "status": worst_status((validation_status(p) for p in validation.plans),
                                   VALIDATION_STATUSES),
            "plans": len(validation.plans),
            "invalid-plans": sum(1 for p in validation.plans if not p.ok),
            "errors": counts.errors, "warnings": counts.warnings, "notes": counts.notes,
        }
    if previews is not None:
        counts = Counts.of(f for p in previews for f in p.findings)
        values |= {
            "status": worst_status((preview_status(p) for p in previews), PREVIEW_STATUSES),
            "plans": len(previews),
            "matched": sum(p.matched for p in previews),
            "migrating": sum(p.migrating for p in previews),
            "blocked": sum(blocked_count(p) for p in previews),
            "already-migrated": sum(p.already_on_target for p in previews),
            "errors": counts.errors, "warnings": counts.warnings, "notes": counts.notes,
        }
    if reports is not None:
        counts = Counts.of(f for r in reports for f in r.findings)
        values |= {
            "status": worst_status((apply_status(r) for r in reports), APPLY_STATUSES),
            "plans": len(reports),
            "migrated": sum(r.migrated for r in reports),
            "failed": sum(r.counts.get(k, 0) for r in reports
                          for k in ("rejected", "failed", "unknown")),
            "remaining-on-source": sum(r.remaining_on_source for r in reports),
            "batch-operation-keys": " ".join(k for r in reports for k in r.batch_operation_keys),
            "errors": counts.errors, "warnings": counts.warnings, "notes": counts.notes,
        }
    if not values:
        raise ValueError("step_outputs needs validation, previews or reports")
    return "".join(f"{key}={_one_line(value)}\n" for key, value in values.items())


def _one_line(value: str | int) -> str:
    # $GITHUB_OUTPUT reads one value per line; our values never need the heredoc form
    return str(value).replace("\r", " ").replace("\n", " ")


def _group(title: str, findings: Iterable[Finding], path: str) -> list[str]:
    lines = [f"::group::{escape_data(title)}"]
    lines.extend(finding_annotation(f, path) for f in sorted_findings(findings))
    lines.append("::endgroup::")
    return lines
