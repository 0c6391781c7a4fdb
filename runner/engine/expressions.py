"""The small part of FEEL the engine needs to predict expression failures (Z22).

Only literals and plain variable references (``=orderId``, ``=order.id``) are evaluated;
anything else is reported as not evaluable, and rules then stay silent rather than guess.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

_PATH = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z_][A-Za-z0-9_]*)*$")
_STRING = re.compile(r'^"([^"\\]*)"$')


@dataclass(frozen=True, slots=True)
class Evaluation:
    """The outcome of evaluating an expression against an instance's variables."""

    evaluable: bool
    """False when the expression is beyond what this module understands."""
    value: Any = None
    missing_variable: str | None = None
    """Set when a referenced variable does not exist (FEEL then yields null)."""


def is_expression(text: str | None) -> bool:
    """True for FEEL expressions (text starting with '=')."""
    return text is not None and text.strip().startswith("=")


def expression_body(text: str) -> str:
    """The expression without its leading '=' (how Zeebe quotes it in messages)."""
    return text.strip()[1:].strip() if is_expression(text) else text


def evaluate(text: str, variables: Mapping[str, Any]) -> Evaluation:
    """Evaluate a static value, a string literal or a variable path."""
    if not is_expression(text):
        return Evaluation(True, text)
    body = expression_body(text)
    literal = _STRING.match(body)
    if literal:
        return Evaluation(True, literal.group(1))
    if not _PATH.match(body):
        return Evaluation(False)
    head, *rest = body.split(".")
    if head not in variables:
        return Evaluation(True, None, missing_variable=head)
    value: Any = variables[head]
    for part in rest:
        if not isinstance(value, Mapping) or part not in value:
            return Evaluation(True, None)
        value = value[part]
    return Evaluation(True, value)
