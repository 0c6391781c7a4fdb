"""The pull-request report: a summary table first, details folded, a diagram of the mapping,
blocked instances grouped by Zeebe's reason, and the command to reproduce it locally.
Bounded by ``RenderOptions.max_chars`` (GitHub's comment limit by default)."""

from __future__ import annotations

import html
from collections.abc import Callable, Iterable, Sequence

from runner import __version__
from runner.findings import Finding, Severity, sorted_findings
from runner.plan.model import Plan
from runner.reporters.base import RenderOptions, rule_doc_link
from runner.reporters.budget import Section, fit
from runner.reporters.mermaid import MappingEdge, flowchart
from runner.reporters.summary import (
    BlockedGroup,
    Counts,
    apply_status,
    blocked_count,
    describe_ref,
    extra_zeebe_text,
    group_blocked,
    plural,
    preview_status,
    reproduce_command,
    unmapped_element_ids,
    validation_status,
)
from runner.results import ApplyReport, PlanPreview, PlanValidation, ValidationResult

MAX_FINDINGS = 50
MAX_TABLE_ROWS = 60
MAX_REASONS = 10
ICONS = {
    "valid": "✅", "ready": "✅", "applied": "✅", "nothing-to-migrate": "⚪",
    "nothing-to-do": "⚪", "warnings": "⚠️", "incomplete": "⚠️", "blocked": "⛔",
    "guard-exceeded": "⛔", "invalid": "❌", "failed": "❌",
}
_SEVERITY_ICON = {Severity.ERROR: "❌", Severity.WARNING: "⚠️", Severity.NOTE: "📝"}


def text(value: str) -> str:
    """Untrusted text (plan names, messages) as inert markdown: no HTML, no table breaks."""
    return (html.escape(value, quote=False).replace("|", "\\|").replace("@", "@\u200b")
            .replace("\r", "").replace("\n", "<br>"))


def code(value: str) -> str:
    """An inline code span that survives backticks and pipes in ``value``."""
    value = value.replace("|", "\\|").replace("\n", " ")
    fence = "``" if "`" in value else "`"
    return f"{fence} {value} {fence}" if fence == "``" else f"`{value}`"


def status_cell(status: str) -> str:
    return f"{ICONS.get(status, '')} {status}".strip()


def render_validation(result: ValidationResult, options: RenderOptions) -> str:
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
    blocked = sum(1 for p in previews if preview_status(p) in ("blocked", "guard-exceeded",
                                                                "invalid"))
    if not previews or all(p.nothing_to_do for p in previews):
        title = "⚪ nothing to migrate"
    elif blocked:
        title = f"⛔ {blocked} of {plural(len(previews), 'plan')} blocked"
    else:
        title = f"✅ {sum(p.migrating for p in previews)} instances ready to migrate"
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
        body += _details(f"Findings: {counts.phrase()}", _finding_list(plan.findings, options),
                         open_=counts.errors > 0)
    else:
        body += "No findings.\n\n"
    if plan.plan and (plan.effective_mappings or plan.findings):
        edges = [MappingEdge(s, t, origin=o) for s, t, o in plan.effective_mappings]
        edges += [MappingEdge(e, None) for e in unmapped_element_ids(plan.findings)
                  if e not in {s for s, _, _ in plan.effective_mappings}]
        if edges:
            body += _mapping_details(plan.plan, edges)
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
    lead += ".\n\n"
    if preview.guard_exceeded:
        lead += (f"> [!CAUTION]\n> {preview.matched} instances match, more than "
                 f"`rollout.maxInstances` ({plan.rollout.max_instances}): apply will refuse.\n\n")
    body = heading + lead
    if groups:
        body += _details(f"Blocked: {plural(blocked, 'instance')}", _blocked_text(groups),
                         open_=True)
    edges = _preview_edges(preview, validation)
    if edges:
        body += _mapping_details(plan, edges)
    if preview.findings:
        counts = Counts.of(preview.findings)
        body += _details(f"Findings: {counts.phrase()}",
                         _finding_list(preview.findings, options), open_=counts.errors > 0)
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
        body += _details(f"Instances not migrated: {len(report.outcomes)}",
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


def _mapping_details(plan: Plan, edges: list[MappingEdge]) -> str:
    renamed = sum(1 for e in edges if e.renamed)
    unmapped = sum(1 for e in edges if e.target_id is None)
    diagram = flowchart(describe_ref(plan.source), describe_ref(plan.target), edges)
    # columns without any value (types and counts are unknown offline) are left out
    columns: list[tuple[str, str, Callable[[MappingEdge], str]]] = [
        ("Source element", "---", lambda e: code(e.source_id)),
        ("Type", "---", lambda e: text(e.source_type or "")),
        ("Target element", "---", lambda e: (code(e.target_id) if e.target_id
                                             else "⚠️ **no mapping**")
         + (" ✏️ renamed" if e.renamed else "")),
        ("Origin", "---", lambda e: e.origin or ""),
        ("Instances", "--:", lambda e: "" if e.instances is None else str(e.instances)),
        ("Blocked", "--:", lambda e: str(e.blocked) if e.blocked else ""),
    ]
    shown = sorted(edges, key=MappingEdge.interest)[:MAX_TABLE_ROWS]
    columns = [c for c in columns if any(c[2](e) for e in shown)]
    table = ("| " + " | ".join(c[0] for c in columns) + " |\n|"
             + "|".join(c[1] for c in columns) + "|\n"
             + "".join("| " + " | ".join(c[2](e) for c in columns) + " |\n" for e in shown))
    more = f"\n… and {len(edges) - len(shown)} more\n" if len(edges) > len(shown) else ""
    summary = (f"Mapping: {plural(len(edges), 'element')}, {renamed} renamed, "
               f"{unmapped} without mapping")
    return _details(summary, f"```mermaid\n{diagram}\n```\n\n{table}{more}", open_=False)


def _blocked_text(groups: Sequence[BlockedGroup]) -> str:
    parts = []
    for g in groups[:MAX_REASONS]:
        where = f" at {code(g.element_id)}" if g.element_id else ""
        retry = " (transient: apply retries these)" if g.transient else ""
        keys = ", ".join(code(k) for k in g.keys)
        parts.append(f"**{g.code}**: {plural(g.count, 'instance')}{where}{retry}\n\n"
                     f"> {text(g.message)}\n\nExample keys: {keys}\n")
    if len(groups) > MAX_REASONS:
        parts.append(f"… and {len(groups) - MAX_REASONS} more reasons (see the artifact)\n")
    return "\n".join(parts)


def _finding_list(findings: Iterable[Finding], options: RenderOptions) -> str:
    ordered = sorted(sorted_findings(findings), key=lambda f: -f.severity)
    lines = []
    for finding in ordered[:MAX_FINDINGS]:
        rule = finding.code
        if options.rules_doc_uri.startswith(("http://", "https://")):
            rule = f"[{rule}]({rule_doc_link(finding.code, options)})"
        where = f" {code(str(finding.location))}" if finding.location else ""
        lines.append(f"- {_SEVERITY_ICON[finding.severity]} **{rule}**{where}: "
                     f"{text(finding.message)}")
        if finding.hint:
            lines.append(f"  - hint: {text(finding.hint)}")
        if zeebe := extra_zeebe_text(finding):
            lines.append(f"  - Zeebe: {text(zeebe)}")
        if finding.related:
            lines.append(f"  - see {', '.join(code(str(r)) for r in finding.related)}")
    if len(ordered) > MAX_FINDINGS:
        lines.append(f"- … and {len(ordered) - MAX_FINDINGS} more (see the artifact)")
    return "\n".join(lines) + "\n"


def _details(summary: str, content: str, *, open_: bool) -> str:
    attribute = " open" if open_ else ""
    return (f"<details{attribute}><summary>{text(summary)}</summary>\n\n{content}\n"
            "</details>\n\n")
