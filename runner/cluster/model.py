"""What the cluster client returns: plain frozen values, keys always as strings."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

MigrateOutcome = Literal["migrated", "already-migrated-by-readback"]

FINAL_BATCH_STATES = frozenset({"COMPLETED", "PARTIALLY_COMPLETED", "FAILED", "CANCELED"})
"""Batch operation states after which nothing changes any more."""


@dataclass(frozen=True, slots=True)
class DefinitionInfo:
    """One deployed process definition."""

    key: str
    process_id: str
    version: int
    version_tag: str | None = None
    tenant_id: str | None = None


@dataclass(frozen=True, slots=True)
class InstanceInfo:
    """One process instance as the search reports it."""

    key: str
    process_definition_key: str
    process_id: str
    version: int | None
    state: str
    """ACTIVE, COMPLETED, TERMINATED (8.6/8.7 'CANCELED' and 'INCIDENT' are normalised)."""
    has_incident: bool = False
    start_date: str | None = None
    tenant_id: str | None = None
    version_tag: str | None = None


@dataclass(frozen=True, slots=True)
class MigrateResult:
    """A migration that happened.

    ``migrated``: the cluster answered 204. ``already-migrated-by-readback``: the outcome of a
    request was unknown (timeout, dropped connection, 5xx) and reading the instance back showed
    it on the target definition, so the request was not sent again.
    """

    instance_key: str
    outcome: MigrateOutcome
    attempts: int = 1


@dataclass(frozen=True, slots=True)
class BatchError:
    """A partition-level error of a batch operation (not a per-instance failure)."""

    partition_id: int | None
    type: str
    message: str


@dataclass(frozen=True, slots=True)
class BatchStatus:
    """GET /v2/batch-operations/{key}."""

    key: str
    state: str
    operation_type: str
    total: int = 0
    completed: int = 0
    failed: int = 0
    start_date: str | None = None
    end_date: str | None = None
    errors: tuple[BatchError, ...] = ()

    @property
    def final(self) -> bool:
        return self.state in FINAL_BATCH_STATES


@dataclass(frozen=True, slots=True)
class BatchFollowResult:
    """What following a batch operation ended with.

    ``state`` is the final state, or ``UNKNOWN`` when the deadline passed first (never
    treat that as success); ``status`` is the last status seen, if any.
    """

    key: str
    state: str
    status: BatchStatus | None
    polls: int

    @property
    def unknown(self) -> bool:
        return self.state == "UNKNOWN"


@dataclass(frozen=True, slots=True)
class BatchItem:
    """One item of a batch operation (one process instance)."""

    batch_key: str
    item_key: str
    process_instance_key: str | None
    state: str
    error_message: str | None = None
    processed_date: str | None = None
