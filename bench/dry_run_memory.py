"""Benchmark: peak memory of a dry run over 10,000 and over 100,000 instances.

A sandbox (own process, loopback, no faults) holds instances of invoice-approval v1. For
each size, a fresh child process runs the dry run (``build_preview`` of a plan migrating
them to v2, default concurrency) and exits; the parent reaps it with ``os.wait4`` and reads
the child's RSS high-water mark (``ru_maxrss``) from the kernel. The sandbox's memory is
not part of it.

Baseline: a child that does nothing but the same imports.

Figures: peak RSS of the 100,000-instance dry run next to the imports-only child (target:
under 150 MB, issue 4), and the 100,000 run against the 10,000 run (target "nearly flat":
at most 1.2x).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import httpx
from _common import Figure, arguments, log, report, workload_seed, write_workload_plan

LIMIT_MB = 150.0
FLAT_TARGET = 1.2
SIZES = (10_000, 100_000)


def child_imports() -> None:
    """Everything a dry run imports (the baseline child stops after this)."""
    import runner.cluster.client
    import runner.cluster.config
    import runner.flow.preview
    import runner.plan.loader  # noqa: F401


def child_main(url: str | None, plan_path: str | None) -> int:
    """In the child: import, then (unless baseline) run the dry run; one JSON line out."""
    started = time.perf_counter()
    child_imports()
    result: dict[str, Any] = {}
    if url is not None and plan_path is not None:
        from runner.cluster.client import ClusterClient
        from runner.cluster.config import resolve
        from runner.flow.preview import build_preview
        from runner.plan.loader import load_plan

        loaded = load_plan(plan_path)
        if loaded.plan is None:
            print(json.dumps({"error": [str(f) for f in loaded.findings]}))
            return 1
        with ClusterClient(resolve({"address": url}, env={})) as client:
            preview = build_preview(loaded.plan, client)
        result = {"matched": preview.matched, "migrating": preview.migrating,
                  "blocked": preview.blocked_total}
    result["seconds"] = time.perf_counter() - started
    print(json.dumps(result), flush=True)
    return 0


def measure_child(*args: str) -> tuple[float, dict[str, Any]]:
    """Run this file as a child with ``args``; (peak RSS in MB, its JSON answer)."""
    command = [sys.executable, __file__, "--child", *args]
    with tempfile.TemporaryFile("w+") as out:
        process = subprocess.Popen(command, stdout=out)
        # wait4 (not Popen.wait) hands back this child's own resource usage
        _, status, usage = os.wait4(process.pid, 0)
        process.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        text = out.read()
    if process.returncode != 0:
        raise RuntimeError(f"the child {args} failed ({process.returncode}): {text}")
    return usage.ru_maxrss / 1024.0, json.loads(text.strip().splitlines()[-1])


def run() -> list[Figure]:
    from runner.sandbox.process import start_sandbox  # not in the children: they measure

    peaks: dict[int, float] = {}
    answers: dict[int, dict[str, Any]] = {}
    baseline, _ = measure_child()
    log(f"dry-run memory: imports only: {baseline:.1f} MB")
    with tempfile.TemporaryDirectory(prefix="c8migrate-bench-") as temp, \
            start_sandbox() as sandbox, \
            httpx.Client(base_url=sandbox.url, timeout=300.0) as admin:
        plan = write_workload_plan(Path(temp))
        seeded = 0
        for size in SIZES:
            document = workload_seed(size - seeded)
            if seeded:
                document.pop("deploy")  # same definitions: only more instances
            admin.post("/sandbox/seed", json=document).raise_for_status()
            seeded = size
            peaks[size], answers[size] = measure_child(sandbox.url, str(plan))
            if answers[size].get("matched") != size:
                raise RuntimeError(f"the dry run matched {answers[size]} of {size} instances")
            log(f"dry run over {size:,} instances: peak {peaks[size]:.1f} MB, "
                f"{answers[size]['seconds']:.1f} s")
    small, large = SIZES
    seconds = ", ".join(f"{s:,}: {answers[s]['seconds']:.0f} s" for s in SIZES)
    return [
        Figure(f"dry run peak RSS, {large:,} instances", "imports only", baseline,
               peaks[large], "MB", None, limit=LIMIT_MB,
               note=f"dry-run time {seconds}; the sandbox runs in its own process"),
        Figure(f"dry run peak RSS, {large:,} vs {small:,}", f"{small:,} instances",
               peaks[small], peaks[large], "MB", FLAT_TARGET,
               note="nearly flat: memory must not grow with the number of instances"),
    ]


def main() -> int:
    if len(sys.argv) > 1 and sys.argv[1] == "--child":
        rest = sys.argv[2:]
        return child_main(rest[0] if rest else None, rest[1] if len(rest) > 1 else None)
    args = arguments(__doc__.splitlines()[0]).parse_args()
    return report(run(), args.json)


if __name__ == "__main__":
    raise SystemExit(main())
