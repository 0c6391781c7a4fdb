"""The apply journal: an append-only JSON-lines file per plan, and the audit records in it.

Layout (``journal_dir`` defaults to ``.c8migrate/journal``)::

    <journal_dir>/<plan name>.jsonl   one JSON object per line, oldest first
    <journal_dir>/<plan name>.lock    present while an apply of the plan runs (runner.flow.lock)

Every line has ``event``, ``time`` (UTC, RFC 3339), ``run`` (one id per apply run), ``plan``
and ``checksum``. Events: ``started``, ``batch-created`` (written BEFORE the batch is
followed, so a crashed run can be resumed), ``batch-finished``, ``batch-unknown``,
``batch-start-unknown``, ``batch-resumed``, ``instances-failed`` (a bounded summary),
``finished``. The ``finished`` event carries the audit record of the run
under ``audit`` (see docs/audit.md and ``AuditRecord``). Lines are never rewritten.
"""

from __future__ import annotations

import getpass
import json
import os
import re
import subprocess
import tempfile
import uuid
from collections.abc import Iterator, Mapping
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from runner.errors import ConfigError, InputError
from runner.plan.model import Plan

DEFAULT_JOURNAL_DIR = Path(".c8migrate") / "journal"
_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")


def ensure_journal_dir(journal_dir: Path) -> None:
    """Create ``journal_dir`` if needed and prove a file can be written in it; ConfigError
    otherwise. Apply calls it before anything is migrated: a run whose journal cannot be
    written must not start."""
    directory = Path(journal_dir)
    try:
        directory.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(dir=directory, prefix=".write-check-"):
            pass
    except OSError as exc:
        reason = exc.strerror or type(exc).__name__
        raise ConfigError(
            f"cannot use {directory} as the journal folder: {reason}",
            hint="pass --journal-dir (or C8MIGRATE_JOURNAL_DIR) a folder apply can create "
                 "and write: the journal, locks and audit records live there") from exc


def utc_now() -> str:
    """The current time as an RFC 3339 UTC timestamp with seconds."""
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def plan_file_stem(plan_name: str) -> str:
    """The file name (without suffix) the journal and lock of ``plan_name`` use."""
    return _UNSAFE.sub("_", plan_name).strip("._") or "plan"


@dataclass(frozen=True, slots=True)
class Provenance:
    """Who applied, from which commit. Unknown parts are None."""

    commit: str | None
    actor: str | None

    @classmethod
    def detect(cls, cwd: Path | None = None, env: Mapping[str, str] | None = None) -> Provenance:
        """From CI variables (GitHub, GitLab) or git and the login name."""
        environ = os.environ if env is None else env
        commit = environ.get("GITHUB_SHA") or environ.get("CI_COMMIT_SHA") or _git_head(cwd)
        actor = (environ.get("GITHUB_ACTOR") or environ.get("GITLAB_USER_LOGIN")
                 or _login_name())
        return cls(commit=commit, actor=actor)


def _git_head(cwd: Path | None) -> str | None:
    try:
        done = subprocess.run(["git", "rev-parse", "HEAD"], cwd=cwd, capture_output=True,
                              text=True, timeout=10, check=False)
    except (OSError, subprocess.SubprocessError):
        return None
    head = done.stdout.strip()
    return head if done.returncode == 0 and head else None


def _login_name() -> str | None:
    try:
        return getpass.getuser()
    except (OSError, KeyError):
        return None


@dataclass(frozen=True, slots=True)
class AuditRecord:
    """What one apply run of one plan did: the record the PR comment and drift check read."""

    plan: str
    plan_path: str
    checksum: str
    run: str
    outcome: str
    """'migrated', 'nothing-to-migrate', 'partial', 'failed', 'unknown', 'refused' or
    'interrupted'."""
    started: str
    finished: str
    commit: str | None = None
    actor: str | None = None
    server_version: str | None = None
    mode: str | None = None
    process_definition_id: str | None = None
    tenant_id: str | None = None
    source_definition_key: str | None = None
    target_definition_key: str | None = None
    counts: Mapping[str, int] = field(default_factory=dict)
    """'matched', 'migrating', 'blocked', 'already_on_target', 'remaining_on_source' plus
    the apply outcomes ('migrated', 'rejected', 'failed', 'unknown', ...)."""
    batch_operation_keys: tuple[str, ...] = ()
    message: str | None = None

    def to_json(self) -> dict[str, Any]:
        data = asdict(self)
        data["counts"] = dict(self.counts)
        data["batch_operation_keys"] = list(self.batch_operation_keys)
        return data

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> AuditRecord:
        known = {f for f in cls.__dataclass_fields__}
        values = {k: v for k, v in data.items() if k in known}
        values["counts"] = {str(k): int(v) for k, v in dict(values.get("counts", {})).items()}
        values["batch_operation_keys"] = tuple(str(k) for k in
                                               values.get("batch_operation_keys", ()))
        return cls(**values)


@dataclass(frozen=True, slots=True)
class OpenBatch:
    """A batch operation a run created and did not see finish."""

    key: str
    run: str
    checksum: str
    selected: int
    """How many instances the batch was meant to migrate."""


@dataclass(frozen=True, slots=True)
class PendingStart:
    """A batch start whose outcome no run has learned (see PlanJournal.unresolved_starts)."""

    start_id: str
    sent_at: str
    """UTC time (ISO 8601) taken just before the request was sent."""
    run: str


class PlanJournal:
    """The journal of one plan. Appends are flushed and fsync'ed line by line."""

    def __init__(self, journal_dir: Path, plan: Plan, *, run: str | None = None) -> None:
        self.path = Path(journal_dir) / f"{plan_file_stem(plan.name)}.jsonl"
        self.plan = plan
        self.run = run or uuid.uuid4().hex[:12]

    def append(self, event: str, **fields: Any) -> dict[str, Any]:
        """Write one event line and return it."""
        record: dict[str, Any] = {"event": event, "time": utc_now(), "run": self.run,
                                  "plan": self.plan.name, "checksum": self.plan.checksum}
        record.update(fields)
        line = json.dumps(record, sort_keys=True, separators=(",", ":"), default=str)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with self.path.open("a", encoding="utf-8") as handle:
            handle.write(line + "\n")
            handle.flush()
            os.fsync(handle.fileno())
        return record

    def events(self) -> Iterator[dict[str, Any]]:
        """Every event recorded so far, oldest first."""
        return read_events(self.path)

    def open_batches(self) -> list[OpenBatch]:
        """Batches created by any run of this plan with no ``batch-finished`` event yet."""
        opened: dict[str, OpenBatch] = {}
        for event in self.events():
            key = str(event.get("batch_key", ""))
            if event.get("event") == "batch-created" and key:
                opened[key] = OpenBatch(key=key, run=str(event.get("run", "")),
                                        checksum=str(event.get("checksum", "")),
                                        selected=int(event.get("selected", 0)))
            elif event.get("event") == "batch-finished":
                opened.pop(key, None)
        return list(opened.values())

    def unresolved_starts(self) -> list[PendingStart]:
        """Batch starts that no later event resolves: the run stopped (Ctrl-C, crash) after
        ``batch-starting`` and before learning the batch key, or ended ``batch-start-unknown``.
        The server may have created a batch for them; the next run looks for it first."""
        pending: dict[str, PendingStart] = {}
        for event in self.events():
            start = str(event.get("start_id", ""))
            if not start:
                continue
            if event.get("event") == "batch-starting":
                pending[start] = PendingStart(start, str(event.get("sent_at", "")),
                                              str(event.get("run", "")))
            elif event.get("event") in ("batch-created", "batch-start-resolved"):
                pending.pop(start, None)
        return list(pending.values())

    def audit_records(self) -> list[AuditRecord]:
        return [AuditRecord.from_json(e["audit"]) for e in self.events()
                if e.get("event") == "finished" and isinstance(e.get("audit"), dict)]


def read_events(path: Path) -> Iterator[dict[str, Any]]:
    """The events of one journal file; a torn last line (a crash mid-write) is skipped."""
    if not path.is_file():
        return
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except OSError as exc:
        raise InputError(f"cannot read the journal {path}: {exc.strerror}") from exc
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            event = json.loads(line)
        except json.JSONDecodeError as exc:
            if number == len(lines):
                continue
            raise InputError(f"{path}:{number}: the journal is corrupt ({exc.msg})") from exc
        if isinstance(event, dict):
            yield event


def all_audit_records(journal_dir: Path) -> list[AuditRecord]:
    """The audit records of every plan in ``journal_dir``, oldest first."""
    records: list[AuditRecord] = []
    directory = Path(journal_dir)
    if not directory.is_dir():
        return records
    for path in sorted(directory.glob("*.jsonl")):
        records.extend(AuditRecord.from_json(e["audit"]) for e in read_events(path)
                       if e.get("event") == "finished" and isinstance(e.get("audit"), dict))
    records.sort(key=lambda r: r.finished)
    return records
