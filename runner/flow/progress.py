"""Progress reporting from the dry run and apply, as calls on a listener.

Core code only calls the listener; the CLI decides how progress looks (a bar on a terminal,
plain lines in CI logs: runner/cli/progress_view.py). The default listener does nothing.
"""

from __future__ import annotations

from typing import Protocol


class ProgressListener(Protocol):
    """Receives the phases of a run and how far each has come."""

    def begin(self, label: str, total: int | None) -> None:
        """A phase starts; ``total`` is None when the number of steps is not known."""

    def advance(self, steps: int = 1) -> None:
        """``steps`` more steps of the current phase are done."""

    def end(self) -> None:
        """The current phase is over."""


class NoProgress:
    """The listener that ignores everything."""

    def begin(self, label: str, total: int | None) -> None:
        return None

    def advance(self, steps: int = 1) -> None:
        return None

    def end(self) -> None:
        return None


class Recording:
    """A listener that remembers what it was told (tests, and summaries of a run)."""

    def __init__(self) -> None:
        self.phases: list[tuple[str, int | None, int]] = []
        """(label, total, steps advanced) per phase, in order."""

    def begin(self, label: str, total: int | None) -> None:
        self.phases.append((label, total, 0))

    def advance(self, steps: int = 1) -> None:
        if self.phases:
            label, total, done = self.phases[-1]
            self.phases[-1] = (label, total, done + steps)

    def end(self) -> None:
        return None
