"""JSON Schema errors of a plan as located P02 findings with messages people can act on.

Every error is reported (not only the first). Missing and unknown properties are located at
the key, wrong values at the value. ``oneOf``/``anyOf`` failures are explained from the branch
that came closest instead of jsonschema's "is not valid under any of the given schemas".
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable
from typing import Any

from jsonschema.exceptions import ValidationError, best_match

from runner.findings import Finding, Location, Severity
from runner.plan.yaml_marks import MarkedDocument, pointer_of

SCHEMA_CODE = "P02"

_TYPE_NAMES = {
    "string": "a string", "integer": "an integer", "number": "a number", "boolean": "true or false",
    "object": "a mapping", "array": "a list", "null": "null",
}


def schema_findings(errors: Iterable[ValidationError], document: MarkedDocument,
                    file: str) -> list[Finding]:
    """Located findings for ``errors``, deduplicated, in file order."""
    findings: dict[tuple[str, str], Finding] = {}
    for error in errors:
        for finding in _Describer(document, file).describe(error):
            findings.setdefault((str(finding.location), finding.message), finding)
    return sorted(findings.values(), key=Finding.sort_key)


def where(path: Iterable[str | int]) -> str:
    """A readable name for a place in the plan: ``mappings.instructions[0].source``."""
    text = ""
    for part in path:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text or "the plan"


def _shown(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if value is None:
        return "null"
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    return repr(value)


def _suggestion(word: str, options: Iterable[str]) -> str:
    close = difflib.get_close_matches(word, list(options), n=1, cutoff=0.6)
    return f"; did you mean '{close[0]}'?" if close else ""


class _Describer:
    def __init__(self, document: MarkedDocument, file: str) -> None:
        self.document = document
        self.file = file

    def finding(self, location: Location | None, message: str,
                hint: str | None = None) -> Finding:
        return Finding(SCHEMA_CODE, Severity.ERROR, message,
                       location or Location(self.file, 1, 1), hint=hint)

    def describe(self, error: ValidationError) -> list[Finding]:
        path = tuple(error.absolute_path)
        pointer = pointer_of(path)
        name = where(path)
        keyword = error.validator
        instance = error.instance
        value_location = self.document.best(pointer)
        if keyword == "additionalProperties" and isinstance(instance, dict):
            known = error.schema.get("properties", {})
            return [
                self.finding(self.document.keys.get(pointer_of((*path, extra))),
                             f"'{extra}' is not a known property of {name}"
                             f"{_suggestion(str(extra), known)}",
                             hint=f"known properties: {', '.join(known)}")
                for extra in instance if extra not in known
            ]
        if keyword == "required" and isinstance(instance, dict):
            properties = error.schema.get("properties", {})
            return [
                self.finding(self.document.key_or_value(pointer),
                             f"{name} is missing the required property '{missing}'",
                             hint=properties.get(missing, {}).get("description"))
                for missing in error.validator_value if missing not in instance
            ]
        if keyword in ("oneOf", "anyOf"):
            return self._alternatives(error, path, name)
        if keyword == "type":
            return [self._type(error, name, value_location)]
        if keyword == "enum":
            options = [str(o) for o in error.validator_value]
            return [self.finding(
                value_location,
                f"{name}: {_shown(instance)} is not one of {', '.join(options)}"
                f"{_suggestion(str(instance), options)}")]
        if keyword == "const":
            expected_value = error.validator_value
            return [self.finding(
                value_location, f"{name} must be '{expected_value}', not {_shown(instance)}")]
        if keyword == "pattern":
            expected = error.schema.get("patternErrorMessage") or (
                f"text matching {error.validator_value}")
            return [self.finding(value_location,
                                 f"{name}: {_shown(instance)} is not valid; expected {expected}")]
        if keyword == "format":
            return [self.finding(
                value_location,
                f"{name}: {_shown(instance)} is not an RFC 3339 date-time",
                hint="write a date-time with an offset, e.g. 2026-01-01T00:00:00Z")]
        return [self.finding(value_location, f"{name}: {error.message}")]

    def _type(self, error: ValidationError, name: str, location: Location | None) -> Finding:
        wanted = error.validator_value
        wanted_list = wanted if isinstance(wanted, list) else [wanted]
        expected = " or ".join(_TYPE_NAMES.get(str(t), str(t)) for t in wanted_list)
        hint = None
        if "string" in wanted_list and isinstance(error.instance, int | float):
            hint = 'quote it in YAML ("1.10", not 1.10): unquoted it is read as a number'
        return self.finding(location, f"{name}: expected {expected}, got {_shown(error.instance)}",
                            hint=hint)

    def _alternatives(self, error: ValidationError, path: tuple[str | int, ...],
                      name: str) -> list[Finding]:
        branches = error.validator_value
        instance = error.instance
        if all(set(b) == {"required"} for b in branches):
            if not isinstance(instance, dict):
                return []  # the type keyword already says that a mapping was expected
            names = [n for b in branches for n in b["required"]]
            present = [n for n in names if n in instance]
            listed = " or ".join(f"'{n}'" for n in names)
            if len(present) > 1:
                return [self.finding(
                    self.document.keys.get(pointer_of((*path, present[-1]))),
                    f"{name} has {' and '.join(repr(p) for p in present)}; give only one of "
                    f"{listed}")]
            return [self.finding(self.document.key_or_value(pointer_of(path)),
                                 f"{name} needs one of {listed}")]
        context = list(error.context or ())
        # Prefer the branch written for this kind of value: a string key that is not all
        # digits is a pattern problem, not "expected an integer".
        fitting = [e for e in context if _fits_type(e.schema, instance)]
        closest = best_match(fitting or context)
        location = self.document.best(pointer_of(path))
        if closest is None:
            return [self.finding(location, f"{name}: {error.message}")]
        if not fitting and all(e.validator == "type" for e in context):
            expected = " or ".join(_TYPE_NAMES.get(str(e.validator_value), str(e.validator_value))
                                   for e in context)
            return [self.finding(location,
                                 f"{name}: expected {expected}, got {_shown(instance)}")]
        return self.describe(closest)


def _fits_type(branch: Any, instance: Any) -> bool:
    """True when ``branch`` declares a single JSON type and ``instance`` has it."""
    declared = branch.get("type") if isinstance(branch, dict) else None
    if not isinstance(declared, str):
        return False
    python_types: dict[str, tuple[type, ...]] = {
        "string": (str,), "integer": (int,), "number": (int, float), "boolean": (bool,),
        "object": (dict,), "array": (list,),
    }
    if isinstance(instance, bool) and declared != "boolean":
        return False
    return isinstance(instance, python_types.get(declared, ()))
