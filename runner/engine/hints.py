"""Hints for offline findings: closest ids, candidate targets, the rule's own fix."""

from __future__ import annotations

import difflib

from runner.bpmn.model import Element, ProcessModel
from runner.engine.mapping import EffectiveInstruction, same_kind
from runner.engine.rules import BY_CODE
from runner.engine.state import MigrationRequest


def closest(model: ProcessModel, wanted: str, candidates: list[Element]) -> list[str]:
    return difflib.get_close_matches(wanted, [c.id for c in candidates], n=3, cutoff=0.3)


def fix_line(code: str) -> str | None:
    rule = BY_CODE.get(code)
    if rule is None:
        return None
    for line in rule.body.splitlines():
        if line.strip().startswith("Fix:"):
            return line.strip()[4:].strip()
    return None


FUZZY_BUDGET = 200_000
"""Id comparisons one TargetSuggester makes to rank candidates by similarity. A plan that
leaves thousands of elements unmapped would otherwise compare every one with every
candidate (quadratic); past the budget, suggestions are the first candidates in model
order."""


class TargetSuggester:
    """Suggests targets for unmapped source elements of one request: same type and loop
    kind, in the scope the element's own scope maps to, the most similar ids first (at most
    three). The target's elements are grouped once, so each suggestion reads only its group."""

    def __init__(self, request: MigrationRequest, budget: int = FUZZY_BUDGET) -> None:
        self.request = request
        source, target = request.source, request.target
        self.mapped = {i.source: i.target for i in request.instructions}
        self.mapped[source.process_id] = target.process_id
        self.groups: dict[tuple[str, str | None, str], list[Element]] = {}
        for e in target:
            self.groups.setdefault((e.element_type, e.multi_instance, e.flow_scope or ""),
                                   []).append(e)
        self.budget = budget
        """Comparisons left before suggestions stop ranking by similarity."""

    def suggest(self, element_id: str) -> list[str]:
        """Target ids an unmapped source element could map to (see the class docstring)."""
        source = self.request.source
        element = source.get(element_id)
        if element is None:
            return []
        scope = element.flow_scope or source.process_id
        scope_target = self.mapped.get(scope, scope)
        candidates = self.groups.get(
            (element.element_type, element.multi_instance, scope_target), [])
        if len(candidates) <= self.budget:
            self.budget -= len(candidates)
            names = closest(self.request.target, element_id, candidates)
            if names:
                return names
        return [c.id for c in candidates[:3]]


def unmapped_hint(request: MigrationRequest, element_id: str,
                  suggester: TargetSuggester | None = None) -> str:
    """The hint of an unmapped wait state (Z07, Z19A); pass one ``suggester`` per request
    when hinting many elements."""
    source, target = request.source, request.target
    element = source.get(element_id)
    if element is None:
        return f"add an instruction for '{element_id}'"
    twin = target.get(element_id)
    if twin is not None and not same_kind(source, element, target, twin):
        return (f"'{element_id}' exists in the target as another kind of element "
                f"({target.body_type(element_id)}); map it to an element of type "
                f"{source.body_type(element_id)}")
    names = (suggester or TargetSuggester(request)).suggest(element_id)
    gone = "" if element_id in target else f"'{element_id}' is not in the target; "
    if names:
        listed = ", ".join(f"'{n}'" for n in names)
        return f"{gone}map it to a {element.element_type} in the same scope, e.g. {listed}"
    return f"{gone}no {element.element_type} in the same scope of the target: let these " \
           "instances finish before migrating, or add one"


def unknown_id_hint(request: MigrationRequest, instruction: EffectiveInstruction,
                     side: str) -> str | None:
    source, target = request.source, request.target
    if side == "source":
        other = target.get(instruction.target)
        model, wanted = source, instruction.source
    else:
        other = source.get(instruction.source)
        model, wanted = target, instruction.target
    pool = [e for e in model if other is None or e.element_type == other.element_type]
    names = closest(model, wanted, pool) or closest(model, wanted, list(model))
    if not names:
        return None
    return f"closest {side} ids: " + ", ".join(f"'{n}'" for n in names)
