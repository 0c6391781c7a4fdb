"""Findings: what validation, the dry run and apply report about a plan, as data.

A finding is never an exception. Rules, loaders and the preview return findings;
reporters render them; the CLI turns the worst severity into an exit code.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable
from dataclasses import dataclass, field


class Severity(enum.IntEnum):
    """How bad a finding is. Ordered so that ``max()`` gives the worst."""

    NOTE = 1
    WARNING = 2
    ERROR = 3

    @property
    def label(self) -> str:
        return self.name.lower()


@dataclass(frozen=True, slots=True)
class Location:
    """A 1-based place in a file. lxml gives BPMN lines, not columns: ``column`` may be None."""

    file: str
    line: int | None = None
    column: int | None = None
    end_line: int | None = None
    end_column: int | None = None

    def __str__(self) -> str:
        parts = [self.file]
        if self.line is not None:
            parts.append(str(self.line))
            if self.column is not None:
                parts.append(str(self.column))
        return ":".join(parts)


@dataclass(frozen=True, slots=True)
class Finding:
    """One located, coded problem or observation.

    ``code`` is stable (see docs/rules.md); ``location`` is where the user fixes it
    (usually the plan file); ``related`` points at the elements involved (BPMN lines).
    """

    code: str
    severity: Severity
    message: str
    location: Location | None = None
    hint: str | None = None
    related: tuple[Location, ...] = field(default_factory=tuple)
    # Zeebe's own rejection text, verbatim, when the finding mirrors a rejection.
    zeebe_message: str | None = None

    def sort_key(self) -> tuple[str, int, int, str]:
        loc = self.location
        return (
            loc.file if loc else "",
            (loc.line or 0) if loc else 0,
            (loc.column or 0) if loc else 0,
            self.code,
        )


def worst(findings: Iterable[Finding]) -> Severity | None:
    """The highest severity among ``findings``, or None when there are none."""
    return max((f.severity for f in findings), default=None)


def sorted_findings(findings: Iterable[Finding]) -> list[Finding]:
    return sorted(findings, key=Finding.sort_key)
