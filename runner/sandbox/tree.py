"""Element-instance trees of sandbox instances, shared between instances as templates.

A seeded group of instances all wait at the same elements, so they share one
``TreeTemplate``: the rows of the tree with key *offsets*. An instance with key K owns
the keys K+1 .. K+len(rows); the PROCESS row is K itself. Migration maps a template to
a new one (same offsets, new element ids and types), so element-instance keys survive a
migration exactly as they do in Zeebe.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from runner.bpmn.model import ProcessModel


@dataclass(frozen=True, slots=True)
class TreeRow:
    """One element instance of the tree, keyed relative to the process-instance key."""

    offset: int
    """0 for the PROCESS row; element-instance key = process-instance key + offset."""
    element_id: str
    element_type: str
    parent_offset: int | None
    is_inner_instance: bool = False
    is_camunda_user_task: bool | None = None


@dataclass(frozen=True, slots=True)
class TreeTemplate:
    """The active element instances of one or many instances, PROCESS row first."""

    rows: tuple[TreeRow, ...]
    leaves: tuple[str, ...]
    """The wait-state element ids the tree was built from (in the order given)."""

    @property
    def size(self) -> int:
        return len(self.rows)

    def incident_row(self) -> int | None:
        """Where an incident of the instance sits: the innermost row of the first leaf."""
        if not self.leaves:
            return None
        return max((r.offset for r in self.rows if r.element_id == self.leaves[0]),
                   default=None)

    def offset_of(self, element_id: str) -> int | None:
        """Offset of the first (outermost) row of ``element_id``."""
        for row in self.rows:
            if row.element_id == element_id:
                return row.offset
        return None


class TreeError(ValueError):
    """A wait state cannot be built from the model (unknown or unusable element id)."""


def _user_task_flag(model: ProcessModel, element_id: str) -> bool | None:
    element = model.get(element_id)
    if element is None or element.element_type != "USER_TASK":
        return None
    return element.user_task_impl == "zeebe user task"


def build_template(model: ProcessModel, wait_at: Iterable[str],
                   inner_instances: int = 1) -> TreeTemplate:
    """The tree for instances waiting at ``wait_at`` (leaf ids); containers are implied.

    Every enclosing sub-process becomes one element instance (shared between leaves in it);
    a multi-instance activity becomes a MULTI_INSTANCE_BODY with ``inner_instances`` inner
    instances (elements inside a multi-instance sub-process sit in its first one).
    """
    leaves = tuple(wait_at)
    rows: list[TreeRow] = [TreeRow(0, model.process_id, "PROCESS", None)]
    # (scope path of element ids) -> offset of the row that represents the innermost one
    placed: dict[tuple[str, ...], int] = {(): 0}

    def place(path: tuple[str, ...], parent: int) -> int:
        element_id = path[-1]
        element = model.get(element_id)
        if element is None:
            raise TreeError(f"element '{element_id}' is not in process '{model.process_id}'")
        if element.element_type in ("SEQUENCE_FLOW", "PROCESS"):
            raise TreeError(
                f"element '{element_id}' ({element.element_type}) cannot be a wait state")
        if element.multi_instance:
            body = len(rows)
            rows.append(TreeRow(body, element_id, "MULTI_INSTANCE_BODY", parent))
            parent = body
        first = len(rows)
        for _ in range(inner_instances if element.multi_instance else 1):
            rows.append(TreeRow(len(rows), element_id, element.element_type, parent,
                                is_inner_instance=bool(element.multi_instance),
                                is_camunda_user_task=_user_task_flag(model, element_id)))
        return first

    for leaf in leaves:
        if leaf not in model:
            raise TreeError(f"element '{leaf}' is not in process '{model.process_id}'")
        chain = [s for s in reversed(model.scope_chain(leaf)) if s != model.process_id]
        path: tuple[str, ...] = ()
        parent = 0
        for scope_id in [*chain, leaf]:
            path = (*path, scope_id)
            if path in placed and scope_id != leaf:
                parent = placed[path]
                continue
            parent = place(path, parent)
            placed[path] = parent
    return TreeTemplate(tuple(rows), leaves)


def migrate_template(template: TreeTemplate, target: ProcessModel,
                     moves: Mapping[str, str]) -> TreeTemplate:
    """The same tree after a migration: ids mapped by ``moves``, types from ``target``.

    The PROCESS row always maps to the target's process id (Zeebe adds that mapping).
    """
    rows: list[TreeRow] = []
    for row in template.rows:
        if row.element_type == "PROCESS":
            rows.append(TreeRow(0, target.process_id, "PROCESS", None))
            continue
        new_id = moves.get(row.element_id, row.element_id)
        if row.element_type == "MULTI_INSTANCE_BODY":
            new_type = "MULTI_INSTANCE_BODY"
        else:
            new_type = target.inner_type(new_id) or row.element_type
        rows.append(TreeRow(row.offset, new_id, new_type, row.parent_offset,
                            is_inner_instance=row.is_inner_instance,
                            is_camunda_user_task=_user_task_flag(target, new_id)))
    leaves = tuple(moves.get(leaf, leaf) for leaf in template.leaves)
    return TreeTemplate(tuple(rows), leaves)
