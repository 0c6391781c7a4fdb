"""The format registry and the defensive rule-title lookup."""

from __future__ import annotations

import pytest

from runner.reporters import FORMATS, render_validation, renderer
from runner.reporters.rules_info import rule_info

from . import samples


def test_registry_names_every_format() -> None:
    assert set(FORMATS) == {"text", "json", "github", "markdown", "sarif"}
    for name, entry in FORMATS.items():
        assert entry.name == name


def test_unknown_format_is_a_value_error_naming_the_choices() -> None:
    with pytest.raises(ValueError, match="unknown format 'xml'; choose one of text, json"):
        renderer("xml")
    with pytest.raises(ValueError):
        render_validation(samples.validation(), "yaml")


@pytest.mark.parametrize(("code", "family"), [
    ("P99", "Plan file problem"), ("B99", "BPMN file problem"),
    ("Q42", "c8migrate finding"),
])
def test_codes_unknown_to_the_registry_still_get_a_title(code: str, family: str) -> None:
    info = rule_info(code)
    assert info.code == code
    assert info.title == family
    assert info.known is False


def test_every_format_renders_unknown_codes() -> None:
    for name in FORMATS:
        assert render_validation(samples.validation(), name)
