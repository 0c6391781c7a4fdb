"""The mapping instructions a plan sends: the engine's effective instructions, as a tuple."""

from __future__ import annotations

from runner.bpmn.model import ProcessModel
from runner.engine.mapping import effective_instructions
from runner.engine.state import Instruction
from runner.plan.model import Plan


def plan_instructions(plan: Plan, source: ProcessModel,
                      target: ProcessModel) -> tuple[Instruction, ...]:
    """Explicit instructions plus auto-mapped ones (explicit wins), in the engine's order."""
    effective = effective_instructions(plan.mappings, plan.auto_mapping, source, target)
    return tuple(Instruction(i.source, i.target) for i in effective)
