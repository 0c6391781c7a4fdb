"""Search filter properties of the REST API: exact values and advanced operators.

A filter property is either an exact value or an object of operators
(``$eq $neq $exists $in $notIn $like $gt $gte $lt $lte``). Values are compared by kind:
keys as integers (strings and numbers accepted), dates as instants, enums ignoring case.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from datetime import datetime
from typing import Any, Literal

Kind = Literal["key", "string", "int", "date", "bool", "enum"]
Test = Callable[[Any], bool]

_OPERATORS = frozenset({"$eq", "$neq", "$exists", "$in", "$notIn", "$like", "$gt", "$gte",
                        "$lt", "$lte"})


class FilterError(ValueError):
    """A filter the API would answer with 400 Bad Request."""


def parse_date_ms(text: Any) -> int:
    """Epoch milliseconds of an ISO 8601 date-time; FilterError when it is not one."""
    if not isinstance(text, str):
        raise FilterError(f"expected a date-time string but got {json.dumps(text)}")
    try:
        moment = datetime.fromisoformat(text)
    except ValueError as exc:
        raise FilterError(f"'{text}' is not an ISO 8601 date-time") from exc
    if moment.tzinfo is None:
        raise FilterError(f"'{text}' has no time zone offset")
    return int(moment.timestamp() * 1000)


def _coerce(value: Any, kind: Kind, field: str) -> Any:
    if kind == "key":
        if isinstance(value, bool) or not isinstance(value, int | str):
            raise FilterError(f"'{field}' expects a key, got {json.dumps(value)}")
        try:
            return int(value)
        except ValueError as exc:
            raise FilterError(f"'{field}' expects a key, got '{value}'") from exc
    if kind == "int":
        if isinstance(value, bool) or not isinstance(value, int):
            raise FilterError(f"'{field}' expects an integer, got {json.dumps(value)}")
        return value
    if kind == "date":
        return parse_date_ms(value)
    if kind == "bool":
        if not isinstance(value, bool):
            raise FilterError(f"'{field}' expects a boolean, got {json.dumps(value)}")
        return value
    if not isinstance(value, str):
        raise FilterError(f"'{field}' expects a string, got {json.dumps(value)}")
    return value.upper() if kind == "enum" else value


def _like(pattern: str) -> re.Pattern[str]:
    parts = []
    escaped = False
    for char in pattern:
        if escaped:
            parts.append(re.escape(char))
            escaped = False
        elif char == "\\":
            escaped = True
        elif char == "*":
            parts.append(".*")
        elif char == "?":
            parts.append(".")
        else:
            parts.append(re.escape(char))
    return re.compile("".join(parts), re.DOTALL)


def compile_property(condition: Any, kind: Kind, field: str) -> Test:
    """A test of one actual value (None = absent) against a filter property."""
    if not isinstance(condition, dict):
        expected = _coerce(condition, kind, field)
        return lambda actual: actual is not None and actual == expected
    unknown = set(condition) - _OPERATORS
    if unknown or not condition:
        raise FilterError(f"'{field}' has unknown operators {sorted(unknown)}" if unknown
                          else f"'{field}' has an empty filter object")
    tests: list[Test] = []
    for op, operand in condition.items():
        tests.append(_operator(op, operand, kind, field))
    return lambda actual: all(test(actual) for test in tests)


def _operator(op: str, operand: Any, kind: Kind, field: str) -> Test:
    if op == "$exists":
        if not isinstance(operand, bool):
            raise FilterError(f"'{field}.$exists' expects a boolean")
        return lambda actual: (actual is not None) == operand
    if op in ("$in", "$notIn"):
        if not isinstance(operand, list):
            raise FilterError(f"'{field}.{op}' expects an array")
        values = {_coerce(v, kind, field) for v in operand}
        if op == "$in":
            return lambda actual: actual in values
        return lambda actual: actual is not None and actual not in values
    if op == "$like":
        if kind not in ("string", "enum") or not isinstance(operand, str):
            raise FilterError(f"'{field}.$like' expects a string pattern")
        regex = _like(operand)
        return lambda actual: actual is not None and regex.fullmatch(str(actual)) is not None
    value = _coerce(operand, kind, field)
    if op == "$eq":
        return lambda actual: actual == value
    if op == "$neq":
        return lambda actual: actual != value
    if kind in ("bool", "enum"):
        raise FilterError(f"'{field}' does not support {op}")
    if op == "$gt":
        return lambda actual: actual is not None and actual > value
    if op == "$gte":
        return lambda actual: actual is not None and actual >= value
    if op == "$lt":
        return lambda actual: actual is not None and actual < value
    return lambda actual: actual is not None and actual <= value


def serialized(value: Any) -> str:
    """A variable value as the search compares it: compact JSON."""
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False)


def compile_variables(conditions: Any) -> Callable[[Any], bool]:
    """A test of a variables mapping against the ``variables`` filter (all must match)."""
    if not isinstance(conditions, list):
        raise FilterError("'variables' expects an array of {name, value}")
    tests: list[tuple[str, Test]] = []
    for entry in conditions:
        if not isinstance(entry, dict) or not isinstance(entry.get("name"), str) \
                or "value" not in entry:
            raise FilterError("each 'variables' entry needs a string 'name' and a 'value'")
        tests.append((entry["name"], compile_property(entry["value"], "string",
                                                      f"variables[{entry['name']}]")))

    def test(variables: Any) -> bool:
        for name, check in tests:
            if name not in variables or not check(serialized(variables[name])):
                return False
        return True

    return test
