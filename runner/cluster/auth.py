"""Authentication strategies as httpx auth flows: NONE, BASIC, BEARER and OAUTH.

OAUTH is the client-credentials grant: a form POST of grant_type, client_id, client_secret,
audience (and scope, when set) to the token URL. The token is cached until shortly before
``expires_in`` runs out; when the API answers 401 anyway (revoked, clock skew) the token is
fetched again once and the request re-sent once. Like API requests, token requests give up
after FIRST_CONTACT_DEADLINE while the token endpoint has never answered.
"""

from __future__ import annotations

import base64
import threading
from collections.abc import Generator
from dataclasses import replace

import httpx

from runner.cluster.config import ClusterConfig
from runner.cluster.retry import (
    FIRST_CONTACT_DEADLINE,
    Backoff,
    Clock,
    RetryListener,
    RetryNotice,
    RetryPolicy,
    is_retryable_response,
    transport_error_reason,
)
from runner.cluster.secret import Secret, scrub
from runner.errors import ClusterAuthError, ClusterUnreachable, ConfigError

EXPIRY_MARGIN_MAX = 30.0
"""Refresh at most this many seconds before the token expires (less for short tokens)."""


class BasicAuth(httpx.Auth):
    """HTTP basic authentication with a user name and a secret password."""

    def __init__(self, username: str, password: Secret) -> None:
        self._username = username
        self._password = password

    def auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response, None]:
        pair = f"{self._username}:{self._password.reveal()}".encode()
        request.headers["Authorization"] = "Basic " + base64.b64encode(pair).decode("ascii")
        yield request

    def __repr__(self) -> str:
        return f"BasicAuth(username={self._username!r}, password=***)"


class BearerAuth(httpx.Auth):
    """A given bearer token (CAMUNDA_OAUTH_TOKEN), sent as is and never refreshed."""

    def __init__(self, token: Secret) -> None:
        self._token = token

    def auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response, None]:
        request.headers["Authorization"] = f"Bearer {self._token.reveal()}"
        yield request

    def __repr__(self) -> str:
        return "BearerAuth(token=***)"


class OAuthClientCredentials(httpx.Auth):
    """OAuth 2 client credentials with a cached token, refreshed once on a 401."""

    def __init__(self, *, token_url: str, client_id: str, client_secret: Secret, audience: str,
                 scope: str | None, http: httpx.Client, clock: Clock,
                 policy: RetryPolicy, on_retry: RetryListener | None = None,
                 first_contact_deadline: float = FIRST_CONTACT_DEADLINE) -> None:
        self._token_url = token_url
        self._client_id = client_id
        self._client_secret = client_secret
        self._audience = audience
        self._scope = scope
        self._http = http
        self._clock = clock
        self._policy = policy
        self._first_contact = replace(policy, deadline=min(policy.deadline,
                                                           first_contact_deadline))
        self._on_retry = on_retry
        self._answered = False
        self._lock = threading.Lock()
        self._token: Secret | None = None
        self._valid_until = 0.0
        self.fetches = 0
        """How many tokens were fetched (observable in tests)."""

    def __repr__(self) -> str:
        return (f"OAuthClientCredentials(token_url={self._token_url!r}, "
                f"client_id={self._client_id!r}, client_secret=***)")

    def auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response, None]:
        token = self._current_token()
        request.headers["Authorization"] = f"Bearer {token.reveal()}"
        response = yield request
        if response.status_code == 401:
            fresh = self._refresh(stale=token)
            request.headers["Authorization"] = f"Bearer {fresh.reveal()}"
            yield request

    def _current_token(self) -> Secret:
        with self._lock:
            if self._token is None or self._clock.monotonic() >= self._valid_until:
                self._fetch()
            assert self._token is not None
            return self._token

    def _refresh(self, stale: Secret) -> Secret:
        with self._lock:
            if self._token is None or self._token == stale:  # another thread may have done it
                self._fetch()
            assert self._token is not None
            return self._token

    def _fetch(self) -> None:
        form = {"grant_type": "client_credentials", "client_id": self._client_id,
                "client_secret": self._client_secret.reveal(), "audience": self._audience}
        if self._scope:
            form["scope"] = self._scope
        backoff = Backoff(self._policy if self._answered else self._first_contact, self._clock)
        while True:
            try:
                response = self._http.post(self._token_url, data=form,
                                           headers={"Accept": "application/json"})
            except httpx.TransportError as exc:
                reason = scrub(transport_error_reason(exc), [self._client_secret])
                if backoff.wait():
                    self._tell(reason, backoff)
                    continue
                raise ClusterUnreachable(
                    f"cannot reach the OAuth token endpoint {self._token_url} within "
                    f"{backoff.policy.deadline:g}s ({backoff.attempts + 1} attempts; last: "
                    f"{reason} ({type(exc).__name__}))",
                    hint="check CAMUNDA_OAUTH_URL / --oauth-url and the network",
                ) from None
            self._answered = True
            backoff.policy = self._policy
            retryable = is_retryable_response(response) or response.status_code >= 500
            if retryable and backoff.wait():
                self._tell(f"HTTP {response.status_code}", backoff)
                continue
            break
        self.fetches += 1
        if response.status_code != 200:
            raise ClusterAuthError(self._refusal(response),
                                   hint="check the client id and secret "
                                   "(CAMUNDA_CLIENT_ID / CAMUNDA_CLIENT_SECRET) and the "
                                   "token URL and audience")
        try:
            body = response.json()
            token = body["access_token"]
            lifetime = float(body.get("expires_in", 300))
        except (ValueError, KeyError, TypeError) as exc:
            raise ClusterAuthError(
                f"the OAuth token endpoint {self._token_url} answered 200 without an "
                "access_token") from exc
        margin = min(EXPIRY_MARGIN_MAX, lifetime * 0.1)
        self._token = Secret(str(token))
        self._valid_until = self._clock.monotonic() + max(0.0, lifetime - margin)

    def _tell(self, reason: str, backoff: Backoff) -> None:
        if self._on_retry is not None:
            path = httpx.URL(self._token_url).path or "/"
            self._on_retry(RetryNotice(f"POST {path}", reason, backoff.attempts + 1,
                                       max(0.0, backoff.remaining()), self._answered,
                                       server="the OAuth token endpoint"))

    def _refusal(self, response: httpx.Response) -> str:
        reason = ""
        try:
            body = response.json()
        except ValueError:
            body = None
        if isinstance(body, dict):
            parts = [str(body[k]) for k in ("error", "error_description") if body.get(k)]
            reason = ": " + " - ".join(parts) if parts else ""
        elif response.text.strip():
            reason = ": " + response.text.strip()[:200]
        text = (f"the OAuth token endpoint {self._token_url} refused the client credentials "
                f"of client {self._client_id!r} (HTTP {response.status_code}{reason})")
        return scrub(text, [self._client_secret])


def build_auth(config: ClusterConfig, *, token_http: httpx.Client, clock: Clock,
               policy: RetryPolicy, on_retry: RetryListener | None = None,
               first_contact_deadline: float = FIRST_CONTACT_DEADLINE) -> httpx.Auth | None:
    """The httpx auth flow for ``config.auth_strategy`` (None for NONE); ``on_retry`` hears
    of token request retries."""
    if config.auth_strategy == "NONE":
        return None
    if config.auth_strategy == "BASIC":
        if not config.username or config.password is None:
            raise ConfigError("auth strategy BASIC needs a user name and a password")
        return BasicAuth(config.username, config.password)
    if config.auth_strategy == "BEARER":
        if config.token is None:
            raise ConfigError("auth strategy BEARER needs a token")
        return BearerAuth(config.token)
    if not config.client_id or config.client_secret is None:
        raise ConfigError("auth strategy OAUTH needs a client id and a client secret")
    return OAuthClientCredentials(
        token_url=config.oauth_url, client_id=config.client_id,
        client_secret=config.client_secret, audience=config.audience, scope=config.scope,
        http=token_http, clock=clock, policy=policy, on_retry=on_retry,
        first_contact_deadline=first_contact_deadline,
    )

