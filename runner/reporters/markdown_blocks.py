"""Building blocks of the markdown report: inert text, folded details, the mapping, blocked
reasons and findings. Each block bounds itself; the report as a whole is bounded by budget."""

from __future__ import annotations

import html
from collections.abc import Callable, Iterable, Sequence

from runner.findings import Finding, Severity, sorted_findings
from runner.plan.model import Plan
from runner.reporters.base import RenderOptions, rule_doc_link
from runner.reporters.mermaid import MappingEdge, flowchart
from runner.reporters.rules_info import rule_info
from runner.reporters.summary import BlockedGroup, describe_ref, extra_zeebe_text, plural

MAX_FINDINGS = 50
MAX_TABLE_ROWS = 60
MAX_REASONS = 10
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


def mapping_details(plan: Plan, edges: list[MappingEdge]) -> str:
    """A folded Mermaid diagram plus table of the mapping."""
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
    if any(e.instances for e in edges):
        more += ("\n<sub>An instance counts at every element it is active in (a task and "
                 "the sub-process around it), so the column can add up to more than the "
                 "matched instances.</sub>\n")
    summary = (f"Mapping: {plural(len(edges), 'element')}, {renamed} renamed, "
               f"{unmapped} without mapping")
    return details(summary, f"```mermaid\n{diagram}\n```\n\n{table}{more}", open_=False)


def blocked_text(groups: Sequence[BlockedGroup]) -> str:
    """Blocked reasons: code, count, element, Zeebe's text quoted, example keys."""
    parts = []
    for g in groups[:MAX_REASONS]:
        # the element is the one the rule names: the waiting element (Z07) or, e.g., the new
        # catch event that cannot subscribe (Z22), so "at" would mislead reviewers
        where = f", element {code(g.element_id)}" if g.element_id else ""
        retry = " (transient: apply retries these)" if g.transient else ""
        keys = ", ".join(code(k) for k in g.keys)
        info = rule_info(g.code)
        why = f" {text(info.title)}" if info.known else ""
        parts.append(f"**{g.code}**{why}: {plural(g.count, 'instance')}{where}{retry}\n\n"
                     f"> {text(g.message)}\n\nExample keys: {keys}\n")
    if len(groups) > MAX_REASONS:
        parts.append(f"… and {len(groups) - MAX_REASONS} more reasons (see the artifact)\n")
    return "\n".join(parts)


def finding_list(findings: Iterable[Finding], options: RenderOptions) -> str:
    """Findings as a list, errors first, each with hint and BPMN lines."""
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


def details(summary: str, content: str, *, open_: bool) -> str:
    """A folded ``<details>`` block."""
    attribute = " open" if open_ else ""
    return (f"<details{attribute}><summary>{text(summary)}</summary>\n\n{content}\n"
            "</details>\n\n")
