"""What apply collects while it migrates: the selected keys and the per-instance outcomes."""

from __future__ import annotations

import bisect
from array import array
from collections import Counter
from collections.abc import Iterator

from runner.results import ApplyOutcome, InstanceOutcome

OUTCOME_SAMPLE = 200
"""Per-instance outcomes kept with their message (the rest are counted)."""


class KeySet:
    """Process instance keys (numeric, as Zeebe makes them) in a compact sorted array."""

    def __init__(self) -> None:
        self._keys = array("q")
        self._sorted = True

    def add(self, key: str) -> None:
        value = int(key)
        if self._keys and value < self._keys[-1]:
            self._sorted = False
        self._keys.append(value)

    def _ensure_sorted(self) -> None:
        if not self._sorted:
            self._keys = array("q", sorted(self._keys))
            self._sorted = True

    def __len__(self) -> int:
        return len(self._keys)

    def __contains__(self, key: object) -> bool:
        if not isinstance(key, str) or not key.lstrip("-").isdigit():
            return False
        self._ensure_sorted()
        value = int(key)
        index = bisect.bisect_left(self._keys, value)
        return index < len(self._keys) and self._keys[index] == value

    def __iter__(self) -> Iterator[str]:
        self._ensure_sorted()
        return (str(k) for k in self._keys)

    def chunks(self, size: int) -> Iterator[tuple[str, ...]]:
        """The keys in ascending order, ``size`` at a time."""
        self._ensure_sorted()
        for start in range(0, len(self._keys), size):
            yield tuple(str(k) for k in self._keys[start:start + size])


class Outcomes:
    """Counts per outcome plus a bounded sample of the instances that did not migrate."""

    def __init__(self, sample: int = OUTCOME_SAMPLE) -> None:
        self.counts: Counter[str] = Counter()
        self.sample = sample
        self._kept: list[InstanceOutcome] = []

    def record(self, key: str, outcome: ApplyOutcome, message: str | None = None,
               attempts: int = 1) -> None:
        self.counts[outcome] += 1
        if outcome != "migrated" and len(self._kept) < self.sample:
            self._kept.append(InstanceOutcome(key, outcome, message, attempts))

    def add_count(self, outcome: ApplyOutcome, count: int) -> None:
        if count:
            self.counts[outcome] += count

    @property
    def kept(self) -> tuple[InstanceOutcome, ...]:
        return tuple(sorted(self._kept, key=lambda o: int(o.process_instance_key)
                            if o.process_instance_key.isdigit() else 0))
