"""The libyaml-based plan reader gives exactly what PyYAML's pure-Python reader gives."""

from __future__ import annotations

from pathlib import Path

import pytest

from runner.plan import yaml_marks
from runner.plan.yaml_marks import PlanYamlLoader, load_marked

REPO = Path(__file__).resolve().parents[2]
YAML_FILES = sorted(
    [*REPO.glob("plans/**/*.yaml"), *REPO.glob("tests/engine/cases/*.yaml"),
     *REPO.glob("tests/cli/data/plans/*.yaml")])


def test_there_are_yaml_files_to_compare() -> None:
    assert len(YAML_FILES) > 20


@pytest.mark.parametrize("path", YAML_FILES, ids=lambda p: p.relative_to(REPO).as_posix())
def test_same_data_marks_and_duplicates_as_pure_python(path: Path) -> None:
    data = path.read_bytes()
    try:
        pure = yaml_marks._load_with(PlanYamlLoader(data), "plan.yaml")
    except yaml_marks.yaml.YAMLError as exc:
        with pytest.raises(yaml_marks.yaml.YAMLError) as fast:
            load_marked(data, "plan.yaml")
        assert str(fast.value) == str(exc)
    else:
        assert load_marked(data, "plan.yaml") == pure


def test_timestamps_stay_text_and_duplicates_are_located() -> None:
    document = load_marked(b"a: 2026-01-01T00:00:00Z\nb: 1\na: x\n", "p.yaml")
    assert document.data == {"a": "x", "b": 1}
    assert document.values["/a"].line == 1
    assert [(d.key, d.location.line, d.first.line) for d in document.duplicates] == [
        ("a", 3, 1)]


def test_syntax_errors_are_worded_by_pyyaml() -> None:
    text = b"a: [1, 2\nb: 3\n"
    with pytest.raises(yaml_marks.yaml.MarkedYAMLError) as fast:
        load_marked(text, "p.yaml")
    with pytest.raises(yaml_marks.yaml.MarkedYAMLError) as pure:
        PlanYamlLoader(text).get_single_node()
    assert str(fast.value) == str(pure.value)
