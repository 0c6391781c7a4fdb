"""The sticky pull-request comment and the merged-PR outcome comment.

One comment per run and key (default key ``plans``; a workflow that runs per environment uses
one key each), found again by a hidden marker ``<!-- c8migrate:KIND key=KEY -->`` and edited
in place on every push. One comment per run rather than per plan: the reviewer sees the whole
change in one place, summary first, and a plan removed from the change cannot leave a stale
comment behind. Bodies never exceed GitHub's 65,536-character limit: the markdown renderer is
given the room left after our header and footer, and a last cut guards the total.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Literal

from runner.gitops.changed import DeletedPlan
from runner.gitops.github import GitHubClient, IssueComment
from runner.reporters.base import GITHUB_COMMENT_LIMIT

PLAN_KIND = "plan"
OUTCOME_KIND = "outcome"
_KEY = re.compile(r"^[A-Za-z0-9._/-]{1,100}$")


def marker(kind: str, key: str) -> str:
    """The hidden HTML comment that identifies our comment of one kind and key."""
    if not _KEY.match(key):
        raise ValueError(f"comment key {key!r}: use letters, digits and . _ / - only")
    return f"<!-- c8migrate:{kind} key={key} -->"


@dataclass(frozen=True, slots=True)
class CommentContext:
    """Where the run came from, for the footer."""

    commit: str | None = None
    run_url: str | None = None
    artifact_url: str | None = None
    """The workflow run's artifacts page or the artifact itself (the full report)."""
    note: str = "this comment is updated in place on every push"
    """The last words of the footer."""


@dataclass(frozen=True, slots=True)
class Upserted:
    """What ``upsert_comment`` did."""

    action: Literal["created", "updated", "unchanged"]
    comment_id: int
    url: str
    duplicates_removed: int = 0


def upsert_comment(client: GitHubClient, number: int, tag: str, body: str) -> Upserted:
    """Edit the comment carrying ``tag`` (the marker) or create it; never a second one.

    Every page of comments is read, so the marker is found however long the thread is. Should
    an earlier race have left two marked comments, the oldest is kept and the others removed.
    """
    if tag not in body:
        raise ValueError("the body must contain its marker")
    if len(body) > GITHUB_COMMENT_LIMIT:
        raise ValueError(f"comment body of {len(body)} characters exceeds GitHub's limit")
    marked = [c for c in client.iter_issue_comments(number) if tag in c.body]
    if not marked:
        created = client.create_issue_comment(number, body)
        return Upserted("created", created.id, created.html_url)
    keep, extra = marked[0], marked[1:]
    for duplicate in extra:
        client.delete_issue_comment(duplicate.id)
    if keep.body == body:
        return Upserted("unchanged", keep.id, keep.html_url, len(extra))
    updated = client.update_issue_comment(keep.id, body)
    return Upserted("updated", updated.id, updated.html_url, len(extra))


def find_marked(comments: Iterable[IssueComment], tag: str) -> IssueComment | None:
    """The first comment carrying the marker ``tag``, if any."""
    return next((c for c in comments if tag in c.body), None)


def compose(tag: str, intro: Sequence[str], report_markdown: str, context: CommentContext, *,
            deleted: Sequence[DeletedPlan] = (), limit: int = GITHUB_COMMENT_LIMIT) -> str:
    """Marker, intro lines, the rendered report, deleted plans and the footer; <= limit.

    ``report_markdown`` should already be rendered within ``report_budget(...)``; if it is
    longer anyway it is cut here with a note, so the result never exceeds ``limit``.
    """
    head = _head(tag, intro)
    tail = _deleted_section(deleted) + _footer(context)
    room = limit - len(head) - len(tail)
    if len(report_markdown) > room:
        note = ("\n\n> [!NOTE]\n> The report was cut to fit GitHub's comment limit; "
                "the full report is in the workflow artifact.\n\n")
        keep = room - len(note)
        while True:
            cut = report_markdown[: max(0, keep)]
            cut = cut[: cut.rfind("\n") + 1] if "\n" in cut else ""
            closed = _close_open_blocks(cut) + note
            if len(closed) <= room or not cut:
                break
            keep -= len(closed) - room  # the closing tags need room too
        report_markdown = closed[: max(0, room)]
    body = head + report_markdown + tail
    return body[:limit]


def report_budget(tag: str, intro: Sequence[str], context: CommentContext, *,
                  deleted: Sequence[DeletedPlan] = (), limit: int = GITHUB_COMMENT_LIMIT) -> int:
    """Characters left for the rendered report inside a comment of at most ``limit``."""
    fixed = len(_head(tag, intro)) + len(_deleted_section(deleted)) + len(_footer(context))
    return max(0, limit - fixed)


def _head(tag: str, intro: Sequence[str]) -> str:
    return tag + "\n" + "".join(line + "\n\n" for line in intro)


def _deleted_section(deleted: Sequence[DeletedPlan]) -> str:
    if not deleted:
        return ""
    lines = ["", "### Plans deleted in this change", "",
             "These are reported, not applied: deleting a plan never migrates anything, and "
             "instances it already migrated stay where they are.", ""]
    for plan in deleted:
        name = f" ({plan.name})" if plan.name else ""
        lines.append(f"- `{plan.repo_path}`{name}")
    return "\n".join(lines) + "\n"


def _footer(context: CommentContext) -> str:
    parts = []
    if context.commit:
        parts.append(f"commit `{context.commit[:12]}`")
    if context.run_url:
        parts.append(f"[workflow run]({context.run_url})")
    if context.artifact_url:
        parts.append(f"[full report (artifact)]({context.artifact_url})")
    parts.append(context.note)
    return "\n---\n<sub>" + " · ".join(parts) + "</sub>\n"


def _close_open_blocks(text: str) -> str:
    """Close a code fence or <details> block left open by a cut, so the rest still renders."""
    if text.count("```") % 2:
        text += "```\n"
    opened = text.count("<details>") - text.count("</details>")
    return text + "</details>\n" * max(0, opened)
