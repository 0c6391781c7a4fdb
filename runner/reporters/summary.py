"""Facts every format reports the same way: counts, statuses, grouped blockers, commands.

Keeping them here means text, markdown, json, github and sarif never disagree about how
many warnings a plan has or whether it is blocked.
"""

from __future__ import annotations

import re
import shlex
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from runner.findings import Finding, Severity
from runner.plan.model import Plan, ProcessRef
from runner.results import ApplyReport, BlockedInstance, PlanPreview, PlanValidation

EXAMPLE_KEYS = 5
"""Example instance keys shown per blocked reason."""

# Statuses, best first; a run's status is the worst of its plans'.
VALIDATION_STATUSES = ("valid", "warnings", "invalid")
PREVIEW_STATUSES = ("nothing-to-migrate", "ready", "warnings", "partial", "blocked",
                    "guard-exceeded", "invalid")
"""``partial``: some instances are blocked and the plan allows that (rollout.allowBlocked)."""
APPLY_STATUSES = ("nothing-to-do", "applied", "partial", "incomplete", "refused", "failed")
REFUSAL_CODES = frozenset({"A01", "A02", "A04", "A05"})
"""Findings of a plan apply refused to migrate (runner/flow/apply.py)."""
"""``partial``: the instances left on the source are exactly the blocked ones the plan
allowed to stay behind."""

# Zeebe's text for an unmapped active element (reference R7); the id is its second quote.
_UNMAPPED_TEXT = re.compile(r"no mapping instruction defined for active element with id '([^']+)'")


@dataclass(frozen=True, slots=True)
class Counts:
    """Findings by severity."""

    errors: int = 0
    warnings: int = 0
    notes: int = 0

    @classmethod
    def of(cls, findings: Iterable[Finding]) -> Counts:
        """Count ``findings`` by severity."""
        errors = warnings = notes = 0
        for finding in findings:
            if finding.severity is Severity.ERROR:
                errors += 1
            elif finding.severity is Severity.WARNING:
                warnings += 1
            else:
                notes += 1
        return cls(errors, warnings, notes)

    def __add__(self, other: Counts) -> Counts:
        return Counts(self.errors + other.errors, self.warnings + other.warnings,
                      self.notes + other.notes)

    def phrase(self) -> str:
        """'2 errors, 1 warning, 0 notes'."""
        return ", ".join((plural(self.errors, "error"), plural(self.warnings, "warning"),
                          plural(self.notes, "note")))


@dataclass(frozen=True, slots=True)
class BlockedGroup:
    """Blocked instances that share one reason (code, element and Zeebe's text)."""

    code: str
    element_id: str | None
    message: str
    """Zeebe's text verbatim, as reported for the first example instance."""
    keys: tuple[str, ...]
    """Example instance keys (at most EXAMPLE_KEYS)."""
    count: int
    transient: bool


def plural(n: int, word: str) -> str:
    """'1 plan', '2 plans'."""
    return f"{n} {word}" if n == 1 else f"{n} {word}s"


def worst_status(statuses: Iterable[str], order: Sequence[str]) -> str:
    """The worst of ``statuses`` in ``order``; the best one when there are none."""
    return max(statuses, key=order.index, default=order[0])


def validation_status(plan: PlanValidation) -> str:
    """valid, warnings or invalid."""
    counts = Counts.of(plan.findings)
    if counts.errors:
        return "invalid"
    return "warnings" if counts.warnings else "valid"


def blocked_count(preview: PlanPreview) -> int:
    """Blocked instances; ``blocked`` may be a capped sample of ``blocked_total``."""
    return max(preview.blocked_total, len(preview.blocked))


def preview_status(preview: PlanPreview) -> str:
    """The first that applies: invalid, guard-exceeded, blocked, warnings, ready, else
    nothing-to-migrate."""
    counts = Counts.of(preview.findings)
    if counts.errors:
        return "invalid"
    if preview.guard_exceeded:
        return "guard-exceeded"
    if blocked_count(preview):
        return "partial" if preview.plan.rollout.allow_blocked else "blocked"
    if counts.warnings:
        return "warnings"
    return "ready" if preview.migrating else "nothing-to-migrate"


def apply_status(report: ApplyReport) -> str:
    """refused, failed, incomplete, partial, applied or nothing-to-do."""
    if any(f.code in REFUSAL_CODES for f in report.findings):
        return "refused"
    if not report.ok or Counts.of(report.findings).errors:
        return "failed"
    if report.remaining_on_source:
        left_on_purpose = report.plan.rollout.allow_blocked and (
            report.remaining_on_source <= report.counts.get("skipped", 0))
        return "partial" if left_on_purpose else "incomplete"
    return "applied" if report.migrated else "nothing-to-do"


def group_blocked(blocked: Iterable[BlockedInstance]) -> list[BlockedGroup]:
    """Group by reason, biggest group first. Zeebe's texts embed the instance key, so the key
    is blanked out for grouping; the shown text is the first instance's, verbatim."""
    groups: dict[tuple[str, str | None, str], list[BlockedInstance]] = {}
    for item in blocked:
        reason = item.message.replace(item.process_instance_key, "{key}")
        groups.setdefault((item.code, item.element_id, reason), []).append(item)
    result = [
        BlockedGroup(code, element, items[0].message,
                     tuple(i.process_instance_key for i in items[:EXAMPLE_KEYS]),
                     len(items), any(i.transient for i in items))
        for (code, element, _), items in groups.items()
    ]
    result.sort(key=lambda g: (-g.count, g.code, g.element_id or ""))
    return result


def extra_zeebe_text(finding: Finding) -> str | None:
    """Zeebe's verbatim text when the message does not already quote it in full."""
    quoted = finding.zeebe_message
    return quoted if quoted and quoted not in finding.message else None


def unmapped_element_ids(findings: Iterable[Finding]) -> list[str]:
    """Ids of wait states that offline validation found without a mapping (Zeebe's R7 text)."""
    ids: list[str] = []
    for finding in findings:
        for text in (finding.zeebe_message, finding.message):
            match = _UNMAPPED_TEXT.search(text or "")
            if match and match.group(1) not in ids:
                ids.append(match.group(1))
                break
    return ids


def describe_ref(ref: ProcessRef) -> str:
    """'order-process v3', 'order-process tag release-4' or 'order-process (latest)'."""
    if ref.version is not None:
        return f"{ref.process_definition_id} v{ref.version}"
    if ref.version_tag:
        return f"{ref.process_definition_id} tag {ref.version_tag}"
    return f"{ref.process_definition_id} (latest)"


def plan_title(plan: Plan) -> str:
    """'order-process v1 -> order-process v2'."""
    return f"{describe_ref(plan.source)} -> {describe_ref(plan.target)}"


def reproduce_command(verb: str, paths: Iterable[str], *extra: str) -> str:
    """The command a reviewer runs to get the same report locally."""
    words = ["c8migrate", verb, *paths, *extra]
    return " ".join(shlex.quote(w) for w in words)
