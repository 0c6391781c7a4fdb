"""Starting a batch migration exactly once.

``POST /v2/process-instances/migration`` is not idempotent: re-sending it after the server
created the batch creates a second batch that migrates every instance again. So the POST is
sent again only when it clearly was not acted on (the connection was refused before sending,
or the server pushed back with 429/503/RESOURCE_EXHAUSTED). When the outcome is unknown (the
connection dropped or timed out after sending, or another 5xx), the batch the server may have
created is looked for instead: ``POST /v2/batch-operations/search`` for migrations started
after the request, newest first, polled for a bounded time because that search is eventually
consistent. Found: that batch is the answer. Not found: ``BatchStartUnknown``, never success.
"""

from __future__ import annotations

from collections.abc import Collection
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

import httpx

from runner.cluster.dialect import key_text
from runner.cluster.retry import is_backpressure, request_was_sent, retry_after_seconds
from runner.errors import ClusterAuthError, ClusterError, ClusterResponseError

if TYPE_CHECKING:
    from runner.cluster.client import ClusterClient

MIGRATION_OPERATION = "MIGRATE_PROCESS_INSTANCE"
FIND_WINDOW = 30.0
"""Seconds to look for a batch whose creation was not confirmed."""
CLOCK_TOLERANCE = timedelta(seconds=1)
"""A found batch may have started this much before our request (clocks, rounding)."""
_PATH = "/process-instances/migration"


class BatchStartUnknown(ClusterResponseError):
    """The batch migration request may have created a batch, and none could be found.

    Never success: a batch may still appear and migrate the instances. The next apply's dry
    run counts whatever it migrated as already on the target."""

    def __init__(self, message: str, *, reason: str) -> None:
        super().__init__(message, hint=(
            "re-run apply: its dry run counts instances a late batch migrated as already on "
            "the target, and migrates only what is still on the source"))
        self.reason = reason


def start_batch_once(client: ClusterClient, body: dict[str, Any], *,
                     exclude: Collection[str] = (), find_window: float = FIND_WINDOW) -> str:
    """Send the batch migration request; return the batch operation key (see module doc).

    ``exclude``: batch keys known not to be this request's (earlier batches of the run).
    """
    session = client.session
    backoff = session.backoff()
    request = f"POST {_PATH}"
    while True:
        sent_at = session.clock.now()
        try:
            response = session.send_once("POST", _PATH, json=body)
        except httpx.TransportError as exc:
            if request_was_sent(exc):
                return find_started_batch(client, sent_at, exclude, find_window,
                                          reason=f"the connection failed after sending "
                                                 f"({type(exc).__name__})")
            session.retry_or_give_up(backoff, request, type(exc).__name__, None, exc)
            continue
        if is_backpressure(response):
            session.retry_or_give_up(backoff, request, f"HTTP {response.status_code}",
                                     retry_after_seconds(response, session.clock.now()), None)
            continue
        if response.status_code >= 500:
            return find_started_batch(client, sent_at, exclude, find_window,
                                      reason=f"the cluster answered HTTP "
                                             f"{response.status_code}")
        answer = session.expect_json(response)
        key = key_text(answer.get("batchOperationKey"))
        if key is None:
            raise ClusterResponseError("the batch migration answer has no batchOperationKey")
        return key


def find_started_batch(client: ClusterClient, sent_at: datetime, exclude: Collection[str],
                       window: float, *, reason: str) -> str:
    """The newest migration batch started at or after ``sent_at`` that is not in
    ``exclude``, polled for up to ``window`` seconds; else BatchStartUnknown."""
    clock = client.session.clock
    deadline = clock.monotonic() + window
    since = sent_at - CLOCK_TOLERANCE
    interval = 0.25
    while True:
        try:
            found = _newest_after(client, since, exclude)
        except ClusterAuthError:
            raise
        except ClusterError as exc:
            raise BatchStartUnknown(
                f"the batch migration request's outcome is unknown ({reason}), and searching "
                f"for the batch it may have created failed: {exc.message}",
                reason=reason) from exc
        if found is not None:
            return found
        remaining = deadline - clock.monotonic()
        if remaining <= 0:
            raise BatchStartUnknown(
                f"the batch migration request's outcome is unknown ({reason}), and no batch "
                f"operation started by it appeared within {window:g} s; it may still appear "
                "and migrate the instances", reason=reason)
        clock.sleep(min(interval, remaining))
        interval = min(2.0, interval * 1.5)


def _newest_after(client: ClusterClient, since: datetime,
                  exclude: Collection[str]) -> str | None:
    query = {"filter": {"operationType": MIGRATION_OPERATION},
             "sort": [{"field": "startDate", "order": "DESC"}], "page": {"limit": 50}}
    answer = client.session.json("POST", "/batch-operations/search", json=query)
    for item in answer.get("items") or []:
        if not isinstance(item, dict):
            continue
        key = key_text(item.get("batchOperationKey"))
        started = _parse_time(item.get("startDate"))
        if key is None or key in exclude or started is None:
            continue
        if started >= since:
            return key
    return None


def _parse_time(value: Any) -> datetime | None:
    if not isinstance(value, str):
        return None
    try:
        moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    return moment if moment.tzinfo is not None else None
