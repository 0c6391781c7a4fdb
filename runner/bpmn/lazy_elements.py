"""A process's element mapping that is built the first time anyone looks into it.

``load_bpmn`` parses a file and runs every integrity check eagerly, so each load error is
still found at load time; turning the XML of a process into typed Elements is the costly
part, and many loaded processes are never looked into (files in a folder that no plan
uses, the other pools of a collaboration). LazyElements defers that part.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, ItemsView, Iterator, KeysView, Mapping, ValuesView

from runner.bpmn.model import Element


class LazyElements(Mapping[str, Element]):
    """Elements by id, built by ``build`` on first access and kept from then on."""

    __slots__ = ("_build", "_elements", "_lock")

    def __init__(self, build: Callable[[], dict[str, Element]]) -> None:
        self._build: Callable[[], dict[str, Element]] | None = build
        self._elements: dict[str, Element] | None = None
        self._lock = threading.Lock()

    def _resolved(self) -> dict[str, Element]:
        elements = self._elements
        if elements is None:
            with self._lock:  # worker threads may ask at once; build exactly once
                elements = self._elements
                if elements is None:
                    assert self._build is not None
                    elements = self._elements = self._build()
                    self._build = None  # lets the XML tree go
        return elements

    def __getitem__(self, element_id: str) -> Element:
        return self._resolved()[element_id]

    def __iter__(self) -> Iterator[str]:
        return iter(self._resolved())

    def __len__(self) -> int:
        return len(self._resolved())

    def __contains__(self, element_id: object) -> bool:
        return element_id in self._resolved()

    def get(self, element_id: str, default: Element | None = None) -> Element | None:  # type: ignore[override]
        """The element with this id, or ``default``."""
        return self._resolved().get(element_id, default)

    def keys(self) -> KeysView[str]:
        """The element ids in document order."""
        return self._resolved().keys()

    def values(self) -> ValuesView[Element]:
        """The elements in document order."""
        return self._resolved().values()

    def items(self) -> ItemsView[str, Element]:
        """(id, element) pairs in document order."""
        return self._resolved().items()

    def __eq__(self, other: object) -> bool:
        if isinstance(other, LazyElements):
            other = other._resolved()
        return self._resolved() == other

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        return repr(self._resolved())
