"""Helpers on top of the client: following a batch operation, and migrating many instances
one by one with a bounded number in flight."""

from __future__ import annotations

import queue
from collections.abc import Iterable, Iterator, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from typing import TYPE_CHECKING

from runner.cluster.model import BatchFollowResult, BatchStatus, MigrateResult
from runner.cluster.problem import MigrationOutcomeUnknown, MigrationRejected
from runner.engine.state import Instruction
from runner.errors import ClusterAuthError, ClusterError

if TYPE_CHECKING:
    from runner.cluster.client import ClusterClient

DEFAULT_CONCURRENCY = 8


def follow_batch(client: ClusterClient, key: str, *, timeout: float = 600.0,
                 poll: float = 1.0, max_poll: float = 15.0) -> BatchFollowResult:
    """Poll GET /v2/batch-operations/{key} until a final state or ``timeout`` seconds.

    The interval starts at ``poll`` and grows by half each time up to ``max_poll``. A 404
    (not visible yet) is waited out like an unfinished state. On timeout the result's state
    is ``UNKNOWN`` with the last status seen: never success.
    """
    clock = client.session.clock
    started = clock.monotonic()
    interval = poll
    polls = 0
    last: BatchStatus | None = None
    while True:
        polls += 1
        status = client.batch_operation(key)
        if status is not None:
            last = status
            if status.final:
                return BatchFollowResult(key, status.state, status, polls)
        remaining = timeout - (clock.monotonic() - started)
        if remaining <= 0:
            return BatchFollowResult(key, "UNKNOWN", last, polls)
        clock.sleep(min(interval, remaining))
        interval = min(max_poll, interval * 1.5)


@dataclass(frozen=True, slots=True)
class MigrationItem:
    """One instance to migrate in single mode."""

    instance_key: str
    target_definition_key: str
    instructions: tuple[Instruction, ...]
    operation_reference: int | None = None


@dataclass(frozen=True, slots=True)
class ItemResult:
    """How one instance went: ``result`` (migrated) or ``rejection`` or ``error``."""

    item: MigrationItem
    result: MigrateResult | None = None
    rejection: MigrationRejected | None = None
    error: ClusterError | None = None

    @property
    def outcome(self) -> str:
        """'migrated', 'rejected', 'unknown' (outcome could not be determined) or 'failed'."""
        if self.result is not None:
            return "migrated"
        if self.rejection is not None:
            return "rejected"
        return "unknown" if isinstance(self.error, MigrationOutcomeUnknown) else "failed"


def migrate_many(client: ClusterClient, items: Iterable[MigrationItem],
                 concurrency: int = DEFAULT_CONCURRENCY) -> Iterator[ItemResult]:
    """Migrate ``items`` with at most ``concurrency`` requests in flight, yielding each result
    as it finishes (not in input order). ``items`` is consumed lazily: at most
    ``concurrency`` items are held at once, so a streamed page iterator stays streamed.

    Per-instance rejections and errors are results, not exceptions. Auth errors stop
    everything (every further request would fail the same way) and are raised.
    """
    if concurrency < 1:
        raise ValueError(f"concurrency must be at least 1, not {concurrency}")
    source = iter(items)
    # Finished futures arrive on a queue from their done-callbacks: cheaper per result than
    # concurrent.futures.wait() over every running future.
    finished: queue.SimpleQueue[Future[ItemResult]] = queue.SimpleQueue()
    with ThreadPoolExecutor(max_workers=concurrency,
                            thread_name_prefix="c8migrate-migrate") as pool:
        running: set[Future[ItemResult]] = set()
        try:
            _top_up(client, pool, source, running, concurrency, finished)
            while running:
                future = finished.get()
                running.discard(future)
                yield future.result()
                _top_up(client, pool, source, running, concurrency, finished)
        finally:
            for future in running:
                future.cancel()


def _top_up(client: ClusterClient, pool: ThreadPoolExecutor, source: Iterator[MigrationItem],
            running: set[Future[ItemResult]], concurrency: int,
            finished: queue.SimpleQueue[Future[ItemResult]]) -> None:
    while len(running) < concurrency:
        item = next(source, None)
        if item is None:
            return
        future = pool.submit(_migrate_one, client, item)
        running.add(future)
        future.add_done_callback(finished.put)


def _migrate_one(client: ClusterClient, item: MigrationItem) -> ItemResult:
    try:
        result = client.migrate(item.instance_key, item.target_definition_key,
                                item.instructions, item.operation_reference)
    except MigrationRejected as rejected:
        return ItemResult(item, rejection=rejected)
    except ClusterAuthError:
        raise
    except ClusterError as error:
        return ItemResult(item, error=error)
    return ItemResult(item, result=result)


def instructions_tuple(pairs: Sequence[tuple[str, str]]) -> tuple[Instruction, ...]:
    """(source, target) pairs as Instructions (a convenience for callers and tests)."""
    return tuple(Instruction(source, target) for source, target in pairs)
