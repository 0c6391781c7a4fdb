"""Rendering results as text, json, markdown, github or sarif: pure functions returning str.

    render_validation(result, fmt)              offline validation (`validate`)
    render_previews(previews, fmt, validation)  the dry run (`plan`)
    render_apply(reports, fmt)                  what apply did (`apply`)

``FORMATS`` is the name -> Renderer registry; the CLI's ``--format`` choices come from it.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from runner.reporters import github, json_format, markdown, sarif, text
from runner.reporters.base import DEFAULT_MAX_CHARS, Renderer, RenderOptions
from runner.results import ApplyReport, PlanPreview, ValidationResult

FORMATS: Mapping[str, Renderer] = {
    module_name: Renderer(module_name, module.render_validation, module.render_previews,
                          module.render_apply)
    for module_name, module in (("text", text), ("json", json_format), ("github", github),
                                ("markdown", markdown), ("sarif", sarif))
}


def renderer(fmt: str) -> Renderer:
    """The renderer called ``fmt``; ValueError names the known ones otherwise."""
    try:
        return FORMATS[fmt]
    except KeyError:
        raise ValueError(f"unknown format {fmt!r}; choose one of {', '.join(FORMATS)}") from None


def render_validation(result: ValidationResult, fmt: str,
                      options: RenderOptions | None = None) -> str:
    """An offline validation in format ``fmt``."""
    return renderer(fmt).validation(result, options or RenderOptions())


def render_previews(previews: Sequence[PlanPreview], fmt: str,
                    validation: ValidationResult | None = None,
                    options: RenderOptions | None = None) -> str:
    """A dry run (one preview per plan) in format ``fmt``, with its offline validation."""
    return renderer(fmt).previews(previews, validation, options or RenderOptions())


def render_apply(reports: Sequence[ApplyReport], fmt: str,
                 options: RenderOptions | None = None) -> str:
    """What apply did (one report per plan) in format ``fmt``."""
    return renderer(fmt).apply(reports, options or RenderOptions())


__all__ = ["DEFAULT_MAX_CHARS", "FORMATS", "RenderOptions", "Renderer", "render_apply",
           "render_previews", "render_validation", "renderer"]
