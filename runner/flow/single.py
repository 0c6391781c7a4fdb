"""Single mode: one MIGRATE request per instance, a bounded number in flight, then each
migrated instance is read back. Success is only what the read-back shows.

On 8.8+ a chunk of keys is read back with one process-instance search (``$in`` on the
key), split over the workers; older versions read one instance per request.

Zeebe applies a migration synchronously (204), but reads go through the eventually
consistent secondary storage: an instance that still shows the source definition is read
again until ``settle`` seconds have passed before it counts as failed.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Protocol

from runner.cluster.batch import ItemResult, MigrationItem
from runner.cluster.model import InstanceInfo
from runner.engine.state import Instruction
from runner.flow.outcomes import KeySet, Outcomes
from runner.flow.progress import ProgressListener

DEFAULT_SETTLE = 5.0


class SingleModeClient(Protocol):
    def migrate_many(self, items: Iterator[MigrationItem],
                     concurrency: int = ...) -> Iterator[ItemResult]: ...

    def get_instances(self, keys: Sequence[str]) -> dict[str, InstanceInfo]: ...


@dataclass(frozen=True, slots=True)
class Timing:
    """How long read-backs wait for the search to catch up; injectable for tests."""

    settle: float = DEFAULT_SETTLE
    sleep: Callable[[float], None] = time.sleep
    monotonic: Callable[[], float] = time.monotonic


def migrate_single(client: SingleModeClient, keys: KeySet, target_key: str,
                   instructions: tuple[Instruction, ...], *, concurrency: int,
                   progress: ProgressListener, timing: Timing,
                   outcomes: Outcomes | None = None,
                   accepted: KeySet | None = None) -> Outcomes:
    """Migrate ``keys`` one request each; every 204 is verified by reading the instance.

    ``outcomes`` and ``accepted`` (the keys the cluster accepted, before read-back) may be
    given to see the counts so far when the run is interrupted."""
    outcomes = Outcomes() if outcomes is None else outcomes
    accepted = KeySet() if accepted is None else accepted
    items = (MigrationItem(key, target_key, instructions) for key in keys)
    progress.begin("migrating", len(keys))
    try:
        for result in client.migrate_many(items, concurrency):
            progress.advance()
            key = result.item.instance_key
            if result.result is not None:
                accepted.add(key)
            elif result.rejection is not None:
                outcomes.record(key, "rejected", result.rejection.detail
                                or result.rejection.message, result.rejection.attempts)
            else:
                message = result.error.message if result.error else None
                if result.outcome == "unknown":
                    outcomes.record(key, "unknown", message)
                else:
                    outcomes.record(key, "failed", message)
    finally:
        progress.end()
    verify_keys(client, accepted, target_key, outcomes, concurrency=concurrency,
                progress=progress, timing=timing)
    return outcomes


def verify_keys(client: SingleModeClient, keys: KeySet, target_key: str, outcomes: Outcomes,
                *, concurrency: int, progress: ProgressListener, timing: Timing,
                chunk: int = 1000) -> None:
    """Read every key back; 'migrated' only when it reports the target definition."""
    progress.begin("verifying", len(keys))
    try:
        with ThreadPoolExecutor(max_workers=concurrency,
                                thread_name_prefix="c8migrate-verify") as pool:
            for keys_chunk in keys.chunks(chunk):
                _verify_chunk(pool, concurrency, client, list(keys_chunk), target_key,
                              outcomes, progress, timing)
    finally:
        progress.end()


def _verify_chunk(pool: ThreadPoolExecutor, workers: int, client: SingleModeClient,
                  batch: list[str],
                  target_key: str, outcomes: Outcomes, progress: ProgressListener,
                  timing: Timing) -> None:
    deadline = timing.monotonic() + timing.settle
    while True:
        pending: list[tuple[str, InstanceInfo | None]] = []
        found = _read_back(pool, workers, client, batch)
        for key in batch:
            info = found.get(key)
            if info is not None and info.process_definition_key == target_key:
                outcomes.record(key, "migrated")
                progress.advance()
            else:
                pending.append((key, info))
        if not pending or timing.monotonic() >= deadline:
            break
        timing.sleep(min(0.25, max(0.0, deadline - timing.monotonic())))
        batch = [key for key, _ in pending]
    for key, info in pending:
        progress.advance()
        if info is None:
            outcomes.record(key, "unknown", "the cluster accepted the migration, but the "
                            "instance cannot be found when reading it back")
        else:
            outcomes.record(key, "failed", "the cluster accepted the migration, but reading "
                            "the instance back shows definition "
                            f"{info.process_definition_key}, not the target {target_key}")


def _read_back(pool: ThreadPoolExecutor, workers: int, client: SingleModeClient,
               keys: list[str]) -> dict[str, InstanceInfo]:
    """The instances among ``keys`` the cluster knows, the keys split over the workers."""
    size = max(1, -(-len(keys) // workers))
    found: dict[str, InstanceInfo] = {}
    for part in pool.map(client.get_instances, [keys[i:i + size]
                                                for i in range(0, len(keys), size)]):
        found.update(part)
    return found
