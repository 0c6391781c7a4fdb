"""The per-plan apply lock: a file created exclusively under the journal directory.

The lock file holds ``{"pid", "host", "time", "run"}``. A lock is stale, and is taken over,
when it was written on this host by a process that no longer exists, or when it is older than
``stale_after`` seconds (a crashed run on another CI runner). Otherwise ``LockHeld``.
"""

from __future__ import annotations

import contextlib
import json
import os
import socket
import time
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType
from typing import Any

from runner.errors import LockHeld
from runner.flow.journal import plan_file_stem

DEFAULT_STALE_AFTER = 6 * 3600.0


@dataclass(frozen=True, slots=True)
class LockOwner:
    pid: int
    host: str
    time: float
    run: str

    def describe(self) -> str:
        started = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(self.time))
        return f"pid {self.pid} on {self.host}, since {started} (run {self.run})"


def _pid_alive(pid: int) -> bool:
    if pid <= 0:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


class PlanLock:
    """``with PlanLock(dir, plan_name, run=...):`` holds the lock for the block."""

    def __init__(self, journal_dir: Path, plan_name: str, *, run: str,
                 stale_after: float = DEFAULT_STALE_AFTER) -> None:
        self.path = Path(journal_dir) / f"{plan_file_stem(plan_name)}.lock"
        self.plan_name = plan_name
        self.run = run
        self.stale_after = stale_after
        self._held = False

    def read_owner(self) -> LockOwner | None:
        try:
            data: Any = json.loads(self.path.read_text(encoding="utf-8"))
            return LockOwner(pid=int(data["pid"]), host=str(data["host"]),
                             time=float(data["time"]), run=str(data.get("run", "")))
        except (OSError, ValueError, KeyError, TypeError):
            return None

    def is_stale(self, owner: LockOwner | None) -> bool:
        if owner is None:
            # Unreadable: a writer may be mid-write. Only its age can tell.
            try:
                age = time.time() - self.path.stat().st_mtime
            except OSError:
                return True
            return age > self.stale_after
        if owner.host == socket.gethostname() and not _pid_alive(owner.pid):
            return True
        return time.time() - owner.time > self.stale_after

    def acquire(self) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        payload = json.dumps({"pid": os.getpid(), "host": socket.gethostname(),
                              "time": time.time(), "run": self.run})
        for _ in range(2):
            try:
                fd = os.open(self.path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o644)
            except FileExistsError:
                owner = self.read_owner()
                if not self.is_stale(owner):
                    who = owner.describe() if owner else "an unknown process"
                    raise LockHeld(
                        f"another apply of plan '{self.plan_name}' is running ({who})",
                        hint=f"wait for it to finish; if it crashed, remove {self.path}",
                    ) from None
                with contextlib.suppress(FileNotFoundError):
                    self.path.unlink()
                continue
            with os.fdopen(fd, "w", encoding="utf-8") as handle:
                handle.write(payload)
            self._held = True
            return
        raise LockHeld(f"could not take the lock {self.path} for plan '{self.plan_name}'")

    def release(self) -> None:
        if self._held:
            owner = self.read_owner()
            if owner is None or owner.run == self.run:
                with contextlib.suppress(FileNotFoundError):
                    self.path.unlink()
            self._held = False

    def __enter__(self) -> PlanLock:
        self.acquire()
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.release()
