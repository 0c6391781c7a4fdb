"""Observing live instances: stream the plan's instances and judge each one, concurrently.

Instances come page by page from the cluster. On 8.8+ their active element instances come
in bulk too: one element search over the whole source definition, joined on instance key
(runner/cluster/bulk.py), the tree derived from the source model. Where the model cannot
decide a parent, and on older versions, a worker reads the instance's own element instances.
Workers add taken sequence flows and variables only when the models need them, build an
InstanceSnapshot and ask the engine for Zeebe's verdict. At most ``concurrency`` instances
are in flight, so memory stays flat however many instances match.

The plan's ``activeElementIds`` filter is checked here, on the element instances the worker
reads anyway, so the dry run and apply select exactly the same instances.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from dataclasses import dataclass
from typing import Any, Protocol

from runner.bpmn.model import ProcessModel
from runner.cluster.model import InstanceInfo
from runner.engine.judge import judge
from runner.engine.state import ElementInstance, InstanceSnapshot, MigrationRequest, Verdict
from runner.flow.progress import NoProgress, ProgressListener
from runner.plan.model import InstanceFilter

DEFAULT_CONCURRENCY = 8
JOINING_TYPES = frozenset({"PARALLEL_GATEWAY", "INCLUSIVE_GATEWAY"})


class ElementTreeReader(Protocol):
    """Bulk element reads, asked in ascending instance-key order (cluster.bulk)."""

    def tree_of(self, instance_key: str) -> tuple[ElementInstance, ...] | None: ...


class InstanceSource(Protocol):
    """The part of ClusterClient that observing needs."""

    def iter_instances(self, source_definition_key: str, filter: InstanceFilter | None = None,
                       tenant_id: str | None = None,
                       page_size: int = ...) -> Iterator[InstanceInfo]: ...

    def active_elements(self, instance_key: str) -> tuple[ElementInstance, ...]: ...

    def active_element_reader(self, definition_key: str,
                              model: ProcessModel) -> ElementTreeReader | None: ...

    def taken_flows(self, instance_key: str) -> tuple[str, ...] | None: ...

    def variables(self, instance_key: str) -> dict[str, Any] | None: ...


@dataclass(frozen=True, slots=True)
class Observation:
    """One matched instance and Zeebe's predicted verdict on migrating it."""

    info: InstanceInfo
    elements: tuple[ElementInstance, ...]
    verdict: Verdict
    variables_unknown: bool = False
    """The verdict needed the instance's variables and the cluster could not give them."""


@dataclass(frozen=True, slots=True)
class Needs:
    """Which extra reads per instance the two models call for."""

    taken_flows: bool
    variables_at: frozenset[str]
    """Source element ids whose target opens a catch event with an expression (Zeebe
    evaluates it with the instance's variables, Z22): instances active at one of these
    need their variables read."""

    @property
    def variables(self) -> bool:
        return bool(self.variables_at)

    def reads_for(self, elements: tuple[ElementInstance, ...]) -> bool:
        """Whether an instance with these active elements needs more reads."""
        return self.taken_flows or any(e.element_id in self.variables_at for e in elements)

    @classmethod
    def of(cls, request: MigrationRequest) -> Needs:
        return cls(taken_flows=_has_joining_gateway(request.source),
                   variables_at=_opening_expression_catch_events(request))


def _has_joining_gateway(model: ProcessModel) -> bool:
    return any(e.element_type in JOINING_TYPES and len(e.incoming) > 1 for e in model)


def _opening_expression_catch_events(request: MigrationRequest) -> frozenset[str]:
    targeted = {i.target for i in request.instructions}
    pairs = [(i.source, i.target) for i in request.instructions]
    pairs.append((request.source.process_id, request.target.process_id))
    found: set[str] = set()
    for source_id, target_id in pairs:
        for event in request.target.catch_events_of(target_id):
            if event.id in targeted:
                continue
            texts = (event.correlation_key, event.message_name, event.timer, event.signal_name)
            if any(text and "=" in text for text in texts):
                found.add(source_id)
    return frozenset(found)


def stream_filter(flt: InstanceFilter) -> InstanceFilter:
    """The filter sent to the search: active-element ids are checked by the workers."""
    return dataclasses.replace(flt, active_element_ids=())


def observe(request: MigrationRequest, client: InstanceSource, flt: InstanceFilter, *,
            tenant_id: str | None = None, concurrency: int = DEFAULT_CONCURRENCY,
            progress: ProgressListener | None = None) -> Iterator[Observation]:
    """Judge every instance of the source definition that ``flt`` selects, streamed in the
    order the workers finish. Cluster errors propagate (the run cannot continue)."""
    if concurrency < 1:
        raise ValueError(f"concurrency must be at least 1, not {concurrency}")
    listener = progress or NoProgress()
    needs = Needs.of(request)
    instances = client.iter_instances(request.source_definition_key, stream_filter(flt),
                                      tenant_id)
    reader = client.active_element_reader(request.source_definition_key, request.source)
    with ThreadPoolExecutor(max_workers=concurrency,
                            thread_name_prefix="c8migrate-observe") as pool:
        running: set[Future[Observation | None]] = set()
        exhausted = False
        try:
            while True:
                while not exhausted and len(running) < concurrency * 2:
                    info = next(instances, None)
                    if info is None:
                        exhausted = True
                        break
                    known = reader.tree_of(info.key) if reader is not None else None
                    if known is not None and not needs.reads_for(known):
                        # nothing left to read: judging here spares the pool's hand-offs
                        listener.advance()
                        observation = _observe_one(request, client, flt, needs, info, known)
                        if observation is not None:
                            yield observation
                        continue
                    running.add(pool.submit(_observe_one, request, client, flt, needs, info,
                                            known))
                if not running:
                    return
                done, running = _wait_some(running)
                for future in done:
                    listener.advance()
                    observation = future.result()
                    if observation is not None:
                        yield observation
        finally:
            for future in running:
                future.cancel()


def _wait_some(running: set[Future[Observation | None]]
               ) -> tuple[set[Future[Observation | None]], set[Future[Observation | None]]]:
    done, pending = wait(running, return_when=FIRST_COMPLETED)
    return set(done), set(pending)


def _observe_one(request: MigrationRequest, client: InstanceSource, flt: InstanceFilter,
                 needs: Needs, info: InstanceInfo,
                 known: tuple[ElementInstance, ...] | None) -> Observation | None:
    elements = known if known is not None else client.active_elements(info.key)
    if flt.active_element_ids and not {e.element_id for e in elements} & set(
            flt.active_element_ids):
        return None
    taken: dict[str, tuple[str, ...]] = {}
    if needs.taken_flows:
        flows = client.taken_flows(info.key)
        taken = _pending_joins(request.source, elements, flows or ())
    variables: dict[str, Any] | None = {}
    wants_variables = any(e.element_id in needs.variables_at for e in elements)
    if wants_variables:
        variables = client.variables(info.key)
    snapshot = InstanceSnapshot(
        process_instance_key=info.key,
        process_definition_key=info.process_definition_key,
        bpmn_process_id=request.source.process_id,
        elements=elements,
        tenant_id=info.tenant_id or "<default>",
        variables=variables or {},
        taken_flows=taken,
        variables_known=wants_variables and variables is not None,
    )
    return Observation(info, elements, judge(request, snapshot),
                       variables_unknown=variables is None)


def _pending_joins(model: ProcessModel, elements: tuple[ElementInstance, ...],
                   flows: tuple[str, ...]) -> dict[str, tuple[str, ...]]:
    """Taken flows into joining gateways, keyed by the element instance of the gateway's scope.

    The cluster lists every flow the instance has taken; a join that already fired cannot be
    told apart, so this may over-report (documented in docs/plan-format.md).
    """
    scope_keys: dict[str, str] = {}
    for e in elements:
        scope_keys.setdefault(e.element_id, e.key)
    taken: dict[str, list[str]] = {}
    for flow_id in flows:
        flow = model.get(flow_id)
        gateway = model.get(flow.target_ref or "") if flow else None
        if gateway is None or gateway.element_type not in JOINING_TYPES \
                or len(gateway.incoming) < 2:
            continue
        scope_key = scope_keys.get(gateway.flow_scope or "")
        if scope_key is not None:
            taken.setdefault(scope_key, []).append(flow_id)
    return {k: tuple(v) for k, v in taken.items()}
