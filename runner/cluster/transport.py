"""One HTTP session to a cluster: httpx with auth and TLS, the retry loop, error translation.

``request`` is for idempotent calls (reads and searches): it retries connection errors,
timeouts, 429/503/504 and RESOURCE_EXHAUSTED until the policy's deadline. ``send_once`` is a
single attempt for writes whose retrying needs more care (migrate, in client.py).
"""

from __future__ import annotations

import random
from collections.abc import Callable
from typing import Any

import httpx

from runner import __version__
from runner.cluster.auth import build_auth
from runner.cluster.config import ClusterConfig
from runner.cluster.problem import parse_problem
from runner.cluster.retry import (
    SYSTEM_CLOCK,
    Backoff,
    Clock,
    RetryPolicy,
    is_retryable_response,
    retry_after_seconds,
)
from runner.cluster.secret import scrub
from runner.cluster.tls import build_ssl_context
from runner.errors import ClusterAuthError, ClusterResponseError, ClusterUnreachable

RetryListener = Callable[[str], None]
"""Called with a one-line, secret-free description of each retry (for verbose output)."""


class RestSession:
    """httpx.Client plus auth, TLS, retries and translation to runner.errors."""

    def __init__(self, config: ClusterConfig, *, transport: httpx.BaseTransport | None = None,
                 clock: Clock = SYSTEM_CLOCK, policy: RetryPolicy | None = None,
                 rng: random.Random | None = None,
                 on_retry: RetryListener | None = None) -> None:
        self.config = config
        self.clock = clock
        self.policy = policy or RetryPolicy(deadline=config.retry_deadline)
        self.rng = rng or random.Random()
        self._on_retry = on_retry
        verify = build_ssl_context(config)
        self._token_http = httpx.Client(transport=transport, verify=verify,
                                        timeout=config.timeout)
        auth = build_auth(config, token_http=self._token_http, clock=clock, policy=self.policy)
        self.http = httpx.Client(
            base_url=config.address, transport=transport, verify=verify,
            timeout=config.timeout, auth=auth,
            headers={"Accept": "application/json", "User-Agent": f"c8migrate/{__version__}"},
        )

    def close(self) -> None:
        self.http.close()
        self._token_http.close()

    def backoff(self) -> Backoff:
        return Backoff(self.policy, self.clock, random.Random(self.rng.random()))

    def send_once(self, method: str, path: str, *, json: Any = None) -> httpx.Response:
        """One attempt. Raises httpx.TransportError as is; 401/403 become ClusterAuthError."""
        response = self.http.request(method, path, json=json)
        self.check_auth(response)
        return response

    def request(self, method: str, path: str, *, json: Any = None) -> httpx.Response:
        """An idempotent call with retries. Returns the response of any non-retryable status."""
        backoff = self.backoff()
        while True:
            try:
                response = self.send_once(method, path, json=json)
            except httpx.TransportError as exc:
                self.retry_or_give_up(backoff, f"{method} {path}: {type(exc).__name__}",
                                      None, exc)
                continue
            if not is_retryable_response(response):
                return response
            self.retry_or_give_up(backoff, f"{method} {path}: HTTP {response.status_code}",
                                  retry_after_seconds(response, self.clock.now()), None)

    def retry_or_give_up(self, backoff: Backoff, what: str, retry_after: float | None,
                         error: Exception | None) -> None:
        """Wait before the next attempt, or raise ClusterUnreachable past the deadline."""
        if backoff.wait(retry_after):
            if self._on_retry is not None:
                self._on_retry(f"retrying after {what} (attempt {backoff.attempts + 1})")
            return
        message = (f"the cluster at {self.config.address} did not answer successfully within "
                   f"{self.policy.deadline:g}s ({backoff.attempts + 1} attempts; last: {what})")
        raise ClusterUnreachable(
            scrub(message, self.config.secrets()),
            hint="check the address (--cluster / CAMUNDA_REST_ADDRESS), the network and the "
                 "cluster's health",
        ) from error

    def check_auth(self, response: httpx.Response) -> None:
        if response.status_code == 401:
            raise ClusterAuthError(
                f"the cluster at {self.config.address} refused our credentials (HTTP 401, auth "
                f"strategy {self.config.auth_strategy})",
                hint="check --auth-strategy / CAMUNDA_AUTH_STRATEGY and the credentials",
            )
        if response.status_code == 403:
            problem = parse_problem(response)
            raise ClusterAuthError(
                scrub(f"the cluster at {self.config.address} forbids "
                      f"{response.request.method} {response.request.url.path} (HTTP 403: "
                      f"{problem.summary()})", self.config.secrets()),
                hint="the client needs the permissions listed in docs/cluster.md",
            )

    def json(self, method: str, path: str, *, json: Any = None) -> dict[str, Any]:
        """An idempotent call that must answer 200 with a JSON object."""
        response = self.request(method, path, json=json)
        return self.expect_json(response)

    def expect_json(self, response: httpx.Response) -> dict[str, Any]:
        if response.status_code != 200:
            raise self.unexpected(response)
        try:
            body = response.json()
        except ValueError as exc:
            raise ClusterResponseError(
                f"{response.request.method} {response.request.url.path} answered 200 with a "
                "body that is not JSON", status=200) from exc
        if not isinstance(body, dict):
            raise ClusterResponseError(
                f"{response.request.method} {response.request.url.path} answered 200 with "
                "JSON that is not an object", status=200)
        return body

    def unexpected(self, response: httpx.Response) -> ClusterResponseError:
        problem = parse_problem(response)
        return ClusterResponseError(
            scrub(f"{response.request.method} {response.request.url.path} failed with HTTP "
                  f"{response.status_code}: {problem.summary()}", self.config.secrets()),
            status=response.status_code, problem=problem.as_dict(),
        )
