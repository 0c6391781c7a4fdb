"""The dry run a merged pull request was reviewed with, fetched back for ``apply --expect-preview``.

On merge, apply should do what the reviewers saw. The pull-request workflow keeps its JSON dry
run as an artifact; this finds it again from the merge commit: the pull request merged as that
commit, its head commit, the newest run of the pull-request workflow for that head that kept
the artifact, and the report inside the artifact's zip.
"""

from __future__ import annotations

import io
import zipfile
from dataclasses import dataclass

from runner.errors import InputError
from runner.gitops.github import GitHubClient, PullRequest

DEFAULT_WORKFLOW = "pull-request.yml"
DEFAULT_ARTIFACT = "c8migrate-dry-run"
DEFAULT_MEMBER = "plan.json"
MAX_REPORT_BYTES = 20_000_000


@dataclass(frozen=True, slots=True)
class ReviewedDryRun:
    """Where the reviewed report came from, and the report's bytes (JSON)."""

    pull_request: int
    head_sha: str
    run_id: int
    report: bytes


def merged_pull_request(client: GitHubClient, sha: str) -> PullRequest | None:
    """The pull request merged as ``sha`` (or, failing an exact match, one containing it)."""
    pulls = [p for p in client.pulls_for_commit(sha) if p.merged]
    exact = [p for p in pulls if p.merge_commit_sha == sha]
    chosen = exact or pulls
    return chosen[0] if chosen else None


def fetch_reviewed_dry_run(client: GitHubClient, merge_sha: str, *,
                           workflow: str = DEFAULT_WORKFLOW, artifact: str = DEFAULT_ARTIFACT,
                           member: str = DEFAULT_MEMBER) -> ReviewedDryRun | None:
    """The reviewed dry run of the pull request merged as ``merge_sha``; None when there is
    none (no pull request, no dry run for its last commit, or the artifact expired)."""
    pull = merged_pull_request(client, merge_sha)
    if pull is None or not pull.head_sha:
        return None
    runs = [r for r in client.workflow_runs_for(pull.head_sha)
            if r.path.rsplit("/", 1)[-1] == workflow and r.head_sha == pull.head_sha]
    for run in sorted(runs, key=lambda r: r.created_at, reverse=True):
        archive = client.run_artifact_zip(run.id, artifact)
        if archive is not None:
            return ReviewedDryRun(pull.number, pull.head_sha, run.id,
                                  _member(archive, member, f"{artifact} of run {run.id}"))
    return None


def _member(archive: bytes, member: str, what: str) -> bytes:
    try:
        with zipfile.ZipFile(io.BytesIO(archive)) as bundle:
            info = bundle.getinfo(member)
            if info.file_size > MAX_REPORT_BYTES:
                raise InputError(f"{member} in {what} is larger than {MAX_REPORT_BYTES} bytes")
            return bundle.read(info)
    except KeyError as exc:
        raise InputError(f"{what} has no {member}") from exc
    except zipfile.BadZipFile as exc:
        raise InputError(f"{what} is not a zip archive") from exc
