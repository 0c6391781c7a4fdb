"""Starting the sandbox with wrong options or an unusable address: exit 2 and one clear line,
from both ``python -m runner.sandbox`` and ``c8migrate sandbox``."""

from __future__ import annotations

import socket
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner

from runner import exit_codes
from runner.cli.main import cli
from runner.sandbox.__main__ import main as module_main
from runner.sandbox.process import READY
from runner.sandbox.seed import load_seed_file

REPO = Path(__file__).resolve().parents[2]

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
    code, err = start(["--host", "192.0.2.1", "--port", "0", "--allow-non-loopback"])
    assert code == exit_codes.USAGE
    assert "error: cannot listen on 192.0.2.1:0: Cannot assign requested address" in err


@pytest.mark.parametrize("host", ["0.0.0.0", "", "::", "8.8.8.8", "192.0.2.1"])
def test_non_loopback_hosts_are_refused(start: Start, host: str) -> None:
    code, err = start(["--host", host, "--port", "0"])
    assert code == exit_codes.USAGE
    assert f"--host '{host}' is not a loopback address" in err
    assert "--allow-non-loopback" in err


@pytest.mark.parametrize(("option", "value"), [
    ("--token-ttl", "-5"), ("--search-lag-ms", "-1")])
def test_negative_durations_are_refused(start: Start, option: str, value: str) -> None:
    code, err = start(["--port", "0", option, value])
    assert code == exit_codes.USAGE
    assert f"{option} {value}: must be 0 or more" in err


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


@pytest.mark.parametrize(("args", "warned"), [
    (["--host", "localhost"], False),
    (["--host", "0.0.0.0", "--allow-non-loopback"], True),
])
def test_loopback_or_an_explicit_allowance_starts(args: list[str], warned: bool) -> None:
    process = subprocess.Popen([sys.executable, "-m", "runner.sandbox", "--port", "0", *args],
                               cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                               text=True)
    try:
        assert process.stdout is not None
        line = process.stdout.readline().strip()
        assert READY.match(line), line
    finally:
        process.terminate()
        _, err = process.communicate(timeout=10)
    assert ("warning: the sandbox listens on 0.0.0.0" in err) is warned


def test_seed_dates_stay_the_strings_they_were_written_as(tmp_path: Path) -> None:
    seed = tmp_path / "dated.yaml"
    seed.write_text("instances:\n  - {process: p, waitAt: [A], "
                    "startDate: 2026-01-02T03:04:05Z}\n", encoding="utf-8")
    document, base = load_seed_file(seed)
    assert document["instances"][0]["startDate"] == "2026-01-02T03:04:05Z"
    assert base == tmp_path
