"""Camunda server versions: parsing, ordering, and the supported range."""

from __future__ import annotations

import re
from dataclasses import dataclass

_VERSION = re.compile(r"^\s*v?(\d+)\.(\d+)(?:\.(\d+))?")


@dataclass(frozen=True, slots=True, order=True)
class ServerVersion:
    """A Camunda 8 server version such as 8.8.20. Ordered by (major, minor, patch)."""

    major: int
    minor: int
    patch: int = 0

    @classmethod
    def parse(cls, text: str) -> ServerVersion:
        """Parse '8.8', '8.8.3', '8.9.0-alpha2' and the like. Raises ValueError on junk."""
        m = _VERSION.match(text)
        if not m:
            raise ValueError(f"not a version: {text!r}")
        return cls(int(m.group(1)), int(m.group(2)), int(m.group(3) or 0))

    def at_least(self, text: str) -> bool:
        return self >= ServerVersion.parse(text)

    def __str__(self) -> str:
        return f"{self.major}.{self.minor}.{self.patch}"


OLDEST_OFFLINE = ServerVersion(8, 4)
"""Offline validation knows the rules from 8.4 on."""
OLDEST_CLUSTER = ServerVersion(8, 6)
"""The REST migration endpoint exists from 8.6 on; older clusters are refused."""
NEWEST = ServerVersion(8, 9)
"""The default for offline validation: the newest release line whose rules are documented in
full. Rules of later lines that are known in part (8.10's suspended instances) apply when
asked for; see runner.engine.rules.NEWEST_RULES."""
