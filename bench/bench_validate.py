"""Benchmark: offline validation of the real BPMN corpus versus bare lxml parsing.

For every file of ../shared/corpus/bpmn this parses the file with lxml alone (the floor),
and then validates it the way `c8migrate validate` would: the project's secure parser, the
typed model, Operate's auto-mapping of each process onto itself, and the rule engine over
every wait state. Both are measured in the same run, best of several rounds, and the ratio
is printed. Not a test: timings belong here, not in tests/.

    .venv/bin/python bench/bench_validate.py [--rounds 5] [--corpus PATH]
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Callable
from pathlib import Path

from lxml import etree

from runner.bpmn.parser import load_bpmn
from runner.engine.mapping import effective_instructions
from runner.engine.offline import validate_offline
from runner.engine.state import MigrationRequest
from runner.errors import BpmnLoadError
from runner.plan.model import Plan, ProcessRef
from runner.version import NEWEST

DEFAULT_CORPUS = Path(__file__).resolve().parent.parent.parent / "shared" / "corpus" / "bpmn"


def bare_parse(files: list[Path]) -> int:
    parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False)
    parsed = 0
    for file in files:
        try:
            etree.parse(str(file), parser)
            parsed += 1
        except etree.XMLSyntaxError:
            pass
    return parsed


def parse_only(files: list[Path]) -> int:
    loaded = 0
    for file in files:
        try:
            load_bpmn(file)
            loaded += 1
        except BpmnLoadError:
            pass
    return loaded


def validate(files: list[Path]) -> int:
    findings = 0
    for file in files:
        try:
            document = load_bpmn(file)
        except BpmnLoadError:
            findings += 1
            continue
        for model in document.processes.values():
            side = ProcessRef(model.process_id, str(file))
            plan = Plan(path="bench.yaml", name="bench", source=side, target=side)
            effective = effective_instructions((), "same-id", model, model)
            request = MigrationRequest(model, model, tuple(e.instruction() for e in effective),
                                       NEWEST)
            findings += len(validate_offline(request, plan, effective))
    return findings


def best_of(rounds: int, work: Callable[[list[Path]], int], files: list[Path]) -> float:
    best = float("inf")
    for _ in range(rounds):
        start = time.perf_counter()
        work(files)
        best = min(best, time.perf_counter() - start)
    return best


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS)
    args = parser.parse_args()
    files = sorted(args.corpus.rglob("*.bpmn"))
    if not files:
        raise SystemExit(f"no BPMN files under {args.corpus}")
    size = sum(f.stat().st_size for f in files)
    lxml_time = best_of(args.rounds, bare_parse, files)
    parse_time = best_of(args.rounds, parse_only, files)
    validation_time = best_of(args.rounds, validate, files)
    print(f"{len(files)} files, {size / 1024:.0f} KiB, best of {args.rounds} rounds")
    print(f"bare lxml parse:    {lxml_time * 1000:8.1f} ms")
    print(f"project parser:     {parse_time * 1000:8.1f} ms  (secure parse + typed model)")
    print(f"offline validation: {validation_time * 1000:8.1f} ms  (parser + mapping + rules)")
    print(f"ratio validation / lxml: {validation_time / lxml_time:.2f}x (target: under 2x)")


if __name__ == "__main__":
    main()
