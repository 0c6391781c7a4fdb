"""Progress on stderr: a bar redrawn in place on a terminal, a few plain lines in CI logs."""

from __future__ import annotations

import io

from runner.cli.progress_view import PlainLines, TerminalBar, progress_for
from runner.flow.progress import NoProgress


class _Tty(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_plain_lines_report_every_tenth_of_a_known_total() -> None:
    stream = io.StringIO()
    lines = PlainLines(stream)
    lines.begin("migrating", 100)
    lines.advance(25)
    for _ in range(75):
        lines.advance()
    lines.end()
    assert stream.getvalue().splitlines() == [
        "c8migrate: migrating: started (100)",
        *(f"c8migrate: migrating: {n}/100" for n in range(25, 100, 10)),
        "c8migrate: migrating: done (100)"]


def test_plain_lines_with_an_unknown_total_report_every_n_steps() -> None:
    stream = io.StringIO()
    lines = PlainLines(stream, every=2)
    lines.begin("dry run p", None)
    for _ in range(5):
        lines.advance()
    lines.end()
    assert stream.getvalue().splitlines() == [
        "c8migrate: dry run p: started", "c8migrate: dry run p: 2", "c8migrate: dry run p: 4",
        "c8migrate: dry run p: done (5)"]


def test_the_terminal_bar_redraws_one_line() -> None:
    stream = _Tty()
    bar = TerminalBar(stream)
    bar.begin("verifying", 4)
    bar.advance(2)
    bar.end()
    text = stream.getvalue()
    assert text.count("\n") == 1
    assert text.endswith("\rverifying [" + "#" * 15 + "." * 15 + "] 2/4\n")


def test_the_kind_of_progress_follows_the_stream() -> None:
    assert isinstance(progress_for(_Tty()), TerminalBar)
    assert isinstance(progress_for(io.StringIO()), PlainLines)
    assert isinstance(progress_for(_Tty(), quiet=True), NoProgress)
