"""Runtime-only checks, documented so offline validation has no silent gaps."""

from __future__ import annotations

from runner.engine.rules.base import note

note("N17", """A concurrent command rejects the migration; apply retries (Z17)

    Whether a job completion, timer, message or signal trigger is in flight for an
    instance is only known at the moment of the migration. Zeebe then rejects with a
    'Please retry the migration' text; c8migrate apply classifies it as transient and
    retries with backoff. The dry run and the sandbox report it per instance.
    Example: a worker completes `Task_A` while the migration runs.
    Fix: none needed.""", rejection_type="INVALID_STATE", transient=True)

note("N18", """A pending message-subscription distribution rejects the migration; retry (Z18A)

    After a migration that moved message subscriptions, their distribution to other
    partitions can still be pending; a second migration in that window is rejected. Only
    the live cluster knows; apply retries it as transient.
    Example: migrating v1 -> v2 -> v3 in quick succession while instances wait at messages.
    Fix: none needed.""", since="8.6", rejection_type="INVALID_STATE", transient=True)
