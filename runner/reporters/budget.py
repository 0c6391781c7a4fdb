"""Keeping a markdown report under a size limit by cutting details, never the summary's sense.

A report is a head (title and summary table), per-plan sections that each have a full and a
compact form, and a tail (the command to reproduce). When the whole does not fit, sections
fall back to their compact form, then are left out, and a note says so and where the full
report is. The result is never longer than the limit.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Section:
    """One plan's details: the full text and a short stand-in for tight budgets."""

    full: str
    compact: str


def fit(head: str, sections: Sequence[Section], tail: str, max_chars: int,
        artifact_hint: str) -> str:
    """Join the parts, cutting details as needed so that the result has <= max_chars."""
    whole = head + "".join(s.full for s in sections) + tail
    if len(whole) <= max_chars:
        return whole
    note_room = 200 + len(artifact_hint)
    budget = max(0, max_chars - len(tail) - note_room)
    out = _cut_lines(head, budget)
    shortened = omitted = 0
    for section in sections:
        if len(out) + len(section.full) <= budget:
            out += section.full
        elif len(out) + len(section.compact) <= budget:
            out += section.compact
            shortened += 1
        else:
            omitted += 1
    parts = []
    if len(out) < len(head):
        parts.append("the summary table")
    if shortened:
        parts.append(f"the details of {shortened} plan{'s' if shortened != 1 else ''}")
    if omitted:
        parts.append(f"{omitted} plan section{'s' if omitted != 1 else ''}")
    cut = ", ".join(parts) or "some details"
    note = (f"\n> [!NOTE]\n> This report was cut to stay under {max_chars:,} characters: "
            f"{cut} left out; {artifact_hint}.\n\n")
    result = out + note + tail
    if len(result) > max_chars:  # a limit too small for even the note and the tail
        result = result[: max(0, max_chars - 1)] + "…"
    return result


def _cut_lines(text: str, budget: int) -> str:
    if len(text) <= budget:
        return text
    cut = text[:budget]
    return cut[: cut.rfind("\n") + 1] if "\n" in cut else ""
