"""The codebook as Attride-Stirling thematic networks: global themes, the organising
themes under them and the basic themes under those, each with its (rolled-up) number
of coded segments and of cases; and the network as Mermaid or Graphviz text."""

from __future__ import annotations

from dataclasses import dataclass

from qcode.core.codebook import COLOUR
from qcode.core.reports import svg
from qcode.core.reports.codes import CodeRef
from qcode.core.reports.frequencies import ROLL_UP, count
from qcode.core.reports.groups import grouping
from qcode.core.reports.material import material_of
from qcode.core.reports.provenance import Provenance, provenance
from qcode.core.text import dot_string, mermaid_label, one_line


@dataclass(frozen=True)
class Node:
    code: CodeRef
    segments: int              # its own and every code's under it
    cases: int
    children: tuple[Node, ...]

    def walk(self):
        yield self
        for child in self.children:
            yield from child.walk()


@dataclass(frozen=True)
class Network:
    roots: tuple[Node, ...]    # the global themes (or the one theme asked for)
    provenance: Provenance

    def nodes(self):
        for root in self.roots:
            yield from root.walk()

    @property
    def empty(self) -> bool:
        return not any(root.segments for root in self.roots)


def network(source, coder: str | None = None, theme: str | None = None) -> Network:
    """The whole codebook's networks, or the one of `theme` (a code found by name or
    path, with everything under it)."""
    # The network is the codebook's: it is drawn (all zeros) before any transcript.
    material = material_of(source, coder, need_transcripts=False)
    rows = {row.code.id: row.total for row in count(material, grouping(material, None))}
    tree = material.tree

    def node(code: CodeRef) -> Node:
        total = rows[code.id]
        return Node(code, total.segments, total.cases,
                    tuple(node(c) for c in tree.children.get(code.id, [])))

    picked = tree.find(theme) if theme else None
    roots = (node(picked),) if picked else tuple(node(c) for c in tree.roots)
    words = ["report", "network", *(["--theme", picked.label] if picked else [])]
    return Network(roots, provenance(material, "thematic network", words,
                                     {"theme": theme}))


def notes(net: Network) -> list[str]:
    """What a reader of the figure needs besides the boxes: how a theme counts, whether
    anything is coded, and what the figure was made from."""
    out = [ROLL_UP]
    if net.empty:
        out.append("The selection is empty: no coded segments.")
    return out + ["Made from:", *(f"{label}: {value}" for label, value
                                  in net.provenance.items())]


def counts_label(node: Node) -> str:
    return (f"{node.segments} segment{'' if node.segments == 1 else 's'}, "
            f"{node.cases} case{'' if node.cases == 1 else 's'}")


def to_mermaid(net: Network) -> str:
    """A Mermaid flowchart, global themes on the left. Labels are quoted and every
    character Mermaid could read as syntax is written as an entity code."""
    ids = {n.code.id: f"n{i}" for i, n in enumerate(net.nodes(), 1)}
    lines = ["flowchart LR"]
    for n in net.nodes():
        lines.append(f'    {ids[n.code.id]}["{mermaid_label(n.code.name)}<br>'
                     f'{counts_label(n)}"]')
    for n in net.nodes():
        lines += [f"    {ids[n.code.id]} --- {ids[c.code.id]}" for c in n.children]
    lines += [f"%% {one_line(note)}" for note in notes(net)]
    return "\n".join(lines) + "\n"


def to_dot(net: Network) -> str:
    """Graphviz DOT, drawn left to right; labels are escaped DOT strings."""
    ids = {n.code.id: f"n{i}" for i, n in enumerate(net.nodes(), 1)}
    lines = ["digraph thematic_network {",
             *(f"    // {one_line(note)}" for note in notes(net)), "    rankdir=LR;",
             '    node [shape=box, style="rounded", fontname="Helvetica"];']
    for n in net.nodes():
        width = 3 - min(n.code.depth, 2)
        lines.append(f'    {ids[n.code.id]} [label="{dot_string(n.code.name)}\\n'
                     f'{counts_label(n)}", penwidth={width}];')
    for n in net.nodes():
        lines += [f"    {ids[n.code.id]} -> {ids[c.code.id]} [arrowhead=none];"
                  for c in n.children]
    lines.append("}")
    return "\n".join(lines) + "\n"


def to_svg(net: Network, standalone: bool = True) -> str:
    """The networks as a tidy tree; a code never applied is drawn dashed. Standing
    alone, the figure carries its notes and what it was made from, in its <desc> and
    in small print under the tree; inside the HTML report, the page says them."""
    def box(n: Node) -> svg.Box:
        colour = n.code.colour if n.code.colour and COLOUR.match(n.code.colour) else None
        return svg.Box(n.code.name, counts_label(n), colour, n.segments == 0,
                       tuple(box(c) for c in n.children))

    return svg.tree("Thematic network: " + ", ".join(r.code.name for r in net.roots),
                    [box(r) for r in net.roots], standalone,
                    notes(net) if standalone else ())
