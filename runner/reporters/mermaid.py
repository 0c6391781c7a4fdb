"""A Mermaid ``flowchart LR`` of a plan's mapping, for the markdown report (GitHub renders it).

Source elements on the left, target elements on the right; renamed mappings are highlighted,
wait states without a mapping are marked. Large mappings are capped: the interesting edges
(unmapped, renamed, with instances) are drawn first and the rest are counted in a last node.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

MAX_EDGES = 40
"""Mappings drawn per diagram; the rest are summarised (the tables list them all)."""


@dataclass(frozen=True, slots=True)
class MappingEdge:
    """One line of the diagram: a source element and where it goes (None: unmapped)."""

    source_id: str
    target_id: str | None
    source_type: str | None = None
    instances: int | None = None
    origin: str | None = None
    """'explicit' or 'auto' when known (offline validation)."""
    blocked: int = 0
    """Of ``instances``, how many Zeebe would reject (dry run)."""

    @property
    def renamed(self) -> bool:
        """Mapped to an element with another id."""
        return self.target_id is not None and self.target_id != self.source_id

    def interest(self) -> tuple[int, int, int]:
        """Sort key: unmapped first, then renamed, then by instances (descending)."""
        return (0 if self.target_id is None else 1, 0 if self.renamed else 1,
                -(self.instances or 0))


def label(text: str) -> str:
    """Text inside a quoted Mermaid label: quotes and angle brackets become entity codes."""
    return (text.replace("&", "#amp;").replace('"', "#quot;").replace("<", "#lt;")
            .replace(">", "#gt;").replace("\n", " "))


def flowchart(source_title: str, target_title: str, edges: Sequence[MappingEdge],
              max_edges: int = MAX_EDGES) -> str:
    """The diagram's source text (without the code fence)."""
    shown = sorted(edges, key=MappingEdge.interest)[:max_edges]
    hidden = len(edges) - len(shown)
    source_nodes: dict[str, str] = {}
    target_nodes: dict[str, str] = {}
    for edge in shown:
        source_nodes.setdefault(edge.source_id, f"s{len(source_nodes)}")
        if edge.target_id is not None:
            target_nodes.setdefault(edge.target_id, f"t{len(target_nodes)}")

    types = {e.source_id: e.source_type for e in shown if e.source_type}
    unmapped = {e.source_id for e in shown if e.target_id is None}
    lines = ["flowchart LR", f'  subgraph source["{label(source_title)}"]']
    for element_id, node in source_nodes.items():
        text = element_id + (f"<br/>{types[element_id]}" if element_id in types else "")
        if element_id in unmapped:
            text += "<br/>⚠ no mapping: rejected"
        css = ":::unmapped" if element_id in unmapped else ""
        lines.append(f'    {node}["{_label_keep_breaks(text)}"]{css}')
    lines.append("  end")
    lines.append(f'  subgraph target["{label(target_title)}"]')
    renamed_targets = {e.target_id for e in shown if e.renamed}
    for element_id, node in target_nodes.items():
        css = ":::renamed" if element_id in renamed_targets else ""
        lines.append(f'    {node}["{label(element_id)}"]{css}')
    lines.append("  end")

    renamed_links: list[int] = []
    link = 0
    for edge in shown:
        if edge.target_id is None:
            continue
        text = ""
        if edge.instances:
            blocked = f", {edge.blocked} blocked" if edge.blocked else ""
            text = f"|{edge.instances} inst.{blocked}|"
        arrow = "==>" if edge.renamed else "-->"
        lines.append(f"  {source_nodes[edge.source_id]} {arrow}{text} "
                     f"{target_nodes[edge.target_id]}")
        if edge.renamed:
            renamed_links.append(link)
        link += 1
    if hidden > 0:
        lines.append(f'  more["… {hidden} more mappings (see the table)"]')
    lines.append("  classDef unmapped fill:#ffebe9,stroke:#cf222e,color:#82071e")
    lines.append("  classDef renamed fill:#fff8c5,stroke:#9a6700,stroke-width:2px")
    if renamed_links:
        lines.append(f"  linkStyle {','.join(map(str, renamed_links))} "
                     "stroke:#9a6700,stroke-width:2px")
    return "\n".join(lines)


def _label_keep_breaks(text: str) -> str:
    # our own line breaks survive; everything that came from the BPMN is escaped
    return "<br/>".join(label(part) for part in text.split("<br/>"))
