"""What the two comments say: the dry-run comment on a pull request and the outcome comment on
the merged one. Both wrap the markdown renderer's report (the same text as ``--format
markdown`` and the job summary) with the marker, why each plan is in the run, the deleted
plans and a footer linking the workflow run and its artifact (the full report)."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import replace
from pathlib import Path

from runner import exit_codes
from runner.gitops.changed import ChangedPlan, DeletedPlan
from runner.gitops.comment import CommentContext, compose, report_budget
from runner.gitops.report_io import JsonReport
from runner.reporters import render_apply, render_previews, render_validation
from runner.reporters.base import RenderOptions
from runner.reporters.summary import apply_status, blocked_count, describe_ref, group_blocked
from runner.results import ApplyReport

ARTIFACT_HINT = "the full report is in the workflow run's artifact"


def context_from_env(env: Mapping[str, str]) -> CommentContext:
    """Commit, run and artifact links from the variables GitHub Actions sets."""
    server = env.get("GITHUB_SERVER_URL", "").rstrip("/")
    repo = env.get("GITHUB_REPOSITORY", "")
    run_id = env.get("GITHUB_RUN_ID", "")
    run_url = f"{server}/{repo}/actions/runs/{run_id}" if server and repo and run_id else None
    return CommentContext(commit=_head_sha(env) or env.get("GITHUB_SHA") or None,
                          run_url=run_url,
                          artifact_url=f"{run_url}#artifacts" if run_url else None)


def dry_run_comment(report: JsonReport, tag: str, context: CommentContext, *,
                    changed: Sequence[ChangedPlan] = (),
                    deleted: Sequence[DeletedPlan] = (),
                    selection_known: bool = False) -> str:
    """The pull-request comment for a dry-run (preview) or an offline validation report."""
    intro = _selection_lines(changed, selection_known)
    if report.kind == "validation" and (changed or not selection_known):
        intro.append("Offline validation only: there is no dry run against the cluster in "
                     "this report (a pull request from a fork, or the dry run could not run: "
                     "see the workflow run).")
    room = report_budget(tag, intro, context, deleted=deleted)
    options = RenderOptions(max_chars=room, artifact_hint=ARTIFACT_HINT)
    if report.kind == "preview":
        markdown = render_previews(report.previews(), "markdown", report.validation(), options)
    elif report.kind == "validation":
        validation = report.validation()
        assert validation is not None  # read_report checked the kind
        markdown = render_validation(validation, "markdown", options)
    else:
        raise ValueError(f"a dry-run comment needs a preview or validation report, "
                         f"not {report.kind!r}")
    return compose(tag, intro, markdown, context, deleted=deleted)


def outcome_comment(report: JsonReport | None, tag: str, context: CommentContext, *,
                    deleted: Sequence[DeletedPlan] = (), changed: Sequence[ChangedPlan] = (),
                    exit_code: int | None = None) -> str:
    """The comment on a merged pull request: what apply did, with the audit pointer.

    ``report`` may be None when apply stopped before writing one; ``exit_code`` and the
    selected plans (``changed``) then say what is known: which plans were not applied.
    """
    if report is not None and report.kind != "apply":
        raise ValueError(f"an outcome comment needs an apply report, not {report.kind!r}")
    context = replace(context, note="this comment is updated in place when apply is re-run")
    commit = f" `{context.commit[:12]}`" if context.commit else ""
    reports = report.apply_reports() if report is not None else []
    intro = _stopped(exit_code)
    # "Applied" only when apply ran to its end; a refused or stopped run says so above
    ran = "Applied" if exit_code in (None, exit_codes.OK, exit_codes.FINDINGS) else "Run"
    intro.append(f"{ran} on merge{commit}. The audit record of each plan (plan checksum, "
                 "commit, actor, counts, batch keys, outcome) is in the run's `c8migrate-audit` "
                 "artifact.")
    # a refused plan is in the report (status refused) but was not applied
    reported = {r.plan.path for r in reports if apply_status(r) != "refused"}
    missing = [c for c in changed if c.path not in reported and c.repo_path not in reported]
    if missing and (exit_code or report is None):
        listed = ", ".join(f"`{c.repo_path}`" for c in missing[:20])
        intro.append(f"**Not applied**: {listed}; the workflow run's log says why.")
    intro.extend(_left_behind(reports))
    room = report_budget(tag, intro, context, deleted=deleted)
    options = RenderOptions(max_chars=room, artifact_hint=ARTIFACT_HINT)
    markdown = render_apply(reports, "markdown", options) if reports else ""
    return compose(tag, intro, markdown, context, deleted=deleted)


def _stopped(exit_code: int | None) -> list[str]:
    if exit_code == exit_codes.DRIFT:
        return ["⛔ **apply refused** (exit 4): live state differs from the dry run that was "
                "reviewed (a redeploy, more instances than the guard, or new blockers). The "
                "refused plans migrated nothing; run the dry run again and review it."]
    if exit_code == exit_codes.USAGE:
        return ["❌ **apply could not run to the end** (exit 2): a configuration, cluster, "
                "input or lock problem; see the workflow run."]
    if exit_code not in (None, exit_codes.OK, exit_codes.FINDINGS):
        return [f"❌ **apply failed** (exit {exit_code}); see the workflow run."]
    return []


def _left_behind(reports: Sequence[ApplyReport]) -> list[str]:
    """One line per plan whose blocked instances were, by design, not sent."""
    lines = []
    for item in reports[:20]:
        blocked = blocked_count(item.preview)
        if not blocked:
            continue
        reasons = ", ".join(
            f"{g.code} at `{g.element_id}`" if g.element_id else g.code
            for g in group_blocked(item.preview.blocked)[:3])
        lines.append(f"`{item.plan.name}`: {blocked} blocked instance"
                     f"{'s were' if blocked != 1 else ' was'} not sent ({reasons}) and stay"
                     f"{'' if blocked != 1 else 's'} on {describe_ref(item.plan.source)}; "
                     "the dry run on the pull request shows Zeebe's reason.")
    return lines


def _selection_lines(changed: Sequence[ChangedPlan], known: bool) -> list[str]:
    if not known:
        return []
    if not changed:
        return ["No plan changed in this pull request: **nothing to migrate**."]
    items = "; ".join(f"`{c.repo_path}` ({', '.join(c.reasons)})" for c in changed[:20])
    more = f"; and {len(changed) - 20} more" if len(changed) > 20 else ""
    return [f"Plans in this change: {items}{more}."]


def _head_sha(env: Mapping[str, str]) -> str | None:
    """On pull_request events GITHUB_SHA is a test merge commit; the head commit is clearer."""
    path = env.get("GITHUB_EVENT_PATH")
    if not path:
        return None
    try:
        payload = json.loads(Path(path).read_text(encoding="utf-8"))
        sha = payload["pull_request"]["head"]["sha"]
    except (OSError, ValueError, KeyError, TypeError):
        return None
    return sha if isinstance(sha, str) else None
