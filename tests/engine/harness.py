"""Run rule data cases (tests/engine/cases/*.yaml) through the engine.

A case names a BPMN pair (relative to tests/engine/bpmn/), the mapping instructions, the
active leaf elements and the expected verdict; see docs/architecture.md for the format.
The harness builds the snapshot the way Zeebe's state looks: the PROCESS row, every
container around an active leaf, and for multi-instance activities the body plus one
inner instance (same id). It loads real BPMN files with the project's parser.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import yaml

from runner.bpmn.model import ProcessModel
from runner.bpmn.parser import load_bpmn
from runner.engine.judge import judge
from runner.engine.state import InstanceSnapshot, Instruction, MigrationRequest, Verdict
from runner.engine.synthetic import SYNTHETIC_INSTANCE_KEY, synthetic_snapshot
from runner.version import NEWEST, ServerVersion

HERE = Path(__file__).resolve().parent
BPMN_DIR = HERE / "bpmn"
CASES_DIR = HERE / "cases"
INSTANCE_KEY = SYNTHETIC_INSTANCE_KEY
TARGET_DEFINITION_KEY = "2251799813686749"


@dataclass(frozen=True)
class Case:
    file: str
    name: str
    data: Mapping[str, Any]

    @property
    def id(self) -> str:
        return f"{self.file}::{self.name}"


def load_cases(directory: Path = CASES_DIR) -> list[Case]:
    """Every case of every case file, in file order."""
    cases: list[Case] = []
    for path in sorted(directory.glob("*.yaml")):
        document = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        for entry in document.get("cases") or []:
            cases.append(Case(path.name, str(entry.get("name", "?")), entry))
    return cases


@cache
def load_model(relative: str, process_id: str | None = None) -> ProcessModel:
    document = load_bpmn(BPMN_DIR / relative, display_path=relative)
    model = document.process(process_id)
    if model is None:
        raise AssertionError(f"{relative}: choose a process with source_process/target_process "
                             f"(has {sorted(document.processes)})")
    return model


def build_snapshot(source: ProcessModel, data: Mapping[str, Any]) -> InstanceSnapshot:
    """The instance the case describes: active leaves with their containers."""
    return synthetic_snapshot(
        source, data.get("active") or [],
        instance_key=INSTANCE_KEY,
        taken_flows=data.get("taken_flows") or {},
        camunda_user_task=data.get("camunda_user_task") or {},
        incidents=data.get("incident") or [],
        activating=data.get("activating") or [],
        variables=data.get("variables") or {},
        variables_known="variables" in data,
        pending_command=bool(data.get("pending_command")),
        pending_message_distribution=bool(data.get("pending_message_distribution")),
        suspended=bool(data.get("suspended")),
        parent_process_instance_key="2251799813680000" if data.get("child_instance") else None,
        started_by_message_correlation_key=data.get("started_by_correlation_key"),
        completed_compensable_activities=tuple(data.get("completed_compensable") or ()),
    )




def build_request(data: Mapping[str, Any]) -> tuple[MigrationRequest, InstanceSnapshot]:
    source = load_model(data["source"], data.get("source_process"))
    target = load_model(data["target"], data.get("target_process"))
    if isinstance(data.get("server"), float):
        raise AssertionError(f"quote the server version {data['server']!r}: YAML reads 8.10 "
                             "as the number 8.1")
    server = ServerVersion.parse(str(data["server"])) if data.get("server") else NEWEST
    instructions = tuple(Instruction(str(s), str(t)) for s, t in data.get("mappings") or [])
    keys = data.get("target_active_correlation_keys")
    request = MigrationRequest(
        source=source, target=target, instructions=instructions, server=server,
        target_definition_key=TARGET_DEFINITION_KEY,
        target_message_start_correlation_keys=frozenset(keys) if keys is not None else None)
    return request, build_snapshot(source, data)


def run_case(data: Mapping[str, Any]) -> Verdict:
    request, snapshot = build_request(data)
    return judge(request, snapshot)


def mismatches(data: Mapping[str, Any], verdict: Verdict) -> Iterator[str]:
    """Every way the verdict differs from the case's expectation (empty: it matches)."""
    expect = data["expect"]
    rejection = verdict.rejection
    wanted = expect["verdict"]
    got = "accepted" if rejection is None else "rejected"
    if wanted != got:
        detail = f": {rejection.code} {rejection.message}" if rejection else ""
        yield f"expected {wanted}, got {got}{detail}"
        return
    if rejection is not None:
        if "code" in expect and rejection.code != expect["code"]:
            yield f"code {rejection.code} != {expect['code']} ({rejection.message})"
        if "type" in expect and rejection.rejection_type != expect["type"]:
            yield f"type {rejection.rejection_type} != {expect['type']}"
        if "message" in expect:
            message = str(expect["message"]).replace("{key}", INSTANCE_KEY)
            if rejection.message != message:
                yield (f"message differs:\n  got:      {rejection.message!r}\n"
                       f"  expected: {message!r}")
        if "contains" in expect:
            part = str(expect["contains"]).replace("{key}", INSTANCE_KEY)
            if part not in rejection.message:
                yield f"message {rejection.message!r} lacks {part!r}"
        if "transient" in expect and rejection.transient != bool(expect["transient"]):
            yield f"transient {rejection.transient} != {expect['transient']}"
    codes = [n.code for n in verdict.notes]
    for code in expect.get("notes") or []:
        if code not in codes:
            yield f"note {code} missing (notes: {codes})"
    for code in expect.get("no_notes") or []:
        if code in codes:
            yield f"note {code} present but must not be"
