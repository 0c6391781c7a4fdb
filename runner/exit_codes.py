"""Exit codes, in one place. Documented in README.md ("Exit codes")."""

from __future__ import annotations

OK = 0
"""Nothing at error level; apply finished with every selected instance migrated."""
FINDINGS = 1
"""Findings at error level (warnings too with --strict), or an apply that left work undone."""
USAGE = 2
"""Bad command line, configuration, credentials, unreadable or malformed input files.
(`validate` checks plan and BPMN files: their defects are located findings there, exit 1.)"""
INTERNAL = 3
"""An unexpected internal error (a bug: please report it with --debug output)."""
DRIFT = 4
"""apply refused: live state drifted from what was reviewed (guards, keys, new blockers)."""
INTERRUPTED = 130
"""Interrupted by the user (Ctrl-C)."""
