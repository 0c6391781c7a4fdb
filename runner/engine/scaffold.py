"""A first plan for two BPMN versions: Operate's auto-mapping plus suggestions for the rest.

The plan maps same-id, same-kind elements automatically (``auto: same-id``) and lists them
as comments, so a reviewer sees what moves where. Elements instances can wait at that the
auto-mapping leaves unmapped get a commented instruction with the closest candidate of the
same type in the same scope, to be checked and uncommented by a person.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass

from runner.bpmn.model import ProcessModel
from runner.engine.hints import TargetSuggester
from runner.engine.mapping import effective_instructions
from runner.engine.offline import wait_states
from runner.engine.state import MigrationRequest
from runner.version import NEWEST


@dataclass(frozen=True, slots=True)
class SideSpec:
    """How the plan names one side: process, deployed version (or tag), BPMN path."""

    model: ProcessModel
    bpmn_path: str
    version: int | None = None
    version_tag: str | None = None


def plan_name(source: SideSpec, target: SideSpec) -> str:
    """A valid metadata.name: lower-case letters, digits, dots and dashes, at most 63."""
    def side(spec: SideSpec, default: str) -> str:
        if spec.version_tag:
            return spec.version_tag
        return f"v{spec.version}" if spec.version is not None else default
    raw = f"{source.model.process_id}-{side(source, 'v1')}-to-{side(target, 'v2')}"
    slug = re.sub(r"[^a-z0-9.-]+", "-", raw.lower()).strip("-.") or "migration"
    return slug[:63].rstrip("-.")


def _q(text: str) -> str:
    """A YAML scalar that is always read back as this exact string."""
    return json.dumps(text, ensure_ascii=False)


def _side_yaml(key: str, spec: SideSpec, fallback_version: int) -> list[str]:
    lines = [f"{key}:", f"  processDefinitionId: {_q(spec.model.process_id)}"]
    if spec.version_tag is not None and spec.version is None:
        lines.append(f"  versionTag: {_q(spec.version_tag)}")
    elif spec.version is not None:
        lines.append(f"  version: {spec.version}")
    else:
        lines.append(f"  version: {fallback_version}    # the deployed version of this BPMN file")
    lines.append(f"  bpmn: {_q(spec.bpmn_path)}")
    return lines


def scaffold_plan(source: SideSpec, target: SideSpec, *, name: str | None = None,
                  schema_path: str | None = None) -> str:
    """The plan YAML text (with comments) for migrating ``source`` to ``target``."""
    effective = effective_instructions((), "same-id", source.model, target.model)
    request = MigrationRequest(source.model, target.model,
                               tuple(e.instruction() for e in effective), NEWEST)
    mapped = {e.source for e in effective}
    lines: list[str] = []
    if schema_path:
        lines.append(f"# yaml-language-server: $schema={schema_path}")
    lines += ["apiVersion: c8migrate/v1", "kind: MigrationPlan", "metadata:",
              f"  name: {_q(name or plan_name(source, target))}"]
    lines += _side_yaml("source", source, 1) + _side_yaml("target", target, 2)
    lines += ["mappings:", "  auto: same-id"]
    if effective:
        lines.append("  # auto-mapped (same id and type in both versions):")
        lines += [f"  #   {e.source}" for e in effective]
    suggestions: list[str] = []
    seen: set[str] = set()
    suggester = TargetSuggester(request)
    for state in wait_states(source.model):
        element = state.element
        if element.id in mapped or element.id in seen:
            continue
        seen.add(element.id)
        candidates = suggester.suggest(element.id)
        kind = element.element_type
        if candidates:
            others = f" (or {', '.join(candidates[1:])})" if len(candidates) > 1 else ""
            pair = f"{{ source: {_q(element.id)}, target: {_q(candidates[0])} }}"
            suggestions.append(f"    # - {pair}  # closest {kind} in the same scope{others}")
        else:
            suggestions.append(f"    # {element.id} ({kind}): no {kind} in the same scope of the "
                               "target; instances waiting there cannot be migrated")
    if suggestions:
        lines += ["  # Instances may wait at these elements, which have no same-id twin in",
                  "  # the target. Check the suggestions, uncomment the ones you want and",
                  "  # delete the empty list `[]` below them:",
                  "  instructions:", *suggestions, "    []"]
    else:
        lines.append("  instructions: []")
    return "\n".join(lines) + "\n"
