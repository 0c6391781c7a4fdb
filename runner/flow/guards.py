"""Apply's guards: refuse when live state drifted from what was reviewed.

The reviewed state comes from the JSON report of ``c8migrate plan --format json`` (the
pull request's dry run, ``apply --expect-preview FILE``) or from the caller. Checks:

* more instances match than ``rollout.maxInstances`` allows;
* the source or target definition key differs from the reviewed one (a redeploy);
* the plan file changed since the review (checksum);
* blockers the review did not show: more blocked instances, or blocked at an element /
  for a reason (rule code) the review did not list.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from jsonschema import Draft202012Validator
from jsonschema.exceptions import best_match

from runner.errors import DriftDetected, InputError
from runner.results import PlanPreview

REPORT_SCHEMA = Path(__file__).resolve().parent.parent / "data" / "report.v1.schema.json"


@dataclass(frozen=True, slots=True)
class ReviewedPreview:
    """The parts of a reviewed dry run that apply compares against."""

    plan_name: str
    checksum: str | None = None
    source_definition_key: str | None = None
    target_definition_key: str | None = None
    matched: int | None = None
    blocked_total: int = 0
    blocked_reasons: frozenset[tuple[str | None, str]] = field(default_factory=frozenset)
    """(element id, rule code) pairs of the blocked instances the reviewer saw."""

    @classmethod
    def of(cls, preview: PlanPreview) -> ReviewedPreview:
        return cls(
            plan_name=preview.plan.name,
            checksum=preview.plan.checksum or None,
            source_definition_key=preview.source_definition_key,
            target_definition_key=preview.target_definition_key,
            matched=preview.matched,
            blocked_total=max(preview.blocked_total, len(preview.blocked)),
            blocked_reasons=frozenset(_reasons_of(preview)),
        )


def _reasons_of(preview: PlanPreview) -> set[tuple[str | None, str]]:
    return {(b.element_id, b.code) for b in preview.blocked}


def load_reviewed(path: Path) -> dict[str, ReviewedPreview]:
    """Reviewed previews by plan name, from a ``plan --format json`` report file."""
    try:
        document: Any = json.loads(Path(path).read_text(encoding="utf-8"))
    except OSError as exc:
        raise InputError(f"cannot read the reviewed preview {path}: {exc.strerror}") from exc
    except json.JSONDecodeError as exc:
        raise InputError(f"{path}:{exc.lineno}:{exc.colno}: not JSON ({exc.msg})") from exc
    if not isinstance(document, dict) or document.get("kind") != "preview":
        raise InputError(f"{path} is not the JSON report of 'c8migrate plan --format json'")
    problem = best_match(_report_validator().iter_errors(document))
    if problem is not None:
        where = "/".join(str(p) for p in problem.absolute_path) or "the top level"
        raise InputError(
            f"{path} is not a valid dry-run report (runner/data/report.v1.schema.json): at "
            f"{where}: {problem.message}"[:600],
            hint="pass the unmodified output of 'c8migrate plan --format json' (the reviewed "
                 "dry run); apply checks live state against it")
    reviewed: dict[str, ReviewedPreview] = {}
    for entry in document.get("plans", []):
        if not isinstance(entry, Mapping) or not entry.get("name"):
            continue
        reasons = frozenset(
            (b.get("elementId"), str(b.get("code")))
            for b in entry.get("blockedInstances", []) if isinstance(b, Mapping)
        )
        reviewed[str(entry["name"])] = ReviewedPreview(
            plan_name=str(entry["name"]),
            checksum=_opt_str(entry.get("checksum")),
            source_definition_key=_opt_str(entry.get("sourceDefinitionKey")),
            target_definition_key=_opt_str(entry.get("targetDefinitionKey")),
            matched=_opt_int(entry.get("matched")),
            blocked_total=_opt_int(entry.get("blocked")) or 0,
            blocked_reasons=reasons,
        )
    return reviewed


@functools.cache
def _report_validator() -> Draft202012Validator:
    schema = json.loads(REPORT_SCHEMA.read_text(encoding="utf-8"))
    return Draft202012Validator(schema)


def _opt_str(value: Any) -> str | None:
    return None if value is None or value == "" else str(value)


def _opt_int(value: Any) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def drift_reasons(preview: PlanPreview, reviewed: ReviewedPreview | None) -> list[str]:
    """Why applying ``preview`` now would not be what was reviewed. Empty: safe to apply."""
    reasons: list[str] = []
    limit = preview.plan.rollout.max_instances
    if limit is not None and preview.matched > limit:
        reasons.append(f"{preview.matched} instances match, more than rollout.maxInstances "
                       f"({limit})")
    if reviewed is None:
        return reasons
    if reviewed.checksum and preview.plan.checksum and reviewed.checksum != preview.plan.checksum:
        reasons.append("the plan file changed since the reviewed dry run "
                       f"(checksum {reviewed.checksum[:12]} -> {preview.plan.checksum[:12]})")
    for side, expected, actual in (
        ("source", reviewed.source_definition_key, preview.source_definition_key),
        ("target", reviewed.target_definition_key, preview.target_definition_key),
    ):
        if expected is not None and expected != actual:
            reasons.append(f"the {side} definition key is {actual}, the review saw {expected} "
                           "(the process was redeployed)")
    blocked_now = max(preview.blocked_total, len(preview.blocked))
    if blocked_now > reviewed.blocked_total:
        reasons.append(f"{blocked_now} instances are blocked now, the review saw "
                       f"{reviewed.blocked_total}")
    new = sorted(_reasons_of(preview) - reviewed.blocked_reasons,
                 key=lambda r: (r[0] or "", r[1]))
    for element_id, code in new:
        where = f"at {element_id}" if element_id else "on the process instance"
        reasons.append(f"new blocker {code} {where}, not in the reviewed dry run")
    return reasons


def enforce(preview: PlanPreview, reviewed: ReviewedPreview | None) -> None:
    """Raise DriftDetected (exit 4) with every reason when the guards refuse."""
    reasons = drift_reasons(preview, reviewed)
    if reasons:
        raise DriftDetected(
            f"refusing to apply plan '{preview.plan.name}': live state differs from what "
            "was reviewed",
            reasons=tuple(reasons),
            hint="re-run 'c8migrate plan' and review the new dry run; raise "
                 "rollout.maxInstances if the count is expected",
        )
