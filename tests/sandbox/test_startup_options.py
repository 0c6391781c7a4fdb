"""Starting the sandbox with wrong options or an unusable address: exit 2 and one clear line,
from both ``python -m runner.sandbox`` and ``c8migrate sandbox``."""

from __future__ import annotations

import socket
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner

from runner import exit_codes
from runner.cli.main import cli
from runner.sandbox.__main__ import main as module_main

Start = Callable[[list[str]], tuple[int, str]]


def _module(capsys: pytest.CaptureFixture[str]) -> Start:
    def start(args: list[str]) -> tuple[int, str]:
        code = module_main(args)
        captured = capsys.readouterr()
        assert captured.out == ""  # no ready line: nothing listens
        return code, captured.err
    return start


def _command(args: list[str]) -> tuple[int, str]:
    result = CliRunner().invoke(cli, ["sandbox", *args])
    assert result.stdout == ""
    return result.exit_code, result.stderr


@pytest.fixture(params=["module", "command"])
def start(request: pytest.FixtureRequest, capsys: pytest.CaptureFixture[str]) -> Start:
    return _module(capsys) if request.param == "module" else _command


@pytest.fixture
def busy_port() -> Iterator[int]:
    """A loopback port something else listens on."""
    with socket.socket() as holder:
        holder.bind(("127.0.0.1", 0))
        holder.listen(1)
        yield int(holder.getsockname()[1])


def test_a_port_in_use_is_a_usage_error(start: Start, busy_port: int) -> None:
    code, err = start(["--port", str(busy_port)])
    assert code == exit_codes.USAGE
    assert f"error: cannot listen on 127.0.0.1:{busy_port}: Address already in use" in err
    assert "internal error" not in err


@pytest.mark.parametrize("port", ["99999", "-1", "65536"])
def test_a_port_out_of_range_is_a_usage_error(start: Start, port: str) -> None:
    code, err = start(["--port", port])
    assert code == exit_codes.USAGE
    assert f"--port {port} is not a port: use 0 to 65535 (0 picks a free one)" in err
    assert "internal error" not in err


def test_an_address_of_another_machine_cannot_be_bound(start: Start) -> None:
    code, err = start(["--host", "192.0.2.1", "--port", "0"])
    assert code == exit_codes.USAGE
    assert "error: cannot listen on 192.0.2.1:0: Cannot assign requested address" in err


def test_a_deeply_nested_seed_file_is_a_usage_error(start: Start, tmp_path: Path) -> None:
    seed = tmp_path / "deep.yaml"
    seed.write_text("instances: " + "[" * 5000 + "]" * 5000 + "\n", encoding="utf-8")
    code, err = start(["--port", "0", "--seed", str(seed)])
    assert code == exit_codes.USAGE
    assert f"error: cannot read the seed file {seed}:" in err
    assert "nests deeper than" in err
    assert "RecursionError" not in err


def test_an_undecodable_seed_file_is_a_usage_error(start: Start, tmp_path: Path) -> None:
    seed = tmp_path / "latin1.yaml"
    seed.write_bytes(b"instances: []\n# caf\xe9\n")
    code, err = start(["--port", "0", "--seed", str(seed)])
    assert code == exit_codes.USAGE
    assert f"error: cannot read the seed file {seed}:" in err
