"""`c8migrate init SOURCE.bpmn TARGET.bpmn`: write a first plan with auto-mapping."""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Any

import click

from runner.bpmn.model import BpmnDocument, ProcessModel
from runner.bpmn.parser import load_bpmn
from runner.cli.errors import error_boundary
from runner.engine.scaffold import SideSpec, scaffold_plan
from runner.errors import ConfigError
from runner.plan.schema import load_schema

SCHEMA_RELATIVE = Path("schemas") / "migration-plan.v1.json"


def _known(document: BpmnDocument) -> str:
    return "processes in the file: " + ", ".join(sorted(document.processes))


def _choose(document: BpmnDocument, wanted: str | None, option: str,
            fallback: str | None = None) -> ProcessModel:
    if wanted is not None:
        model = document.processes.get(wanted)
        if model is None:
            raise ConfigError(f"{document.file} has no process '{wanted}'", hint=_known(document))
        return model
    if fallback is not None and fallback in document.processes:
        return document.processes[fallback]
    model = document.process()
    if model is None:
        raise ConfigError(f"{document.file} has several processes; choose one with {option}",
                          hint=_known(document))
    return model


def _schema_path(folder: Path) -> str | None:
    """The plan schema relative to ``folder``, when a repository above it has one."""
    here = folder.resolve()
    for candidate in (here, *here.parents):
        if (candidate / SCHEMA_RELATIVE).is_file():
            return os.path.relpath(candidate / SCHEMA_RELATIVE, here).replace(os.sep, "/")
    return None


def _valid_name(ctx: click.Context, param: click.Parameter, value: str | None) -> str | None:
    """Refuse a --name the plan schema would refuse (P02 on the plan we are about to write)."""
    if value is None:
        return None
    rule: dict[str, Any] = load_schema()["properties"]["metadata"]["properties"]["name"]
    pattern, longest = rule["pattern"], rule["maxLength"]
    if re.fullmatch(pattern, value) is None or len(value) > longest:
        raise click.BadParameter(
            f"{value!r} is not a plan name: it must match {pattern} "
            f"(lower-case letters, digits, '.' and '-') and be at most {longest} characters",
            ctx, param)
    return value


def _version(value: int | None, model: ProcessModel) -> tuple[int | None, str | None]:
    if value is not None:
        return value, None
    return None, model.version_tag


@click.command("init")
@click.argument("source_bpmn", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.argument("target_bpmn", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path),
              help="Write the plan to this file (default: standard output).")
@click.option("--process", "process_id", help="Source process id (needed when the file has "
              "several processes).")
@click.option("--target-process", "target_process_id",
              help="Target process id (default: the source's id if the target file has it).")
@click.option("--source-version", type=click.IntRange(min=1),
              help="Deployed version of the source (default: its versionTag, else 1).")
@click.option("--target-version", type=click.IntRange(min=1),
              help="Deployed version of the target (default: its versionTag, else 2).")
@click.option("--name", callback=_valid_name,
              help="metadata.name of the plan: lower-case letters, digits, '.' and '-' "
                   "(default: derived from ids/versions).")
@click.option("--force", is_flag=True, help="Overwrite an existing output file.")
@click.pass_context
def command(ctx: click.Context, source_bpmn: Path, target_bpmn: Path, output: Path | None,
            process_id: str | None, target_process_id: str | None, source_version: int | None,
            target_version: int | None, name: str | None, force: bool) -> None:
    """Write a migration plan for SOURCE_BPMN -> TARGET_BPMN.

    Elements with the same id and type are auto-mapped (like Operate does); elements where
    instances can wait that have no twin get commented suggestions to review.
    """
    with error_boundary(bool((ctx.obj or {}).get("debug"))):
        if output is not None and output.exists() and not force:
            raise ConfigError(f"{output} exists", hint="use --force to overwrite it")
        source_doc = load_bpmn(source_bpmn)
        target_doc = load_bpmn(target_bpmn)
        source = _choose(source_doc, process_id, "--process")
        target = _choose(target_doc, target_process_id, "--target-process", source.process_id)
        folder = output.parent if output is not None else Path.cwd()

        def relative(path: Path) -> str:
            return os.path.relpath(path.resolve(), folder.resolve()).replace(os.sep, "/")

        s_version, s_tag = _version(source_version, source)
        t_version, t_tag = _version(target_version, target)
        text = scaffold_plan(SideSpec(source, relative(source_bpmn), s_version, s_tag),
                             SideSpec(target, relative(target_bpmn), t_version, t_tag),
                             name=name, schema_path=_schema_path(folder))
        if output is None:
            click.echo(text, nl=False)
        else:
            output.parent.mkdir(parents=True, exist_ok=True)
            output.write_text(text, encoding="utf-8")
            click.echo(f"wrote {output}", err=True)
