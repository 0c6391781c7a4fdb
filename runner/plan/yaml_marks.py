"""Loading plan YAML once, keeping where every key and value stands in the file.

PyYAML's SafeLoader composes the node graph (each node has start marks); we walk that graph
to index JSON pointers to 1-based locations and to find duplicate keys (which PyYAML would
silently collapse to the last one), then construct the data from the same nodes.
Timestamps stay strings: the plan schema checks them as RFC 3339 text.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import yaml

from runner.findings import Location
from runner.plan.yaml_loaders import (
    MAX_NESTING_DEPTH,
    CParser,
    LibyamlNativeLoader,
    LibyamlPlanLoader,
    PlanYamlLoader,
    nesting_bound,
)

__all__ = [
    "MAX_EXPANDED_NODES", "MAX_NESTING_DEPTH", "AliasBombError", "DuplicateKey", "MarkedDocument",
    "PlanYamlLoader", "escape_pointer_token", "load_marked", "pointer_of",
]

MAX_EXPANDED_NODES = 100_000
"""Largest plan, counted in YAML nodes with every alias expanded. Aliases can make a small
file expand exponentially ("billion laughs" in YAML); plans are a few hundred nodes."""


class AliasBombError(yaml.YAMLError):
    """The document expands to more than MAX_EXPANDED_NODES nodes through aliases."""


def escape_pointer_token(token: str) -> str:
    """One JSON pointer reference token (RFC 6901 escaping)."""
    return token.replace("~", "~0").replace("/", "~1")


def pointer_of(path: Iterator[str | int] | tuple[str | int, ...] | list[str | int]) -> str:
    """The JSON pointer of a path of keys and indexes ('' for the document itself)."""
    return "".join(f"/{escape_pointer_token(str(part))}" for part in path)


@dataclass(frozen=True, slots=True)
class DuplicateKey:
    """A mapping key that occurs twice; ``location`` is the second occurrence."""

    pointer: str
    key: str
    location: Location
    first: Location


@dataclass(frozen=True, slots=True)
class MarkedDocument:
    """Plan data plus the locations of its keys and values."""

    data: Any
    values: dict[str, Location] = field(default_factory=dict)
    """Pointer -> where the value starts."""
    keys: dict[str, Location] = field(default_factory=dict)
    """Pointer -> where its key is written (absent for list items and the document)."""
    containers: frozenset[str] = frozenset()
    """Pointers whose values are mappings or sequences."""
    duplicates: tuple[DuplicateKey, ...] = ()

    def key_or_value(self, pointer: str) -> Location | None:
        """The key's location when there is one, else the value's."""
        return self.keys.get(pointer) or self.values.get(pointer)

    def best(self, pointer: str) -> Location | None:
        """Where a reader looks for ``pointer``: the key of a mapping or list, the value of
        a scalar."""
        if pointer in self.containers:
            return self.key_or_value(pointer)
        return self.values.get(pointer) or self.keys.get(pointer)


def load_marked(text: str | bytes, file: str) -> MarkedDocument:
    """Parse one YAML document. Raises yaml.YAMLError on syntax errors (with marks).

    libyaml reads the document when it is available; any error it meets is worded again
    by PyYAML's own reader and scanner, so messages do not depend on which one ran."""
    if CParser is not None:
        try:
            if nesting_bound(text) < MAX_NESTING_DEPTH:
                return _load_with(LibyamlNativeLoader(text), file)
            return _load_with(LibyamlPlanLoader(text), file)
        except yaml.YAMLError:
            pass
    return _load_with(PlanYamlLoader(text), file)


def _load_with(loader: Any, file: str) -> MarkedDocument:
    try:
        node = loader.get_single_node()
        if node is None:
            return MarkedDocument(data=None)
        indexer = _Indexer(loader, file)
        indexer.visit(node, "")
        # Without aliases every node was visited once: the count is the expanded size.
        size = _expanded_size(node, {}) if indexer.aliased else indexer.visited
        if size > MAX_EXPANDED_NODES:
            raise AliasBombError(
                f"the document expands to more than {MAX_EXPANDED_NODES} nodes through aliases")
        data = loader.construct_document(node)
    finally:
        loader.dispose()
    return MarkedDocument(data=data, values=indexer.values, keys=indexer.keys,
                          containers=frozenset(indexer.containers),
                          duplicates=tuple(indexer.duplicates))


def _expanded_size(node: yaml.Node, sizes: dict[int, int]) -> int:
    """Nodes in the document with aliases expanded (memoised, so linear in the file)."""
    known = sizes.get(id(node))
    if known is not None:
        return known
    sizes[id(node)] = 1  # a recursive alias counts once instead of looping
    size = 1
    if isinstance(node, yaml.MappingNode):
        for key_node, value_node in node.value:
            size += _expanded_size(key_node, sizes) + _expanded_size(value_node, sizes)
    elif isinstance(node, yaml.SequenceNode):
        for item in node.value:
            size += _expanded_size(item, sizes)
    sizes[id(node)] = min(size, MAX_EXPANDED_NODES + 1)
    return sizes[id(node)]


_STR_TAG = "tag:yaml.org,2002:str"


class _Indexer:
    def __init__(self, loader: Any, file: str) -> None:
        self.loader = loader
        self.file = file
        self.values: dict[str, Location] = {}
        self.keys: dict[str, Location] = {}
        self.containers: set[str] = set()
        self.duplicates: list[DuplicateKey] = []
        self.seen: set[int] = set()
        self.visited = 0
        """Nodes indexed (each node once)."""
        self.aliased = False
        """Whether some node is reached a second time (through an alias)."""

    def location(self, node: yaml.Node) -> Location:
        mark = node.start_mark
        return Location(self.file, mark.line + 1, mark.column + 1)

    def visit(self, node: yaml.Node, pointer: str) -> None:
        """Index ``node`` (whose JSON pointer is ``pointer``) and everything below it."""
        self.values.setdefault(pointer, self.location(node))
        if id(node) in self.seen:  # an alias to a node already indexed
            self.aliased = True
            return
        self.seen.add(id(node))
        self.visited += 1
        if isinstance(node, yaml.MappingNode):
            self.containers.add(pointer)
            first_seen: dict[str, Location] = {}
            for key_node, value_node in node.value:
                key = self._key_text(key_node)
                child = f"{pointer}/{escape_pointer_token(key)}"
                here = self.location(key_node)
                if key in first_seen and key != "<<":
                    self.duplicates.append(DuplicateKey(child, key, here, first_seen[key]))
                    continue
                first_seen[key] = here
                self.keys[child] = here
                self.visit(value_node, child)
        elif isinstance(node, yaml.SequenceNode):
            self.containers.add(pointer)
            for index, item in enumerate(node.value):
                self.visit(item, f"{pointer}/{index}")

    def _key_text(self, key_node: yaml.Node) -> str:
        if isinstance(key_node, yaml.ScalarNode):
            if key_node.tag == _STR_TAG:
                return str(key_node.value)  # what the constructor would make of it, cheaper
            return str(self.loader.construct_object(key_node, deep=True))
        return str(key_node.value)
