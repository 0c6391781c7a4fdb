"""The merge workflow end to end, as the workflows run it, on a temporary git repository against
the sandbox (its own process, OAuth on) and the fake GitHub API: the pull request's dry run is
kept as an artifact; on merge the changed plans are found, the reviewed dry run is fetched
back and applied against, once; the audit record is written, the outcome is commented on the
merged pull request, and a second run applies nothing and edits the same comment."""

from __future__ import annotations

import io
import json
import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path
from typing import Any

import pytest
from conftest import TOKEN
from fake_github import FakeGitHub
from gitrepo import GitRepo
from support.sandbox import StartSandbox

from runner.gitops.comment import marker
from runner.sandbox.process import SandboxAuth

PROJECT = Path(__file__).resolve().parents[2]
SECRET = "sandbox-oauth-secret-9c2d71"
PLAN = "order-v1-to-v2"


def c8migrate(args: list[str], cwd: Path, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "runner", *args], cwd=cwd, env=env,
                          capture_output=True, text=True, check=False, timeout=300)


def require_apply_with_changed_since() -> None:
    done = subprocess.run([sys.executable, "-m", "runner", "apply", "--help"],
                          capture_output=True, text=True, check=False, cwd=PROJECT)
    if "--changed-since" not in done.stdout:
        pytest.skip("`c8migrate apply --changed-since` is not built yet (runner/flow)")


@pytest.fixture
def merged_repo(tmp_path: Path) -> tuple[GitRepo, str, str, str]:
    """main had the BPMN files; a pull request added the order plan and was merged."""
    repo = GitRepo(tmp_path / "repo")
    for name in ("order-process.v1.bpmn", "order-process.v2.bpmn",
                 "invoice-approval.v1.bpmn", "invoice-approval.v2.bpmn"):
        repo.write(f"plans/bpmn/{name}", (PROJECT / "plans" / "bpmn" / name).read_text("utf-8"))
    shutil.copy(PROJECT / "plans" / "invoice-v1-to-v2.yaml", repo.root / "plans")
    before = repo.commit("BPMN files and an older plan")
    repo.git("checkout", "-q", "-b", "order-migration")
    shutil.copy(PROJECT / "plans" / f"{PLAN}.yaml", repo.root / "plans")
    head = repo.commit("Plan: order v1 -> v2")
    repo.git("checkout", "-q", "main")
    repo.git("merge", "-q", "--no-ff", "-m", "Merge pull request #31", "order-migration")
    return repo, before, head, repo.git("rev-parse", "HEAD")


def zipped(name: str, data: bytes) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as bundle:
        bundle.writestr(name, data)
    return buffer.getvalue()


def journal_events(journal: Path) -> list[dict[str, Any]]:
    events = []
    for path in sorted(journal.glob("*.jsonl")):
        events += [json.loads(line) for line in path.read_text("utf-8").splitlines() if line]
    return events


def test_merge_applies_the_changed_plan_once_with_audit_and_outcome_comment(
        merged_repo: tuple[GitRepo, str, str, str], github: FakeGitHub,
        sandbox_factory: StartSandbox, tmp_path: Path) -> None:
    require_apply_with_changed_since()
    repo, before, head, merge_sha = merged_repo
    cluster = sandbox_factory(seed=PROJECT / "plans" / "demo-seed.yaml",
                              auth=SandboxAuth(mode="oauth", client_id="ci", client_secret=SECRET))
    github.pulls_by_commit[merge_sha] = [
        {"number": 31, "state": "closed", "merged_at": "2026-03-01T10:00:00Z",
         "merge_commit_sha": merge_sha, "html_url": "https://github.invalid/pull/31",
         "head": {"sha": head}}]
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": str(tmp_path),
        "PYTHONPATH": str(PROJECT),
        "CAMUNDA_REST_ADDRESS": cluster.url, "CAMUNDA_AUTH_STRATEGY": "OAUTH",
        "CAMUNDA_OAUTH_URL": f"{cluster.url}/oauth/token", "CAMUNDA_CLIENT_ID": "ci",
        "CAMUNDA_CLIENT_SECRET": SECRET,
        "GITHUB_TOKEN": TOKEN, "GITHUB_REPOSITORY": github.repository,
        "GITHUB_API_URL": github.url, "GITHUB_SHA": merge_sha, "GITHUB_ACTOR": "release-bot",
        "GITHUB_SERVER_URL": "https://github.invalid", "GITHUB_RUN_ID": "77",
    }
    journal = repo.root / ".c8migrate" / "journal"

    # the pull request's dry run (pull-request.yml), kept as the run's artifact
    repo.git("checkout", "-q", head)
    dry_run = c8migrate(["plan", "--changed-since", before, "--format", "json", "--output",
                         str(tmp_path / "plan.json")], repo.root, env)
    commented = c8migrate(["github", "comment", "--report", str(tmp_path / "plan.json"),
                           "--pr", "31", "--changed-since", before, "plans"], repo.root, env)
    repo.git("checkout", "-q", "main")
    assert dry_run.returncode in (0, 1), dry_run.stderr
    assert commented.returncode == 0, commented.stderr
    reviewed_plan = json.loads((tmp_path / "plan.json").read_text("utf-8"))["plans"][0]
    (pr_comment,) = github.bodies(31)
    assert pr_comment.startswith(marker("plan", "plans"))
    assert f"Plans in this change: `plans/{PLAN}.yaml` (added)" in pr_comment
    assert (f"| {reviewed_plan['matched']} | {reviewed_plan['migrating']} | "
            f"{reviewed_plan['blocked']} |") in pr_comment
    github.workflow_runs.append(
        {"id": 5, "path": ".github/workflows/pull-request.yml", "head_sha": head,
         "conclusion": "success", "created_at": "2026-03-01T09:00:00Z",
         "artifacts": {"c8migrate-dry-run": zipped(
             "plan.json", (tmp_path / "plan.json").read_bytes())}})

    def merge_workflow(report: str) -> tuple[subprocess.CompletedProcess[str], ...]:
        changed = c8migrate(["github", "changed", "--since", before, "plans"], repo.root, env)
        reviewed = c8migrate(["github", "reviewed", "--output", "reviewed.json", "--required"],
                             repo.root, env)
        assert reviewed.returncode == 0, reviewed.stderr
        applied = c8migrate(["apply", "--changed-since", before, "--journal-dir", str(journal),
                             "--yes", "--expect-preview", "reviewed.json",
                             "--format", "json", "--output", report], repo.root, env)
        outcome = c8migrate(["github", "outcome", "--report", report, "--changed-since",
                             before, "plans"], repo.root, env)
        return changed, applied, outcome

    changed, applied, outcome = merge_workflow("apply-1.json")

    assert changed.stdout.splitlines() == [f"plans/{PLAN}.yaml"], changed.stderr
    assert (repo.root / "reviewed.json").read_bytes() == (tmp_path / "plan.json").read_bytes()
    assert applied.returncode == 0, applied.stdout + applied.stderr
    first = json.loads((repo.root / "apply-1.json").read_text("utf-8"))
    (plan_report,) = first["plans"]
    assert plan_report["name"] == PLAN
    assert plan_report["migrated"] > 0
    assert plan_report["remainingOnSource"] == plan_report["preview"]["blocked"]
    accepted = cluster.stats()["acceptedMigrations"]
    assert len(accepted) == plan_report["migrated"]
    finished = [e for e in journal_events(journal) if e["event"] == "finished"]
    assert len(finished) == 1
    audit = finished[0]["audit"]
    assert audit["commit"] == merge_sha and audit["actor"] == "release-bot"
    assert audit["checksum"] == plan_report["checksum"]
    assert outcome.returncode == 0, outcome.stderr
    pr_comment_now, comment = github.bodies(31)
    assert pr_comment_now == pr_comment  # the dry-run comment stays as reviewed
    assert comment.startswith(marker("outcome", "plans"))
    assert f"{plan_report['migrated']} instances migrated" in comment

    changed2, applied2, outcome2 = merge_workflow("apply-2.json")

    assert applied2.returncode == 0, applied2.stdout + applied2.stderr
    second = json.loads((repo.root / "apply-2.json").read_text("utf-8"))
    assert second["plans"][0]["migrated"] == 0
    assert cluster.stats()["acceptedMigrations"] == accepted  # nothing migrated twice
    assert len([e for e in journal_events(journal) if e["event"] == "finished"]) == 2
    assert outcome2.returncode == 0 and len(github.bodies(31)) == 2
    for text in [*github.bodies(31), *(p.stdout + p.stderr for p in (
            changed, applied, outcome, changed2, applied2, outcome2))]:
        assert SECRET not in text and TOKEN not in text


def test_merge_refuses_when_live_state_drifted_from_the_reviewed_dry_run(
        merged_repo: tuple[GitRepo, str, str, str], github: FakeGitHub,
        sandbox_factory: StartSandbox, tmp_path: Path) -> None:
    require_apply_with_changed_since()
    repo, before, head, merge_sha = merged_repo
    cluster = sandbox_factory(seed=PROJECT / "plans" / "demo-seed.yaml")
    env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": str(tmp_path),
           "PYTHONPATH": str(PROJECT), "CAMUNDA_REST_ADDRESS": cluster.url,
           "CAMUNDA_AUTH_STRATEGY": "none", "GITHUB_TOKEN": TOKEN,
           "GITHUB_REPOSITORY": github.repository, "GITHUB_API_URL": github.url,
           "GITHUB_SHA": merge_sha}
    github.pulls_by_commit[merge_sha] = [
        {"number": 31, "state": "closed", "merged_at": "2026-03-01T10:00:00Z",
         "merge_commit_sha": merge_sha, "head": {"sha": head}}]
    repo.git("checkout", "-q", head)
    reviewed_run = c8migrate(["plan", "--changed-since", before, "--format", "json",
                              "--output", str(tmp_path / "plan.json")], repo.root, env)
    repo.git("checkout", "-q", "main")
    assert reviewed_run.returncode in (0, 1), reviewed_run.stderr
    github.workflow_runs.append(
        {"id": 5, "path": ".github/workflows/pull-request.yml", "head_sha": head,
         "conclusion": "success", "created_at": "2026-03-01T09:00:00Z",
         "artifacts": {"c8migrate-dry-run": zipped(
             "plan.json", (tmp_path / "plan.json").read_bytes())}})
    # after the review, more legacy orders arrive: instances that the plan would block
    cluster.seed({"instances": [{"process": "order-process", "version": 1, "count": 4,
                                 "waitAt": ["Task_PackOrder"],
                                 "variables": {"legacyOrderNumber": "L-1"}}]})

    fetched = c8migrate(["github", "reviewed", "--output", "reviewed.json", "--required"],
                        repo.root, env)
    refused = c8migrate(["apply", "--changed-since", before, "--yes", "--expect-preview",
                         "reviewed.json", "--journal-dir", str(tmp_path / "journal"),
                         "--format", "json", "--output", "apply.json"], repo.root, env)
    told = c8migrate(["github", "outcome", "--report", "apply.json", "--exit-code",
                      str(refused.returncode), "--changed-since", before, "plans"],
                     repo.root, env)

    assert fetched.returncode == 0, fetched.stderr
    assert refused.returncode == 4, refused.stdout + refused.stderr
    assert "differs from what was reviewed" in refused.stderr
    assert cluster.stats()["acceptedMigrations"] == {}
    assert told.returncode == 0, told.stderr
    (comment,) = github.bodies(31)
    assert "**apply refused** (exit 4)" in comment
    assert f"**Not applied**: `plans/{PLAN}.yaml`" in comment
