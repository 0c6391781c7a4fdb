"""The plan JSON Schema: published copy, editor metadata, and the repository's own plans."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml
from jsonschema import Draft202012Validator

from runner.plan.schema import SCHEMA_PATH, is_rfc3339, load_schema, plan_validator
from runner.plan.yaml_marks import PlanYamlLoader

REPO = Path(__file__).resolve().parents[2]
PUBLISHED = REPO / "schemas" / "migration-plan.v1.json"
FREE_FORM = {"/properties/filter/properties/variables"}
"""Objects whose keys are the user's own (variable names), so extra properties are allowed."""


def test_published_copy_is_identical() -> None:
    assert PUBLISHED.read_bytes() == SCHEMA_PATH.read_bytes()


def test_schema_is_valid_draft_2020_12() -> None:
    schema = load_schema()
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    Draft202012Validator.check_schema(schema)
    assert schema["properties"]["apiVersion"]["const"] == "c8migrate/v1"


def property_schemas(node: dict[str, Any], pointer: str = "") -> Iterator[tuple[str, Any]]:
    for name, child in node.get("properties", {}).items():
        child_pointer = f"{pointer}/properties/{name}"
        yield child_pointer, child
        yield from property_schemas(child, child_pointer)
        items = child.get("items")
        if isinstance(items, dict) and "properties" in items:
            yield from property_schemas(items, f"{child_pointer}/items")


def test_every_property_has_editor_metadata() -> None:
    found = list(property_schemas(load_schema()))
    assert len(found) > 30
    for pointer, node in found:
        assert node.get("title"), pointer
        assert node.get("description"), pointer
        assert node.get("examples"), pointer


def test_every_object_is_closed() -> None:
    schema = load_schema()
    objects = [("", schema), *((p, n) for p, n in property_schemas(schema)
                                if n.get("type") == "object")]
    objects += [(f"{p}/items", n["items"]) for p, n in property_schemas(schema)
                if isinstance(n.get("items"), dict) and n["items"].get("type") == "object"]
    for pointer, node in objects:
        if pointer in FREE_FORM:
            assert "additionalProperties" not in node
        else:
            assert node.get("additionalProperties") is False, pointer


def test_examples_are_valid_for_their_property() -> None:
    for pointer, node in property_schemas(load_schema()):
        validator = Draft202012Validator(node, format_checker=plan_validator().format_checker)
        for example in node["examples"]:
            errors = [e.message for e in validator.iter_errors(example)]
            assert errors == [], (pointer, example)


def repository_plans() -> list[Path]:
    plans = sorted((REPO / "plans").rglob("*.yaml"))
    return [p for p in plans
            if "kind: MigrationPlan" in p.read_text(encoding="utf-8")]


@pytest.mark.parametrize("path", repository_plans(), ids=lambda p: p.name)
def test_repository_plans_are_schema_valid(path: Path) -> None:
    data = yaml.load(path.read_text(encoding="utf-8"), Loader=PlanYamlLoader)
    assert [e.message for e in plan_validator().iter_errors(data)] == []


def test_repository_plans_point_editors_at_the_published_schema() -> None:
    for path in repository_plans():
        text = path.read_text(encoding="utf-8")
        line = next(ln for ln in text.splitlines() if "yaml-language-server" in ln)
        target = line.split("$schema=", 1)[1].strip()
        assert (path.parent / target).resolve() == PUBLISHED, path


@pytest.mark.parametrize(("value", "valid"), [
    ("2026-01-01T00:00:00Z", True), ("2026-01-01T00:00:00.123+01:00", True),
    ("2026-01-01 00:00:00z", True), ("2026-01-01", False), ("2026-13-01T00:00:00Z", False),
    ("2026-01-01T00:00:00", False), ("yesterday", False), ("2026-02-30T00:00:00Z", False),
])
def test_rfc3339(value: str, valid: bool) -> None:
    assert is_rfc3339(value) is valid


def test_schema_json_is_pretty_and_stable() -> None:
    text = SCHEMA_PATH.read_text(encoding="utf-8")
    assert text == json.dumps(json.loads(text), indent=2, ensure_ascii=False) + "\n"
