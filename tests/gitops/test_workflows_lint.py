"""The workflows and the composite action pass actionlint and zizmor (offline), and keep the
security properties the docs promise."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

REPO = Path(__file__).resolve().parents[2]
WORKFLOWS = REPO / ".github" / "workflows"
ACTION = REPO / "action.yml"
_PINNED = "@" + "[0-9a-f]" * 40


def tool(name: str) -> str:
    """The linter from the project venv (next to this Python) or PATH; skip when missing."""
    here = Path(sys.executable).parent / name
    found = str(here) if here.is_file() else shutil.which(name)
    if found is None:
        pytest.skip(f"{name} is not installed: install the dev dependencies "
                    "(pip install -e '.[dev]'; scripts/test does it)")
    return found


def clean_env() -> dict[str, str]:
    """No tokens reach the linters (zizmor would read GITHUB_TOKEN) and no network is needed."""
    tools = str(Path(sys.executable).parent)  # the venv's bin: shellcheck for actionlint
    return {"PATH": os.pathsep.join((tools, os.environ.get("PATH", "/usr/bin:/bin"))),
            "HOME": os.environ.get("HOME", "/"), "NO_COLOR": "1"}


def load(path: Path) -> dict[Any, Any]:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    assert isinstance(data, dict)
    return data


def test_actionlint_passes_on_the_workflows_and_the_composite_action(tmp_path: Path) -> None:
    actionlint = tool("actionlint")
    # actionlint lints workflows; a workflow that uses the local action makes it check
    # action.yml's metadata and the inputs passed to it too.
    (tmp_path / ".github").mkdir()
    shutil.copytree(WORKFLOWS, tmp_path / ".github" / "workflows")
    shutil.copy(ACTION, tmp_path / "action.yml")
    (tmp_path / ".github" / "workflows" / "uses-action.yml").write_text(
        "on: pull_request\npermissions: {}\njobs:\n  use:\n    runs-on: ubuntu-latest\n"
        "    permissions:\n      contents: read\n    steps:\n"
        "      - uses: ./\n        with:\n          command: plan\n"
        "          changed-since: origin/main\n          comment-key: staging\n",
        encoding="utf-8")
    subprocess.run(["git", "init", "-q"], cwd=tmp_path, check=True)

    done = subprocess.run([actionlint, "-no-color"], cwd=tmp_path, env=clean_env(),
                          capture_output=True, text=True, check=False)

    assert done.returncode == 0, done.stdout + done.stderr


def test_shellcheck_passes_on_the_composite_action_scripts(tmp_path: Path) -> None:
    shellcheck = tool("shellcheck")  # actionlint checks workflow scripts, not an action's
    steps = [s for s in load(ACTION)["runs"]["steps"] if "run" in s]
    scripts = []
    for number, step in enumerate(steps):
        script = tmp_path / f"step-{number}.sh"
        script.write_text("#!/usr/bin/env bash\n" + step["run"], encoding="utf-8")
        scripts.append(str(script))

    done = subprocess.run([shellcheck, "--severity=style", *scripts], env=clean_env(),
                          capture_output=True, text=True, check=False)

    assert len(scripts) >= 4
    assert done.returncode == 0, done.stdout + done.stderr


def test_zizmor_offline_finds_nothing_even_pedantic() -> None:
    zizmor = tool("zizmor")

    done = subprocess.run(
        [zizmor, "--offline", "--persona", "pedantic", "--no-progress",
         str(WORKFLOWS), str(ACTION)],
        cwd=REPO, env=clean_env(), capture_output=True, text=True, check=False)

    assert done.returncode == 0, done.stdout + done.stderr
    assert "No findings to report" in done.stdout + done.stderr


@pytest.mark.parametrize("path", sorted(WORKFLOWS.glob("*.yml")), ids=lambda p: p.name)
def test_workflow_security_properties(path: Path) -> None:
    workflow = load(path)
    text = path.read_text(encoding="utf-8")
    triggers = workflow.get("on", workflow.get(True))

    assert workflow["permissions"] == {}, "top-level permissions must be empty"
    assert "pull_request_target" not in (triggers or {})
    for name, job in workflow["jobs"].items():
        assert "permissions" in job, f"job {name} must declare its permissions"
        for step in job["steps"]:
            uses = step.get("uses")
            if uses:
                assert re.search(_PINNED, uses), f"{uses} is not pinned by SHA"
            if uses and uses.startswith("actions/checkout@"):
                assert step["with"]["persist-credentials"] is False
    assert "secrets." not in text or path.name in ("pull-request.yml", "apply.yml", "drift.yml")


def test_apply_runs_behind_the_production_environment_and_never_overlaps() -> None:
    workflow = load(WORKFLOWS / "apply.yml")
    job = workflow["jobs"]["apply"]

    assert job["environment"] == "production"
    assert workflow["concurrency"]["cancel-in-progress"] is False
    assert set(workflow.get("on", workflow.get(True))) == {"push"}


def test_fork_pull_requests_get_offline_validation_only() -> None:
    workflow = load(WORKFLOWS / "pull-request.yml")
    validate, dry_run = workflow["jobs"]["validate"], workflow["jobs"]["dry-run"]

    assert "secrets." not in yaml.safe_dump(validate)
    assert "environment" not in validate
    assert dry_run["if"] == "github.event.pull_request.head.repo.full_name == github.repository"


def test_gitlab_template_applies_one_at_a_time_in_production_and_forks_only_validate() -> None:
    template = load(REPO / "ci-templates" / "gitlab-ci.yml")
    apply, plan = template["c8migrate:apply"], template["c8migrate:plan"]

    assert apply["environment"]["name"] == "production"
    assert apply["resource_group"]
    assert "--changed-since" in " ".join(apply["script"])
    assert "$CI_MERGE_REQUEST_SOURCE_PROJECT_ID == $CI_PROJECT_ID" in plan["rules"][0]["if"]


def test_pre_commit_hook_runs_offline_validation() -> None:
    hooks = yaml.safe_load((REPO / ".pre-commit-hooks.yaml").read_text(encoding="utf-8"))

    (hook,) = hooks
    assert hook["id"] == "c8migrate-validate"
    assert hook["entry"] == "c8migrate validate"
    assert hook["language"] == "python" and hook["pass_filenames"] is False
    assert re.search(hook["files"], "plans/order.yaml")
    assert re.search(hook["files"], "plans/bpmn/order.v2.bpmn")


def test_drift_check_warns_when_no_journal_was_restored(tmp_path: Path) -> None:
    (step,) = [s for s in load(WORKFLOWS / "drift.yml")["jobs"]["drift"]["steps"]
               if s.get("name") == "Check for drift"]
    fake = tmp_path / "bin" / "c8migrate"
    fake.parent.mkdir()
    # stands in for the real command, which reports "nothing to check" without a journal
    fake.write_text("#!/bin/sh\necho 'no applied plans recorded' > drift.txt\n", "utf-8")
    fake.chmod(0o755)
    env = {"PATH": f"{fake.parent}{os.pathsep}/usr/bin:/bin",
           "GITHUB_STEP_SUMMARY": str(tmp_path / "summary.md")}

    empty = subprocess.run(["bash", "-e", "-c", step["run"]], cwd=tmp_path, env=env,
                           capture_output=True, text=True, check=False)
    (tmp_path / ".c8migrate" / "journal").mkdir(parents=True)
    restored = subprocess.run(["bash", "-e", "-c", step["run"]], cwd=tmp_path, env=env,
                              capture_output=True, text=True, check=False)

    assert empty.returncode == 0, empty.stderr
    assert "::warning title=c8migrate drift::no apply journal was restored" in empty.stdout
    assert restored.returncode == 0, restored.stderr
    assert "::warning" not in restored.stdout
