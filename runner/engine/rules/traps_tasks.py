"""Warnings about active tasks whose configuration changes: nothing is re-evaluated.

Jobs keep their type, retries, headers and deadline; user tasks keep assignee, candidate
groups and due date; input mappings are not applied again (reference 1.4).
"""

from __future__ import annotations

from collections.abc import Iterator

from runner.bpmn.model import Element
from runner.engine.rules.base import warning
from runner.engine.state import Note
from runner.engine.visit import Visit


def _job_instance(v: Visit) -> tuple[Element, Element] | None:
    source, target = v.source, v.target
    if v.role in ("process", "body") or source is None or target is None:
        return None
    return (source, target) if source.job_type is not None else None


@warning("W03")
def job_type_changed(v: Visit) -> Iterator[Note]:
    """A mapped active task changes its job type

    The job keeps its type, retries, headers and deadline; nothing is re-evaluated. Workers
    that subscribe only to the new type will never see jobs of migrated instances.
    Example: `Charge` with job type `payment-v1` mapped to `Charge` with `payment-v2`.
    Fix: keep a worker for the old type until the migrated jobs are done.
    """
    pair = _job_instance(v)
    if pair and pair[1].job_type is not None and pair[0].job_type != pair[1].job_type:
        yield Note("W03", f"jobs of migrated instances at '{v.element_id}' keep job type "
                   f"'{pair[0].job_type}', not '{pair[1].job_type}'", v.element_id,
                   f"keep a worker for '{pair[0].job_type}' running until they are done")


@warning("W04")
def job_retries_changed(v: Visit) -> Iterator[Note]:
    """A mapped active task changes its job retries

    Existing jobs keep their remaining retries; the target's retries apply to new jobs only.
    Example: retries `3` become `10` to ride out an outage.
    Fix: update the retries of existing jobs through the job API if needed.
    """
    pair = _job_instance(v)
    if pair and (pair[0].job_retries or "3") != (pair[1].job_retries or "3"):
        yield Note("W04", f"jobs of migrated instances at '{v.element_id}' keep their retries "
                   f"('{pair[0].job_retries or '3'}'); the target's "
                   f"'{pair[1].job_retries or '3'}' applies to new jobs only", v.element_id,
                   "update the retries of existing jobs through the job API if needed")


@warning("W05")
def input_mappings_changed(v: Visit) -> Iterator[Note]:
    """A mapped active element changes its input mappings

    Input mappings were applied when the element was activated; migration does not
    re-apply them, so migrated instances lack new local variables.
    Example: the target adds input `=order.total` -> `amount` to `Charge`.
    Fix: set the missing variables on migrated instances, or let them pass the element.
    """
    source, target = v.source, v.target
    if v.role == "process" or source is None or target is None:
        return
    if source.input_mappings != target.input_mappings:
        yield Note("W05", f"migrated instances at '{v.element_id}' keep the input variables of "
                   "the source; the target's changed input mappings are not applied",
                   v.element_id, "set the missing local variables after migrating")


@warning("W06")
def assignment_changed(v: Visit) -> Iterator[Note]:
    """A mapped active user task changes its assignee or candidate groups

    The user task keeps its assignee, candidate groups and due date; the target's
    expressions are not evaluated for it.
    Example: candidate groups `sales` become `sales-eu`.
    Fix: reassign the migrated tasks through the user task API if needed.
    """
    source, target = v.source, v.target
    if v.role in ("process", "body") or source is None or target is None:
        return
    if source.element_type != "USER_TASK":
        return
    if (source.assignee, source.candidate_groups) != (target.assignee, target.candidate_groups):
        yield Note("W06", f"user tasks of migrated instances at '{v.element_id}' keep their "
                   "assignee and candidate groups; the target's are not applied", v.element_id,
                   "reassign the migrated tasks through the user task API if needed")


@warning("W11", since="8.8.20")
def user_task_conversion(v: Visit) -> Iterator[Note]:
    """A job-worker user task becomes a Camunda user task

    From 8.8.20 Zeebe cancels the job and creates a Camunda user task. Known caveats:
    Tasklist's V1 API cannot complete converted tasks (camunda/camunda#44227), assignee and
    priority are not taken from the target (#44270), and tasks that had an embedded form
    are rejected (Z09B).
    Example: `Review` (job worker) mapped to `Review` (`zeebe:userTask`).
    Fix: complete converted tasks through the V2 user task API and check assignments.
    """
    source, target = v.source, v.target
    if v.instance.element_type != "USER_TASK" or source is None or target is None:
        return
    camunda = (v.instance.is_camunda_user_task if v.instance.is_camunda_user_task is not None
               else source.user_task_impl == "zeebe user task")
    if not camunda and target.user_task_impl == "zeebe user task":
        yield Note("W11", f"job-worker user task '{v.element_id}' becomes a Camunda user task "
                   f"'{target.id}': its job is cancelled and a user task created; complete it "
                   "through the V2 user task API, assignee and priority are not re-evaluated",
                   v.element_id, "check Tasklist access and assignments after migrating")
