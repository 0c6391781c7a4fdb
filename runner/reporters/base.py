"""What every renderer shares: the options it is called with and the shape of a renderer."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from runner.results import ApplyReport, PlanPreview, ValidationResult

GITHUB_COMMENT_LIMIT = 65_536
"""GitHub refuses issue and pull-request comments longer than this (characters)."""
DEFAULT_MAX_CHARS = GITHUB_COMMENT_LIMIT - 1_536
"""Markdown reports stay under this by default: the limit minus room for a marker and header."""


@dataclass(frozen=True, slots=True)
class RenderOptions:
    """How to render. Every field has a default so renderers can be called bare."""

    color: bool = False
    """ANSI colour in the text format (the CLI decides: a TTY and no NO_COLOR)."""
    max_chars: int = DEFAULT_MAX_CHARS
    """Upper bound of the markdown report; details are cut with a note beyond it."""
    rules_doc_uri: str = "docs/rules.md"
    """Where rule documentation lives; each rule links to ``<uri>#<code in lower case>``."""
    artifact_hint: str = "full report in the artifact"
    """What the truncation note of the markdown report points the reader to."""


@dataclass(frozen=True, slots=True)
class Renderer:
    """One output format: a function per kind of result, each returning the whole text."""

    name: str
    validation: Callable[[ValidationResult, RenderOptions], str]
    previews: Callable[[Sequence[PlanPreview], ValidationResult | None, RenderOptions], str]
    apply: Callable[[Sequence[ApplyReport], RenderOptions], str]


def rule_doc_link(code: str, options: RenderOptions) -> str:
    """The documentation link of one rule code."""
    return f"{options.rules_doc_uri}#{code.lower()}"
