"""Batch migration (8.8+): a batch operation migrates every matched ACTIVE instance.

The operation runs in a background thread: it selects the instances as a search would
(so it sees the search lag too), creates one ACTIVE item per instance, then migrates them
one by one with the same checks as the single endpoint. Rejected instances become FAILED
items with the REST problem detail as ``errorMessage``.

Reads are eventually consistent like the real ``/v2/batch-operations`` endpoints: a reader
sees the operation as it was ``lag`` seconds ago, and ``GET`` answers 404 for a while after
creation.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from runner.sandbox.migrate import MigrationPlan, migrate_instance
from runner.sandbox.paging import SortSpec
from runner.sandbox.queries import InstanceSearch
from runner.sandbox.store import Store
from runner.version import ServerVersion

OPERATION_TYPE = "MIGRATE_PROCESS_INSTANCE"


def now_iso() -> str:
    moment = datetime.now(UTC)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"


class BatchItem:
    __slots__ = ("error", "instance_key", "processed_at", "processed_date", "state")

    def __init__(self, instance_key: int) -> None:
        self.instance_key = instance_key
        self.state = "ACTIVE"
        self.processed_at: float | None = None
        self.processed_date: str | None = None
        self.error: str | None = None


class BatchOperation:
    """One batch migration. Mutated only by its worker thread under the store lock."""

    def __init__(self, key: int) -> None:
        self.key = key
        self.created_at = time.monotonic()
        self.start_date = now_iso()
        self.items: list[BatchItem] = []
        self.selected_at: float | None = None
        self.finished_at: float | None = None
        self.end_date: str | None = None


@dataclass(frozen=True, slots=True)
class ItemView:
    operation_key: int
    instance_key: int
    state: str
    processed_date: str | None
    error: str | None


def start_batch(store: Store, search: InstanceSearch, filter_: dict[str, Any],
                plan: MigrationPlan, server: ServerVersion) -> BatchOperation:
    """Create the operation and start its worker; returns at once."""
    operation = BatchOperation(store.allocate_keys(1))
    with store.lock:
        store.batches[operation.key] = operation
    selection = {k: v for k, v in filter_.items() if k != "state"}

    def work() -> None:
        views = search.run(selection, SortSpec(()), active_only=True).items
        with store.lock:
            operation.items = [BatchItem(v.record.key) for v in views]
            operation.selected_at = time.monotonic()
        for item in operation.items:
            rejection = migrate_instance(store, item.instance_key, plan, server)
            with store.lock:
                item.state = "COMPLETED" if rejection is None else "FAILED"
                item.error = rejection.rest_detail if rejection is not None else None
                item.processed_date = now_iso()
                item.processed_at = time.monotonic()
        with store.lock:
            operation.finished_at = time.monotonic()
            operation.end_date = now_iso()

    threading.Thread(target=work, name=f"batch-{operation.key}", daemon=True).start()
    return operation


def visible_items(operation: BatchOperation, seen_at: float) -> list[ItemView]:
    """The items as a reader at monotonic time ``seen_at`` (already lagged) sees them."""
    if operation.selected_at is None or operation.selected_at > seen_at:
        return []
    result = []
    for item in operation.items:
        done = item.processed_at is not None and item.processed_at <= seen_at
        result.append(ItemView(operation.key, item.instance_key,
                               item.state if done else "ACTIVE",
                               item.processed_date if done else None,
                               item.error if done else None))
    return result


def operation_json(operation: BatchOperation, seen_at: float,
                   key: Any) -> dict[str, Any]:
    """BatchOperationResponse as seen at ``seen_at``."""
    items = visible_items(operation, seen_at)
    failed = sum(1 for i in items if i.state == "FAILED")
    completed = sum(1 for i in items if i.state == "COMPLETED")
    finished = operation.finished_at is not None and operation.finished_at <= seen_at
    if operation.selected_at is None or operation.selected_at > seen_at:
        state = "CREATED"
    elif not finished:
        state = "ACTIVE"
    else:
        state = "PARTIALLY_COMPLETED" if failed else "COMPLETED"
    return {
        "batchOperationKey": key, "state": state, "batchOperationType": OPERATION_TYPE,
        "startDate": operation.start_date, "endDate": operation.end_date if finished else None,
        "actorType": None, "actorId": None, "operationsTotalCount": len(items),
        "operationsFailedCount": failed, "operationsCompletedCount": completed, "errors": [],
    }


def item_json(item: ItemView, key: Any) -> dict[str, Any]:
    return {"operationType": OPERATION_TYPE, "batchOperationKey": key(item.operation_key),
            "itemKey": str(item.instance_key), "processInstanceKey": key(item.instance_key),
            "rootProcessInstanceKey": key(item.instance_key), "state": item.state,
            "processedDate": item.processed_date, "errorMessage": item.error}
