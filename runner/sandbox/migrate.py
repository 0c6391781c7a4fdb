"""Migrating one sandbox instance: the global checks, then the engine's judge, then the write.

The global checks that need the cluster's state (instance exists, target definition exists
in the instance's tenant; reference 1.2 steps 1, 4, 5) happen here with Zeebe's texts; the
element rules are ``runner.engine.judge.judge``, the same engine validation and the dry run
use. A transient rule seeded on the instance (pending command / pending message
distribution) is consumed one attempt at a time.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from runner.engine.state import (
    ElementInstance,
    InstanceSnapshot,
    Instruction,
    MigrationRequest,
    Rejection,
)
from runner.sandbox.store import Definition, InstanceRecord, Store
from runner.sandbox.tree import migrate_template
from runner.version import ServerVersion


class BadMigrationRequest(ValueError):
    """The request body does not match ProcessInstanceMigrationInstruction (HTTP 400)."""


@dataclass(frozen=True, slots=True)
class MigrationPlan:
    """A parsed migration plan: the target definition key and the instructions."""

    target_key: int
    instructions: tuple[Instruction, ...]


def parse_plan(body: Any, *, allow_reference: bool = True) -> MigrationPlan:
    """Check and parse a ProcessInstanceMigrationInstruction / batch migrationPlan."""
    if not isinstance(body, dict):
        raise BadMigrationRequest("the migration plan must be a JSON object")
    allowed = {"targetProcessDefinitionKey", "mappingInstructions"}
    if allow_reference:
        allowed.add("operationReference")
    unknown = set(body) - allowed
    if unknown:
        raise BadMigrationRequest(f"unknown properties {sorted(unknown)}")
    for required in ("targetProcessDefinitionKey", "mappingInstructions"):
        if required not in body:
            raise BadMigrationRequest(f"No {required} provided.")
    target = body["targetProcessDefinitionKey"]
    if isinstance(target, bool) or not isinstance(target, int | str) \
            or not str(target).lstrip("-").isdigit():
        raise BadMigrationRequest(f"targetProcessDefinitionKey '{target}' is not a key")
    reference = body.get("operationReference")
    if reference is not None and (isinstance(reference, bool) or not isinstance(reference, int)
                                  or reference < 1):
        raise BadMigrationRequest("operationReference must be an integer > 0")
    raw = body["mappingInstructions"]
    if not isinstance(raw, list):
        raise BadMigrationRequest("mappingInstructions must be an array")
    instructions = []
    for entry in raw:
        if not isinstance(entry, dict) or not isinstance(entry.get("sourceElementId"), str) \
                or not isinstance(entry.get("targetElementId"), str):
            raise BadMigrationRequest(
                "each mapping instruction needs string sourceElementId and targetElementId")
        instructions.append(Instruction(entry["sourceElementId"], entry["targetElementId"]))
    return MigrationPlan(int(target), tuple(instructions))


def _not_found_instance(key: int) -> Rejection:
    return Rejection("Z01", "NOT_FOUND", "Expected to migrate process instance but no process "
                     f"instance found with key '{key}'")


def _not_found_target(key: int) -> Rejection:
    return Rejection("Z03", "NOT_FOUND", "Expected to migrate process instance to process "
                     f"definition but no process definition found with key '{key}'")


def _transient(code: str, message: str) -> Rejection:
    return Rejection(code, "INVALID_STATE", message, transient=True)


def snapshot_of(record: InstanceRecord, definition: Definition) -> InstanceSnapshot:
    """The instance as the engine sees it when the MIGRATE command arrives."""
    key = record.key
    incident_at = record.template.incident_row() if record.has_incident else None
    elements = tuple(
        ElementInstance(
            key=str(key + row.offset), element_id=row.element_id,
            element_type=row.element_type,
            parent_key=None if row.parent_offset is None else str(key + row.parent_offset),
            has_incident=row.offset == incident_at,
            is_camunda_user_task=row.is_camunda_user_task,
            is_inner_instance=row.is_inner_instance)
        for row in record.template.rows)
    taken: dict[str, tuple[str, ...]] = {}
    for scope_id, flows in record.taken_flows.items():
        offset = record.template.offset_of(scope_id)
        if offset is not None:
            taken[str(key + offset)] = tuple(flows)
    return InstanceSnapshot(
        process_instance_key=str(key), process_definition_key=str(definition.key),
        bpmn_process_id=definition.process_id, elements=elements,
        tenant_id=record.tenant_id, variables=record.variables, taken_flows=taken,
        variables_known=True,
        started_by_message_correlation_key=record.correlation_key,
        pending_command=record.pending_command != 0,
        pending_message_distribution=record.pending_distribution != 0)


def migrate_instance(store: Store, instance_key: int, plan: MigrationPlan,
                     server: ServerVersion) -> Rejection | None:
    """Judge and apply one migration. None when it was applied."""
    from runner.engine.judge import judge  # the engine lands separately; import at use

    with store.lock:
        record = store.instances.get(instance_key)
        if record is None or record.state != "ACTIVE":
            return _not_found_instance(instance_key)
        source = store.definitions[record.definition_key]
        target = store.definitions.get(plan.target_key)
        if target is None or target.tenant_id != record.tenant_id:
            return _not_found_target(plan.target_key)
        # Z04 needs the target's active message-start correlation keys: only worth the
        # scan when this instance was started by a message and the process id changes
        crossing = record.correlation_key is not None and source.process_id != target.process_id
        request = MigrationRequest(
            source=source.model, target=target.model, instructions=plan.instructions,
            server=server, target_definition_key=str(target.key),
            source_definition_key=str(source.key),
            target_message_start_correlation_keys=store.active_correlation_keys(
                target.tenant_id, target.process_id) if crossing else frozenset())
        snapshot = snapshot_of(record, source)
        verdict = judge(request, snapshot)
        # a seeded runtime condition lasts for a number of attempts (-1: for ever)
        if record.pending_command > 0:
            record.pending_command -= 1
        if record.pending_distribution > 0:
            record.pending_distribution -= 1
        if verdict.rejection is not None:
            return verdict.rejection
        moves = dict(verdict.moves)
        moves.setdefault(source.process_id, target.process_id)
        template = migrate_template(record.template, target.model, moves)
        store.retarget(record, target.key, template,
                       _migrate_flows(record.taken_flows, moves, plan.instructions))
        store.accepted_migrations[instance_key] += 1
        return None


def _migrate_flows(taken: Mapping[str, tuple[str, ...]], moves: Mapping[str, str],
                   instructions: tuple[Instruction, ...]) -> Mapping[str, tuple[str, ...]]:
    """Taken flows after migration: scopes follow their element, flows their mapping."""
    if not taken:
        return taken
    mapping = {i.source: i.target for i in instructions}
    return {moves.get(scope, mapping.get(scope, scope)):
            tuple(mapping.get(flow, flow) for flow in flows)
            for scope, flows in taken.items()}
