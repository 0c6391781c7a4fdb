"""The case files cover every rule: each rejection code has a rejecting case, each rule case
file has an accepting case, and each rule gated at 8.6 or later has cases on both sides."""

from __future__ import annotations

from runner.engine.rules import REGISTRY
from runner.version import NEWEST, ServerVersion

from .harness import load_cases

CASES = load_cases()
JUDGED = sorted({r.code for r in REGISTRY if r.check is not None and r.code.startswith("Z")
                 and r.code != "Z01"})  # Z01 needs a snapshot without instance: test_judge


def _server(data: dict[str, object]) -> ServerVersion:
    return ServerVersion.parse(str(data["server"])) if data.get("server") else NEWEST


def test_every_judged_rule_has_a_rejecting_case() -> None:
    rejected = {c.data["expect"].get("code") for c in CASES
                if c.data["expect"]["verdict"] == "rejected"}
    assert [code for code in JUDGED if code not in rejected] == []


def test_every_rule_case_file_has_an_accepting_case() -> None:
    files = {c.file for c in CASES if c.file.startswith("rule_")}
    accepting = {c.file for c in CASES if c.data["expect"]["verdict"] == "accepted"}
    assert sorted(files - accepting) == []


def test_version_gated_rules_have_cases_on_both_sides() -> None:
    missing = []
    for rule in REGISTRY:
        if rule.check is None or not rule.code.startswith("Z") or rule.since is None:
            continue
        since = ServerVersion.parse(rule.since)
        rejected_after = any(c.data["expect"].get("code") == rule.code
                             and _server(c.data) >= since for c in CASES)
        files = {c.file for c in CASES if c.data["expect"].get("code") == rule.code}
        before = [c for c in CASES if c.file in files and _server(c.data) < since]
        if since > ServerVersion(8, 5) and (not rejected_after or not before):
            missing.append(rule.code)
    assert missing == [], missing
