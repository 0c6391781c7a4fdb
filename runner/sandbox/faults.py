"""Fault injection: latency, backpressure answers, dropped connections, search lag.

A fault plan is a JSON object (also built from ``--fault`` options)::

    {"seed": 7, "latencyMs": 5, "searchLagMs": 300, "batchNotFoundMs": 200,
     "rules": [{"kind": "unavailable", "rate": 0.1, "routes": ["migrate"]},
               {"kind": "throttle", "rate": 1, "times": 2, "retryAfter": 0},
               {"kind": "drop", "rate": 0.05, "routes": ["migrate"]}]}

Kinds: ``unavailable`` (503 RESOURCE_EXHAUSTED), ``throttle`` (429 with Retry-After),
``exhausted`` (500 RESOURCE_EXHAUSTED), ``drop`` (the request is carried out, then the
connection is closed without a response). ``rate`` is a probability drawn from a generator
seeded with ``seed``; ``times`` caps how often a rule fires; ``routes`` limits a rule to
route names (see server.ROUTES), all API routes when absent. Admin routes never fail.
"""

from __future__ import annotations

import random
import re
import threading
from collections import Counter
from dataclasses import dataclass
from typing import Any

_RULE_OPTION = re.compile(r"^(?P<rate>[0-9.]+)(?:@(?P<routes>[\w.,-]+?))?(?:x(?P<times>\d+))?$")
KINDS = ("unavailable", "throttle", "exhausted", "drop")


class FaultPlanError(ValueError):
    """The fault plan is malformed."""


@dataclass(frozen=True, slots=True)
class FaultRule:
    kind: str
    rate: float
    routes: frozenset[str] | None = None
    times: int | None = None
    retry_after: int = 1


@dataclass(frozen=True, slots=True)
class FaultPlan:
    seed: int = 0
    latency_ms: int = 0
    search_lag_ms: int | None = None
    """None keeps the lag the sandbox was started with."""
    batch_not_found_ms: int | None = None
    rules: tuple[FaultRule, ...] = ()


def _number(value: Any, name: str, *, integer: bool = False) -> Any:
    if isinstance(value, bool) or not isinstance(value, int | float) or value < 0 \
            or (integer and not isinstance(value, int)):
        kind = "integer" if integer else "number"
        raise FaultPlanError(f"'{name}' must be a non-negative {kind}")
    return value


def parse_plan(document: Any) -> FaultPlan:
    """A FaultPlan from its JSON form."""
    if not isinstance(document, dict):
        raise FaultPlanError("a fault plan is a JSON object")
    unknown = set(document) - {"seed", "latencyMs", "searchLagMs", "batchNotFoundMs", "rules"}
    if unknown:
        raise FaultPlanError(f"unknown fault plan keys {sorted(unknown)}")
    rules = []
    for index, raw in enumerate(document.get("rules") or []):
        if not isinstance(raw, dict) or raw.get("kind") not in KINDS:
            raise FaultPlanError(f"rules[{index}].kind must be one of {', '.join(KINDS)}")
        extra = set(raw) - {"kind", "rate", "routes", "times", "retryAfter"}
        if extra:
            raise FaultPlanError(f"rules[{index}] has unknown keys {sorted(extra)}")
        rate = float(_number(raw.get("rate", 1.0), f"rules[{index}].rate"))
        if rate > 1:
            raise FaultPlanError(f"rules[{index}].rate must be between 0 and 1")
        routes = raw.get("routes")
        if routes is not None and (not isinstance(routes, list)
                                   or not all(isinstance(r, str) for r in routes)):
            raise FaultPlanError(f"rules[{index}].routes must be a list of route names")
        times = raw.get("times")
        rules.append(FaultRule(
            raw["kind"], rate, frozenset(routes) if routes is not None else None,
            _number(times, f"rules[{index}].times", integer=True) if times is not None else None,
            _number(raw.get("retryAfter", 1), f"rules[{index}].retryAfter", integer=True)))
    lag = document.get("searchLagMs")
    gone = document.get("batchNotFoundMs")
    return FaultPlan(
        seed=_number(document.get("seed", 0), "seed", integer=True),
        latency_ms=_number(document.get("latencyMs", 0), "latencyMs", integer=True),
        search_lag_ms=_number(lag, "searchLagMs", integer=True) if lag is not None else None,
        batch_not_found_ms=_number(gone, "batchNotFoundMs", integer=True)
        if gone is not None else None,
        rules=tuple(rules))


def parse_option(text: str) -> dict[str, Any]:
    """One ``--fault`` option: ``KIND=RATE[@ROUTE,ROUTE][xTIMES]`` or ``latency=MS``.

    Examples: ``unavailable=0.1@migrate``, ``throttle=1x2``, ``drop=0.05@migrate``,
    ``latency=5``, ``lag=300``, ``seed=7``.
    """
    kind, sep, rest = text.partition("=")
    if not sep:
        raise FaultPlanError(f"--fault '{text}': expected KIND=VALUE")
    try:
        if kind in ("latency", "lag", "seed", "batch-not-found"):
            key = {"latency": "latencyMs", "lag": "searchLagMs", "seed": "seed",
                   "batch-not-found": "batchNotFoundMs"}[kind]
            return {key: int(rest)}
        match = _RULE_OPTION.match(rest)
        if match is None:
            raise ValueError("expected RATE[@ROUTE,ROUTE][xTIMES]")
        rule: dict[str, Any] = {"kind": kind, "rate": float(match["rate"])}
        if match["routes"]:
            rule["routes"] = match["routes"].split(",")
        if match["times"]:
            rule["times"] = int(match["times"])
        return {"rules": [rule]}
    except ValueError as exc:
        raise FaultPlanError(f"--fault '{text}': {exc}") from exc


def merge_options(options: list[str]) -> dict[str, Any]:
    """The fault plan document of several ``--fault`` options."""
    document: dict[str, Any] = {"rules": []}
    for text in options:
        part = parse_option(text)
        document["rules"].extend(part.pop("rules", []))
        document.update(part)
    return document


class FaultInjector:
    """Decides, request by request, which fault (if any) strikes. Thread-safe."""

    def __init__(self, plan: FaultPlan) -> None:
        self._lock = threading.Lock()
        self.configure(plan)

    def configure(self, plan: FaultPlan) -> None:
        with self._lock:
            self.plan = plan
            self._random = random.Random(plan.seed)
            self._fired: Counter[int] = Counter()
            self.injected: Counter[str] = Counter()

    def draw(self, route: str) -> FaultRule | None:
        """The rule that strikes this request on ``route``, or None."""
        with self._lock:
            for index, rule in enumerate(self.plan.rules):
                if rule.routes is not None and route not in rule.routes:
                    continue
                if rule.times is not None and self._fired[index] >= rule.times:
                    continue
                if rule.rate >= 1.0 or self._random.random() < rule.rate:
                    self._fired[index] += 1
                    self.injected[rule.kind] += 1
                    return rule
            return None
