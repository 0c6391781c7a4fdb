"""Plans a change touches: ``--changed-since REF``.

A plan is selected when, between the merge base of ``REF`` and ``HEAD`` (committed changes only,
like the diff of a pull request), the plan file itself was added or modified, or one of the BPMN
files it references (``source.bpmn`` / ``target.bpmn``) was. Plans deleted in the change are
returned separately so they can be reported, never applied. Renames count as a deletion of the
old path plus an addition of the new one.

Which files are plans: the files given, and the ``*.yaml``/``*.yml`` files directly inside the
directories given (not sub-folders, so ``plans/examples-invalid/`` stays out of ``plans/``,
as with ``plan`` and ``apply``) that are plans by ``runner.validate.looks_like_plan``
(``kind: MigrationPlan`` or an ``apiVersion`` of ``c8migrate/...``). A YAML file that cannot
be parsed counts as a plan, so validation reports it instead of it silently disappearing.
"""

from __future__ import annotations

import os
import subprocess
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Any

import yaml

from runner.errors import ConfigError
from runner.validate import PLAN_SUFFIXES, expand_paths

PLAN_KIND = "MigrationPlan"


@dataclass(frozen=True, slots=True)
class ChangedPlan:
    """A plan selected by the change, with why it was selected."""

    path: str
    """The plan file relative to the current directory (what you would pass to ``validate``)."""
    repo_path: str
    """The plan file relative to the repository root, in POSIX form."""
    reasons: tuple[str, ...]
    """e.g. ``added``, ``modified``, ``bpmn modified: plans/bpmn/order.v2.bpmn``."""


@dataclass(frozen=True, slots=True)
class DeletedPlan:
    """A plan file that existed at the merge base and is gone at HEAD."""

    repo_path: str
    name: str | None
    """``metadata.name`` as it was at the merge base, when readable."""


@dataclass(frozen=True, slots=True)
class PlanSelection:
    """The outcome of ``select_plans``."""

    ref: str
    merge_base: str
    head: str
    changed: tuple[ChangedPlan, ...]
    deleted: tuple[DeletedPlan, ...]

    @property
    def paths(self) -> tuple[str, ...]:
        """The selected plan files, relative to the current directory."""
        return tuple(p.path for p in self.changed)


def select_plans(ref: str, paths: Sequence[str | Path], *, cwd: Path | None = None
                 ) -> PlanSelection:
    """Plans under ``paths`` added or changed between the merge base of ``ref`` and HEAD.

    Raises ConfigError when git is missing, the directory is not a git work tree, or ``ref``
    (or a merge base with it) cannot be found, e.g. in a shallow clone.
    """
    here = (cwd or Path.cwd()).resolve()
    work_tree = _work_tree_of(here, paths)
    root = Path(_git(work_tree, "rev-parse", "--show-toplevel").strip()).resolve()
    head = _git(work_tree, "rev-parse", "--verify", "HEAD^{commit}").strip()
    try:
        base = _git(work_tree, "merge-base", ref, "HEAD").strip()
    except ConfigError as exc:
        raise ConfigError(
            f"cannot find the merge base of {ref!r} and HEAD",
            hint="check the ref name; in CI fetch the history (actions/checkout with "
                 "fetch-depth: 0) so the base commit is present",
        ) from exc
    statuses = _diff_statuses(work_tree, base, head)
    scopes = [_repo_relative(here / Path(p), root) for p in paths]

    changed: list[ChangedPlan] = []
    for plan_file in _current_plan_files(here, paths):
        rel = _repo_relative(plan_file, root)
        reasons = _reasons(plan_file, rel, root, statuses)
        if reasons:
            changed.append(ChangedPlan(path=_display(plan_file, here), repo_path=rel,
                                       reasons=tuple(reasons)))

    deleted: list[DeletedPlan] = []
    for rel, status in sorted(statuses.items()):
        if status != "D" or not _in_scope(rel, scopes):
            continue
        document = _load_yaml_text(_git(root, "show", f"{base}:{rel}", check=False))
        if document is not None and not _is_plan(document):
            continue
        deleted.append(DeletedPlan(repo_path=rel, name=_plan_name(document)))

    return PlanSelection(ref=ref, merge_base=base, head=head,
                         changed=tuple(sorted(changed, key=lambda c: c.repo_path)),
                         deleted=tuple(deleted))


def _reasons(plan_file: Path, rel: str, root: Path, statuses: dict[str, str]) -> list[str]:
    reasons: list[str] = []
    own = statuses.get(rel)
    if own == "A":
        reasons.append("added")
    elif own is not None:
        reasons.append("modified")
    for bpmn in _referenced_bpmn(plan_file, root):
        bpmn_status = statuses.get(bpmn)
        if bpmn_status is not None:
            verb = {"A": "added", "D": "deleted"}.get(bpmn_status, "modified")
            reasons.append(f"bpmn {verb}: {bpmn}")
    return reasons


def _current_plan_files(here: Path, paths: Sequence[str | Path]) -> list[Path]:
    found: dict[Path, None] = {}
    for given in paths:
        path = (here / Path(given)).resolve()
        if path.is_dir():
            found.update((Path(p), None) for p in expand_paths([str(path)]))
        elif path.is_file():
            found[path] = None
        # else: a plan deleted in the change may still be named on the command line
    return list(found)


def _referenced_bpmn(plan_file: Path, root: Path) -> list[str]:
    document = _load_yaml_text(_read(plan_file))
    if not isinstance(document, dict):
        return []
    refs: list[str] = []
    for side in ("source", "target"):
        block = document.get(side)
        bpmn = block.get("bpmn") if isinstance(block, dict) else None
        if isinstance(bpmn, str) and bpmn:
            resolved = (plan_file.parent / bpmn).resolve()
            try:
                refs.append(_repo_relative(resolved, root))
            except ValueError:
                continue  # outside the repository: the loader refuses it (P07)
    return refs


def _diff_statuses(here: Path, base: str, head: str) -> dict[str, str]:
    out = _git(here, "diff", "--name-status", "--no-renames", "-z", base, head)
    fields = out.split("\0")
    statuses: dict[str, str] = {}
    for status, path in zip(fields[0::2], fields[1::2], strict=False):
        if status and path:
            statuses[path] = status[0]
    return statuses


def _in_scope(rel: str, scopes: Sequence[str]) -> bool:
    if PurePosixPath(rel).suffix not in PLAN_SUFFIXES:
        return False
    parent = str(PurePosixPath(rel).parent)
    return any(rel == scope or parent == (scope or ".") for scope in scopes)


def _repo_relative(path: Path, root: Path) -> str:
    rel = os.path.relpath(path.resolve(), root)
    if rel == os.pardir or rel.startswith(os.pardir + os.sep):
        raise ValueError(f"{path} is outside the repository {root}")
    return PurePosixPath(Path(rel)).as_posix()


def _display(path: Path, here: Path) -> str:
    rel = os.path.relpath(path, here)
    return rel if not rel.startswith(os.pardir) else str(path)


def _is_plan(document: Any) -> bool:
    if not isinstance(document, dict):
        return False
    api = document.get("apiVersion")
    return document.get("kind") == PLAN_KIND or (isinstance(api, str)
                                                 and api.startswith("c8migrate/"))


def _plan_name(document: Any) -> str | None:
    if isinstance(document, dict):
        metadata = document.get("metadata")
        if isinstance(metadata, dict) and isinstance(metadata.get("name"), str):
            return str(metadata["name"])
    return None


def _load_yaml_text(text: str | None) -> Any:
    if not text:
        return None
    try:
        return yaml.safe_load(text)
    except yaml.YAMLError:
        return None


def _read(path: Path) -> str | None:
    try:
        return path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return None


def _work_tree_of(here: Path, paths: Sequence[str | Path]) -> Path:
    """Where to ask git: the folder of the first path given that exists (so the command works
    from outside the repository), else the current directory."""
    for given in paths:
        path = here / Path(given)
        if path.exists():
            return path if path.is_dir() else path.parent
    return here


def _git(cwd: Path, *args: str, check: bool = True) -> str:
    try:
        done = subprocess.run(["git", *args], cwd=cwd, capture_output=True, text=True,
                              check=False)
    except OSError as exc:
        raise ConfigError("git is not available", hint="install git to use --changed-since"
                          ) from exc
    if done.returncode != 0:
        if not check:
            return ""
        detail = done.stderr.strip().splitlines()
        raise ConfigError(f"git {args[0]} failed: {detail[-1] if detail else done.returncode}")
    return done.stdout
