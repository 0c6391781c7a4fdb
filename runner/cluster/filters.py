"""A plan's InstanceFilter as a process-instance search filter, per server version.

The same :class:`InstanceQuery` serves the dry run and apply, so both select exactly the same
instances (field case C17). Every field that the result item carries (definition key, state,
incident flag, start date, instance key) is checked again on the client on every version, so
what the server filters and what we count can never disagree.

Per version:

* 8.8+: everything goes to the server (processDefinitionKey, state, hasIncident,
  startDate {$gte, $lt}, variables [{name, value: JSON text}], processInstanceKey {$in}); a
  single active-element id is sent as ``elementId`` to narrow the search (that field matches
  any element instance, so the exact "has an *active* element" check stays client-side).
* 8.6/8.7: the alpha search knows few of these fields. The server filters by
  processDefinitionVersion and tenantId only; the rest is checked on the client. Variable
  filters cannot be checked there at all (no variable search before 8.8), so a plan with a
  variable filter is refused on those versions rather than silently widened.
* Active-element ids are always checked on the client, by reading the instance's active
  element instances (one extra search per candidate instance).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from runner.cluster.dialect import Dialect
from runner.cluster.model import InstanceInfo
from runner.errors import ConfigError
from runner.plan.model import InstanceFilter


class UnsupportedFilter(ConfigError):
    """The plan's filter cannot be applied faithfully on this server version."""


def variable_value_text(value: Any) -> str:
    """A variable value as the server compares it: compact JSON text."""
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False)


def parse_timestamp(text: str) -> datetime:
    """An RFC 3339 timestamp (``Z`` or an offset; naive means UTC)."""
    value = datetime.fromisoformat(text.strip().replace("Z", "+00:00"))
    return value if value.tzinfo else value.replace(tzinfo=UTC)


@dataclass(frozen=True, slots=True)
class InstanceQuery:
    """The server part of a filter plus the checks repeated on the client."""

    source_definition_key: str
    filter: InstanceFilter
    server_filter: dict[str, Any]
    needs_active_elements: bool
    client_side: tuple[str, ...] = field(default=())
    """Names of the plan filter fields the server cannot apply on this version."""

    def matches(self, info: InstanceInfo) -> bool:
        """The checks that need only the search result item."""
        flt = self.filter
        if info.process_definition_key != self.source_definition_key:
            return False
        if flt.state and info.state.upper() != flt.state.upper():
            return False
        if flt.has_incident is not None and info.has_incident != flt.has_incident:
            return False
        if flt.process_instance_keys and info.key not in flt.process_instance_keys:
            return False
        if flt.start_date is not None and (flt.start_date.after or flt.start_date.before):
            if info.start_date is None:
                return False
            started = parse_timestamp(info.start_date)
            if flt.start_date.after and started < parse_timestamp(flt.start_date.after):
                return False
            if flt.start_date.before and started >= parse_timestamp(flt.start_date.before):
                return False
        return True

    def matches_elements(self, active_element_ids: set[str]) -> bool:
        """The active-element check (the instance has an active element with a listed id)."""
        wanted = self.filter.active_element_ids
        return not wanted or bool(active_element_ids.intersection(wanted))


def build_query(dialect: Dialect, source_definition_key: str, flt: InstanceFilter,
                tenant_id: str | None, definition_version: int | None) -> InstanceQuery:
    """The search for ``flt`` on instances of ``source_definition_key``.

    ``definition_version`` narrows the 8.6/8.7 search (those versions cannot filter by
    definition key); without it they page through every instance of the tenant.
    Raises UnsupportedFilter when the version cannot apply a field faithfully.
    """
    if dialect.cursor_paging:
        return InstanceQuery(source_definition_key, flt,
                             _modern_filter(source_definition_key, flt, tenant_id),
                             needs_active_elements=bool(flt.active_element_ids))
    if flt.variables:
        raise UnsupportedFilter(
            f"variable filters need Camunda 8.8 or newer (this cluster is {dialect.version}): "
            "the 8.6/8.7 search cannot select by variable values the same way in the dry run "
            "and in apply",
            hint="filter by processInstanceKeys instead, or upgrade the cluster",
        )
    server: dict[str, Any] = {}
    if definition_version is not None:
        server["processDefinitionVersion"] = definition_version
    if tenant_id:
        server["tenantId"] = tenant_id
    client = [name for name, used in (
        ("processDefinitionKey", True), ("state", bool(flt.state)),
        ("hasIncident", flt.has_incident is not None), ("startDate", flt.start_date is not None),
        ("processInstanceKeys", bool(flt.process_instance_keys)),
        ("activeElementIds", bool(flt.active_element_ids))) if used]
    return InstanceQuery(source_definition_key, flt, server,
                         needs_active_elements=bool(flt.active_element_ids),
                         client_side=tuple(client))


def _modern_filter(source_definition_key: str, flt: InstanceFilter,
                   tenant_id: str | None) -> dict[str, Any]:
    server: dict[str, Any] = {"processDefinitionKey": source_definition_key}
    if flt.state:
        server["state"] = flt.state.upper()
    if tenant_id:
        server["tenantId"] = tenant_id
    if flt.has_incident is not None:
        server["hasIncident"] = flt.has_incident
    if flt.start_date is not None:
        bounds: dict[str, str] = {}
        if flt.start_date.after:
            bounds["$gte"] = flt.start_date.after
        if flt.start_date.before:
            bounds["$lt"] = flt.start_date.before
        if bounds:
            server["startDate"] = bounds
    if flt.variables:
        server["variables"] = [{"name": name, "value": variable_value_text(value)}
                               for name, value in flt.variables.items()]
    if flt.process_instance_keys:
        server["processInstanceKey"] = {"$in": list(flt.process_instance_keys)}
    if len(flt.active_element_ids) == 1:
        server["elementId"] = flt.active_element_ids[0]
    return server


def batch_filter(source_definition_key: str, flt: InstanceFilter,
                 tenant_id: str | None) -> dict[str, Any]:
    """The filter for POST /v2/process-instances/migration (8.8+).

    Only filters the batch applies exactly like the search are allowed: definition key,
    tenant, hasIncident, start date and instance keys. ``state`` is left out: the server
    forces ACTIVE, and an explicit state has been seen to be ANDed instead (field case C18).
    Variable filters were dropped by batch migrations in some versions (C17) and
    active-element filters are client-side, so for those the caller must resolve the
    instances to keys first (``InstanceFilter(process_instance_keys=...)``).
    """
    if flt.variables or flt.active_element_ids:
        raise UnsupportedFilter(
            "a batch migration cannot apply variable or active-element filters exactly; "
            "resolve the instances to process instance keys first")
    if flt.state and flt.state.upper() != "ACTIVE":
        raise UnsupportedFilter(f"a batch migration migrates ACTIVE instances, not {flt.state}")
    server = _modern_filter(source_definition_key, flt, tenant_id)
    server.pop("state", None)
    return server
