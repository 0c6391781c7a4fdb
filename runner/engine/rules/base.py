"""What a rule unit is: a coded check with its documentation, registered in one list.

A rule is a function decorated with :func:`rule`. Its docstring is the user documentation
(``c8migrate rules`` and docs/rules.md are generated from it): the first line is the title,
the rest says what Zeebe does, since which version, an example and how to fix the plan.

Rejection rules (``Z`` codes) return a :class:`~runner.engine.state.Rejection` or None.
Warning rules (``W`` codes) return the notes that apply. Note rules (``N`` codes) document
runtime-only checks that offline validation cannot decide; they have no check function.
"""

from __future__ import annotations

import enum
import inspect
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from runner.engine.state import Note, Rejection, RejectionType
from runner.engine.visit import Visit
from runner.version import ServerVersion


class Stage(enum.Enum):
    """Where in Zeebe's processing of the MIGRATE command a rule runs (reference E14)."""

    COMMAND = "command"
    """Once per command, before any element instance is visited."""
    ELEMENT = "element"
    """Per active element instance, breadth first from the process instance."""
    GATEWAYS = "gateways"
    """Per scope instance: the joining gateways inside it that hold taken flows."""
    CONVERSION = "conversion"
    """Per element instance: the job-worker to Camunda user task conversion."""
    CATCH_EVENTS = "catch-events"
    """Per element instance: closing, migrating and opening catch-event subscriptions."""
    TRAP = "trap"
    """Per accepted element instance: silent traps Zeebe accepts (warnings)."""
    RUNTIME = "runtime"
    """Documentation of a runtime-only check that offline validation cannot decide."""
    PLAN = "plan"
    """Offline validation, once per plan: a note about the plan as a whole."""


RejectionCheck = Callable[[Visit], Rejection | None]
WarningCheck = Callable[[Visit], Iterable[Note]]


@dataclass(frozen=True, slots=True)
class Rule:
    """One registered rule unit."""

    code: str
    stage: Stage
    doc: str
    since: str | None = None
    """First server version that runs the check (None: every version we know)."""
    until: str | None = None
    """Last minor version that runs the check (historic rules), e.g. '8.5'."""
    rejection_type: RejectionType | None = None
    transient: bool = False
    check: RejectionCheck | None = None
    warn: WarningCheck | None = None
    request_only: bool = False
    """A command check whose verdict depends on the request and the instance key only, not
    on the rest of the snapshot: judge() runs it once per request and key."""

    @property
    def title(self) -> str:
        """The first line of the documentation."""
        return self.doc.splitlines()[0].strip() if self.doc else self.code

    @property
    def body(self) -> str:
        """The documentation after the title line."""
        return "\n".join(self.doc.splitlines()[1:]).strip()

    @property
    def kind(self) -> str:
        """'rejection', 'warning' or 'note' (from the code's family letter)."""
        return {"Z": "rejection", "W": "warning", "N": "note"}[self.code[0]]

    def applies_to(self, server: ServerVersion) -> bool:
        """Whether a server of this version runs the rule at all."""
        if self.since is not None and server < ServerVersion.parse(self.since):
            return False
        if self.until is not None:
            last = ServerVersion.parse(self.until)
            if (server.major, server.minor) > (last.major, last.minor):
                return False
        return True


_REGISTERED: list[Rule] = []


def registered() -> tuple[Rule, ...]:
    """Every rule registered so far, in registration order (which is Zeebe's order)."""
    return tuple(_REGISTERED)


def rule(code: str, stage: Stage, *, since: str | None = None, until: str | None = None,
         rejection_type: RejectionType | None = None,
         transient: bool = False,
         request_only: bool = False) -> Callable[[RejectionCheck], RejectionCheck]:
    """Register a rejection rule; the decorated function is its check. ``request_only``
    (command stage only) says the check reads nothing of the snapshot but its key."""
    if request_only and stage is not Stage.COMMAND:
        raise ValueError(f"{code}: only command checks can be request-only")

    def register(check: RejectionCheck) -> RejectionCheck:
        _REGISTERED.append(Rule(code, stage, inspect.getdoc(check) or "", since, until,
                                rejection_type, transient, check=check,
                                request_only=request_only))
        return check

    return register


def warning(code: str, *, since: str | None = None,
            until: str | None = None) -> Callable[[WarningCheck], WarningCheck]:
    """Register a warning rule (a silent trap Zeebe accepts)."""

    def register(warn: WarningCheck) -> WarningCheck:
        _REGISTERED.append(Rule(code, Stage.TRAP, inspect.getdoc(warn) or "", since, until,
                                warn=warn))
        return warn

    return register


def note(code: str, doc: str, *, since: str | None = None, until: str | None = None,
         stage: Stage = Stage.RUNTIME, rejection_type: RejectionType | None = None,
         transient: bool = False) -> None:
    """Register the documentation of a check that has no check function here: a runtime-only
    note (N code), or a rejection only callers that look things up can produce (Z03)."""
    _REGISTERED.append(Rule(code, stage, inspect.cleandoc(doc), since, until,
                            rejection_type, transient))
