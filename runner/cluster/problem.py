"""RFC 9457 problem details, and the migration rejection that carries one verbatim."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any

import httpx

from runner.errors import ClusterResponseError

# Zeebe's retry-able migrate rejections (R17, R18a): the engine asks the caller to retry.
_TRANSIENT = (
    re.compile(r"concurrent command.*Please retry", re.IGNORECASE | re.DOTALL),
    re.compile(r"pending message subscription migration distribution", re.IGNORECASE),
)


@dataclass(frozen=True, slots=True)
class ProblemDetail:
    """The parts of an ``application/problem+json`` body we use; missing ones are None."""

    status: int
    title: str | None = None
    detail: str | None = None
    type: str | None = None
    instance: str | None = None

    def as_dict(self) -> dict[str, Any]:
        return {"type": self.type, "title": self.title, "status": self.status,
                "detail": self.detail, "instance": self.instance}

    def summary(self) -> str:
        """``title: detail`` (or whichever exists), for one-line messages."""
        parts = [p for p in (self.title, self.detail) if p]
        return ": ".join(parts) if parts else f"HTTP {self.status}"


def parse_problem(response: httpx.Response) -> ProblemDetail:
    """The problem detail of an error response; a plain-text body becomes ``detail``."""
    title = detail = ptype = instance = None
    text = response.text
    try:
        body = json.loads(text) if text else None
    except ValueError:
        body = None
    if isinstance(body, dict):
        title = _str(body.get("title"))
        detail = _str(body.get("detail"))
        ptype = _str(body.get("type"))
        instance = _str(body.get("instance"))
        if detail is None and title is None:
            detail = _str(body.get("message")) or _str(body.get("error"))
    elif text.strip():
        detail = text.strip()[:2000]
    return ProblemDetail(response.status_code, title, detail, ptype, instance)


def _str(value: Any) -> str | None:
    return value if isinstance(value, str) else None


def is_resource_exhausted(problem: ProblemDetail) -> bool:
    """Backpressure: RESOURCE_EXHAUSTED in the title or detail."""
    return any("RESOURCE_EXHAUSTED" in (p or "") for p in (problem.title, problem.detail))


def is_transient_rejection(problem: ProblemDetail) -> bool:
    """A 409 whose detail says Zeebe wants the command retried (concurrent command, pending
    message subscription distribution)."""
    text = problem.detail or ""
    return problem.status == 409 and any(p.search(text) for p in _TRANSIENT)


class MigrationRejected(ClusterResponseError):
    """The cluster refused to migrate one instance. ``title`` and ``detail`` are verbatim.

    This is a per-instance outcome, not a failure of the run: apply records it and goes on.
    """

    def __init__(self, instance_key: str, problem: ProblemDetail, *,
                 attempts: int = 1) -> None:
        super().__init__(
            f"migration of process instance {instance_key} rejected "
            f"(HTTP {problem.status}): {problem.summary()}",
            status=problem.status, problem=problem.as_dict(),
        )
        self.instance_key = instance_key
        self.title = problem.title
        self.detail = problem.detail
        self.transient = is_transient_rejection(problem)
        self.attempts = attempts


class DefinitionNotFound(ClusterResponseError):
    """No deployed process definition matches (process id, version or tag, tenant)."""


class MigrationOutcomeUnknown(ClusterResponseError):
    """A migrate request may or may not have been applied, and reading the instance back
    failed too. Never treat it as success; a later run (or a read back) decides."""

    def __init__(self, instance_key: str, message: str, *, attempts: int = 1) -> None:
        super().__init__(message)
        self.instance_key = instance_key
        self.attempts = attempts
