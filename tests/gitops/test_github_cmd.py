"""`c8migrate github ...` end to end against the fake GitHub API (real HTTP on loopback)."""

from __future__ import annotations

import io
import json
import zipfile
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from conftest import TOKEN
from fake_github import COMMENT_LIMIT, FakeGitHub
from gitrepo import GitRepo
from reports import preview, write_apply_report, write_preview_report

from runner.cli.main import cli
from runner.gitops.comment import marker

SECRET = "camunda-client-secret-5e1f0a"
PR = 17


@pytest.fixture
def env(github: FakeGitHub, tmp_path: Path) -> dict[str, str]:
    event = tmp_path / "event.json"
    event.write_text(json.dumps({"number": PR, "pull_request": {
        "number": PR, "head": {"sha": "feedfacecafebeef0000"}}}), encoding="utf-8")
    return {
        "GITHUB_TOKEN": TOKEN, "GITHUB_REPOSITORY": github.repository,
        "GITHUB_API_URL": github.url, "GITHUB_EVENT_PATH": str(event),
        "GITHUB_SERVER_URL": "https://github.invalid", "GITHUB_RUN_ID": "4242",
        "GITHUB_SHA": "0000merge", "CAMUNDA_CLIENT_SECRET": SECRET,
        "CAMUNDA_CLIENT_ID": "client-id",
    }


def run(args: list[str], env: dict[str, str]) -> Result:
    return CliRunner().invoke(cli, args, env=env, catch_exceptions=False)


def assert_no_secret(fake: FakeGitHub, *outputs: str) -> None:
    posted = [json.dumps(c.body) for c in fake.calls if c.body is not None]
    for text in [*posted, *outputs]:
        assert TOKEN not in text
        assert SECRET not in text


def test_first_run_creates_the_comment_the_second_edits_it(
        github: FakeGitHub, env: dict[str, str], tmp_path: Path) -> None:
    github.add_comment(PR, "LGTM from a human")
    first = write_preview_report(tmp_path / "r1.json", [preview(matched=12, blocked=2)])
    second = write_preview_report(tmp_path / "r2.json", [preview(matched=30, blocked=0)])

    r1 = run(["github", "comment", "--report", str(first)], env)
    r2 = run(["github", "comment", "--report", str(second)], env)

    assert r1.exit_code == 0, r1.output
    assert r2.exit_code == 0, r2.output
    assert "comment created on #17" in r1.stderr and "comment updated on #17" in r2.stderr
    ours = [b for b in github.bodies(PR) if marker("plan", "plans") in b]
    assert len(ours) == 1 and len(github.bodies(PR)) == 2
    body = ours[0]
    assert body.startswith("<!-- c8migrate:plan key=plans -->")
    assert "| 30 | 30 | 0 |" in body  # matched, migrating, blocked of the second run
    assert "```mermaid" in body and "c8migrate plan plans/order-v1-to-v2.yaml" in body
    assert "https://github.invalid/acme/plans/actions/runs/4242#artifacts" in body
    assert "`feedfacecafe`" in body  # the PR head, not the test merge commit
    assert [c.method for c in github.writes()] == ["POST", "PATCH"]
    assert_no_secret(github, r1.output, r2.output)


def test_a_clean_run_shows_nothing_to_migrate(github: FakeGitHub, env: dict[str, str],
                                              tmp_path: Path) -> None:
    report = write_preview_report(tmp_path / "clean.json",
                                  [preview(matched=0, blocked=0, findings=0)])

    result = run(["github", "comment", "--report", str(report)], env)

    assert result.exit_code == 0, result.output
    (body,) = github.bodies(PR)
    assert "nothing to migrate" in body.lower()
    assert "blocked" not in body.split("\n")[1].lower()


def test_a_very_large_report_stays_under_the_limit(github: FakeGitHub, env: dict[str, str],
                                                   tmp_path: Path) -> None:
    previews = [preview(name=f"plan-{i:03d}", path=f"plans/plan-{i:03d}.yaml", matched=5000,
                        blocked=400, findings=60) for i in range(80)]
    report = write_preview_report(tmp_path / "huge.json", previews)
    assert report.stat().st_size > 20 * COMMENT_LIMIT

    result = run(["github", "comment", "--report", str(report)], env)

    assert result.exit_code == 0, result.output
    (body,) = github.bodies(PR)
    assert len(body) <= COMMENT_LIMIT
    assert "artifact" in body and "#artifacts" in body
    assert body.startswith(marker("plan", "plans"))


def test_changed_since_names_the_plans_and_lists_deleted_ones(
        github: FakeGitHub, env: dict[str, str], tmp_path: Path,
        monkeypatch: pytest.MonkeyPatch) -> None:
    repo = GitRepo(tmp_path / "repo")
    plan_text = ("kind: MigrationPlan\nmetadata: {name: %s}\n"
                 "source: {bpmn: a.bpmn}\ntarget: {bpmn: b.bpmn}\n")
    repo.write("plans/old.yaml", plan_text % "old")
    repo.write("plans/order.yaml", plan_text % "order")
    repo.commit("base")
    repo.git("checkout", "-q", "-b", "pr")
    repo.delete("plans/old.yaml")
    repo.write("plans/b.bpmn", "<changed/>")
    repo.commit("change")
    monkeypatch.chdir(repo.root)
    report = write_preview_report(tmp_path / "r.json", [preview(path="plans/order.yaml")])

    result = run(["github", "comment", "--report", str(report), "--changed-since", "main",
                  "--stdout"], env)

    assert result.exit_code == 0, result.output
    assert "Plans in this change: `plans/order.yaml` (bpmn added: plans/b.bpmn)" in result.stdout
    assert "### Plans deleted in this change" in result.stdout
    assert "- `plans/old.yaml` (old)" in result.stdout
    assert github.calls == []  # --stdout posts nothing


def test_outcome_is_commented_on_the_merged_pull_request_and_re_runs_edit_it(
        github: FakeGitHub, env: dict[str, str], tmp_path: Path) -> None:
    github.pulls_by_commit["0000beef"] = [
        {"number": 5, "state": "closed", "merged_at": None, "merge_commit_sha": None},
        {"number": 21, "state": "closed", "merged_at": "2026-01-02T03:04:05Z",
         "merge_commit_sha": "0000beef", "html_url": "https://github.invalid/pull/21"}]
    report = write_apply_report(tmp_path / "apply.json", migrated=10, blocked=2)

    first = run(["github", "outcome", "--report", str(report), "--sha", "0000beef"], env)
    again = run(["github", "outcome", "--report", str(report), "--sha", "0000beef"], env)

    assert first.exit_code == 0 and again.exit_code == 0, first.output + again.output
    (body,) = github.bodies(21)
    assert body.startswith(marker("outcome", "plans"))
    assert "10 instances migrated" in body and "`900001`" in body
    assert "c8migrate-audit" in body
    assert ("`order-v1-to-v2`: 2 blocked instances were not sent (Z07 at `Task_Legacy`) and "
            "stay on order-process v1") in body
    assert "updated in place when apply is re-run" in body
    assert "outcome comment unchanged on #21" in again.stderr
    assert_no_secret(github, first.output, again.output)


def test_outcome_without_a_merged_pull_request_is_not_an_error(
        github: FakeGitHub, env: dict[str, str], tmp_path: Path) -> None:
    report = write_apply_report(tmp_path / "apply.json")

    result = run(["github", "outcome", "--report", str(report), "--sha", "0000abcd"], env)

    assert result.exit_code == 0
    assert "nothing to comment" in result.stderr
    assert github.writes() == []


def test_comment_without_token_is_a_usage_error(env: dict[str, str], tmp_path: Path) -> None:
    report = write_preview_report(tmp_path / "r.json", [preview()])
    del env["GITHUB_TOKEN"]

    result = run(["github", "comment", "--report", str(report)], env)

    assert result.exit_code == 2
    assert "GITHUB_TOKEN is not set" in result.stderr


def test_a_report_that_is_not_json_is_a_usage_error(env: dict[str, str], tmp_path: Path
                                                    ) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text("{not json", encoding="utf-8")

    result = run(["github", "comment", "--report", str(bad), "--stdout"], env)

    assert result.exit_code == 2
    assert "is not JSON" in result.stderr


def test_summary_writes_annotations_job_summary_and_outputs(env: dict[str, str],
                                                            tmp_path: Path) -> None:
    summary, outputs = tmp_path / "summary.md", tmp_path / "outputs.txt"
    env |= {"GITHUB_STEP_SUMMARY": str(summary), "GITHUB_OUTPUT": str(outputs)}
    report = write_preview_report(tmp_path / "r.json", [preview(matched=12, blocked=2)])

    full = tmp_path / "full.md"

    result = run(["github", "summary", "--report", str(report), "--markdown", str(full)], env)

    assert result.exit_code == 0, result.output
    assert "Task_Legacy" in full.read_text(encoding="utf-8")
    assert "::warning file=plans/order-v1-to-v2.yaml,line=12,col=7" in result.stdout
    assert "c8migrate dry run" in summary.read_text(encoding="utf-8")
    lines = outputs.read_text(encoding="utf-8").splitlines()
    assert "matched=12" in lines and "migrating=10" in lines and "blocked=2" in lines


def test_changed_writes_step_outputs(env: dict[str, str], tmp_path: Path,
                                     monkeypatch: pytest.MonkeyPatch) -> None:
    repo = GitRepo(tmp_path / "repo")
    repo.write("plans/a.yaml", "kind: MigrationPlan\n")
    repo.commit("base")
    repo.git("checkout", "-q", "-b", "pr")
    repo.write("plans/b.yaml", "kind: MigrationPlan\n")
    repo.commit("add b")
    monkeypatch.chdir(repo.root)
    outputs = tmp_path / "outputs.txt"
    env["GITHUB_OUTPUT"] = str(outputs)

    result = run(["github", "changed", "--since", "main"], env)

    assert result.exit_code == 0, result.output
    assert result.stdout == "plans/b.yaml\n"
    assert outputs.read_text(encoding="utf-8") == "plans=plans/b.yaml\ncount=1\ndeleted=\n"


def zipped(files: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as bundle:
        for name, data in files.items():
            bundle.writestr(name, data)
    return buffer.getvalue()


def test_reviewed_fetches_the_dry_run_of_the_merged_head_without_leaking_the_token(
        github: FakeGitHub, env: dict[str, str], tmp_path: Path) -> None:
    reviewed_report = write_preview_report(tmp_path / "reviewed.json", [preview()]).read_bytes()
    stale_report = write_preview_report(tmp_path / "stale.json", [preview(matched=1)]).read_bytes()
    github.pulls_by_commit["0000aaaa"] = [
        {"number": 31, "state": "closed", "merged_at": "2026-03-01T10:00:00Z",
         "merge_commit_sha": "0000aaaa", "head": {"sha": "0000bbbb"}}]
    github.workflow_runs += [
        {"id": 7, "path": ".github/workflows/pull-request.yml", "head_sha": "0000bbbb",
         "conclusion": "failure", "created_at": "2026-03-01T09:00:00Z",
         "artifacts": {"c8migrate-dry-run": zipped({"plan.json": stale_report})}},
        {"id": 9, "path": ".github/workflows/pull-request.yml", "head_sha": "0000bbbb",
         "conclusion": "success", "created_at": "2026-03-01T09:30:00Z",
         "artifacts": {"c8migrate-dry-run": zipped({"plan.json": reviewed_report,
                                                    "plan.md": b"# md"})}},
        {"id": 11, "path": ".github/workflows/ci.yml", "head_sha": "0000bbbb",
         "conclusion": "success", "created_at": "2026-03-01T09:45:00Z"}]
    outputs, target = tmp_path / "outputs.txt", tmp_path / "expected.json"
    env["GITHUB_OUTPUT"] = str(outputs)

    result = run(["github", "reviewed", "--sha", "0000aaaa", "--output", str(target)], env)

    assert result.exit_code == 0, result.output
    assert target.read_bytes() == reviewed_report
    assert outputs.read_text(encoding="utf-8") == "found=true\npr=31\nrun-id=9\n"
    (blob,) = [c for c in github.calls if c.path.startswith("/blob/")]
    assert blob.authorization is None  # the redirect to another host carries no token


def test_reviewed_missing_is_a_warning_or_with_required_an_error(
        github: FakeGitHub, env: dict[str, str], tmp_path: Path) -> None:
    github.pulls_by_commit["0000cccc"] = [
        {"number": 32, "state": "closed", "merged_at": "2026-03-01T10:00:00Z",
         "merge_commit_sha": "0000cccc", "head": {"sha": "0000dddd"}}]
    outputs = tmp_path / "outputs.txt"
    env["GITHUB_OUTPUT"] = str(outputs)
    args = ["github", "reviewed", "--sha", "0000cccc", "--output", str(tmp_path / "x.json")]

    lenient = run(args, env)
    strict = run([*args, "--required"], env)

    assert lenient.exit_code == 0 and "warning: no reviewed dry run" in lenient.stderr
    assert outputs.read_text(encoding="utf-8") == "found=false\n"
    assert strict.exit_code == 2 and "no reviewed dry run found" in strict.stderr
    assert not (tmp_path / "x.json").exists()


def test_a_bad_comment_key_is_a_usage_error(env: dict[str, str], tmp_path: Path) -> None:
    report = write_preview_report(tmp_path / "r.json", [preview()])

    result = run(["github", "comment", "--report", str(report), "--key", "a -->", "--stdout"],
                 env)

    assert result.exit_code == 2
    assert "letters, digits" in result.stderr


def test_outcome_says_when_apply_stopped_before_writing_a_report(
        github: FakeGitHub, env: dict[str, str], tmp_path: Path) -> None:
    github.pulls_by_commit["0000eeee"] = [
        {"number": 40, "state": "closed", "merged_at": "2026-01-02T03:04:05Z",
         "merge_commit_sha": "0000eeee"}]

    result = run(["github", "outcome", "--report", str(tmp_path / "never-written.json"),
                  "--exit-code", "2", "--sha", "0000eeee"], env)
    no_code = run(["github", "outcome", "--report", str(tmp_path / "never-written.json"),
                   "--sha", "0000eeee"], env)

    assert result.exit_code == 0, result.output
    (body,) = github.bodies(40)
    assert "**apply could not run to the end** (exit 2)" in body
    assert "Applied on merge" not in body  # nothing was applied: the run stopped
    assert "Run on merge `0000eeee`" in body
    assert no_code.exit_code == 2  # without an exit code a missing report is an input error
