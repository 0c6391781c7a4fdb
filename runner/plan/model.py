"""The typed migration plan (apiVersion c8migrate/v1). Built by runner.plan.loader."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

from runner.findings import Location

RolloutMode = Literal["single", "batch", "auto"]
AutoMapping = Literal["same-id", "none"]


@dataclass(frozen=True, slots=True)
class ProcessRef:
    """Source or target side of a plan."""

    process_definition_id: str
    bpmn: str
    """Path of the BPMN file, resolved relative to the plan file's folder."""
    version: int | None = None
    version_tag: str | None = None
    location: Location | None = None
    bpmn_location: Location | None = None


@dataclass(frozen=True, slots=True)
class DateRange:
    after: str | None = None
    """RFC 3339 timestamp, inclusive lower bound."""
    before: str | None = None
    """RFC 3339 timestamp, exclusive upper bound."""


@dataclass(frozen=True, slots=True)
class InstanceFilter:
    """Which instances of the source definition to migrate. Every field narrows (AND)."""

    process_instance_keys: tuple[str, ...] = ()
    state: str = "ACTIVE"
    has_incident: bool | None = None
    start_date: DateRange | None = None
    variables: Mapping[str, Any] = field(default_factory=dict)
    """Variable name -> value; equality on the JSON value."""
    active_element_ids: tuple[str, ...] = ()
    """Instances that have an active element with one of these ids."""


@dataclass(frozen=True, slots=True)
class MappingEntry:
    source: str
    target: str
    location: Location | None = None


@dataclass(frozen=True, slots=True)
class Rollout:
    mode: RolloutMode = "auto"
    max_instances: int | None = None
    """Guard: refuse to apply when more instances match."""
    concurrency: int | None = None
    """Single mode: migrations in flight at once (None: the client's default)."""
    allow_blocked: bool = False
    """Apply migrates what can move and does not fail on instances Zeebe would reject."""


@dataclass(frozen=True, slots=True)
class Plan:
    """A loaded, schema-valid plan."""

    path: str
    """The plan file as given on the command line (used in locations)."""
    name: str
    source: ProcessRef
    target: ProcessRef
    description: str | None = None
    tenant_id: str | None = None
    filter: InstanceFilter = field(default_factory=InstanceFilter)
    auto_mapping: AutoMapping = "same-id"
    mappings: tuple[MappingEntry, ...] = ()
    rollout: Rollout = field(default_factory=Rollout)
    checksum: str = ""
    """sha256 hex of the plan file's bytes (audit records, drift checks)."""
    locations: Mapping[str, Location] = field(default_factory=dict)
    """JSON pointer ('/mappings/instructions/0/source') -> location in the plan file."""

    def location_of(self, pointer: str) -> Location:
        """The location of ``pointer``, or of its nearest located ancestor, or the file."""
        p = pointer
        while True:
            loc = self.locations.get(p)
            if loc is not None:
                return loc
            if not p or p == "/":
                return Location(self.path, 1, 1)
            p = p.rsplit("/", 1)[0]
