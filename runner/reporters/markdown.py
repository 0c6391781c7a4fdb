"""The pull-request report: a summary table first, details folded, a diagram of the mapping,
blocked instances grouped by Zeebe's reason, and the command to reproduce it locally.
Bounded by ``RenderOptions.max_chars`` (GitHub's comment limit by default)."""

from __future__ import annotations

from collections.abc import Sequence

from runner import __version__
from runner.plan.model import Plan
from runner.reporters.base import RenderOptions
from runner.reporters.budget import Section, fit
from runner.reporters.markdown_blocks import (
    MAX_TABLE_ROWS,
    blocked_text,
    code,
    details,
    finding_list,
    mapping_details,
    text,
)
from runner.reporters.mermaid import MappingEdge
from runner.reporters.summary import (
    Counts,
    apply_status,
    blocked_count,
    describe_ref,
    group_blocked,
    plural,
    preview_status,
    reproduce_command,
    unmapped_element_ids,
    validation_status,
)
from runner.results import ApplyReport, PlanPreview, PlanValidation, ValidationResult

ICONS = {
    "valid": "✅", "ready": "✅", "applied": "✅", "nothing-to-migrate": "⚪",
    "nothing-to-do": "⚪", "warnings": "⚠️", "incomplete": "⚠️", "partial": "🟡",
    "blocked": "⛔",
    "guard-exceeded": "⛔", "invalid": "❌", "failed": "❌", "refused": "⛔",
}


def status_cell(status: str) -> str:
    """A status with its icon, e.g. '⛔ blocked'."""
    return f"{ICONS.get(status, '')} {status}".strip()


def render_validation(result: ValidationResult, options: RenderOptions) -> str:
    """Verdict, a table of plans, then per plan its findings and mapping."""
    invalid = sum(1 for p in result.plans if not p.ok)
    title = (f"❌ {invalid} of {plural(len(result.plans), 'plan')} invalid" if invalid
             else f"✅ {plural(len(result.plans), 'plan')} valid")
    rows = [f"| {_plan_cell(p.path, p.plan)} | {status_cell(validation_status(p))} | "
            f"{c.errors} | {c.warnings} | {c.notes} |"
            for p in result.plans for c in [Counts.of(p.findings)]]
    head = _head(f"c8migrate validate: {title}",
                 "| Plan | Status | Errors | Warnings | Notes |\n|---|---|--:|--:|--:|", rows,
                 f"Checked offline against Camunda {result.server_version} "
                 f"({result.server_version_source}); no cluster was contacted.")
    sections = [_validation_section(p, options) for p in result.plans]
    command = reproduce_command("validate", [p.path for p in result.plans],
                                "--server-version", str(result.server_version))
    return fit(head, sections, _tail(command), options.max_chars, options.artifact_hint)


def render_previews(previews: Sequence[PlanPreview], validation: ValidationResult | None,
                    options: RenderOptions) -> str:
    """Verdict, a table of plans with counts, then per plan blockers, mapping, findings."""
    blocked = sum(1 for p in previews if preview_status(p) in ("blocked", "guard-exceeded",
                                                                "invalid"))
    if not previews or all(p.nothing_to_do for p in previews):
        title = "⚪ nothing to migrate"
    elif blocked:
        title = f"⛔ {blocked} of {plural(len(previews), 'plan')} blocked"
    else:
        title = f"✅ {sum(p.migrating for p in previews)} instances ready to migrate"
        staying = sum(blocked_count(p) for p in previews if preview_status(p) == "partial")
        if staying:
            title += f"; {staying} blocked stay on the source (the plan allows it)"
    rows = [f"| {_plan_cell(p.plan.path, p.plan)} | {status_cell(preview_status(p))} | "
            f"{p.matched} | {p.migrating} | {blocked_count(p)} | {p.already_on_target} | "
            f"{Counts.of(p.findings).warnings} |" for p in previews]
    versions = sorted({str(p.server_version) for p in previews})
    head = _head(f"c8migrate dry run: {title}",
                 "| Plan | Status | Matched | Migrating | Blocked | Already migrated | Warnings |"
                 "\n|---|---|--:|--:|--:|--:|--:|", rows,
                 f"Dry run against Camunda {', '.join(versions) or 'n/a'}: nothing was changed.")
    by_path = {p.path: p for p in validation.plans} if validation else {}
    sections = [_preview_section(p, by_path.get(p.plan.path), options) for p in previews]
    command = reproduce_command("plan", [p.plan.path for p in previews])
    return fit(head, sections, _tail(command), options.max_chars, options.artifact_hint)


def render_apply(reports: Sequence[ApplyReport], options: RenderOptions) -> str:
    """Verdict, a table of outcomes, then per plan batches, verification and failures."""
    failed = sum(1 for r in reports if apply_status(r) == "failed")
    migrated = sum(r.migrated for r in reports)
    title = (f"❌ {failed} of {plural(len(reports), 'plan')} failed" if failed
             else f"✅ {migrated} instances migrated")
    rows = [f"| {_plan_cell(r.plan.path, r.plan)} | {status_cell(apply_status(r))} | "
            f"{r.migrated} | {r.counts.get('already-migrated', 0)} | "
            f"{sum(r.counts.get(k, 0) for k in ('rejected', 'failed', 'unknown'))} | "
            f"{r.remaining_on_source} | {r.duration_seconds:.1f}s |" for r in reports]
    head = _head(f"c8migrate apply: {title}",
                 "| Plan | Status | Migrated | Already migrated | Failed | Left on source "
                 "| Duration |\n|---|---|--:|--:|--:|--:|--:|", rows, "")
    sections = [_apply_section(r) for r in reports]
    # never suggest re-running apply: the safe local check is the dry run of the same plans
    command = reproduce_command("plan", [r.plan.path for r in reports])
    tail = _tail(command, "Check the result locally (dry run, no changes)")
    return fit(head, sections, tail, options.max_chars, options.artifact_hint)


def _head(title: str, header: str, rows: list[str], footnote: str) -> str:
    shown = rows[:MAX_TABLE_ROWS]
    more = f"| … {len(rows) - len(shown)} more plans |\n" if len(rows) > len(shown) else ""
    note = f"\n<sub>{text(footnote)} c8migrate {__version__}</sub>\n" if footnote else ""
    return f"### {title}\n\n{header}\n" + "".join(r + "\n" for r in shown) + more + note + "\n"


def _tail(command: str, label: str = "Reproduce locally") -> str:
    return f"{label}:\n\n```sh\n{command}\n```\n"


def _plan_cell(path: str, plan: Plan | None) -> str:
    return f"{code(plan.name)}<br>{code(path)}" if plan else code(path)


def _plan_heading(icon_status: str, path: str, plan: Plan | None) -> str:
    what = (f": {text(describe_ref(plan.source))} → {text(describe_ref(plan.target))}"
            if plan else "")
    name = code(plan.name) if plan else code(path)
    return f"#### {ICONS.get(icon_status, '')} {name}{what}\n\n"


def _validation_section(plan: PlanValidation, options: RenderOptions) -> Section:
    status = validation_status(plan)
    heading = _plan_heading(status, plan.path, plan.plan)
    counts = Counts.of(plan.findings)
    body = heading
    if plan.findings:
        body += details(f"Findings: {counts.phrase()}", finding_list(plan.findings, options),
                         open_=counts.errors > 0)
    else:
        body += "No findings.\n\n"
    if plan.plan and (plan.effective_mappings or plan.findings):
        edges = [MappingEdge(s, t, origin=o) for s, t, o in plan.effective_mappings]
        edges += [MappingEdge(e, None) for e in unmapped_element_ids(plan.findings)
                  if e not in {s for s, _, _ in plan.effective_mappings}]
        if edges:
            body += mapping_details(plan.plan, edges)
    compact = heading + f"{counts.phrase()}; details cut (see the artifact).\n\n"
    return Section(body, compact)


def _preview_section(preview: PlanPreview, validation: PlanValidation | None,
                     options: RenderOptions) -> Section:
    status = preview_status(preview)
    plan = preview.plan
    heading = _plan_heading(status, plan.path, plan)
    blocked = blocked_count(preview)
    groups = group_blocked(preview.blocked)
    lead = (f"**{preview.migrating} of {plural(preview.matched, 'matched instance')} will "
            f"move** to {text(describe_ref(plan.target))}")
    if blocked:
        lead += f"; **{blocked} blocked** ({plural(len(groups), 'reason')})"
    if preview.already_on_target:
        lead += f"; {preview.already_on_target} already migrated"
    if preview.nothing_to_do:
        lead = "Nothing to migrate: no instance matches the filter on the source definition"
        if preview.already_on_target:
            lead += f" ({preview.already_on_target} already on the target)"
    lead += ".\n\n"
    if preview.guard_exceeded:
        lead += (f"> [!CAUTION]\n> {preview.matched} instances match, more than "
                 f"`rollout.maxInstances` ({plan.rollout.max_instances}): apply will refuse.\n\n")
    body = heading + lead
    if groups:
        body += details(f"Blocked: {plural(blocked, 'instance')}", blocked_text(groups),
                         open_=True)
    edges = _preview_edges(preview, validation)
    if edges:
        body += mapping_details(plan, edges)
    if preview.findings:
        counts = Counts.of(preview.findings)
        body += details(f"Findings: {counts.phrase()}",
                         finding_list(preview.findings, options), open_=counts.errors > 0)
    return Section(body, heading + lead)


def _apply_section(report: ApplyReport) -> Section:
    plan = report.plan
    heading = _plan_heading(apply_status(report), plan.path, plan)
    lines = [f"- mode: {report.mode}; duration {report.duration_seconds:.1f}s"]
    if report.batch_operation_keys:
        lines.append(f"- batch operations: {', '.join(map(code, report.batch_operation_keys))}")
    lines.append("- verified: " + ("no matching instance left on the source definition"
                                   if not report.remaining_on_source else
                                   f"**{plural(report.remaining_on_source, 'matching instance')}**"
                                   " still on the source definition"))
    body = heading + "\n".join(lines) + "\n\n"
    if report.outcomes:
        rows = [f"| {code(o.process_instance_key)} | {o.outcome} | {o.attempts} | "
                f"{text(o.message or '')} |" for o in report.outcomes[:MAX_TABLE_ROWS]]
        body += details(f"Instances not migrated: {len(report.outcomes)}",
                         "| Instance | Outcome | Attempts | Message |\n|---|---|--:|---|\n"
                         + "\n".join(rows) + "\n", open_=not report.ok)
    return Section(body, heading + "\n".join(lines) + "\n\n")


def _preview_edges(preview: PlanPreview, validation: PlanValidation | None) -> list[MappingEdge]:
    origins = {s: o for s, _, o in validation.effective_mappings} if validation else {}
    edges = [MappingEdge(m.source_element_id, m.target_element_id, m.source_element_type,
                         m.instances, origins.get(m.source_element_id), m.blocked)
             for m in preview.moves]
    if validation is not None:  # mapped elements where no instance waits right now
        moved = {m.source_element_id for m in preview.moves}
        edges += [MappingEdge(s, t, instances=0, origin=o)
                  for s, t, o in validation.effective_mappings if s not in moved]
    return edges


