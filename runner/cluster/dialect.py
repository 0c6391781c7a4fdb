"""How the REST API differs between server versions (reference section 2, cheat sheet 4).

                     8.6                    8.7                    8.8 and later
    keys sent        JSON numbers           JSON strings           JSON strings
    paging request   {limit, searchAfter}   {limit, searchAfter}   {limit, after}
    paging response  page.lastSortValues    page.lastSortValues    page.endCursor
    element search   /flownode-instances/   /flownode-instances/   /element-instances/search
                     search (flowNodeId)    search (flowNodeId)    (elementId)
    batch migration  -                      -                      /process-instances/migration
    sequence flows   -                      -                      GET .../sequence-flows

Keys in responses are accepted as strings or numbers on every version. searchAfter paging
needs a stable sort, so 8.6/8.7 searches always sort by the entity's key.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from runner.errors import UnsupportedServerVersion
from runner.version import OLDEST_CLUSTER, ServerVersion

Cursor = str | list[Any]
"""An 8.8+ endCursor (opaque string) or 8.6/8.7 lastSortValues (a list)."""


@dataclass(frozen=True, slots=True)
class Dialect:
    """The request and response shapes of one server version."""

    version: ServerVersion

    @classmethod
    def for_version(cls, version: ServerVersion) -> Dialect:
        if version < OLDEST_CLUSTER:
            raise UnsupportedServerVersion(
                f"the cluster runs Camunda {version}; c8migrate needs {OLDEST_CLUSTER.major}."
                f"{OLDEST_CLUSTER.minor} or newer (the REST migration endpoint appeared in 8.6)",
                hint="upgrade the cluster, or migrate with Operate or the gRPC API",
            )
        return cls(version)

    @property
    def cursor_paging(self) -> bool:
        return self.version.at_least("8.8")

    @property
    def string_keys(self) -> bool:
        return self.version.at_least("8.7")

    @property
    def has_batch_migration(self) -> bool:
        return self.version.at_least("8.8")

    @property
    def has_sequence_flows(self) -> bool:
        return self.version.at_least("8.8")

    @property
    def has_instance_get(self) -> bool:
        """GET /v2/process-instances/{key} (8.8+); older versions search by key."""
        return self.version.at_least("8.8")

    @property
    def element_search_path(self) -> str:
        return "/element-instances/search" if self.cursor_paging else "/flownode-instances/search"

    @property
    def element_id_field(self) -> str:
        return "elementId" if self.cursor_paging else "flowNodeId"

    @property
    def element_key_field(self) -> str:
        return "elementInstanceKey" if self.cursor_paging else "flowNodeInstanceKey"

    def key(self, key: str) -> str | int:
        """A key as this version wants it in a request body."""
        return key if self.string_keys else int(key)

    def page(self, limit: int, cursor: Cursor | None) -> dict[str, Any]:
        """The ``page`` part of a search request."""
        page: dict[str, Any] = {"limit": limit}
        if cursor is not None:
            page["after" if self.cursor_paging else "searchAfter"] = cursor
        return page

    def next_cursor(self, body: dict[str, Any]) -> Cursor | None:
        """The cursor for the page after ``body`` (None: there is none)."""
        page = body.get("page")
        if not isinstance(page, dict):
            return None
        if self.cursor_paging:
            cursor = page.get("endCursor")
            return cursor if isinstance(cursor, str) and cursor else None
        values = page.get("lastSortValues")
        return values if isinstance(values, list) and values else None

    def search_sort(self, key_field: str) -> list[dict[str, str]] | None:
        """A sort that makes searchAfter stable (8.6/8.7); 8.8+ cursors need none."""
        return None if self.cursor_paging else [{"field": key_field, "order": "ASC"}]


def key_text(value: Any) -> str | None:
    """A key from a response (string or number) as a string; None stays None."""
    if value is None or isinstance(value, bool):
        return None
    if isinstance(value, int | str):
        return str(value)
    return None
