"""The dry run: what applying a plan would do to the live instances. Writes nothing.

``build_preview`` resolves the plan against the cluster (runner.flow.resolve), judges every
matched instance with the deployed models (runner.flow.observe) and aggregates the verdicts
in a ``Tally`` that keeps totals, per-element counts and BOUNDED samples only (the smallest
instance keys, so the report is the same however the workers interleave).
"""

from __future__ import annotations

import heapq
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Generic, Protocol, TypeVar

from runner.engine.offline import validate_offline
from runner.engine.state import MigrationRequest, Note
from runner.findings import Finding, Severity
from runner.flow.observe import (
    DEFAULT_CONCURRENCY,
    InstanceSource,
    Observation,
    observe,
    stream_filter,
)
from runner.flow.progress import NoProgress, ProgressListener
from runner.flow.resolve import DefinitionSource, ResolvedPlan, resolve_plan
from runner.plan.model import Plan
from runner.results import BlockedInstance, ElementMove, PlanPreview
from runner.version import ServerVersion

BLOCKED_SAMPLE = 50
"""Blocked instances kept with their reason (the rest are counted)."""
KEY_SAMPLE = 20
"""Keys of migrating instances kept for the report."""
T = TypeVar("T")


class PreviewClient(DefinitionSource, InstanceSource, Protocol):
    """What the dry run needs from the cluster client."""

    def server_version(self) -> ServerVersion: ...


def _int_key(key: str) -> int:
    return int(key) if key.lstrip("-").isdigit() else 0


class SmallestKeys(Generic[T]):
    """Keeps the items of the ``limit`` smallest instance keys seen (a bounded sample that
    does not depend on the order in which workers finish)."""

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self._heap: list[tuple[int, str]] = []
        """(-key, key): heap[0] is the largest key kept."""
        self._items: dict[str, T] = {}

    def offer(self, key: str, item: T) -> None:
        entry = (-_int_key(key), key)
        if len(self._heap) < self.limit:
            heapq.heappush(self._heap, entry)
            self._items[key] = item
        elif self._heap and entry > self._heap[0]:
            _, dropped = heapq.heapreplace(self._heap, entry)
            del self._items[dropped]
            self._items[key] = item

    def items(self) -> list[T]:
        return [self._items[k] for k in sorted(self._items, key=_int_key)]


@dataclass
class _Move:
    element_type: str
    target: str | None
    instances: int = 0
    blocked: int = 0


@dataclass
class Tally:
    """Aggregates observations with memory bounded by the samples, not the instance count."""

    request: MigrationRequest
    blocked_sample: int = BLOCKED_SAMPLE
    key_sample: int = KEY_SAMPLE
    matched: int = 0
    migrating: int = 0
    blocked_total: int = 0
    variables_unknown: int = 0
    moves: dict[str, _Move] = field(default_factory=dict)
    notes: Counter[tuple[str, str | None, str, str | None]] = field(default_factory=Counter)
    _blocked: SmallestKeys[BlockedInstance] | None = None
    _keys: SmallestKeys[str] | None = None

    _targets: dict[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self._blocked = SmallestKeys(self.blocked_sample)
        self._keys = SmallestKeys(self.key_sample)
        self._targets = {i.source: i.target for i in self.request.instructions}

    def add(self, observation: Observation) -> None:
        self.matched += 1
        verdict, key = observation.verdict, observation.info.key
        if observation.variables_unknown:
            self.variables_unknown += 1
        for element_id in dict.fromkeys(e.element_id for e in observation.elements
                                        if e.element_type != "PROCESS"):
            source = self.request.source.get(element_id)
            move = self.moves.setdefault(element_id, _Move(
                source.element_type if source else "UNKNOWN", self._targets.get(element_id)))
            move.instances += 1
            if not verdict.accepted:
                move.blocked += 1
        for note in verdict.notes:
            self.notes[_note_key(note)] += 1
        rejection = verdict.rejection
        if rejection is None:
            self.migrating += 1
            assert self._keys is not None
            self._keys.offer(key, key)
            return
        self.blocked_total += 1
        item = BlockedInstance(key, rejection.code, rejection.element_id, rejection.message,
                               rejection.transient)
        assert self._blocked is not None
        self._blocked.offer(key, item)

    @property
    def blocked(self) -> tuple[BlockedInstance, ...]:
        return tuple(self._blocked.items()) if self._blocked else ()

    @property
    def sample_keys(self) -> tuple[str, ...]:
        return tuple(self._keys.items()) if self._keys else ()

    def element_moves(self) -> tuple[ElementMove, ...]:
        return tuple(ElementMove(element_id, m.element_type, m.target, m.instances, m.blocked)
                     for element_id, m in sorted(self.moves.items()))

    def note_findings(self, plan: Plan, known: frozenset[tuple[str, str]] = frozenset()
                      ) -> list[Finding]:
        """Warnings and notes of the verdicts, with how many instances each concerns;
        ``known`` (code, message) pairs, already reported offline, are left out."""
        findings = []
        ordered = sorted(self.notes.items(), key=lambda n: (n[0][0], n[0][1] or "", n[0][2]))
        for (code, _element_id, message, hint), count in ordered:
            if (code, message) in known:
                continue
            severity = Severity.NOTE if code.startswith("N") else Severity.WARNING
            where = f" ({count} instance{'s' if count != 1 else ''})"
            findings.append(Finding(code, severity, message + where,
                                    location=plan.location_of("/mappings"), hint=hint))
        return findings


def _note_key(note: Note) -> tuple[str, str | None, str, str | None]:
    return (note.code, note.element_id, note.message, note.hint)


def build_preview(plan: Plan, client: PreviewClient, *, server: ServerVersion | None = None,
                  concurrency: int = DEFAULT_CONCURRENCY,
                  progress: ProgressListener | None = None,
                  blocked_sample: int = BLOCKED_SAMPLE) -> PlanPreview:
    """The dry run of ``plan``: matched instances, where each active element goes, which
    instances Zeebe would reject and why. Only reads from the cluster."""
    resolved = resolve_plan(plan, client, server or client.server_version())
    return compute_preview(resolved, client, concurrency=concurrency, progress=progress,
                           blocked_sample=blocked_sample)


def compute_preview(resolved: ResolvedPlan, client: InstanceSource, *,
                    concurrency: int = DEFAULT_CONCURRENCY,
                    progress: ProgressListener | None = None,
                    blocked_sample: int = BLOCKED_SAMPLE,
                    on_observation: Callable[[Observation], None] | None = None) -> PlanPreview:
    """Observe and tally the instances of a resolved plan. ``on_observation`` sees every
    judged instance (apply collects the keys to migrate with it)."""
    if resolved.request is None:
        return _empty(resolved)
    listener = progress or NoProgress()
    plan = resolved.plan
    tally = Tally(resolved.request, blocked_sample=blocked_sample)
    listener.begin(f"dry run {plan.name}", None)
    try:
        for observation in observe(resolved.request, client, plan.filter,
                                   tenant_id=plan.tenant_id, concurrency=concurrency,
                                   progress=listener):
            tally.add(observation)
            if on_observation is not None:
                on_observation(observation)
    finally:
        listener.end()
    return preview_of(resolved, tally, already_on_target(resolved, client))


def already_on_target(resolved: ResolvedPlan, client: InstanceSource) -> int:
    """Instances the plan's filter selects on the TARGET definition (migrated before)."""
    if not resolved.target_key:
        return 0
    return sum(1 for _ in client.iter_instances(resolved.target_key,
                                                stream_filter(resolved.plan.filter),
                                                resolved.plan.tenant_id))


def preview_of(resolved: ResolvedPlan, tally: Tally, on_target: int) -> PlanPreview:
    """The PlanPreview of a finished tally."""
    plan = resolved.plan
    assert resolved.request is not None
    findings = list(resolved.findings)
    offline = validate_offline(resolved.request, plan)
    findings.extend(offline)
    findings.extend(tally.note_findings(plan, frozenset((f.code, f.message) for f in offline)))
    if tally.variables_unknown:
        findings.append(Finding(
            "D04", Severity.WARNING,
            f"the cluster could not give the variables of {tally.variables_unknown} "
            "instance(s); Zeebe evaluates new catch events' expressions with them at "
            "migration time (Z22), so some of these may still be rejected",
            location=plan.location_of("/mappings")))
    limit = plan.rollout.max_instances
    return PlanPreview(
        plan=plan, server_version=resolved.server,
        source_definition_key=resolved.source_key, target_definition_key=resolved.target_key,
        matched=tally.matched, migrating=tally.migrating, blocked=tally.blocked,
        blocked_total=tally.blocked_total, already_on_target=on_target,
        moves=tally.element_moves(), findings=tuple(findings),
        instance_keys_sample=tally.sample_keys,
        guard_exceeded=limit is not None and tally.matched > limit,
    )


def _empty(resolved: ResolvedPlan) -> PlanPreview:
    return PlanPreview(plan=resolved.plan, server_version=resolved.server,
                       source_definition_key=resolved.source_key,
                       target_definition_key=resolved.target_key, matched=0, migrating=0,
                       blocked=(), findings=resolved.findings)
