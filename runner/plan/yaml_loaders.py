"""The YAML loaders behind runner.plan.yaml_marks: PyYAML's pure-Python SafeLoader and,
when PyYAML was built with libyaml, two faster ones that give the same nodes and marks.

All three leave timestamps as the strings they were written as and use the same resolvers
and constructor. Nesting deeper than MAX_NESTING_DEPTH is refused, because composing
recurses: PlanYamlLoader and LibyamlPlanLoader count the depth in their (Python) composer;
LibyamlNativeLoader composes in C without counting, so it is only for documents whose
``nesting_bound`` is under the limit.
"""

from __future__ import annotations

import re
from typing import Any

import yaml

MAX_NESTING_DEPTH = 64
"""Deepest nesting of mappings and sequences we compose. PyYAML composes recursively, so a
small file of 1,000 nested brackets would otherwise exhaust the interpreter's stack; plans
nest a handful of levels."""


class _DepthLimitedComposer(yaml.composer.Composer):
    """Composer that refuses nesting deeper than MAX_NESTING_DEPTH (a located
    ComposerError) instead of recursing until the interpreter's stack runs out."""

    _depth = 0

    def compose_node(self, parent: yaml.Node | None, index: Any) -> yaml.Node | None:
        """Compose one node, counting how deep the composer has recursed."""
        self._depth += 1
        try:
            if self._depth > MAX_NESTING_DEPTH:
                raise yaml.composer.ComposerError(
                    None, None,
                    f"the plan nests deeper than {MAX_NESTING_DEPTH} levels",
                    self.peek_event().start_mark)  # type: ignore[attr-defined]
            return super().compose_node(parent, index)
        finally:
            self._depth -= 1


_RESOLVERS_WITHOUT_TIMESTAMPS = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


class PlanYamlLoader(_DepthLimitedComposer, yaml.SafeLoader):
    """SafeLoader that leaves timestamps as the strings they were written as and refuses
    nesting deeper than MAX_NESTING_DEPTH (a located ComposerError)."""


PlanYamlLoader.yaml_implicit_resolvers = _RESOLVERS_WITHOUT_TIMESTAMPS

CParser: Any
try:
    from yaml._yaml import CParser
except ImportError:  # PyYAML built without libyaml
    CParser = None


if CParser is not None:
    class LibyamlPlanLoader(_DepthLimitedComposer, CParser,  # type: ignore[misc]
                            yaml.constructor.SafeConstructor, yaml.resolver.Resolver):
        """PlanYamlLoader with libyaml's scanner and parser (C) under the same Python
        composer, resolvers and constructor, so it yields the same nodes and marks ~5x
        faster. libyaml's event parser keeps its own stack, so the depth limit still
        applies before anything recurses."""

        def __init__(self, stream: str | bytes) -> None:
            CParser.__init__(self, stream)
            yaml.composer.Composer.__init__(self)
            yaml.constructor.SafeConstructor.__init__(self)
            yaml.resolver.Resolver.__init__(self)

    LibyamlPlanLoader.yaml_implicit_resolvers = _RESOLVERS_WITHOUT_TIMESTAMPS

    class LibyamlNativeLoader(CParser, yaml.constructor.SafeConstructor,  # type: ignore[misc]
                              yaml.resolver.Resolver):
        """libyaml's own composer too (C, recursive): only for documents whose nesting
        bound is under MAX_NESTING_DEPTH, so its recursion stays shallow."""

        def __init__(self, stream: str | bytes) -> None:
            CParser.__init__(self, stream)
            yaml.constructor.SafeConstructor.__init__(self)
            yaml.resolver.Resolver.__init__(self)

    LibyamlNativeLoader.yaml_implicit_resolvers = _RESOLVERS_WITHOUT_TIMESTAMPS
else:  # the names stay importable; load_marked only uses them when CParser exists
    LibyamlPlanLoader = LibyamlNativeLoader = PlanYamlLoader  # type: ignore[assignment,misc]


_NESTING_MARKS = re.compile(r"[-:?](?=[ \t\r\n]|\Z)|([\[{])")
_NESTING_MARKS_BYTES = re.compile(_NESTING_MARKS.pattern.encode())


def nesting_bound(text: str | bytes) -> int:
    """An upper bound of how deep the document nests. Every level opens with a block
    indicator ('-', ':' or '?' before white space) or a flow bracket, and a bracket can
    open two (a single-pair mapping inside a flow sequence); quoted text only adds to it."""
    pattern: Any = _NESTING_MARKS_BYTES if isinstance(text, bytes) else _NESTING_MARKS
    marks = pattern.findall(text)
    return len(marks) + sum(1 for bracket in marks if bracket)
