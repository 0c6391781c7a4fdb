"""Validating requests and responses against the official OpenAPI spec and our API subset.

The official bundle is OpenAPI 3.0 and describes the newest server; to check an 8.8 exchange
with a JSON Schema validator it is adapted here: ``nullable`` becomes a union with null,
``required`` entries added after the target version are dropped (x-properties-added-in-
version), and objects that say ``additionalProperties: false`` next to ``allOf`` also accept
the properties their ``allOf`` parts define (code generators merge those; a validator would
not); ``oneOf`` is read as ``anyOf``, because the spec lists overlapping alternatives
(``{limit}`` is valid limit, offset and cursor paging at once) that generators resolve by
first match.
"""

from __future__ import annotations

import copy
import json
import re
from functools import cache
from pathlib import Path
from typing import Any

import jsonschema

from runner.version import ServerVersion

SUBSET_PATH = Path(__file__).resolve().parents[2] / "runner" / "data" / "api-subset.schema.json"


def _template_regex(template: str) -> re.Pattern[str]:
    return re.compile("^" + re.sub(r"\\\{[^}]+\\\}", "[^/]+", re.escape(template)) + "$")


def _messages(validator: jsonschema.protocols.Validator, instance: Any) -> list[str]:
    return sorted(f"{'/'.join(map(str, e.absolute_path)) or '<root>'}: {e.message}"
                  for e in validator.iter_errors(instance))


class SubsetSpec:
    """runner/data/api-subset.schema.json, with its x-operations table."""

    def __init__(self, path: Path = SUBSET_PATH) -> None:
        self.schema = json.loads(path.read_text(encoding="utf-8"))
        self.operations = [(op.split(" ", 1)[0], _template_regex(op.split(" ", 1)[1]), names)
                           for op, names in self.schema["x-operations"].items()]

    def definition(self, method: str, path: str, part: str) -> str | None:
        for op_method, pattern, names in self.operations:
            if op_method == method and pattern.match(path):
                return str(names[part]) if part in names else None
        raise KeyError(f"{method} {path} is not in the API subset")

    def errors(self, method: str, path: str, part: str, body: Any) -> list[str]:
        name = self.definition(method, path, part)
        if name is None:
            return []
        schema = {**self.schema, "$ref": f"#/$defs/{name}"}
        validator = jsonschema.Draft202012Validator(
            schema, format_checker=jsonschema.Draft202012Validator.FORMAT_CHECKER)
        return _messages(validator, body)


class OfficialSpec:
    """The official REST API bundle, adapted to validate exchanges with a given version."""

    def __init__(self, bundle: Path, version: ServerVersion) -> None:
        raw = json.loads(bundle.read_text(encoding="utf-8"))
        self.version = version
        self.components = _adapt(raw["components"], version, raw["components"]["schemas"])
        self.paths = raw["paths"]
        self.templates = [(_template_regex(t), t) for t in raw["paths"]]

    def operation(self, method: str, path: str) -> dict[str, Any]:
        for pattern, template in self.templates:
            if pattern.match(path) and method.lower() in self.paths[template]:
                return dict(self.paths[template][method.lower()])
        raise KeyError(f"{method} {path} is not in the official spec")

    def request_schema(self, method: str, path: str) -> dict[str, Any] | None:
        body = self.operation(method, path).get("requestBody")
        if not body:
            return None
        return dict(body["content"]["application/json"]["schema"])

    def response_schema(self, method: str, path: str, status: int) -> dict[str, Any] | None:
        response = self.operation(method, path)["responses"].get(str(status))
        if response is None:
            raise KeyError(f"{method} {path} documents no {status} response")
        for content_type, media in (response.get("content") or {}).items():
            if "json" in content_type:
                return dict(media["schema"])
        return None

    def errors(self, schema: dict[str, Any] | None, body: Any) -> list[str]:
        if schema is None:
            return []
        return _messages(self._validator(json.dumps(schema, sort_keys=True)), body)

    @cache  # noqa: B019 - one spec object per test session, a handful of schemas
    def _validator(self, schema_text: str) -> jsonschema.protocols.Validator:
        schema = _adapt(json.loads(schema_text), self.version, {})
        root = {**schema, "components": self.components}
        return jsonschema.Draft7Validator(root)


def _added_after(entry: dict[str, Any], version: ServerVersion) -> set[str]:
    late = set()
    for item in entry.get("x-properties-added-in-version") or []:
        try:
            if ServerVersion.parse(str(item["addedInVersion"])) > version:
                late.add(item["propertyName"])
        except (KeyError, ValueError):
            continue
    return late


def _allof_properties(node: dict[str, Any], schemas: dict[str, Any], depth: int = 0) -> set[str]:
    names: set[str] = set(node.get("properties") or {})
    if depth > 8:
        return names
    for part in node.get("allOf") or []:
        if "$ref" in part:
            part = schemas.get(part["$ref"].rsplit("/", 1)[-1], {})
        names |= _allof_properties(part, schemas, depth + 1)
    return names


def _adapt(node: Any, version: ServerVersion, schemas: dict[str, Any]) -> Any:
    if isinstance(node, list):
        return [_adapt(item, version, schemas) for item in node]
    if not isinstance(node, dict):
        return node
    out = {k: _adapt(v, version, schemas) for k, v in node.items()
           if k not in ("example", "examples")}
    if isinstance(out.get("pattern"), str) and "\\p{" in out["pattern"]:
        del out["pattern"]  # Unicode property classes: Python's re cannot compile them
    late = _added_after(node, version)
    if late and isinstance(out.get("required"), list):
        out["required"] = [r for r in out["required"] if r not in late]
    if out.get("additionalProperties") is False and "allOf" in out:
        properties = dict(out.get("properties") or {})
        for name in _allof_properties(node, schemas):
            properties.setdefault(name, {})
        out["properties"] = properties
    if "oneOf" in out:
        out["anyOf"] = out.pop("oneOf")
    if out.pop("nullable", False):
        out = {"anyOf": [out, {"type": "null"}]}
    return copy.deepcopy(out) if out is node else out
