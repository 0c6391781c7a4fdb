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

REGISTRY: tuple[Rule, ...] = registered()
"""All rules: rejections (Z), warnings (W), runtime-only notes (N)."""

BY_CODE: dict[str, Rule] = {}
"""The first rule registered under each code. Z11 has two units: the 8.4/8.5 command-level
check and the 8.6+ per-container check; both report the same concept."""
for _rule in REGISTRY:
    BY_CODE.setdefault(_rule.code, _rule)

__all__ = ["BY_CODE", "REGISTRY", "Rule", "Stage"]
