"""Benchmark: single-mode migration throughput against the sandbox with 5 ms latency.

The sandbox runs as its own process on loopback with ``--fault latency=5`` (every API
request waits 5 ms before it is answered, like a nearby cluster) and holds instances of
invoice-approval v1 waiting at a user task. Each round migrates fresh instances twice:

* baseline: a bare httpx loop, ``--concurrency`` threads sharing one ``httpx.Client``,
  each POSTing ``/v2/process-instances/{key}/migration`` with the same body and checking
  the 204, nothing else;
* measured: ``ClusterClient.migrate_many`` (the single-mode path of ``apply``: bounded
  in-flight requests, retry and backoff, unknown-outcome read back), same concurrency,
  same number of instances.

Figure: the client's throughput as a ratio to the bare loop's (target 0.9 or better,
issue 4). The order of the two alternates between rounds; the figure uses the median
round of each. Afterwards the sandbox's own counters must show every instance migrated
exactly once, else the benchmark stops with an error (a fast wrong answer is no figure).

A second figure, for information, runs the whole ``apply`` of a plan in single mode on as
many instances in a sandbox of its own (dry run with bulk element reads, migration,
read-back verification with ``$in`` key searches, journal) and compares its end-to-end
throughput to the same bare loop.
"""

from __future__ import annotations

import queue
import statistics
import tempfile
import threading
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import httpx
from _common import (
    Figure,
    arguments,
    log,
    report,
    workload_files,
    workload_seed,
    write_workload_plan,
)

from runner.bpmn.parser import load_bpmn
from runner.cluster.batch import MigrationItem
from runner.cluster.client import ClusterClient
from runner.cluster.config import resolve
from runner.engine.mapping import auto_mapped
from runner.engine.state import Instruction
from runner.flow.apply import ApplySettings, apply_plan
from runner.plan.loader import load_plan
from runner.sandbox.process import start_sandbox

TARGET = 0.9
LATENCY_MS = 5
DEFAULT_INSTANCES = 2000
DEFAULT_ROUNDS = 5
DEFAULT_CONCURRENCY = 8
"""The client's default (runner.cluster.batch.DEFAULT_CONCURRENCY)."""


def instructions() -> tuple[Instruction, ...]:
    """What apply sends for the workload plan: Operate's auto-mapping of v1 to v2."""
    v1, v2 = (load_bpmn(path).process() for path in workload_files())
    assert v1 is not None and v2 is not None
    return tuple(Instruction(s, t) for s, t in auto_mapped(v1, v2))


def bare_client(url: str, concurrency: int) -> httpx.Client:
    """The baseline's HTTP client: plain httpx, one connection per thread."""
    limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)
    return httpx.Client(base_url=f"{url}/v2", limits=limits, timeout=30.0)


def bare_loop(client: httpx.Client, keys: Sequence[str], body: dict[str, Any],
              concurrency: int) -> float:
    """Baseline: POST every migration with ``concurrency`` threads; seconds taken."""
    work: queue.SimpleQueue[str] = queue.SimpleQueue()
    for key in keys:
        work.put(key)
    failures: list[str] = []

    def worker() -> None:
        while True:
            try:
                key = work.get_nowait()
            except queue.Empty:
                return
            response = client.post(f"/process-instances/{key}/migration", json=body)
            if response.status_code != 204:
                failures.append(f"{key}: HTTP {response.status_code}")

    threads = [threading.Thread(target=worker) for _ in range(concurrency)]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - started
    if failures:
        raise RuntimeError(f"the bare loop's migrations failed: {failures[:3]}")
    return elapsed


def client_path(client: ClusterClient, keys: Sequence[str], target_key: str,
                steps: tuple[Instruction, ...], concurrency: int) -> float:
    """Measured: ClusterClient.migrate_many over the same kind of work; seconds taken."""
    items = (MigrationItem(key, target_key, steps) for key in keys)
    started = time.perf_counter()
    outcomes = [result.outcome for result in client.migrate_many(items, concurrency)]
    elapsed = time.perf_counter() - started
    bad = [o for o in outcomes if o != "migrated"]
    if bad or len(outcomes) != len(keys):
        raise RuntimeError(f"migrate_many: {len(outcomes)} results, not migrated: {bad[:3]}")
    return elapsed


def exactly_once(admin: httpx.Client, keys: Sequence[str]) -> str:
    """'' when the sandbox counted one accepted migration for each key, else what is off."""
    accepted = admin.get("/sandbox/stats").json()["acceptedMigrations"]
    wrong = [k for k in keys if accepted.get(k) != 1]
    return f"{len(wrong)} instances not migrated exactly once" if wrong else ""


class PhaseTimes:
    """A progress listener that records how long each phase of apply takes."""

    def __init__(self) -> None:
        self.seconds: dict[str, float] = {}
        self._current: tuple[str, float] | None = None

    def begin(self, label: str, total: int | None) -> None:
        self._current = (label.split()[0], time.perf_counter())

    def advance(self, steps: int = 1) -> None:
        return None

    def end(self) -> None:
        if self._current is not None:
            label, started = self._current
            self.seconds[label] = self.seconds.get(label, 0.0) + time.perf_counter() - started
            self._current = None

    def summary(self) -> str:
        return ", ".join(f"{label} {seconds:.1f} s" for label, seconds in self.seconds.items())


def full_apply(count: int, concurrency: int) -> tuple[float, PhaseTimes]:
    """``apply`` of the workload plan in single mode, on a sandbox of its own (same latency)
    holding ``count`` instances; seconds taken and per phase."""
    with tempfile.TemporaryDirectory(prefix="c8migrate-bench-") as temp, \
            start_sandbox(extra_args=("--fault", f"latency={LATENCY_MS}")) as sandbox, \
            httpx.Client(base_url=sandbox.url, timeout=120.0) as admin:
        admin.post("/sandbox/seed", json=workload_seed(count)).raise_for_status()
        folder = Path(temp)
        loaded = load_plan(write_workload_plan(folder, mode="single", concurrency=concurrency))
        assert loaded.plan is not None, loaded.findings
        settings = ApplySettings(journal_dir=folder / "journal")
        with ClusterClient(resolve({"address": sandbox.url}, env={})) as client:
            client.server_version()
            started = time.perf_counter()
            phases = PhaseTimes()
            result = apply_plan(loaded.plan, client, settings=settings, progress=phases)
            elapsed = time.perf_counter() - started
        migrated = result.counts.get("migrated", 0)
        if migrated != count:
            raise RuntimeError(f"apply migrated {migrated} of {count}: {dict(result.counts)}")
        keys = [str(k) for k in admin.get("/sandbox/stats").json()["acceptedMigrations"]]
        problem = exactly_once(admin, keys)
        if problem or len(keys) != count:
            raise RuntimeError(f"apply: {problem or f'{len(keys)} instances migrated'}")
    return elapsed, phases


def run(instances: int = DEFAULT_INSTANCES, rounds: int = DEFAULT_ROUNDS,
        concurrency: int = DEFAULT_CONCURRENCY) -> list[Figure]:
    steps = instructions()
    total = instances * 2 * rounds
    log(f"apply throughput: sandbox with {LATENCY_MS} ms latency, {total} instances, "
        f"{rounds} rounds of {instances} per side, concurrency {concurrency}")
    with start_sandbox(extra_args=("--fault", f"latency={LATENCY_MS}")) as sandbox, \
            httpx.Client(base_url=sandbox.url, timeout=120.0) as admin:
        seeded = admin.post("/sandbox/seed", json=workload_seed(total))
        seeded.raise_for_status()
        summary = seeded.json()
        keys: list[str] = summary["instances"][0]["instanceKeys"]
        target_key = next(d["processDefinitionKey"] for d in summary["deployed"]
                          if d["processDefinitionId"] == "invoice-approval" and d["version"] == 2)
        body = {"targetProcessDefinitionKey": target_key,
                "mappingInstructions": [{"sourceElementId": s.source,
                                         "targetElementId": s.target} for s in steps]}
        bare_rates: list[float] = []
        client_rates: list[float] = []
        migrated: list[str] = []
        with ClusterClient(resolve({"address": sandbox.url}, env={})) as client, \
                bare_client(sandbox.url, concurrency) as bare_http:
            # both sides keep their connections across rounds; neither pays for the
            # version detection (the client's first call) inside a round
            client.server_version()
            bare_http.get("/topology").raise_for_status()
            for index in range(rounds):
                chunk = keys[index * 2 * instances:(index + 1) * 2 * instances]
                bare_keys, client_keys = chunk[:instances], chunk[instances:]
                order = ("bare", "client") if index % 2 == 0 else ("client", "bare")
                for side in order:
                    if side == "bare":
                        seconds = bare_loop(bare_http, bare_keys, body, concurrency)
                        bare_rates.append(instances / seconds)
                    else:
                        seconds = client_path(client, client_keys, target_key, steps,
                                              concurrency)
                        client_rates.append(instances / seconds)
                    log(f"round {index + 1} {side}: {instances / seconds:,.0f} migrations/s")
                migrated.extend(chunk)
        problem = exactly_once(admin, migrated)
        if problem:
            raise RuntimeError(f"the sandbox's counters disagree: {problem}")
    apply_seconds, phases = full_apply(instances, concurrency)
    bare = statistics.median(bare_rates)
    note = (f"median of {rounds} rounds, {instances} instances per side and round, "
            f"concurrency {concurrency}, {LATENCY_MS} ms injected latency")
    return [
        Figure("single-mode migrate_many throughput", "bare httpx loop", bare,
               statistics.median(client_rates), "/s", TARGET, better="higher", note=note),
        Figure("apply (single mode, end to end)", "bare httpx loop", bare,
               instances / apply_seconds, "/s", None, better="higher",
               note=f"{instances} instances on a fresh sandbox: dry run + migrate + read "
                    "back + journal (1 migrate request per instance plus paged bulk "
                    "reads; the bare loop sends only the migrate requests); "
                    f"phases: {phases.summary()}; information"),
    ]


def main() -> int:
    parser = arguments(__doc__.splitlines()[0])
    parser.add_argument("--instances", type=int, default=DEFAULT_INSTANCES,
                        help="instances per side and round (default %(default)s)")
    parser.add_argument("--rounds", type=int, default=DEFAULT_ROUNDS)
    parser.add_argument("--concurrency", type=int, default=DEFAULT_CONCURRENCY)
    args = parser.parse_args()
    return report(run(args.instances, args.rounds, args.concurrency), args.json)


if __name__ == "__main__":
    raise SystemExit(main())
