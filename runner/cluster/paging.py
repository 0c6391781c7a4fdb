"""Streaming a search page by page, in the paging style of the server's version.

8.8+ sends ``page: {limit, after: <endCursor>}``; 8.6/8.7 send ``page: {limit, searchAfter:
<lastSortValues>}`` with a sort on the entity key so the order is stable. Items are yielded
as each page arrives; nothing holds more than one page.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from runner.cluster.dialect import Cursor, Dialect
from runner.cluster.transport import RestSession
from runner.errors import ClusterResponseError

MAX_PAGE_SIZE = 10_000
"""The spec's maximum ``limit``."""


def iter_search(session: RestSession, dialect: Dialect, path: str, body: dict[str, Any], *,
                page_size: int, sort_field: str) -> Iterator[dict[str, Any]]:
    """Every item of a search, page after page.

    Stops after an empty page, a page without a next cursor, or a page shorter than
    ``page_size`` (the server fills every page but the last).
    """
    if not 1 <= page_size <= MAX_PAGE_SIZE:
        raise ValueError(f"page_size must be between 1 and {MAX_PAGE_SIZE}, not {page_size}")
    cursor: Cursor | None = None
    sort = dialect.search_sort(sort_field)
    while True:
        request = dict(body)
        if sort is not None and "sort" not in request:
            request["sort"] = sort
        request["page"] = dialect.page(page_size, cursor)
        answer = session.json("POST", path, json=request)
        items = answer.get("items")
        if not isinstance(items, list):
            raise ClusterResponseError(f"POST {path} answered without an items list")
        for item in items:
            if isinstance(item, dict):
                yield item
        following = dialect.next_cursor(answer)
        if not items or following is None or len(items) < page_size:
            return
        if following == cursor:
            raise ClusterResponseError(
                f"POST {path} returned the same page cursor twice; stopping to avoid a loop")
        cursor = following
