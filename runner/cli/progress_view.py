"""How progress looks: a bar redrawn in place on a terminal, plain lines in CI logs.

Both write to stderr (machine output owns stdout). Plain lines appear at most at every 10%
of a known total, or every ``every`` steps when the total is unknown, plus one at the end.
"""

from __future__ import annotations

import sys
from typing import TextIO

from runner.flow.progress import NoProgress, ProgressListener

BAR_WIDTH = 30


class TerminalBar:
    """``label [#####.....] 512/1024`` redrawn with a carriage return."""

    def __init__(self, stream: TextIO) -> None:
        self.stream = stream
        self.label = ""
        self.total: int | None = None
        self.done = 0

    def begin(self, label: str, total: int | None) -> None:
        self.label, self.total, self.done = label, total, 0
        self._draw()

    def advance(self, steps: int = 1) -> None:
        self.done += steps
        self._draw()

    def end(self) -> None:
        self._draw()
        self.stream.write("\n")
        self.stream.flush()

    def _draw(self) -> None:
        if self.total:
            filled = min(BAR_WIDTH, BAR_WIDTH * self.done // self.total)
            bar = "#" * filled + "." * (BAR_WIDTH - filled)
            text = f"\r{self.label} [{bar}] {self.done}/{self.total}"
        else:
            text = f"\r{self.label}: {self.done}"
        self.stream.write(text)
        self.stream.flush()


class PlainLines:
    """``c8migrate: migrating 300/1000`` lines, few enough for a CI log."""

    def __init__(self, stream: TextIO, every: int = 1000) -> None:
        self.stream = stream
        self.every = every
        self.label = ""
        self.total: int | None = None
        self.done = 0
        self._next = 0

    def begin(self, label: str, total: int | None) -> None:
        self.label, self.total, self.done = label, total, 0
        self._next = self._step()
        self._line(f"{label}: started" + (f" ({total})" if total is not None else ""))

    def advance(self, steps: int = 1) -> None:
        self.done += steps
        if self.done >= self._next:
            shown = f"{self.done}/{self.total}" if self.total else str(self.done)
            self._line(f"{self.label}: {shown}")
            self._next = self.done + self._step()

    def end(self) -> None:
        self._line(f"{self.label}: done ({self.done})")

    def _step(self) -> int:
        return max(1, self.total // 10) if self.total else self.every

    def _line(self, text: str) -> None:
        self.stream.write(f"c8migrate: {text}\n")
        self.stream.flush()


def progress_for(stream: TextIO | None = None, *, quiet: bool = False) -> ProgressListener:
    """A bar on a terminal, plain lines otherwise, nothing when ``quiet``."""
    if quiet:
        return NoProgress()
    target = stream or sys.stderr
    return TerminalBar(target) if target.isatty() else PlainLines(target)
