"""Request/response types of the sandbox's REST operations and their shared helpers."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from runner.sandbox.element_search import ElementSearch
from runner.sandbox.filters import FilterError
from runner.sandbox.paging import (
    PageRequest,
    SortSpec,
    page_response,
    paginate,
    parse_page,
    parse_sort,
)
from runner.sandbox.queries import InstanceSearch, Sorted
from runner.sandbox.store import Store
from runner.sandbox.views import Flavor, problem


@dataclass(frozen=True, slots=True)
class Request:
    method: str
    path: str
    headers: dict[str, str]
    body: bytes

    def json(self) -> Any:
        """The JSON body (None when empty); ApiError 400 when it is not JSON."""
        if not self.body.strip():
            return None
        try:
            return json.loads(self.body)
        except (ValueError, UnicodeDecodeError) as exc:
            raise ApiError(400, "Bad Request", f"Failed to parse the request body: {exc}") \
                from exc


@dataclass(frozen=True, slots=True)
class Response:
    status: int
    body: Any = None
    """A JSON-able value, raw bytes, or None for no body."""
    content_type: str = "application/json"
    headers: dict[str, str] = field(default_factory=dict)


class ApiError(Exception):
    """An answer in problem+json form."""

    def __init__(self, status: int, title: str, detail: str) -> None:
        super().__init__(detail)
        self.status, self.title, self.detail = status, title, detail


def problem_response(status: int, title: str, detail: str, path: str,
                     headers: dict[str, str] | None = None) -> Response:
    return Response(status, problem(status, title, detail, path),
                    "application/problem+json", headers or {})


def search_body(request: Request) -> dict[str, Any]:
    body = request.json()
    if body is None:
        return {}
    if not isinstance(body, dict):
        raise ApiError(400, "Bad Request", "the search request must be a JSON object")
    unknown = set(body) - {"filter", "sort", "page"}
    if unknown:
        raise ApiError(400, "Bad Request", f"unknown search request properties {sorted(unknown)}")
    return body


def parse_key(text: str) -> int:
    if not text.lstrip("-").isdigit():
        raise ApiError(400, "Bad Request", f"'{text}' is not a valid key")
    return int(text)



class ApiBase:
    """State and helpers every group of operations shares."""

    def __init__(self, store: Store, flavor: Flavor, search_lag: Callable[[], float],
                 batch_not_found: Callable[[], float]) -> None:
        self.store = store
        self.flavor = flavor
        self.search = InstanceSearch(store)
        self.elements = ElementSearch(store)
        self._lag = search_lag
        self._batch_not_found = batch_not_found

    # helpers ------------------------------------------------------------------------------
    def _page(self, result: Sorted, spec: SortSpec, page: PageRequest,
              render: Callable[[Any], Any]) -> Response:
        start, end = paginate(result.keys, result.values, spec, page)
        items = [render(item) for item in result.items[start:end]]
        return Response(200, {"items": items, "page": page_response(
            result.values, start, end, len(result.items), self.flavor.cursor_paging,
            self.flavor.keys_as_strings)})

    def _search_parts(self, request: Request, sort_fields: frozenset[str]
                      ) -> tuple[Any, SortSpec, PageRequest]:
        body = search_body(request)
        try:
            spec = parse_sort(body.get("sort"), sort_fields)
            page = parse_page(body.get("page"), self.flavor.cursor_paging)
        except FilterError as exc:
            raise ApiError(400, "Bad Request", str(exc)) from exc
        return body.get("filter"), spec, page
