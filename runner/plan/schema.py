"""The JSON Schema of plan format v1 (draft 2020-12) and its validator.

The canonical copy is package data (``runner/data/migration-plan.v1.json``); the repository
publishes a byte-identical copy in ``schemas/`` for editors (``# yaml-language-server:
$schema=...``), CI and pre-commit hooks.
"""

from __future__ import annotations

import json
import re
from datetime import datetime
from functools import lru_cache
from pathlib import Path
from typing import Any

from jsonschema import Draft202012Validator, FormatChecker

SCHEMA_PATH = Path(__file__).resolve().parent.parent / "data" / "migration-plan.v1.json"
"""The canonical plan schema shipped with the package."""

API_VERSION = "c8migrate/v1"
KIND = "MigrationPlan"

_RFC3339 = re.compile(
    r"^\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$"
)


def is_rfc3339(value: object) -> bool:
    """True for an RFC 3339 date-time with an offset, e.g. ``2026-01-01T00:00:00Z``."""
    if not isinstance(value, str):
        return True  # the type keyword reports non-strings
    if not _RFC3339.match(value):
        return False
    try:
        datetime.fromisoformat(value.replace("z", "Z").replace("t", "T"))
    except ValueError:
        return False
    return True


@lru_cache(maxsize=1)
def load_schema() -> dict[str, Any]:
    """The plan schema as a dict."""
    schema: dict[str, Any] = json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))
    return schema


@lru_cache(maxsize=1)
def plan_validator() -> Any:
    """A draft 2020-12 validator for plans that checks the ``date-time`` format itself
    (jsonschema would silently skip it without optional packages)."""
    checker = FormatChecker(formats=())
    checker.checks("date-time")(is_rfc3339)
    return Draft202012Validator(load_schema(), format_checker=checker)
