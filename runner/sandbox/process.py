"""Start the sandbox as its own process (for the demo, the tests and the benchmarks).

``start_sandbox`` runs ``sys.executable -m runner.sandbox --port 0`` on loopback, waits
for its ready line and returns a SandboxProcess (a context manager) with the ``url``. The
client secret reaches the child through its environment, never its command line.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType
from typing import Literal

from runner.errors import RunnerError
from runner.sandbox.__main__ import DEFAULT_SECRET_ENV

READY = re.compile(r"^c8migrate sandbox listening on (http://\S+)$")
PROJECT_ROOT = Path(__file__).resolve().parents[2]


class SandboxStartError(RunnerError):
    """The sandbox process did not come up."""


@dataclass(frozen=True, slots=True)
class SandboxAuth:
    """How the sandbox authenticates: ``basic`` or ``oauth`` with these credentials."""

    mode: Literal["none", "basic", "oauth"] = "none"
    client_id: str = "c8migrate"
    client_secret: str = ""

    def __repr__(self) -> str:
        return f"SandboxAuth(mode={self.mode!r}, client_id={self.client_id!r})"


class SandboxProcess:
    """A running sandbox process. ``stop()`` (or leaving the ``with``) ends it."""

    def __init__(self, process: subprocess.Popen[str], url: str) -> None:
        self.process = process
        self.url = url
        self._stderr: list[str] = []
        self._drain = threading.Thread(target=self._collect, daemon=True)
        self._drain.start()

    def _collect(self) -> None:
        assert self.process.stderr is not None
        for line in self.process.stderr:
            if len(self._stderr) < 2000:
                self._stderr.append(line)

    @property
    def stderr(self) -> str:
        """What the process wrote to stderr so far (tracebacks of sandbox bugs)."""
        return "".join(self._stderr)

    def stop(self, timeout: float = 10.0) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout)
        for stream in (self.process.stdout, self.process.stderr):
            if stream is not None:
                stream.close()

    def __enter__(self) -> SandboxProcess:
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.stop()


def start_sandbox(*, server_version: str = "8.8.0", seed: str | Path | None = None,
                  auth: SandboxAuth | None = None, extra_args: Sequence[str] = (),
                  timeout: float = 30.0) -> SandboxProcess:
    """Start a sandbox on a free loopback port and wait until it is ready."""
    args = [sys.executable, "-m", "runner.sandbox", "--host", "127.0.0.1", "--port", "0",
            "--server-version", server_version]
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(
        p for p in (str(PROJECT_ROOT), env.get("PYTHONPATH", "")) if p)
    if seed is not None:
        args += ["--seed", str(Path(seed).resolve())]
    if auth is not None and auth.mode != "none":
        args += ["--auth", auth.mode, "--client-id", auth.client_id,
                 "--client-secret-env", DEFAULT_SECRET_ENV]
        env[DEFAULT_SECRET_ENV] = auth.client_secret
    args += list(extra_args)
    process = subprocess.Popen(args, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                               text=True, env=env)
    url = _wait_ready(process, timeout)
    return SandboxProcess(process, url)


def _wait_ready(process: subprocess.Popen[str], timeout: float) -> str:
    found: list[str] = []

    def read_line() -> None:
        assert process.stdout is not None
        found.append(process.stdout.readline())

    reader = threading.Thread(target=read_line, daemon=True)
    reader.start()
    reader.join(timeout)
    line = found[0].strip() if found else ""
    match = READY.match(line)
    if match:
        return match.group(1)
    if process.poll() is None:
        process.kill()
    try:
        _, err = process.communicate(timeout=5)
    except (subprocess.TimeoutExpired, ValueError):
        err = ""
    started = time.strftime("%H:%M:%S")
    reason = f"no ready line within {timeout:.0f}s" if not line else f"unexpected output {line!r}"
    raise SandboxStartError(f"the sandbox did not start ({reason}, at {started}); "
                            f"exit code {process.returncode}; stderr:\n{(err or '').strip()}")
