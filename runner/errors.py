"""Exceptions for failures a run cannot continue from. Everything else is a Finding.

    RunnerError                      base; carries a one-line message and an optional hint
    ├── ConfigError                  bad options, environment or config file           -> exit 2
    ├── InputError                   unreadable/malformed input files (plan, BPMN, seed) -> exit 2
    │   └── BpmnLoadError            carries the located Finding describing the problem
    ├── ClusterError                 talking to the cluster failed                      -> exit 2
    │   ├── ClusterUnreachable       connection/timeouts after retries
    │   ├── ClusterAuthError         401/403, token endpoint refused the credentials
    │   ├── UnsupportedServerVersion the server is older than what we support
    │   └── ClusterResponseError     an unexpected status/body (problem detail kept)
    ├── LockHeld                     another apply of the same plan is in flight        -> exit 2
    └── DriftDetected                live state differs from what was reviewed          -> exit 4

Each layer raises only these (translating foreign exceptions with ``raise ... from``);
the CLI maps them to exit codes in runner/cli/errors.py.
"""

from __future__ import annotations

from typing import Any

from runner.findings import Finding


class RunnerError(Exception):
    """Base of every error this package raises on purpose."""

    def __init__(self, message: str, *, hint: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint


class ConfigError(RunnerError):
    """The command line, environment or config file is wrong."""


class InputError(RunnerError):
    """An input file cannot be read or parsed at all."""

    def __init__(self, message: str, *, hint: str | None = None,
                 findings: tuple[Finding, ...] = ()) -> None:
        super().__init__(message, hint=hint)
        self.findings = findings


class BpmnLoadError(InputError):
    """A BPMN file is unreadable, malformed, hostile or has no usable process."""


class ClusterError(RunnerError):
    """Talking to the cluster failed in a way the run cannot continue from."""


class ClusterUnreachable(ClusterError):
    """Connection errors or timeouts persisted past the retry deadline."""


class ClusterAuthError(ClusterError):
    """The cluster or the token endpoint rejected our credentials."""


class UnsupportedServerVersion(ClusterError):
    """The server is a version this tool cannot drive."""


class ClusterResponseError(ClusterError):
    """An unexpected HTTP status or body. ``problem`` is the parsed problem detail, if any."""

    def __init__(self, message: str, *, status: int | None = None,
                 problem: dict[str, Any] | None = None, hint: str | None = None) -> None:
        super().__init__(message, hint=hint)
        self.status = status
        self.problem = problem


class LockHeld(RunnerError):
    """Another apply of the same plan is in flight (lock file or active batch operation)."""


class DriftDetected(RunnerError):
    """Live state drifted from what was reviewed beyond the plan's guards."""

    def __init__(self, message: str, *, reasons: tuple[str, ...] = (),
                 hint: str | None = None) -> None:
        super().__init__(message, hint=hint)
        self.reasons = reasons
