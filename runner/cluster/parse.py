"""Response items -> model values, tolerant of the shapes of 8.6, 8.7 and 8.8+.

Keys may be strings or numbers. 8.6/8.7 alpha search items may name fields differently
(``key``, ``bpmnProcessId``, ``incident``) and report state ``INCIDENT`` (active with an
incident) or ``CANCELED``; they are normalised to the 8.8 vocabulary.
"""

from __future__ import annotations

from typing import Any

from runner.cluster.dialect import key_text
from runner.cluster.model import BatchError, BatchItem, BatchStatus, DefinitionInfo, InstanceInfo

_STATES = {"INCIDENT": "ACTIVE", "CANCELED": "TERMINATED"}


def _first(item: dict[str, Any], *names: str) -> Any:
    for name in names:
        if item.get(name) is not None:
            return item[name]
    return None


def _int(value: Any) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, str) and value.lstrip("-").isdigit():
        return int(value)
    return None


def _opt_str(value: Any) -> str | None:
    return value if isinstance(value, str) else None


def definition_info(item: dict[str, Any]) -> DefinitionInfo:
    return DefinitionInfo(
        key=key_text(_first(item, "processDefinitionKey", "key")) or "",
        process_id=str(_first(item, "processDefinitionId", "bpmnProcessId") or ""),
        version=_int(item.get("version")) or 0,
        version_tag=_opt_str(item.get("versionTag")),
        tenant_id=_opt_str(item.get("tenantId")),
    )


def instance_info(item: dict[str, Any]) -> InstanceInfo | None:
    """None for an item without a key or definition key (never silently key '')."""
    key = key_text(_first(item, "processInstanceKey", "key"))
    definition = key_text(item.get("processDefinitionKey"))
    if key is None or definition is None:
        return None
    raw_state = str(item.get("state") or "ACTIVE").upper()
    incident = _first(item, "hasIncident", "incident")
    return InstanceInfo(
        key=key,
        process_definition_key=definition,
        process_id=str(_first(item, "processDefinitionId", "bpmnProcessId") or ""),
        version=_int(item.get("processDefinitionVersion")),
        state=_STATES.get(raw_state, raw_state),
        has_incident=bool(incident) or raw_state == "INCIDENT",
        start_date=_opt_str(item.get("startDate")),
        tenant_id=_opt_str(item.get("tenantId")),
        version_tag=_opt_str(item.get("processDefinitionVersionTag")),
    )


def batch_status(item: dict[str, Any]) -> BatchStatus:
    errors = tuple(
        BatchError(_int(e.get("partitionId")), str(e.get("type") or ""),
                   str(e.get("message") or ""))
        for e in item.get("errors") or [] if isinstance(e, dict))
    return BatchStatus(
        key=key_text(item.get("batchOperationKey")) or "",
        state=str(item.get("state") or "UNKNOWN").upper(),
        operation_type=str(item.get("batchOperationType") or ""),
        total=_int(item.get("operationsTotalCount")) or 0,
        completed=_int(item.get("operationsCompletedCount")) or 0,
        failed=_int(item.get("operationsFailedCount")) or 0,
        start_date=_opt_str(item.get("startDate")),
        end_date=_opt_str(item.get("endDate")),
        errors=errors,
    )


def batch_item(item: dict[str, Any]) -> BatchItem | None:
    key = key_text(item.get("itemKey"))
    if key is None:
        return None
    return BatchItem(
        batch_key=key_text(item.get("batchOperationKey")) or "",
        item_key=key,
        process_instance_key=key_text(item.get("processInstanceKey")),
        state=str(item.get("state") or "").upper(),
        error_message=_opt_str(item.get("errorMessage")),
        processed_date=_opt_str(item.get("processedDate")),
    )
