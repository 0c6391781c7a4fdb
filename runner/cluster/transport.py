"""One HTTP session to a cluster: httpx with auth and TLS, the retry loop, error translation.

``request`` is for idempotent calls (reads and searches): it retries connection errors,
timeouts, 429/503/504 and RESOURCE_EXHAUSTED until the policy's deadline. ``send_once`` is a
single attempt for writes whose retrying needs more care (migrate, in client.py).

Until the cluster has answered anything, a request gives up after FIRST_CONTACT_DEADLINE
(or the policy's deadline when that is shorter): a wrong address or port should not keep a
user waiting for two minutes. Once it has answered, even with 503, the full deadline applies.
"""

from __future__ import annotations

import random
from dataclasses import replace
from typing import Any

import httpx

from runner import __version__
from runner.cluster.auth import build_auth
from runner.cluster.config import ClusterConfig
from runner.cluster.problem import parse_problem
from runner.cluster.retry import (
    FIRST_CONTACT_DEADLINE,
    SYSTEM_CLOCK,
    Backoff,
    Clock,
    RetryListener,
    RetryNotice,
    RetryPolicy,
    is_retryable_response,
    retry_after_seconds,
    transport_error_reason,
)
from runner.cluster.secret import scrub
from runner.cluster.tls import build_ssl_context
from runner.errors import ClusterAuthError, ClusterResponseError, ClusterUnreachable

__all__ = ["FIRST_CONTACT_DEADLINE", "RestSession", "RetryListener", "RetryNotice",
           "transport_error_reason"]

class RestSession:
    """httpx.Client plus auth, TLS, retries and translation to runner.errors."""

    def __init__(self, config: ClusterConfig, *, transport: httpx.BaseTransport | None = None,
                 clock: Clock = SYSTEM_CLOCK, policy: RetryPolicy | None = None,
                 rng: random.Random | None = None,
                 on_retry: RetryListener | None = None,
                 first_contact_deadline: float = FIRST_CONTACT_DEADLINE) -> None:
        self.config = config
        self.clock = clock
        self.policy = policy or RetryPolicy(deadline=config.retry_deadline)
        self.rng = rng or random.Random()
        self._on_retry = on_retry
        self._first_contact = replace(
            self.policy, deadline=min(self.policy.deadline, first_contact_deadline))
        self.answered = False
        """Whether the cluster has answered any request yet (then retries get the full
        deadline)."""
        verify = build_ssl_context(config)
        self._token_http = httpx.Client(transport=transport, verify=verify,
                                        timeout=config.timeout)
        auth = build_auth(config, token_http=self._token_http, clock=clock, policy=self.policy,
                          on_retry=on_retry, first_contact_deadline=first_contact_deadline)
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

    def send_once(self, method: str, path: str, *, json: Any = None,
                  timeout: float | None = None) -> httpx.Response:
        """One attempt. Raises httpx.TransportError as is; 401/403 become ClusterAuthError.
        ``timeout`` (seconds) caps this attempt below the configured timeouts."""
        if timeout is None:
            response = self.http.request(method, path, json=json)
        else:
            response = self.http.request(method, path, json=json, timeout=timeout)
        self.answered = True
        self.check_auth(response)
        return response

    def request(self, method: str, path: str, *, json: Any = None) -> httpx.Response:
        """An idempotent call with retries. Returns the response of any non-retryable status."""
        backoff = self.backoff()
        if not self.answered:
            backoff.policy = self._first_contact
        request = f"{method} {path}"
        while True:
            try:
                # Until the cluster has answered, one silent attempt may not outlast the
                # short first-contact deadline (a port that accepts and never answers).
                cap = None if self.answered else max(0.5, min(self.config.timeout,
                                                              backoff.remaining()))
                response = self.send_once(method, path, json=json, timeout=cap)
            except httpx.TransportError as exc:
                reason = scrub(transport_error_reason(exc), self.config.secrets())
                self.retry_or_give_up(backoff, request, reason, None, exc,
                                      error_kind=type(exc).__name__)
                continue
            backoff.policy = self.policy  # it answers: the full deadline
            if not is_retryable_response(response):
                return response
            self.retry_or_give_up(backoff, request, f"HTTP {response.status_code}",
                                  retry_after_seconds(response, self.clock.now()), None)

    def retry_or_give_up(self, backoff: Backoff, request: str, reason: str,
                         retry_after: float | None, error: Exception | None, *,
                         error_kind: str | None = None) -> None:
        """Wait before the next attempt (telling the listener), or raise ClusterUnreachable
        past the deadline."""
        if backoff.wait(retry_after):
            self.notify(request, reason, backoff)
            return
        last = f"{request}: {reason}" + (f" ({error_kind})" if error_kind else "")
        tried = f"{backoff.policy.deadline:g}s ({backoff.attempts + 1} attempts; last: {last})"
        if self.answered:
            message = (f"the cluster at {self.config.address} did not answer successfully "
                       f"within {tried}")
            hint = ("check the address (--cluster / CAMUNDA_REST_ADDRESS), the network and "
                    "the cluster's health")
        else:
            message = f"nothing answered at {self.config.address} within {tried}"
            hint = ("check the address and port (--cluster / CAMUNDA_REST_ADDRESS) and that "
                    "the cluster is running and reachable from here")
        raise ClusterUnreachable(scrub(message, self.config.secrets()), hint=hint) from error

    def notify(self, request: str, reason: str, backoff: Backoff) -> None:
        """Tell the ``on_retry`` listener of the retry ``backoff`` has just waited for."""
        if self._on_retry is not None:
            self._on_retry(RetryNotice(request, reason, backoff.attempts + 1,
                                       max(0.0, backoff.remaining()), self.answered))

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
