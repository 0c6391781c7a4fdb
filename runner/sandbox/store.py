"""The sandbox's in-memory state: definitions, instances, indices, and the search lag.

Instances are compact slot objects that share their tree template and variables with the
rest of their seeded group. ``by_definition`` keeps sorted instance keys per definition so a
search by definition key touches only that definition's instances.

Eventual consistency: a write remembers what the instance looked like before. Searches ask
``visible(record, now)``, which answers the old state until ``search_lag_s`` has passed.
"""

from __future__ import annotations

import bisect
import threading
import time
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from runner.bpmn.model import ProcessModel
from runner.sandbox.tree import TreeTemplate

FIRST_KEY = 2251799813685249
"""Zeebe's first key on partition 1; sandbox keys count up from here."""
DEFAULT_TENANT = "<default>"


@dataclass(frozen=True, slots=True)
class Definition:
    """One deployed process definition (one process of one deployed resource)."""

    key: int
    process_id: str
    version: int
    version_tag: str | None
    name: str | None
    tenant_id: str
    resource_name: str
    xml: bytes
    checksum: str
    model: ProcessModel


class InstanceRecord:
    """One process instance. Mutable: a migration changes definition and tree in place."""

    __slots__ = ("changed_at", "correlation_key", "definition_key", "end_date", "has_incident",
                 "key", "pending_command", "pending_distribution", "previous", "start_date",
                 "start_ms", "state", "taken_flows", "template", "tenant_id", "variables")

    def __init__(self, key: int, definition_key: int, tenant_id: str, template: TreeTemplate,
                 variables: Mapping[str, Any], has_incident: bool, start_date: str,
                 start_ms: int, state: str, taken_flows: Mapping[str, tuple[str, ...]],
                 pending_command: int, pending_distribution: int) -> None:
        self.key = key
        self.definition_key = definition_key
        self.tenant_id = tenant_id
        self.template = template
        self.variables = variables
        self.has_incident = has_incident
        self.start_date = start_date
        self.start_ms = start_ms
        self.state = state
        self.end_date: str | None = None
        self.taken_flows = taken_flows
        self.pending_command = pending_command
        """How many more MIGRATE commands meet a concurrent command (R17); -1 = always."""
        self.pending_distribution = pending_distribution
        """Same for a pending message-subscription distribution (R18a)."""
        self.previous: tuple[int, TreeTemplate] | None = None
        self.changed_at = 0.0
        self.correlation_key: str | None = None
        """Correlation key of the message that started the instance (message start)."""


@dataclass(frozen=True, slots=True)
class View:
    """An instance as a search sees it (possibly lagging behind the latest write)."""

    record: InstanceRecord
    definition: Definition
    template: TreeTemplate


class Store:
    """All state of one sandbox. Every method that reads or writes holds ``lock``."""

    def __init__(self, search_lag_ms: int = 0) -> None:
        self.lock = threading.RLock()
        self.search_lag_s = search_lag_ms / 1000.0
        self.reset()

    def reset(self) -> None:
        with self.lock:
            self._next_key = FIRST_KEY
            self.definitions: dict[int, Definition] = {}
            self.versions: dict[tuple[str, str], list[Definition]] = {}
            self.instances: dict[int, InstanceRecord] = {}
            self.instance_keys: list[int] = []
            self.by_definition: dict[int, list[int]] = {}
            self.recently_changed: dict[int, float] = {}
            self.generation = 0
            self.writes = 0
            self.accepted_migrations: Counter[int] = Counter()
            self.requests: Counter[str] = Counter()
            self.batches: dict[int, Any] = {}

    # keys -------------------------------------------------------------------------------
    def allocate_keys(self, count: int) -> int:
        """Reserve ``count`` consecutive keys and return the first."""
        with self.lock:
            first = self._next_key
            self._next_key += count
            return first

    # definitions ------------------------------------------------------------------------
    def add_definition(self, definition: Definition) -> None:
        with self.lock:
            self.definitions[definition.key] = definition
            self.versions.setdefault((definition.tenant_id, definition.process_id),
                                     []).append(definition)
            self.by_definition.setdefault(definition.key, [])
            self.generation += 1

    def latest(self, tenant_id: str, process_id: str) -> Definition | None:
        versions = self.versions.get((tenant_id, process_id))
        return versions[-1] if versions else None

    def find_definition(self, process_id: str, version: int | None,
                        tenant_id: str = DEFAULT_TENANT) -> Definition | None:
        versions = self.versions.get((tenant_id, process_id), [])
        if version is None:
            return versions[-1] if versions else None
        return next((d for d in versions if d.version == version), None)

    def active_correlation_keys(self, tenant_id: str, process_id: str) -> frozenset[str]:
        """Correlation keys of the active, message-started instances of a process id."""
        with self.lock:
            keys: set[str] = set()
            for definition in self.versions.get((tenant_id, process_id), ()):
                for key in self.by_definition[definition.key]:
                    record = self.instances[key]
                    if record.correlation_key is not None and record.state == "ACTIVE":
                        keys.add(record.correlation_key)
            return frozenset(keys)

    def is_latest(self, definition: Definition) -> bool:
        return self.latest(definition.tenant_id, definition.process_id) is definition

    # instances --------------------------------------------------------------------------
    def add_instances(self, records: list[InstanceRecord]) -> None:
        """Add new instances; their keys must be higher than every key seen so far."""
        with self.lock:
            for record in records:
                self.instances[record.key] = record
                self.instance_keys.append(record.key)
                self.by_definition[record.definition_key].append(record.key)
            self.generation += 1

    def instance_for_element_key(self, element_key: int) -> InstanceRecord | None:
        """The instance whose key block contains ``element_key``."""
        index = bisect.bisect_right(self.instance_keys, element_key) - 1
        if index < 0:
            return None
        record = self.instances[self.instance_keys[index]]
        return record if element_key - record.key < record.template.size else None

    def retarget(self, record: InstanceRecord, definition_key: int,
                 template: TreeTemplate, taken_flows: Mapping[str, tuple[str, ...]]) -> None:
        """Apply a migration to ``record``; searches see it after the lag."""
        with self.lock:
            now = time.monotonic()
            if record.previous is None or now >= record.changed_at + self.search_lag_s:
                record.previous = (record.definition_key, record.template)
            record.changed_at = now
            if definition_key != record.definition_key:
                old = self.by_definition[record.definition_key]
                del old[bisect.bisect_left(old, record.key)]
                bisect.insort(self.by_definition[definition_key], record.key)
            record.definition_key = definition_key
            record.template = template
            record.taken_flows = taken_flows
            if self.search_lag_s > 0:
                self.recently_changed[record.key] = now
            self.generation += 1

    def lagging_keys(self, now: float) -> list[int]:
        """Keys of instances whose latest write searches do not see yet."""
        expired = [k for k, t in self.recently_changed.items() if now >= t + self.search_lag_s]
        for key in expired:
            del self.recently_changed[key]
        return list(self.recently_changed)

    def visible(self, record: InstanceRecord, now: float) -> View:
        if record.previous is not None and now < record.changed_at + self.search_lag_s:
            definition_key, template = record.previous
        else:
            definition_key, template = record.definition_key, record.template
        return View(record, self.definitions[definition_key], template)

    def current(self, record: InstanceRecord) -> View:
        return View(record, self.definitions[record.definition_key], record.template)

    def iter_candidates(self, definition_keys: list[int] | None, now: float) -> list[int]:
        """Instance keys a search must look at, ascending; narrowed by definition keys.

        Instances written within the search lag are added: a search may still see them on
        the definition they came from.
        """
        if definition_keys is None:
            return list(self.instance_keys)
        lagging = self.lagging_keys(now) if self.recently_changed else []
        if len(definition_keys) == 1 and not lagging:
            return list(self.by_definition.get(definition_keys[0], ()))
        keys = set(lagging)
        for definition_key in definition_keys:
            keys.update(self.by_definition.get(definition_key, ()))
        return sorted(keys)

    def count_request(self, route: str) -> None:
        with self.lock:
            self.requests[route] += 1
