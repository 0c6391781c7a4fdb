"""Migrating one instance safely when the network or the cluster is unreliable.

    send ──204──────────────────────────────────────────────> migrated
      ├── 429 / 503 / 500 RESOURCE_EXHAUSTED (not processed) ─> wait, send again
      ├── 409 concurrent command / pending distribution ──────> wait, send again
      ├── other 4xx ──> (an earlier attempt was unknown? read back) ─> MigrationRejected
      └── timeout / dropped connection after sending / 5xx / 504: outcome unknown
             read back: on the target ─> migrated (already-migrated-by-readback), not re-sent
                        still on the source (after a settle wait) ─> wait, send again

The read back looks at the process instance's definition key and at the definition key of
its active element instances (search results lag writes; either one on the target is proof).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Literal

import httpx

from runner.cluster.dialect import key_text
from runner.cluster.model import MigrateResult
from runner.cluster.problem import (
    MigrationOutcomeUnknown,
    MigrationRejected,
    is_transient_rejection,
    parse_problem,
)
from runner.cluster.retry import (
    Backoff,
    is_backpressure,
    request_was_sent,
    retry_after_seconds,
)
from runner.engine.state import Instruction
from runner.errors import ClusterError, ClusterUnreachable

if TYPE_CHECKING:
    from runner.cluster.client import ClusterClient
    from runner.cluster.transport import RestSession

Placement = Literal["target", "source", "unknown"]


def placement(client: ClusterClient, key: str, target_definition_key: str) -> Placement:
    """Where the instance is now: on the target definition, elsewhere, or unknown (gone)."""
    info = client.get_instance(key)
    if info is not None and info.process_definition_key == target_definition_key:
        return "target"
    rows = client.element_rows(key)
    if any(key_text(r.get("processDefinitionKey")) == target_definition_key for r in rows):
        return "target"
    return "unknown" if info is None else "source"


def settled_placement(client: ClusterClient, key: str, target_definition_key: str) -> Placement:
    """placement(), asked again after ``readback_settle`` seconds unless already on target."""
    seen = placement(client, key, target_definition_key)
    if seen != "target" and client.readback_settle > 0:
        client.session.clock.sleep(client.readback_settle)
        seen = placement(client, key, target_definition_key)
    return seen


def migrate_with_readback(client: ClusterClient, key: str, target_definition_key: str,
                          instructions: Sequence[Instruction],
                          operation_reference: int | None) -> MigrateResult:
    session = client.session
    body = client.migration_body(target_definition_key, instructions, operation_reference)
    path = f"/process-instances/{key}/migration"
    backoff = session.backoff()
    attempts = 0
    uncertain = False  # an earlier attempt may have been applied

    def read_back() -> bool:
        try:
            return settled_placement(client, key, target_definition_key) == "target"
        except ClusterError as exc:
            raise MigrationOutcomeUnknown(
                key, f"migration of process instance {key}: the outcome of attempt "
                f"{attempts} is unknown and reading the instance back failed ({exc.message})",
                attempts=attempts) from exc

    while True:
        attempts += 1
        try:
            response = session.send_once("POST", path, json=body)
        except httpx.TransportError as exc:
            if request_was_sent(exc):
                uncertain = True
                if read_back():
                    return MigrateResult(key, "already-migrated-by-readback", attempts)
            _wait(session, backoff, key, attempts, type(exc).__name__, None, uncertain)
            continue
        if response.status_code == 204:
            return MigrateResult(key, "migrated", attempts)
        if is_backpressure(response):
            _wait(session, backoff, key, attempts, f"HTTP {response.status_code}",
                  retry_after_seconds(response, session.clock.now()), uncertain)
            continue
        if response.status_code >= 500:
            uncertain = True
            if read_back():
                return MigrateResult(key, "already-migrated-by-readback", attempts)
            _wait(session, backoff, key, attempts, f"HTTP {response.status_code}", None,
                  uncertain)
            continue
        problem = parse_problem(response)
        if is_transient_rejection(problem):
            if backoff.wait():
                session.notify(f"POST {path}", f"HTTP {response.status_code} (transient "
                               "rejection)", backoff)
                continue
            raise MigrationRejected(key, problem, attempts=attempts)
        if uncertain and read_back():
            return MigrateResult(key, "already-migrated-by-readback", attempts)
        raise MigrationRejected(key, problem, attempts=attempts)


def _wait(session: RestSession, backoff: Backoff, key: str, attempts: int, what: str,
          retry_after: float | None, uncertain: bool) -> None:
    """Sleep before the next attempt (telling the retry listener), or give up past the
    deadline."""
    if backoff.wait(retry_after):
        session.notify(f"POST /process-instances/{key}/migration", what, backoff)
        return
    if uncertain:
        raise MigrationOutcomeUnknown(
            key, f"migration of process instance {key}: no definite answer within "
            f"{backoff.policy.deadline:g}s ({attempts} attempts; last: {what}); the cluster did "
            "not report the instance on the target definition", attempts=attempts)
    raise ClusterUnreachable(
        f"migration of process instance {key}: the cluster did not accept it within "
        f"{backoff.policy.deadline:g}s ({attempts} attempts; last: {what})",
        hint="the cluster is overloaded or unreachable; re-run apply later (it resumes)")
