"""Golden files for the reporters: ``pytest --update-golden`` rewrites them from the output."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from runner import __version__

GOLDEN = Path(__file__).resolve().parent / "golden"


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption("--update-golden", action="store_true", default=False,
                     help="rewrite tests/reporters/golden/* from the current output")


@pytest.fixture
def golden(request: pytest.FixtureRequest) -> Callable[[str, str], None]:
    """``golden(name, output)`` asserts ``output`` equals golden/<name> (or rewrites it)."""
    update = bool(request.config.getoption("--update-golden"))

    def check(name: str, output: str) -> None:
        # the tool's version appears in reports; golden files hold a placeholder
        normalised = output.replace(__version__, "<version>")
        path = GOLDEN / name
        if update:
            path.write_text(normalised, encoding="utf-8")
            return
        assert path.is_file(), f"no golden file {path.name}: run pytest --update-golden"
        assert normalised == path.read_text(encoding="utf-8"), (
            f"output differs from golden/{name}; if the change is intended, "
            "run pytest --update-golden and review the diff")

    return check
