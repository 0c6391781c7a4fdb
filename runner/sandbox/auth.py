"""Authentication of the sandbox: none, HTTP basic, or OAuth2 client credentials.

``basic``: the username is the client id, the password the client secret.
``oauth``: ``POST /oauth/token`` (form: grant_type=client_credentials, client_id,
client_secret, optional audience; or the credentials as HTTP basic) answers
``{access_token, token_type: "Bearer", expires_in}``; API calls then carry
``Authorization: Bearer <token>``. Tokens expire after ``token_ttl_s``.
The secret is compared in constant time and never logged.
"""

from __future__ import annotations

import base64
import binascii
import hmac
import secrets
import threading
import time
from dataclasses import dataclass
from typing import Literal
from urllib.parse import parse_qs

AuthMode = Literal["none", "basic", "oauth"]


@dataclass(frozen=True, slots=True)
class AuthSettings:
    mode: AuthMode = "none"
    client_id: str = "c8migrate"
    client_secret: str = ""
    token_ttl_s: int = 3600

    def __repr__(self) -> str:  # keep the secret out of any log or traceback
        return f"AuthSettings(mode={self.mode!r}, client_id={self.client_id!r})"


class TokenError(ValueError):
    """The token request is refused; ``error`` is the OAuth error code."""

    def __init__(self, error: str, description: str) -> None:
        super().__init__(description)
        self.error = error
        self.description = description


def _basic_credentials(header: str | None) -> tuple[str, str] | None:
    if not header or not header.lower().startswith("basic "):
        return None
    try:
        decoded = base64.b64decode(header[6:].strip(), validate=True).decode("utf-8")
    except (binascii.Error, UnicodeDecodeError):
        return None
    user, sep, password = decoded.partition(":")
    return (user, password) if sep else None


class Authenticator:
    """Checks requests and issues tokens. Thread-safe."""

    def __init__(self, settings: AuthSettings) -> None:
        self.settings = settings
        self._tokens: dict[str, float] = {}
        self._lock = threading.Lock()

    def _valid_client(self, client_id: str, secret: str) -> bool:
        return hmac.compare_digest(client_id.encode(), self.settings.client_id.encode()) and \
            hmac.compare_digest(secret.encode(), self.settings.client_secret.encode())

    def allows(self, authorization: str | None) -> bool:
        """Whether an API request with this Authorization header may pass."""
        mode = self.settings.mode
        if mode == "none":
            return True
        if mode == "basic":
            credentials = _basic_credentials(authorization)
            return credentials is not None and self._valid_client(*credentials)
        if not authorization or not authorization.lower().startswith("bearer "):
            return False
        token = authorization[7:].strip()
        with self._lock:
            expiry = self._tokens.get(token)
            return expiry is not None and time.monotonic() < expiry

    def issue_token(self, form_body: bytes, authorization: str | None) -> dict[str, object]:
        """Answer a client-credentials token request; TokenError when refused."""
        if self.settings.mode != "oauth":
            raise TokenError("unsupported_grant_type", "the sandbox runs without OAuth")
        form = {k: v[0] for k, v in parse_qs(form_body.decode("utf-8", "replace")).items()}
        if form.get("grant_type") != "client_credentials":
            raise TokenError("unsupported_grant_type", "only client_credentials is supported")
        credentials = _basic_credentials(authorization)
        client_id, secret = credentials or (form.get("client_id", ""),
                                            form.get("client_secret", ""))
        if not self._valid_client(client_id, secret):
            raise TokenError("invalid_client", "Invalid client or Invalid client credentials")
        token = secrets.token_urlsafe(32)
        with self._lock:
            self._tokens[token] = time.monotonic() + self.settings.token_ttl_s
        return {"access_token": token, "token_type": "Bearer",
                "expires_in": self.settings.token_ttl_s, "scope": ""}

    def revoke_all(self) -> int:
        """Forget every issued token (clients must fetch a new one); how many there were."""
        with self._lock:
            count = len(self._tokens)
            self._tokens.clear()
            return count
