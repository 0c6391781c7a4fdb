"""Every rule, in Zeebe's order. Adding a rule is adding one decorated function.

Importing the rule modules registers their rules; the import order below is the order
in which rules of the same stage run.
"""

from __future__ import annotations

from runner.engine.rules import (  # noqa: F401  (imported for registration)
    command,
    element,
    events,
    gateways,
    notes,
    subscriptions,
    traps,
    traps_tasks,
)
from runner.engine.rules.base import Rule, Stage, registered
from runner.engine.versions import newest_table_version
from runner.version import NEWEST, ServerVersion

REGISTRY: tuple[Rule, ...] = registered()
"""All rules: rejections (Z), warnings (W), runtime-only notes (N)."""

BY_CODE: dict[str, Rule] = {}
"""The first rule registered under each code. Z11 has two units: the 8.4/8.5 command-level
check and the 8.6+ per-container check; both report the same concept."""
for _rule in REGISTRY:
    BY_CODE.setdefault(_rule.code, _rule)

NEWEST_RULES: ServerVersion = max(
    [NEWEST, newest_table_version(),
     *(ServerVersion.parse(v) for r in REGISTRY for v in (r.since, r.until) if v)])
"""The newest minor version whose migration rules are known: a newer server is judged with
these rules (and offline validation says so, N00)."""


def judged_version(server: ServerVersion) -> ServerVersion:
    """The version whose rules judge ``server``: itself, or NEWEST_RULES when it is newer."""
    if (server.major, server.minor) > (NEWEST_RULES.major, NEWEST_RULES.minor):
        return NEWEST_RULES
    return server


__all__ = ["BY_CODE", "NEWEST_RULES", "REGISTRY", "Rule", "Stage", "judged_version"]
