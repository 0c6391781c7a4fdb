"""The terminal format: located findings, readable dry-run diffs and apply summaries."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from runner.findings import Finding, Location, Severity, sorted_findings
from runner.reporters.base import RenderOptions
from runner.reporters.summary import (
    Counts,
    apply_status,
    blocked_count,
    describe_ref,
    extra_zeebe_text,
    group_blocked,
    plural,
    preview_status,
    validation_status,
)
from runner.results import ApplyReport, PlanPreview, ValidationResult

_STYLES = {
    "error": "1;31", "warning": "33", "note": "36", "ok": "32", "bold": "1", "dim": "2",
}
_STATUS_STYLE = {
    "valid": "ok", "ready": "ok", "applied": "ok", "nothing-to-migrate": "ok",
    "nothing-to-do": "ok", "warnings": "warning", "incomplete": "warning",
    "partial": "warning",
}
MAX_MOVES_LISTED = 200
"""Element moves listed per plan before the rest are summarised in one line."""


class _Painter:
    def __init__(self, enabled: bool) -> None:
        self.enabled = enabled

    def __call__(self, text: str, style: str) -> str:
        if not self.enabled:
            return text
        return f"\x1b[{_STYLES[style]}m{text}\x1b[0m"

    def status(self, status: str) -> str:
        """A status coloured by how good it is."""
        return self(status, _STATUS_STYLE.get(status, "error"))


def render_validation(result: ValidationResult, options: RenderOptions) -> str:
    """Findings grouped per plan, then one summary line."""
    paint = _Painter(options.color)
    lines: list[str] = []
    for plan in result.plans:
        status = validation_status(plan)
        name = f" ({plan.plan.name})" if plan.plan else ""
        counts = Counts.of(plan.findings)
        detail = f": {counts.phrase()}" if plan.findings else ""
        lines.append(f"{paint(plan.path, 'bold')}{name} {paint.status(status)}{detail}")
        lines.extend(_finding_lines(plan.findings, paint))
    total = Counts.of(result.findings)
    failed = sum(1 for p in result.plans if not p.ok)
    verdict = paint(f"failed ({failed} invalid)", "error") if failed else paint("passed", "ok")
    lines.append(
        f"{plural(len(result.plans), 'plan')} checked against Camunda {result.server_version} "
        f"({result.server_version_source}): {total.phrase()}; {verdict}"
    )
    return "\n".join(lines) + "\n"


def render_previews(previews: Sequence[PlanPreview], validation: ValidationResult | None,
                    options: RenderOptions) -> str:
    """Per plan: definitions, counts, per-element moves, blocked reasons, findings."""
    del validation  # the text diff shows moves; offline findings arrive in preview.findings
    paint = _Painter(options.color)
    lines: list[str] = []
    for preview in previews:
        lines.extend(_preview_lines(preview, paint))
        lines.append("")
    matched = sum(p.matched for p in previews)
    migrating = sum(p.migrating for p in previews)
    blocked = sum(blocked_count(p) for p in previews)
    lines.append(f"dry run of {plural(len(previews), 'plan')}: {matched} matched, "
                 f"{migrating} would migrate, {blocked} blocked; nothing was changed")
    return "\n".join(lines) + "\n"


def render_apply(reports: Sequence[ApplyReport], options: RenderOptions) -> str:
    """Per plan: outcome counts, batch keys, verification and duration."""
    paint = _Painter(options.color)
    lines: list[str] = []
    for report in reports:
        plan = report.plan
        lines.append(f"{paint(plan.path, 'bold')} ({plan.name}) "
                     f"{paint.status(apply_status(report))}")
        lines.append(f"  {describe_ref(plan.source)} -> {describe_ref(plan.target)}, "
                     f"{report.mode} mode, {report.duration_seconds:.1f}s")
        counts = ", ".join(f"{k} {v}" for k, v in sorted(report.counts.items()) if v)
        lines.append(f"  instances: {counts or 'none'}")
        if report.batch_operation_keys:
            lines.append(f"  batch operations: {', '.join(report.batch_operation_keys)}")
        verified = ("verified: no matching instance left on the source definition"
                    if not report.remaining_on_source else
                    f"verified: {plural(report.remaining_on_source, 'matching instance')} "
                    "still on the source definition")
        lines.append("  " + paint(verified, "warning" if report.remaining_on_source else "ok"))
        for outcome in report.outcomes:
            text = f": {outcome.message}" if outcome.message else ""
            lines.append(f"    {outcome.process_instance_key} {outcome.outcome}"
                         f" after {plural(outcome.attempts, 'attempt')}{text}")
        lines.extend(_finding_lines(report.findings, paint))
        lines.append("")
    migrated = sum(r.migrated for r in reports)
    failed = sum(1 for r in reports if apply_status(r) == "failed")
    refused = sum(1 for r in reports if apply_status(r) == "refused")
    lines.append(f"applied {plural(len(reports) - refused, 'plan')}: {migrated} instances "
                 "migrated" + (f"; {plural(failed, 'plan')} failed" if failed else "")
                 + (f"; {plural(refused, 'plan')} refused" if refused else ""))
    return "\n".join(lines) + "\n"


def _preview_lines(preview: PlanPreview, paint: _Painter) -> list[str]:
    plan = preview.plan
    lines = [
        f"{paint(plan.path, 'bold')} ({plan.name}) {paint.status(preview_status(preview))}",
        f"  {describe_ref(plan.source)} (key {preview.source_definition_key}) -> "
        f"{describe_ref(plan.target)} (key {preview.target_definition_key})",
        f"  matched {preview.matched} | migrating {preview.migrating} | "
        f"blocked {blocked_count(preview)} | already migrated {preview.already_on_target}",
    ]
    if preview.guard_exceeded:
        limit = plan.rollout.max_instances
        lines.append("  " + paint(f"guard: {preview.matched} instances match, more than "
                                  f"rollout.maxInstances ({limit}); apply will refuse", "error"))
    if preview.moves:
        lines.append("  moves:")
        width = max(len(f"{m.source_element_id} ({m.source_element_type})")
                    for m in preview.moves)
        for move in preview.moves[:MAX_MOVES_LISTED]:
            source = f"{move.source_element_id} ({move.source_element_type})"
            target = move.target_element_id or paint("(unmapped)", "error")
            blocked = f", {move.blocked} blocked" if move.blocked else ""
            lines.append(f"    {source.ljust(width)} -> {target}  "
                         f"{plural(move.instances, 'instance')}{blocked}")
        hidden = len(preview.moves) - MAX_MOVES_LISTED
        if hidden > 0:
            lines.append(f"    ... and {plural(hidden, 'more element')}")
    groups = group_blocked(preview.blocked)
    if groups:
        lines.append(f"  blocked ({blocked_count(preview)}):")
        for group in groups:
            where = f" at {group.element_id}" if group.element_id else ""
            retry = " (transient: apply retries)" if group.transient else ""
            lines.append(f"    {paint(group.code, 'error')} {plural(group.count, 'instance')}"
                         f"{where}{retry}")
            lines.append("      " + _continued(group.message, "      "))
            lines.append(f"      e.g. {', '.join(group.keys)}")
        if len(preview.blocked) < blocked_count(preview):
            lines.append(f"    (reasons of {len(preview.blocked)} of "
                         f"{blocked_count(preview)} blocked instances shown)")
    lines.extend(_finding_lines(preview.findings, paint))
    return lines


def _finding_lines(findings: Iterable[Finding], paint: _Painter) -> list[str]:
    lines: list[str] = []
    for finding in sorted_findings(findings):
        where = f"{_where(finding.location)}: " if finding.location else ""
        label = finding.severity.label
        style = {Severity.ERROR: "error", Severity.WARNING: "warning"}.get(
            finding.severity, "note")
        lines.append(f"{where}{paint(label, style)} {paint(finding.code, 'bold')} "
                     + _continued(finding.message, "    "))
        if finding.hint:
            lines.append("    hint: " + _continued(finding.hint, "          "))
        if zeebe := extra_zeebe_text(finding):
            lines.append("    zeebe: " + _continued(zeebe, "           "))
        for related in finding.related:
            lines.append(f"    see {paint(_where(related), 'dim')}")
    return lines


def _continued(text: str, indent: str) -> str:
    """Multi-line text with its continuation lines indented under the first."""
    return ("\n" + indent).join(text.splitlines() or [""])


def _where(location: Location | None) -> str:
    if location is None:
        return ""
    return str(location)  # file, file:line or file:line:col, whatever is known
