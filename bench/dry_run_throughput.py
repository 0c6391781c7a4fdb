"""Benchmark: dry-run time over 100,000 instances against the bare cost of paging them.

A sandbox (own process, loopback, no faults) holds instances of invoice-approval v1 waiting
at a user task. On 8.8 the dry run (``build_preview`` of a plan migrating them to v2,
default concurrency) pages the instances, reads their active element instances in bulk
(one element search over the whole definition, joined on instance key) and judges each.

* Baseline: a bare httpx loop that pages the same instances
  (``POST /v2/process-instances/search`` by definition key, 1,000 per page, cursors) and
  does nothing with them.
* Measured: the dry run over the same instances.

Rounds alternate the two; the figures use the median round of each. A second figure, for
information, runs the dry run with one element read per instance (the path 8.6/8.7 still
take) over 10,000 instances, next to the bulk dry run over the same 10,000.
"""

from __future__ import annotations

import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import httpx
from _common import Figure, arguments, log, report, workload_seed, write_workload_plan

from runner.bpmn.model import ProcessModel
from runner.cluster.client import ClusterClient
from runner.cluster.config import resolve
from runner.flow.preview import build_preview
from runner.plan.loader import load_plan
from runner.plan.model import Plan
from runner.sandbox.process import start_sandbox

DEFAULT_INSTANCES = 100_000
PER_INSTANCE_INSTANCES = 10_000
DEFAULT_ROUNDS = 3
PAGE = 1000


class PerInstanceReads:
    """The real client with its bulk element reader switched off (the 8.6/8.7 path)."""

    def __init__(self, client: ClusterClient) -> None:
        self._client = client

    def __getattr__(self, name: str) -> Any:
        return getattr(self._client, name)

    def active_element_reader(self, definition_key: str, model: ProcessModel) -> None:
        return None


def bare_paging(http: httpx.Client, definition_key: str) -> int:
    """Page every instance of the definition with plain httpx; how many there were."""
    body: dict[str, Any] = {"filter": {"processDefinitionKey": definition_key},
                            "sort": [{"field": "processInstanceKey", "order": "ASC"}],
                            "page": {"limit": PAGE}}
    seen = 0
    while True:
        response = http.post("/process-instances/search", json=body)
        response.raise_for_status()
        answer = response.json()
        seen += len(answer["items"])
        if len(answer["items"]) < PAGE:
            return seen
        body["page"] = {"limit": PAGE, "after": answer["page"]["endCursor"]}


def dry_run(plan: Plan, client: Any, expected: int) -> float:
    """Seconds one dry run takes; it must match every instance."""
    started = time.perf_counter()
    preview = build_preview(plan, client)
    seconds = time.perf_counter() - started
    if preview.matched != expected or preview.migrating != expected:
        raise RuntimeError(f"the dry run matched {preview.matched} and would migrate "
                           f"{preview.migrating} of {expected} instances")
    return seconds


def timed_paging(http: httpx.Client, definition_key: str, expected: int) -> float:
    started = time.perf_counter()
    seen = bare_paging(http, definition_key)
    seconds = time.perf_counter() - started
    if seen != expected:
        raise RuntimeError(f"bare paging saw {seen} of {expected} instances")
    return seconds


def run(instances: int = DEFAULT_INSTANCES, rounds: int = DEFAULT_ROUNDS) -> list[Figure]:
    small = min(PER_INSTANCE_INSTANCES, instances)
    log(f"dry-run throughput: {small:,} then {instances:,} instances, {rounds} rounds")
    with tempfile.TemporaryDirectory(prefix="c8migrate-bench-") as temp, \
            start_sandbox() as sandbox, \
            httpx.Client(base_url=sandbox.url, timeout=300.0) as admin, \
            httpx.Client(base_url=f"{sandbox.url}/v2", timeout=300.0) as http, \
            ClusterClient(resolve({"address": sandbox.url}, env={})) as client:
        loaded = load_plan(write_workload_plan(Path(temp)))
        assert loaded.plan is not None, loaded.findings
        plan = loaded.plan
        admin.post("/sandbox/seed", json=workload_seed(small)).raise_for_status()
        source_key = client.find_definition("invoice-approval", 1).key
        per_instance = dry_run(plan, PerInstanceReads(client), small)
        bulk_small = dry_run(plan, client, small)
        log(f"{small:,} instances: per-instance reads {per_instance:.1f} s, "
            f"bulk {bulk_small:.1f} s")
        more = workload_seed(instances - small)
        more.pop("deploy")  # the same definitions: only more instances
        admin.post("/sandbox/seed", json=more).raise_for_status()
        http.post("/process-instances/search", json={"page": {"limit": 1}})  # warm up
        bare: list[float] = []
        ours: list[float] = []
        for index in range(rounds):
            sides = (("bare", bare), ("dry run", ours))
            for side, times in (sides if index % 2 == 0 else sides[::-1]):
                times.append(timed_paging(http, source_key, instances) if side == "bare"
                             else dry_run(plan, client, instances))
                log(f"round {index + 1} {side}: {times[-1]:.1f} s")
    per_100k = 100_000 / instances
    base, measured = statistics.median(bare), statistics.median(ours)
    return [
        Figure(f"dry run, {instances:,} instances (8.8, bulk reads)",
               "bare httpx paging of the same instances", base, measured, "s", None,
               note=f"median of {rounds} rounds; {measured * per_100k:.1f} s per 100,000 "
                    f"instances ({instances / measured:,.0f} instances/s); information"),
        Figure(f"dry run, {small:,} instances: bulk vs per-instance reads",
               "per-instance element reads (8.6/8.7 path)", per_instance, bulk_small, "s",
               None, note="one run each, same sandbox and instances; information"),
    ]


def main() -> int:
    parser = arguments(__doc__.splitlines()[0])
    parser.add_argument("--instances", type=int, default=DEFAULT_INSTANCES,
                        help="instances in the large run (default %(default)s)")
    parser.add_argument("--rounds", type=int, default=DEFAULT_ROUNDS)
    args = parser.parse_args()
    if args.instances < 1 or args.rounds < 1:
        print("--instances and --rounds must be positive", file=sys.stderr)
        return 2
    return report(run(args.instances, args.rounds), args.json)


if __name__ == "__main__":
    raise SystemExit(main())
