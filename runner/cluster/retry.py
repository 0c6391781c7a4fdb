"""Jittered exponential backoff with a total deadline, and what is worth retrying.

Retried: connection errors and timeouts; 503; 504; 429 (Retry-After honoured, in seconds or
as an HTTP date); 500 whose body says RESOURCE_EXHAUSTED; and, for migrate only, Zeebe's
transient 409 rejections. Never any other 4xx. Whether a *write* may be re-sent after an
unknown outcome is decided by the client (it reads the instance back first), not here.
"""

from __future__ import annotations

import random
import re
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import Protocol

import httpx

from runner.cluster.problem import is_resource_exhausted, parse_problem

RETRYABLE_STATUS = frozenset({429, 503, 504})

FIRST_CONTACT_DEADLINE = 10.0
"""Seconds a request may retry before the cluster has answered anything at all."""


@dataclass(frozen=True, slots=True)
class RetryNotice:
    """One retry a session is about to make; secret-free (method, path, status, error kind)."""

    request: str
    """Method and path, e.g. ``GET /topology``."""
    reason: str
    """``HTTP 503``, or the connection error, e.g. ``connection refused``."""
    attempt: int
    """The attempt about to be made (2 for the first retry)."""
    remaining: float
    """Seconds left before the request gives up."""
    answered: bool
    """Whether the server has answered any request of this session yet."""
    server: str = "the cluster"
    """Who is asked: the cluster, or its OAuth token endpoint."""

    def describe(self) -> str:
        """One line for a person watching, e.g. on stderr."""
        if self.reason.startswith("HTTP "):
            what = f"{self.server} answered {self.request} with {self.reason}"
        else:
            what = f"{self.server} did not answer {self.request} ({self.reason})"
        return f"{what}; retrying for up to {round(self.remaining)} s more"


RetryListener = Callable[[RetryNotice], None]
"""Called before each retry of an idempotent request (the CLI prints a throttled line)."""


def transport_error_reason(error: httpx.TransportError) -> str:
    """A short reason for a connection error: 'connection refused', 'timed out', ..."""
    if isinstance(error, httpx.TimeoutException):
        return "timed out"
    text = re.sub(r"^\[Errno -?\d+\]\s*", "", str(error)).strip()
    if not text:
        return type(error).__name__
    return text[0].lower() + text[1:]


class Clock(Protocol):
    """Time as the retry loop sees it; tests inject a fake one that does not sleep."""

    def monotonic(self) -> float: ...

    def sleep(self, seconds: float) -> None: ...

    def now(self) -> datetime: ...


class SystemClock:
    """The real clock."""

    def monotonic(self) -> float:
        return time.monotonic()

    def sleep(self, seconds: float) -> None:
        if seconds > 0:
            time.sleep(seconds)

    def now(self) -> datetime:
        return datetime.now(UTC)


SYSTEM_CLOCK = SystemClock()


@dataclass(frozen=True, slots=True)
class RetryPolicy:
    """Backoff: ``initial * multiplier**n`` capped at ``max_delay``, jittered to between
    ``(1 - jitter)`` and 1 times that, and never past ``deadline`` seconds in total."""

    initial: float = 0.2
    multiplier: float = 2.0
    max_delay: float = 10.0
    jitter: float = 0.5
    deadline: float = 120.0
    max_retry_after: float = 60.0
    """A server's Retry-After is honoured up to this many seconds (and the deadline)."""

    def delay(self, attempt: int, rng: random.Random) -> float:
        """The wait before retry number ``attempt`` (1-based), without the deadline cap."""
        base = min(self.max_delay, self.initial * self.multiplier ** max(0, attempt - 1))
        return base * (1.0 - self.jitter * rng.random())


@dataclass(slots=True)
class Backoff:
    """The retry state of one logical call: counts attempts and watches the deadline."""

    policy: RetryPolicy
    clock: Clock
    rng: random.Random = field(default_factory=random.Random)
    started: float = -1.0
    attempts: int = 0

    def __post_init__(self) -> None:
        self.started = self.clock.monotonic()

    def remaining(self) -> float:
        return self.policy.deadline - (self.clock.monotonic() - self.started)

    def wait(self, retry_after: float | None = None) -> bool:
        """Sleep before the next attempt. False (without sleeping) when the deadline would
        pass first: the caller gives up."""
        self.attempts += 1
        delay = self.policy.delay(self.attempts, self.rng)
        if retry_after is not None:
            delay = max(delay, min(retry_after, self.policy.max_retry_after))
        if delay > self.remaining():
            return False
        self.clock.sleep(delay)
        return True


def retry_after_seconds(response: httpx.Response, now: datetime) -> float | None:
    """The Retry-After header as seconds from ``now`` (delta-seconds or an HTTP date)."""
    value = response.headers.get("retry-after")
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - now).total_seconds())


def is_backpressure(response: httpx.Response) -> bool:
    """The server refused before doing anything (429, 503, 500 RESOURCE_EXHAUSTED):
    re-sending is always safe, even for writes."""
    if response.status_code in (429, 503):
        return True
    return response.status_code == 500 and is_resource_exhausted(parse_problem(response))


def is_retryable_response(response: httpx.Response) -> bool:
    """Worth another attempt for an idempotent request."""
    return response.status_code in RETRYABLE_STATUS or is_backpressure(response)


def request_was_sent(error: httpx.TransportError) -> bool:
    """Whether the server may have received (and acted on) the request.

    Connect errors and pool timeouts happen before anything is sent; read/write errors,
    read timeouts and protocol errors (a dropped connection) may come after.
    """
    return not isinstance(error, httpx.ConnectError | httpx.ConnectTimeout | httpx.PoolTimeout)
