"""Runtime-only checks, documented so offline validation has no silent gaps."""

from __future__ import annotations

from runner.engine.rules.base import Stage, note

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

note("N21", """8.4 rejects instances with an incident and child instances (Z21A, Z21B)

    Zeebe 8.4 refuses to migrate a process instance that a call activity created (Z21A) and
    an instance with an incident on an active element (Z21B). Offline validation has no
    instances, so on 8.4 it notes this once per plan; the dry run and apply judge every
    instance and report those it rejects. From 8.5 on neither is an obstacle.
    Example: `c8migrate validate --server-version 8.4 plans/order.yaml` on a plan whose
    source process has call activities or jobs that can fail.
    Fix: resolve incidents before applying, migrate parent instances only, or upgrade the
    cluster to 8.5 or later.""", since="8.4", until="8.4", stage=Stage.PLAN,
     rejection_type="INVALID_STATE")

note("N00", """The server is newer than the newest rules c8migrate knows

    `--server-version` accepts any version from 8.4 on. For a version newer than the newest
    one whose migration rules c8migrate knows, validation judges with those newest rules and
    notes it once per plan: a newer Zeebe may allow more (new element types) or word its
    rejections differently.
    Example: `c8migrate validate --server-version 9.0 plans/` notes that the rules of the
    newest known version were used.
    Fix: none needed; upgrade c8migrate for the rules of the newer version.""",
     stage=Stage.PLAN)
