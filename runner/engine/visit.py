"""The view a rule gets: the command being judged and the element instance being visited."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Literal

from runner.bpmn.model import Element, ProcessModel
from runner.engine.index import ModelIndex, index_of
from runner.engine.state import ElementInstance, InstanceSnapshot, MigrationRequest
from runner.version import ServerVersion

Role = Literal["process", "body", "inner", "plain"]
"""How an element instance relates to its BPMN element: the process instance itself, the
body of a multi-instance activity, one inner instance of it, or an ordinary instance."""


@dataclass(frozen=True, slots=True)
class Command:
    """One MIGRATE command for one process instance, with the id map Zeebe builds."""

    request: MigrationRequest
    snapshot: InstanceSnapshot
    id_map: Mapping[str, str]
    """Source element id -> target element id: the instructions plus source process id ->
    target process id (Zeebe adds that one itself and ignores an instruction for it)."""
    targeted: frozenset[str]
    """The target ids of the instructions."""

    @property
    def key(self) -> str:
        return self.snapshot.process_instance_key

    @property
    def server(self) -> ServerVersion:
        return self.request.server

    @property
    def source(self) -> ProcessModel:
        return self.request.source

    @property
    def target(self) -> ProcessModel:
        return self.request.target

    def sources_targeting(self, target_id: str) -> list[str]:
        """Source ids of the instructions whose target is ``target_id``."""
        return [i.source for i in self.request.instructions if i.target == target_id]

    def is_targeted(self, target_id: str) -> bool:
        """Whether some instruction has ``target_id`` as its target."""
        return target_id in self.targeted

    def children_of(self, instance_key: str) -> list[ElementInstance]:
        """The active element instances whose parent is ``instance_key``."""
        return [e for e in self.snapshot.elements if e.parent_key == instance_key]


@dataclass(frozen=True, slots=True)
class Visit:
    """One element instance while the engine checks it."""

    cmd: Command
    instance: ElementInstance
    parent: ElementInstance | None
    source: Element | None
    """The instance's element in the source model (None if the model lacks it)."""
    target_id: str | None = None
    """Where the id map sends the instance's element (None: unmapped)."""
    target: Element | None = None
    """The target model's element for ``target_id``."""
    role: Role = "plain"
    """See :data:`Role`; ``of`` derives it from the instance."""
    source_events: tuple[Element, ...] = ()
    """The catch events this instance holds subscriptions for, in the source (``of``
    derives them once; the rules ask for them many times)."""

    @classmethod
    def of(cls, cmd: Command, instance: ElementInstance, parent: ElementInstance | None,
           source: Element | None) -> Visit:
        """A visit with the instance's target looked up through the command's id map."""
        target_id = cmd.id_map.get(instance.element_id)
        target = cmd.target.get(target_id) if target_id is not None else None
        role = role_of(instance)
        return cls(cmd, instance, parent, source, target_id, target, role,
                   catch_events_held(cmd.source, source, role))

    @property
    def key(self) -> str:
        return self.cmd.key

    @property
    def server(self) -> ServerVersion:
        return self.cmd.server

    @property
    def element_id(self) -> str:
        return self.instance.element_id


    @property
    def target_type(self) -> str | None:
        """The target element's type as Zeebe sees it (MULTI_INSTANCE_BODY for multi-instance)."""
        target_id = self.target_id
        return self.cmd.target.body_type(target_id) if target_id is not None else None

    @property
    def interrupted(self) -> bool:
        """True when an interrupting event sub-process runs inside this instance: the
        instance's own catch-event subscriptions are closed then."""
        for child in self.cmd.children_of(self.instance.key):
            if child.element_type != "EVENT_SUB_PROCESS":
                continue
            starts = index_of(self.cmd.source).start_events(child.element_id)
            if any(start.interrupting is not False for start in starts):
                return True
        return False

    def source_catch_events(self) -> list[Element]:
        """The catch events this instance holds subscriptions for, in the source."""
        return list(self.source_events)

    def target_catch_events(self) -> list[Element]:
        """The catch events of the instance's target element (E16), in the target."""
        role: Role = self.role
        target = self.target
        if role == "plain" and target is not None and target.multi_instance:
            role = "body"
        return catch_events(self.cmd.target, target, role)


def role_of(instance: ElementInstance) -> Role:
    """How an element instance relates to its BPMN element (see :data:`Role`)."""
    if instance.element_type == "PROCESS":
        return "process"
    if instance.element_type == "MULTI_INSTANCE_BODY":
        return "body"
    if instance.is_inner_instance:
        return "inner"
    return "plain"


INNER_INSTANCE_SUFFIX = "#innerInstance"
"""Zeebe's id for the inner instances of an ad-hoc sub-process: '<sub-process id>' + this."""


def element_exists(model: ProcessModel, element_id: str) -> bool:
    """Whether Zeebe's executable model knows ``element_id`` (ad-hoc inner instances too)."""
    if element_id in model:
        return True
    if element_id.endswith(INNER_INSTANCE_SUFFIX):
        base = model.get(element_id[: -len(INNER_INSTANCE_SUFFIX)])
        return base is not None and base.element_type == "AD_HOC_SUB_PROCESS"
    return False


def is_message_catch(element: Element) -> bool:
    """Message catch events and receive tasks (whose message is their own event)."""
    return element.event_type == "MESSAGE" or element.element_type == "RECEIVE_TASK"


def catch_events(model: ProcessModel, element: Element | None, role: Role) -> list[Element]:
    """The catch events an element instance subscribes to (reference E16).

    Process: start events of its direct event sub-processes. Multi-instance body: the
    activity's boundary events. Inner instance: its own event (receive task) and, for a
    sub-process, the start events of its direct event sub-processes. Event-based gateway:
    the catch events after it. Other activities: own event, boundary events, and for
    containers the start events of their direct event sub-processes.
    """
    return list(catch_events_held(model, element, role))


def catch_events_held(model: ProcessModel, element: Element | None,
                      role: Role) -> tuple[Element, ...]:
    """catch_events as a tuple, computed once per model, element and role."""
    if element is None:
        return ()
    index = index_of(model)
    memo = index.catch_events_memo
    key = (element.id, role)
    known = memo.get(key)
    if known is None:
        known = memo[key] = tuple(_catch_events(model, index, element, role))
    return known


def _catch_events(model: ProcessModel, index: ModelIndex, element: Element,
                  role: Role) -> list[Element]:
    if role == "body":
        return index.boundary_events(element.id)
    if element.element_type == "EVENT_BASED_GATEWAY":
        return model.catch_events_of(element.id)
    events: list[Element] = []
    if element.element_type in ("INTERMEDIATE_CATCH_EVENT", "RECEIVE_TASK"):
        events.append(element)
    if role == "plain":
        events.extend(index.boundary_events(element.id))
    if element.is_container:
        for esp in index.event_sub_processes(element.id):
            events.extend(index.start_events(esp.id))
    return events
