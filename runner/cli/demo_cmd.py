"""`c8migrate demo`: the whole job end to end against the embedded sandbox.

Starts the sandbox (its own process, loopback, a free port), deploys the example BPMN and
seeds instances from plans/demo-seed.yaml, then runs the real commands one after the other,
each as its own process, and prints their output under a heading:

    validate -> plan (dry run) -> apply -> drift (verify) -> apply again (nothing to do)

On 8.6/8.7 (``--server-version``) the onboarding plan is skipped, with a note (its variable
filter and batch mode need 8.8), and the dry run cannot read variables, so the 3 legacy
orders Zeebe rejects show up as rejected in apply (exit 1, expected) and in the drift check.

The journal goes to a temporary folder; the environment's cluster settings (CAMUNDA_*,
ZEEBE_*, C8MIGRATE_*) are not passed on, so the demo never talks to a real cluster.
Exit codes: 0 every step ended as expected; 1 a step did not; 2 the sandbox could not start.
"""

from __future__ import annotations

import os
import shlex
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

import click

import runner
from runner import exit_codes
from runner.cli.errors import error_boundary
from runner.errors import ConfigError
from runner.sandbox.process import start_sandbox
from runner.version import ServerVersion

REPO = Path(runner.__file__).resolve().parent.parent
PLANS = REPO / "plans"
SEED = PLANS / "demo-seed.yaml"
DEMO_PLANS = ("plans/order-v1-to-v2.yaml", "plans/invoice-v1-to-v2.yaml",
              "plans/onboarding-2025.1-to-2025.2.yaml")
NEEDS_8_8 = {"plans/onboarding-2025.1-to-2025.2.yaml":
             "it selects instances by a variable (filter.variables) and uses rollout.mode "
             "batch, both Camunda 8.8+"}
"""Demo plans that cannot run on older versions, and why (the demo skips them there)."""
_PRIVATE_PREFIXES = ("CAMUNDA_", "ZEEBE_", "C8MIGRATE_", "GITHUB_")


@dataclass(frozen=True, slots=True)
class Step:
    title: str
    args: tuple[str, ...]
    expect: int = exit_codes.OK


def demo_plans(server: ServerVersion) -> tuple[str, ...]:
    """The demo's plans that can run against ``server``."""
    if server.at_least("8.8"):
        return DEMO_PLANS
    return tuple(p for p in DEMO_PLANS if p not in NEEDS_8_8)


def steps(url: str, journal: str, plans: tuple[str, ...] = DEMO_PLANS, *,
          reads_variables: bool = True) -> list[Step]:
    """The demo's commands. Before 8.8 (``reads_variables`` false) the dry run cannot read
    instance variables, so the 3 legacy orders Zeebe rejects (Z22) are rejected by apply
    instead of predicted: both applies then end with exit 1, as expected."""
    cluster = ("--cluster", url)
    quiet = ("--format", "text", "--quiet")
    if not reads_variables:
        return [
            Step("Validate the plans offline (schema, BPMN, Zeebe's rules)",
                 ("validate", "--format", "text", *plans)),
            Step("Dry run: what would move where (before 8.8 it cannot read variables: "
                 "D04 warns that Zeebe may still reject some orders)",
                 ("plan", *plans, *cluster, *quiet)),
            Step("Apply: migrate, then read every instance back (Zeebe rejects the 3 "
                 "legacy orders without orderId: exit 1)",
                 ("apply", *plans, *cluster, *quiet, "--journal-dir", journal, "--yes"),
                 expect=exit_codes.FINDINGS),
            Step("Verify: instances left on the source versions (drift check: the 3 "
                 "rejected orders are still on order-process v1, exit 1)",
                 ("drift", *cluster, "--journal-dir", journal), expect=exit_codes.FINDINGS),
            Step("Apply again: only the 3 rejected orders are left, and rejected again",
                 ("apply", *plans, *cluster, *quiet, "--journal-dir", journal, "--yes"),
                 expect=exit_codes.FINDINGS),
        ]
    return [
        Step("Validate the plans offline (schema, BPMN, Zeebe's rules)",
             ("validate", "--format", "text", *plans)),
        Step("Dry run: what would move where, and what Zeebe would reject",
             ("plan", *plans, *cluster, *quiet)),
        Step("Apply: migrate, then read every instance back",
             ("apply", *plans, *cluster, *quiet, "--journal-dir", journal, "--yes")),
        Step("Verify: instances left on the source versions (drift check)",
             ("drift", *cluster, "--journal-dir", journal)),
        Step("Apply again: a second run has nothing to migrate",
             ("apply", *plans, *cluster, *quiet, "--journal-dir", journal, "--yes")),
    ]


@click.command("demo")
@click.option("--server-version", default="8.8.0", show_default=True,
              help="Camunda version the sandbox behaves as (8.6, 8.7, 8.8 or newer).")
@click.pass_context
def command(ctx: click.Context, server_version: str) -> None:
    """Run validate -> plan -> apply -> verify -> apply against a local sandbox.

    Needs nothing but this repository: the sandbox, the example plans and BPMN are here.
    """
    debug = bool((ctx.obj or {}).get("debug"))
    with error_boundary(debug):
        code = _run(server_version)
    ctx.exit(code)


def _run(server_version: str) -> int:
    if not SEED.is_file():
        raise ConfigError(f"the demo needs the example plans, not found at {PLANS}",
                          hint="run the demo from a clone of the c8migrate repository")
    try:
        server = ServerVersion.parse(server_version)
    except ValueError as exc:
        raise ConfigError(f"--server-version {server_version!r} is not a version",
                          hint="e.g. 8.6, 8.7 or 8.8") from exc
    plans = demo_plans(server)
    _heading(f"Starting the sandbox (Camunda {server_version} API) with {SEED.relative_to(REPO)}")
    for skipped in DEMO_PLANS:
        if skipped not in plans:
            click.echo(f"note: skipping {skipped} on Camunda {server}: {NEEDS_8_8[skipped]}")
    sandbox = start_sandbox(server_version=server_version, seed=SEED)
    try:
        click.echo(f"sandbox listening on {sandbox.url}")
        with tempfile.TemporaryDirectory(prefix="c8migrate-demo-") as journal:
            all_steps = steps(sandbox.url, journal, plans,
                              reads_variables=server.at_least("8.8"))
            for number, step in enumerate(all_steps, start=1):
                if not _run_step(number, len(all_steps), step):
                    return exit_codes.FINDINGS
    finally:
        sandbox.stop()
    _heading("Demo finished: every step ended as expected")
    return exit_codes.OK


def _heading(text: str) -> None:
    click.echo(f"\n{'=' * 78}\n{text}\n{'=' * 78}")


def _run_step(number: int, total: int, step: Step) -> bool:
    _heading(f"Step {number}/{total}: {step.title}\n$ c8migrate {shlex.join(step.args)}")
    env = {k: v for k, v in os.environ.items() if not k.startswith(_PRIVATE_PREFIXES)}
    env["PYTHONPATH"] = os.pathsep.join(p for p in (str(REPO), env.get("PYTHONPATH")) if p)
    env["NO_COLOR"] = "1"
    done = subprocess.run([sys.executable, "-m", "runner", *step.args], cwd=REPO, env=env,
                          capture_output=True, text=True, check=False)
    click.echo(done.stdout, nl=False)
    if done.stderr.strip():
        click.echo(done.stderr, nl=False, err=True)
    if done.returncode != step.expect:
        click.echo(f"\nstep {number} exited with {done.returncode}, expected {step.expect}; "
                   "the demo stops here", err=True)
        return False
    click.echo(f"(exit code {done.returncode})")
    return True
