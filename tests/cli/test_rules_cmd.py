"""`c8migrate rules` and the generated docs/rules.md."""

from __future__ import annotations

import re
from pathlib import Path

from click.testing import CliRunner

from runner.cli.main import cli
from runner.engine.rules import REGISTRY

DOCS = Path(__file__).resolve().parent.parent.parent / "docs" / "rules.md"


def run(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(cli, ["rules", *args])
    return result.exit_code, result.output


def test_docs_page_is_in_sync_with_the_rule_units() -> None:
    code, output = run("--format", "markdown")
    assert code == 0
    assert DOCS.read_text(encoding="utf-8") == output, (
        "docs/rules.md is stale: run `c8migrate rules --format markdown -o docs/rules.md`")


def test_every_rule_is_listed_with_its_version_and_documentation() -> None:
    code, output = run()
    assert code == 0
    listed = re.findall(r"^(\w+)  ", output, flags=re.MULTILINE)
    assert sorted(listed) == sorted(r.code for r in REGISTRY)
    assert "Z12  Boundary events on the active element and on its target" in output
    assert "rejection · INVALID_STATE (HTTP 409) · since 8.6" in output


def test_every_rule_documents_an_example_and_a_fix() -> None:
    for rule in REGISTRY:
        assert rule.title and rule.body, rule.code
        assert "Example:" in rule.body and "Fix:" in rule.body, rule.code


def test_every_zeebe_rule_of_the_reference_has_a_unit() -> None:
    codes = {r.code for r in REGISTRY}
    expected = {"Z01", "Z01B", "Z02", "Z03", "Z04", "Z05", "Z06", "Z06B", "Z06C", "Z07", "Z08",
                "Z09", "Z09B", "Z10", "Z11", "Z12", "Z13", "Z14", "Z15", "Z16", "Z17", "Z18A",
                "Z18B", "Z19A", "Z19B", "Z19C", "Z19D", "Z20", "Z21A", "Z21B", "Z22", "Z23"}
    assert expected <= codes


def test_selected_codes_and_unknown_codes() -> None:
    code, output = run("z07", "W01")
    assert code == 0
    assert re.findall(r"^(\w+)  ", output, flags=re.MULTILINE) == ["Z07", "W01"]
    code, output = run("Z99")
    assert code == 2 and "unknown rule code(s): Z99" in output


def test_output_file(tmp_path: Path) -> None:
    target = tmp_path / "rules.md"
    code, output = run("--format", "markdown", "-o", str(target))
    assert code == 0 and output == ""
    assert target.read_text(encoding="utf-8").startswith("# Rules\n")


def test_output_in_a_missing_folder_is_a_clear_usage_error(tmp_path: Path) -> None:
    target = tmp_path / "missing" / "rules.md"
    result = CliRunner().invoke(cli, ["rules", "-o", str(target)])
    assert result.exit_code == 2, result.output
    assert f"cannot write the report to {target}" in result.output
    assert "Traceback" not in result.output and isinstance(result.exception, SystemExit)
    assert not target.exists()
