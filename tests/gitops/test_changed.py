"""--changed-since on a real temporary git repository."""

from __future__ import annotations

from pathlib import Path

import pytest
from gitrepo import GitRepo

from runner.errors import ConfigError
from runner.gitops.changed import select_plans


def plan_yaml(name: str, source_bpmn: str, target_bpmn: str) -> str:
    return (
        "apiVersion: c8migrate/v1\n"
        "kind: MigrationPlan\n"
        f"metadata: {{name: {name}}}\n"
        f"source: {{processDefinitionId: p, version: 1, bpmn: {source_bpmn}}}\n"
        f"target: {{processDefinitionId: p, version: 2, bpmn: {target_bpmn}}}\n"
    )


@pytest.fixture
def repo(tmp_path: Path) -> GitRepo:
    """main: four plans, their BPMN files and a seed file (not a plan)."""
    r = GitRepo(tmp_path / "repo")
    r.write("plans/bpmn/order.v1.bpmn", "<definitions/>\n")
    r.write("plans/bpmn/order.v2.bpmn", "<definitions/>\n")
    r.write("plans/bpmn/invoice.v1.bpmn", "<definitions/>\n")
    r.write("plans/bpmn/invoice.v2.bpmn", "<definitions/>\n")
    r.write("plans/order.yaml", plan_yaml("order", "bpmn/order.v1.bpmn", "bpmn/order.v2.bpmn"))
    r.write("plans/invoice.yaml",
            plan_yaml("invoice", "bpmn/invoice.v1.bpmn", "bpmn/invoice.v2.bpmn"))
    r.write("plans/untouched.yaml",
            plan_yaml("untouched", "bpmn/invoice.v1.bpmn", "bpmn/invoice.v1.bpmn"))
    r.write("plans/retired.yml", plan_yaml("retired", "bpmn/order.v1.bpmn", "bpmn/order.v1.bpmn"))
    r.write("plans/demo-seed.yaml", "deploy: []\ninstances: []\n")
    r.write("plans/examples-invalid/broken.yaml",
            plan_yaml("broken", "../bpmn/order.v1.bpmn", "../bpmn/order.v2.bpmn"))
    r.commit("main")
    r.git("checkout", "-q", "-b", "feature")
    return r


def test_selects_changed_plans_plans_whose_bpmn_changed_and_reports_deleted(
        repo: GitRepo) -> None:
    repo.write("plans/order.yaml",
               plan_yaml("order", "bpmn/order.v1.bpmn", "bpmn/order.v2.bpmn") + "tenantId: t\n")
    repo.write("plans/bpmn/invoice.v2.bpmn", "<definitions id='changed'/>\n")
    repo.write("plans/new.yaml", plan_yaml("new", "bpmn/order.v1.bpmn", "bpmn/order.v2.bpmn"))
    repo.write("plans/demo-seed.yaml", "deploy: []\ninstances: [{count: 1}]\n")
    repo.write("plans/examples-invalid/broken.yaml", "kind: MigrationPlan\n")
    repo.delete("plans/retired.yml")
    repo.commit("feature work")

    selection = select_plans("main", ["plans"], cwd=repo.root)

    assert [(c.repo_path, c.reasons) for c in selection.changed] == [
        ("plans/invoice.yaml", ("bpmn modified: plans/bpmn/invoice.v2.bpmn",)),
        ("plans/new.yaml", ("added",)),
        ("plans/order.yaml", ("modified",)),
    ]
    assert "plans/demo-seed.yaml" not in selection.paths  # YAML, but not a plan
    assert "plans/examples-invalid/broken.yaml" not in selection.paths  # a sub-folder
    assert [(d.repo_path, d.name) for d in selection.deleted] == [("plans/retired.yml", "retired")]
    assert selection.head == repo.git("rev-parse", "HEAD")
    assert selection.merge_base == repo.git("rev-parse", "main")


def test_uses_the_merge_base_so_later_commits_on_the_base_branch_do_not_count(
        repo: GitRepo) -> None:
    repo.write("plans/order.yaml", plan_yaml("order", "bpmn/order.v1.bpmn", "bpmn/x.bpmn"))
    repo.commit("feature: change order")
    repo.git("checkout", "-q", "main")
    repo.write("plans/invoice.yaml", plan_yaml("invoice", "bpmn/a.bpmn", "bpmn/b.bpmn"))
    repo.commit("main moves on")
    repo.git("checkout", "-q", "feature")

    selection = select_plans("main", ["plans"], cwd=repo.root)

    assert selection.paths == ("plans/order.yaml",)


def test_sub_folders_are_selected_only_when_named(repo: GitRepo) -> None:
    repo.write("plans/order.yaml", "kind: MigrationPlan\n")
    repo.write("plans/examples-invalid/broken.yaml", "kind: MigrationPlan\n")
    repo.delete("plans/retired.yml")
    repo.commit("changes here and there")

    top_level = [str(p.relative_to(repo.root))
                 for p in sorted((repo.root / "plans").glob("*.y*ml"))]
    selection = select_plans("main", top_level, cwd=repo.root)
    nested = select_plans("main", ["plans/examples-invalid"], cwd=repo.root)

    assert selection.paths == ("plans/order.yaml",)
    assert nested.paths == ("plans/examples-invalid/broken.yaml",)
    assert nested.deleted == ()
    assert nested.changed[0].reasons == ("modified",)


def test_bpmn_paths_resolve_against_the_plan_folder(repo: GitRepo) -> None:
    repo.write("plans/bpmn/order.v2.bpmn", "<definitions id='again'/>\n")
    repo.commit("bpmn")

    nested = select_plans("main", ["plans/examples-invalid"], cwd=repo.root)

    assert [(c.repo_path, c.reasons) for c in nested.changed] == [
        ("plans/examples-invalid/broken.yaml", ("bpmn modified: plans/bpmn/order.v2.bpmn",))]


def test_paths_are_relative_to_the_current_directory_and_files_can_be_named(
        repo: GitRepo) -> None:
    repo.write("plans/bpmn/order.v2.bpmn", "<definitions id='v2b'/>\n")
    repo.commit("bpmn only")
    plans_dir = repo.root / "plans"

    in_plans = select_plans("main", ["."], cwd=plans_dir)
    named = select_plans("main", ["plans/order.yaml", "plans/invoice.yaml"], cwd=repo.root)

    assert in_plans.paths == ("order.yaml",)
    assert [c.repo_path for c in in_plans.changed] == ["plans/order.yaml"]
    assert named.paths == ("plans/order.yaml",)
    assert named.changed[0].reasons == ("bpmn modified: plans/bpmn/order.v2.bpmn",)


def test_a_changed_yaml_file_that_does_not_parse_is_kept_for_validation(repo: GitRepo) -> None:
    repo.write("plans/order.yaml", "kind: [unclosed\n")
    repo.commit("break it")

    assert select_plans("main", ["plans"], cwd=repo.root).paths == ("plans/order.yaml",)


def test_nothing_changed_selects_nothing(repo: GitRepo) -> None:
    selection = select_plans("main", ["plans"], cwd=repo.root)

    assert selection.changed == ()
    assert selection.deleted == ()


def test_unknown_ref_is_a_config_error_with_a_hint(repo: GitRepo) -> None:
    with pytest.raises(ConfigError) as caught:
        select_plans("no-such-branch", ["plans"], cwd=repo.root)

    assert "merge base" in caught.value.message
    assert caught.value.hint is not None and "fetch-depth: 0" in caught.value.hint


def test_outside_a_git_work_tree_is_a_config_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="git rev-parse failed"):
        select_plans("main", ["."], cwd=tmp_path)


def test_works_from_outside_the_repository_when_the_plans_folder_is_named(
        repo: GitRepo, tmp_path_factory: pytest.TempPathFactory) -> None:
    repo.write("plans/new.yaml", plan_yaml("new", "bpmn/order.v1.bpmn", "bpmn/order.v2.bpmn"))
    repo.commit("feature work")
    outside = tmp_path_factory.mktemp("elsewhere")

    selection = select_plans("main", [str(repo.root / "plans")], cwd=outside)

    assert [(c.repo_path, c.reasons) for c in selection.changed] == [("plans/new.yaml",
                                                                       ("added",))]
