"""What `plan`, `apply` and `drift` share: choosing plan files, loading them, --journal-dir.

A folder given as PATH contributes the plan files directly inside it (not sub-folders, so
`plans/examples-invalid/` stays out of `c8migrate plan plans/`), like --changed-since does.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

import click

from runner.errors import ConfigError
from runner.flow.journal import DEFAULT_JOURNAL_DIR
from runner.plan.loader import load_plan
from runner.plan.model import Plan
from runner.results import PlanValidation, ValidationResult
from runner.validate import expand_paths
from runner.version import ServerVersion

F = TypeVar("F", bound=Callable[..., Any])
DEFAULT_PLANS_DIR = Path("plans")


@dataclass(frozen=True, slots=True)
class LoadedPlans:
    plans: tuple[Plan, ...]
    failed: tuple[PlanValidation, ...]
    """Plan files that could not be loaded (YAML, schema), with their located findings."""

    def failures(self, server: ServerVersion) -> ValidationResult | None:
        return ValidationResult(self.failed, server) if self.failed else None


def plan_files(paths: Sequence[Path], changed_since: str | None) -> list[str]:
    """The plan files to work on, in order; ConfigError when there are none."""
    given = [str(p) for p in paths] or [str(_default_dir())]
    if changed_since:
        from runner.gitops.changed import select_plans
        selection = select_plans(changed_since, given)
        for deleted in selection.deleted:
            click.echo(f"note: plan {deleted.repo_path} was deleted in this change; "
                       "it is reported, not applied", err=True)
        changed = [c.path for c in selection.changed]
        if not changed:
            click.echo(f"note: no plan changed since {changed_since}", err=True)
        return changed
    files = list(expand_paths(given))
    if not files:
        raise ConfigError(f"no plan files found in {', '.join(given)}",
                          hint="plans are *.yaml files with 'kind: MigrationPlan'")
    return files


def _default_dir() -> Path:
    if DEFAULT_PLANS_DIR.is_dir():
        return DEFAULT_PLANS_DIR
    raise click.UsageError("no PATHS given and there is no plans/ folder here; "
                           "name the plan files or folders")


def load_plans(files: Sequence[str]) -> LoadedPlans:
    plans: list[Plan] = []
    failed: list[PlanValidation] = []
    for name in files:
        loaded = load_plan(name)
        if loaded.plan is None:
            failed.append(PlanValidation(name, None, tuple(loaded.findings)))
        else:
            plans.append(loaded.plan)
    return LoadedPlans(tuple(plans), tuple(failed))


def journal_dir_option(func: F) -> F:
    return click.option(
        "--journal-dir", type=click.Path(file_okay=False, path_type=Path),
        default=DEFAULT_JOURNAL_DIR, show_default=True, envvar="C8MIGRATE_JOURNAL_DIR",
        help="Where the apply journal, locks and audit records live "
             "[env C8MIGRATE_JOURNAL_DIR].")(func)


def quiet_option(func: F) -> F:
    return click.option("--quiet", "-q", is_flag=True,
                        help="No progress output on stderr.")(func)


def concurrency_option(func: F) -> F:
    return click.option(
        "--concurrency", type=click.IntRange(1, 256), default=None,
        help="Instances in flight at once [default: the plan's rollout.concurrency, else 8].",
    )(func)


def stderr_is_tty() -> bool:
    return sys.stderr.isatty()
