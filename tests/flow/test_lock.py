from __future__ import annotations

import json
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from runner.errors import LockHeld
from runner.flow.lock import PlanLock


def _write_lock(path: Path, *, pid: int, host: str, age: float, run: str = "other") -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps({"pid": pid, "host": host, "time": time.time() - age,
                                "run": run}), encoding="utf-8")


def _dead_pid() -> int:
    child = subprocess.Popen([sys.executable, "-c", "pass"])
    child.wait()
    return child.pid


def test_the_lock_file_exists_while_held_and_is_removed_after(tmp_path: Path) -> None:
    lock = PlanLock(tmp_path, "order-v1-to-v2", run="r1")
    with lock:
        owner = lock.read_owner()
        assert owner is not None
        assert owner.run == "r1"
        assert owner.host == socket.gethostname()
    assert not lock.path.exists()


def test_a_second_apply_of_the_same_plan_is_refused(tmp_path: Path) -> None:
    with PlanLock(tmp_path, "order-v1-to-v2", run="r1"), \
            pytest.raises(LockHeld, match="another apply of plan 'order-v1-to-v2' is running"):
        PlanLock(tmp_path, "order-v1-to-v2", run="r2").acquire()


def test_other_plans_are_not_blocked(tmp_path: Path) -> None:
    with PlanLock(tmp_path, "order-v1-to-v2", run="r1"), \
            PlanLock(tmp_path, "invoice-v1-to-v2", run="r2"):
        pass


def test_a_lock_of_a_dead_process_on_this_host_is_taken_over(tmp_path: Path) -> None:
    lock = PlanLock(tmp_path, "p", run="mine")
    _write_lock(lock.path, pid=_dead_pid(), host=socket.gethostname(), age=1)
    with lock:
        owner = lock.read_owner()
        assert owner is not None and owner.run == "mine"


def test_a_fresh_lock_from_another_host_is_respected(tmp_path: Path) -> None:
    lock = PlanLock(tmp_path, "p", run="mine")
    _write_lock(lock.path, pid=1, host="ci-runner-7", age=60)
    with pytest.raises(LockHeld, match="ci-runner-7"):
        lock.acquire()


def test_an_old_lock_from_another_host_is_stale(tmp_path: Path) -> None:
    lock = PlanLock(tmp_path, "p", run="mine", stale_after=3600)
    _write_lock(lock.path, pid=1, host="ci-runner-7", age=7200)
    with lock:
        assert lock.read_owner() is not None


def test_release_leaves_a_lock_that_someone_else_took_over(tmp_path: Path) -> None:
    lock = PlanLock(tmp_path, "p", run="mine")
    lock.acquire()
    _write_lock(lock.path, pid=1, host="elsewhere", age=0, run="theirs")
    lock.release()
    assert lock.path.exists()
