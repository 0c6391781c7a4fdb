"""Sorting and paging of search results, in the style of the configured server version.

8.8 and later: ``page: {limit, from | after | before}``; the response page carries
``totalItems``, ``hasMoreTotalItems``, ``startCursor``, ``endCursor`` (opaque base64).
8.6 / 8.7: ``page: {from, limit, searchAfter | searchBefore}``; the response page carries
``totalItems``, ``firstSortValues``, ``lastSortValues``.

A sort key is the list of an item's sort values followed by its unique key; cursors and
sort values encode exactly that list, so the next page starts right after it even when
items were added or removed in between.
"""

from __future__ import annotations

import base64
import binascii
import bisect
import functools
import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from runner.sandbox.filters import FilterError

MAX_LIMIT = 10000
DEFAULT_LIMIT = 100


@functools.total_ordering
class _Descending:
    """Inverts the order of one sort component."""

    __slots__ = ("value",)

    def __init__(self, value: Any) -> None:
        self.value = value

    def __eq__(self, other: object) -> bool:
        return isinstance(other, _Descending) and self.value == other.value

    def __lt__(self, other: _Descending) -> bool:
        return bool(other.value < self.value)

    def __hash__(self) -> int:
        return hash(self.value)


@dataclass(frozen=True, slots=True)
class SortSpec:
    """The requested sort: (field, descending) pairs; the unique key always comes last."""

    fields: tuple[tuple[str, bool], ...]

    def key(self, values: Sequence[Any]) -> tuple[Any, ...]:
        """A comparable key from raw sort values (one per field, then the unique key)."""
        parts: list[Any] = []
        for (_, descending), value in zip(self.fields, values, strict=False):
            if value is None:
                parts.append((1, 0))  # nulls sort last in either direction
            else:
                parts.append((0, _Descending(value) if descending else value))
        parts.append(values[-1])
        return tuple(parts)


def parse_sort(sort: Any, allowed: frozenset[str]) -> SortSpec:
    if sort is None:
        return SortSpec(())
    if not isinstance(sort, list):
        raise FilterError("'sort' must be an array")
    fields: list[tuple[str, bool]] = []
    for entry in sort:
        if not isinstance(entry, dict) or entry.get("field") not in allowed:
            raise FilterError(f"unsupported sort {json.dumps(entry)}; fields: {sorted(allowed)}")
        order = str(entry.get("order", "ASC")).upper()
        if order not in ("ASC", "DESC"):
            raise FilterError(f"unsupported sort order '{entry.get('order')}'")
        fields.append((entry["field"], order == "DESC"))
    return SortSpec(tuple(fields))


@dataclass(frozen=True, slots=True)
class PageRequest:
    limit: int
    offset: int | None
    after: list[Any] | None
    before: list[Any] | None


def _decode_cursor(cursor: Any) -> list[Any]:
    if not isinstance(cursor, str):
        raise FilterError("a cursor must be a string")
    try:
        values = json.loads(base64.b64decode(cursor, validate=True))
    except (binascii.Error, ValueError) as exc:
        raise FilterError(f"invalid cursor '{cursor}'") from exc
    if not isinstance(values, list) or not values:
        raise FilterError(f"invalid cursor '{cursor}'")
    return values


def encode_cursor(values: Sequence[Any]) -> str:
    return base64.b64encode(json.dumps(list(values)).encode()).decode()


def parse_page(page: Any, cursor_style: bool) -> PageRequest:
    if page is None:
        page = {}
    if not isinstance(page, dict):
        raise FilterError("'page' must be an object")
    allowed = {"limit", "from", "after", "before"} if cursor_style else \
        {"limit", "from", "searchAfter", "searchBefore"}
    unknown = set(page) - allowed
    if unknown:
        raise FilterError(f"unsupported page properties {sorted(unknown)}")
    limit = page.get("limit", DEFAULT_LIMIT)
    if isinstance(limit, bool) or not isinstance(limit, int) or not 1 <= limit <= MAX_LIMIT:
        raise FilterError(f"page.limit must be between 1 and {MAX_LIMIT}")
    offset = page.get("from")
    if offset is not None and (isinstance(offset, bool) or not isinstance(offset, int)
                               or offset < 0):
        raise FilterError("page.from must be a non-negative integer")
    if cursor_style:
        after = _decode_cursor(page["after"]) if "after" in page else None
        before = _decode_cursor(page["before"]) if "before" in page else None
        if sum(x is not None for x in (offset, after, before)) > 1:
            raise FilterError("use either offset (from) or one cursor (after/before), not both")
    else:
        after, before = page.get("searchAfter"), page.get("searchBefore")
        for name, values in (("searchAfter", after), ("searchBefore", before)):
            if values is not None and (not isinstance(values, list) or not values):
                raise FilterError(f"page.{name} must be a non-empty array")
    return PageRequest(limit, offset, after, before)


def paginate(sort_keys: Sequence[tuple[Any, ...]], sort_values: Sequence[Sequence[Any]],
             spec: SortSpec, page: PageRequest) -> tuple[int, int]:
    """The [start, end) slice of the sorted result that the page asks for."""
    total = len(sort_keys)
    if page.after is not None:
        start = bisect.bisect_right(sort_keys, _cursor_key(spec, page.after))
        return start, min(total, start + page.limit)
    if page.before is not None:
        end = bisect.bisect_left(sort_keys, _cursor_key(spec, page.before))
        return max(0, end - page.limit), end
    start = page.offset or 0
    return min(start, total), min(total, start + page.limit)


def _cursor_key(spec: SortSpec, values: list[Any]) -> tuple[Any, ...]:
    if len(values) != len(spec.fields) + 1:
        raise FilterError("the cursor does not belong to this query's sort")
    try:
        key = int(values[-1])
    except (TypeError, ValueError) as exc:
        raise FilterError("the cursor does not belong to this query") from exc
    return spec.key([*values[:-1], key])


def page_response(sort_values: Sequence[Sequence[Any]], start: int, end: int, total: int,
                  cursor_style: bool, key_as_string: bool) -> dict[str, Any]:
    """The response ``page`` object for items [start, end) of ``total``."""
    first = list(sort_values[start]) if end > start else None
    last = list(sort_values[end - 1]) if end > start else None
    if cursor_style:
        return {"totalItems": total, "hasMoreTotalItems": False,
                "startCursor": encode_cursor(first) if first else None,
                "endCursor": encode_cursor(last) if last else None}

    def shown(values: list[Any] | None) -> list[Any]:
        if values is None:
            return []
        return [*values[:-1], str(values[-1]) if key_as_string else values[-1]]

    return {"totalItems": total, "firstSortValues": shown(first), "lastSortValues": shown(last)}
