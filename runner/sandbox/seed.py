"""Seed documents: what to deploy and which instances to create at which wait states.

The format is the one of docs/architecture.md; the sandbox adds a few optional keys
(docs/sandbox.md): ``tenantId``, ``state``, ``startDateStepSeconds``, ``pendingCommand``,
``pendingMessageDistribution`` (true = for ever, a number = for that many attempts).
``deploy`` entries are paths (relative to the seed file) or ``{resourceName, xml}``.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import yaml

from runner.errors import InputError
from runner.plan.yaml_marks import load_marked
from runner.sandbox.deploy import DeploymentRejected, Resource, deploy
from runner.sandbox.filters import FilterError, parse_date_ms
from runner.sandbox.store import DEFAULT_TENANT, Definition, InstanceRecord, Store
from runner.sandbox.tree import TreeError, build_template

_GROUP_KEYS = frozenset({
    "process", "version", "tenantId", "count", "waitAt", "variables", "hasIncident",
    "startDate", "startDateStepSeconds", "state", "takenFlows", "pendingCommand",
    "pendingMessageDistribution", "innerInstances", "startedByMessageCorrelationKey",
})
MAX_SEED_INSTANCES = 2_000_000


class SeedError(ValueError):
    """The seed document is wrong; the message says where."""


def load_seed_file(path: str | Path) -> tuple[dict[str, Any], Path]:
    """Read a YAML seed file; InputError when it cannot be read or is not a mapping.

    The plan loader reads it: nesting and alias expansion are bounded, undecodable bytes are
    YAML errors, and dates stay the strings they were written as."""
    file = Path(path)
    try:
        document = load_marked(file.read_bytes(), str(file)).data
    except OSError as exc:
        raise InputError(f"cannot read the seed file {path}: {exc.strerror or exc}") from exc
    except yaml.YAMLError as exc:
        raise InputError(f"cannot read the seed file {path}: {exc}") from exc
    if not isinstance(document, dict):
        raise InputError(f"the seed file {path} must be a mapping with 'deploy' and 'instances'")
    return document, file.parent


def apply_seed(store: Store, document: Any, base_dir: Path | None) -> dict[str, Any]:
    """Deploy and create what ``document`` says; a summary with the new instance keys."""
    if not isinstance(document, dict):
        raise SeedError("a seed document is a mapping with 'deploy' and 'instances'")
    unknown = set(document) - {"deploy", "instances"}
    if unknown:
        raise SeedError(f"unknown seed keys {sorted(unknown)}")
    deployed: list[Definition] = []
    for index, entry in enumerate(document.get("deploy") or []):
        resource, tenant = _resource(entry, base_dir, f"deploy[{index}]")
        try:
            deployed.extend(deploy(store, [resource], tenant)[1])
        except DeploymentRejected as exc:
            raise SeedError(f"deploy[{index}]: {exc}") from exc
    groups = []
    for index, group in enumerate(document.get("instances") or []):
        keys = _create_group(store, group, f"instances[{index}]")
        groups.append({"process": group["process"], "count": len(keys),
                       "instanceKeys": [str(k) for k in keys]})
    return {"deployed": [{"processDefinitionId": d.process_id, "version": d.version,
                          "processDefinitionKey": str(d.key), "tenantId": d.tenant_id}
                         for d in deployed],
            "instances": groups}


def _resource(entry: Any, base_dir: Path | None, where: str) -> tuple[Resource, str | None]:
    if isinstance(entry, str):
        entry = {"path": entry}
    if not isinstance(entry, dict):
        raise SeedError(f"{where}: expected a path or {{resourceName, xml}}")
    tenant = entry.get("tenantId")
    if "xml" in entry:
        return Resource(str(entry.get("resourceName", "resource.bpmn")),
                        str(entry["xml"]).encode("utf-8")), tenant
    if "path" not in entry:
        raise SeedError(f"{where}: expected 'path' or 'xml'")
    path = Path(entry["path"])
    if not path.is_absolute() and base_dir is not None:
        path = base_dir / path
    try:
        return Resource(path.name, path.read_bytes()), tenant
    except OSError as exc:
        raise SeedError(f"{where}: cannot read {path}: {exc.strerror or exc}") from exc


def _count_flag(value: Any, where: str) -> int:
    if value is None or value is False:
        return 0
    if value is True:
        return -1
    if isinstance(value, int) and value >= 0:
        return value
    raise SeedError(f"{where}: expected true, false or a number of attempts")


def _create_group(store: Store, group: Any, where: str) -> list[int]:
    if not isinstance(group, dict):
        raise SeedError(f"{where}: expected a mapping")
    unknown = set(group) - _GROUP_KEYS
    if unknown:
        raise SeedError(f"{where}: unknown keys {sorted(unknown)}")
    if not isinstance(group.get("process"), str):
        raise SeedError(f"{where}: 'process' (the BPMN process id) is required")
    tenant = str(group.get("tenantId", DEFAULT_TENANT))
    definition = store.find_definition(group["process"], group.get("version"), tenant)
    if definition is None:
        raise SeedError(f"{where}: process '{group['process']}' version "
                        f"{group.get('version', 'latest')} is not deployed for tenant '{tenant}'")
    wait_at = group.get("waitAt")
    if not isinstance(wait_at, list) or not all(isinstance(w, str) for w in wait_at):
        raise SeedError(f"{where}: 'waitAt' must be a list of element ids")
    inner = group.get("innerInstances", 1)
    if isinstance(inner, bool) or not isinstance(inner, int) or not 1 <= inner <= 1000:
        raise SeedError(f"{where}: 'innerInstances' must be between 1 and 1000")
    try:
        template = build_template(definition.model, wait_at, inner)
    except TreeError as exc:
        raise SeedError(f"{where}: {exc}") from exc
    count = group.get("count", 1)
    if isinstance(count, bool) or not isinstance(count, int) or not 0 <= count <= \
            MAX_SEED_INSTANCES:
        raise SeedError(f"{where}: 'count' must be between 0 and {MAX_SEED_INSTANCES}")
    state = str(group.get("state", "ACTIVE")).upper()
    if state not in ("ACTIVE", "COMPLETED", "TERMINATED"):
        raise SeedError(f"{where}: 'state' must be ACTIVE, COMPLETED or TERMINATED")
    variables = group.get("variables") or {}
    taken = group.get("takenFlows") or {}
    if not isinstance(variables, dict) or not isinstance(taken, dict):
        raise SeedError(f"{where}: 'variables' and 'takenFlows' must be mappings")
    taken_flows = {str(k): tuple(str(f) for f in v) for k, v in taken.items()}
    start = group.get("startDate")
    try:
        start_ms = parse_date_ms(start) if start is not None else \
            int(datetime.now(UTC).timestamp() * 1000)
    except FilterError as exc:
        raise SeedError(f"{where}: startDate: {exc}") from exc
    step_ms = int(float(group.get("startDateStepSeconds", 0)) * 1000)
    pending = _count_flag(group.get("pendingCommand"), f"{where}.pendingCommand")
    distribution = _count_flag(group.get("pendingMessageDistribution"),
                               f"{where}.pendingMessageDistribution")
    correlation = group.get("startedByMessageCorrelationKey")
    block = template.size + 1  # element instances plus one key for an incident
    first = store.allocate_keys(block * count)
    records = []
    for i in range(count):
        moment = start_ms + i * step_ms
        record = InstanceRecord(
            first + i * block, definition.key, tenant, template, variables,
            bool(group.get("hasIncident", False)), iso_ms(moment), moment, state,
            taken_flows, pending, distribution)
        if state != "ACTIVE":
            record.end_date = iso_ms(moment + 1000)
        if correlation is not None:
            record.correlation_key = str(correlation)
        records.append(record)
    store.add_instances(records)
    return [r.key for r in records]


def iso_ms(epoch_ms: int) -> str:
    """ISO 8601 in UTC with milliseconds, the way the cluster prints dates."""
    moment = datetime(1970, 1, 1, tzinfo=UTC) + timedelta(milliseconds=epoch_ms)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{epoch_ms % 1000:03d}Z"
