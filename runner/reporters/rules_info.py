"""Titles and descriptions of finding codes, read defensively from the engine's rule registry.

Reporters must render every finding, including codes the registry does not know (plan and
BPMN loader codes, codes of rules added later, or a registry that failed to import), so every
lookup here falls back to a title derived from the code's family.
"""

from __future__ import annotations

import functools
import importlib
import inspect
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

_FAMILY_TITLES: Mapping[str, str] = {
    "P": "Plan file problem",
    "B": "BPMN file problem",
    "Z": "Zeebe would reject the migration",
    "W": "Accepted by Zeebe but a silent trap",
    "N": "Runtime-only rule (decided by the cluster)",
}
_TITLE_ATTRIBUTES = ("title", "summary", "short_description", "name")
_DESCRIPTION_ATTRIBUTES = ("body", "description", "doc")


@dataclass(frozen=True, slots=True)
class RuleInfo:
    """What the reports say about one code."""

    code: str
    title: str
    description: str | None = None
    known: bool = False
    """True when the engine's registry documents this code."""


def rule_info(code: str) -> RuleInfo:
    """Title and description of ``code``; never raises, whatever the registry looks like."""
    rule = _registry().get(code)
    if rule is not None:
        title = _first_text(rule, _TITLE_ATTRIBUTES)
        doc = _first_text(rule, _DESCRIPTION_ATTRIBUTES) or _docstring(rule)
        if title is None and doc:
            title = doc.splitlines()[0].strip()
        if title:
            return RuleInfo(code, title.rstrip("."), doc, known=True)
    family = _FAMILY_TITLES.get(code[:1].upper(), "c8migrate finding")
    return RuleInfo(code, family)


@functools.cache
def _registry() -> Mapping[str, Any]:
    try:
        module = importlib.import_module("runner.engine.rules")
        registry = module.REGISTRY
    except Exception:  # absent, half-written or broken: reports still render
        return {}
    if isinstance(registry, Mapping):
        return {str(k): v for k, v in registry.items()}
    try:
        return {str(_get(rule, "code")): rule for rule in registry if _get(rule, "code")}
    except TypeError:
        return {}


def _get(rule: Any, name: str) -> Any:
    if isinstance(rule, Mapping):
        return rule.get(name)
    return getattr(rule, name, None)


def _first_text(rule: Any, names: tuple[str, ...]) -> str | None:
    for name in names:
        value = _get(rule, name)
        if isinstance(value, str) and value.strip():
            return value.strip()
    return None


def _docstring(rule: Any) -> str | None:
    # builtins (a plain dict or str as registry value) carry their type's docstring: not ours
    if isinstance(rule, Mapping) or (type(rule).__module__ == "builtins" and not callable(rule)):
        return None
    doc = inspect.getdoc(rule)
    return doc.strip() if doc and doc.strip() else None
