"""Charts as plain SVG, drawn here so a report needs no plotting library and no
network: grouped bars, a heatmap and a tidy tree. Black text on light fills, so they
print; every piece of user text is escaped.

Inline SVG in HTML needs no namespace; a stand-alone .svg file does (`standalone`)."""

from __future__ import annotations

import textwrap
from collections.abc import Sequence
from dataclasses import dataclass

from qcode.core.text import e

FONT = "Helvetica, Arial, sans-serif"
# Distinct in hue and in lightness, so the series stay apart on a grey-scale print.
PALETTE = ("#1f4e79", "#e08a1e", "#6aa84f", "#8e5ea2", "#b03a2e", "#5f9ea0", "#c9a227")
NONE_COLOUR = "#9e9e9e"
NOTE_CHARACTERS = 100


def text_width(text: str, size: float) -> float:
    """An estimate for sans-serif text: wide enough for most letters, so labels fit."""
    return len(text) * size * 0.58


def shorten(text: str, limit: int) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[:limit - 1].rstrip() + "…"


def _open(width: float, height: float, label: str, standalone: bool) -> str:
    space = ' xmlns="http://www.w3.org/2000/svg"' if standalone else ""
    return (f'<svg{space} width="{width:.0f}" height="{height:.0f}" '
            f'viewBox="0 0 {width:.0f} {height:.0f}" role="img" aria-label="{e(label)}" '
            f'font-family="{FONT}" font-size="12"><title>{e(label)}</title>')


# -- grouped horizontal bars -------------------------------------------------------------


@dataclass(frozen=True)
class Bar:
    label: str                       # the row's name (a code)
    depth: int                       # indents the label, so a tree of codes shows
    values: tuple[float, ...]        # one per series, between low and high
    notes: tuple[str, ...]           # what is written at the end of each bar
    strong: bool = False             # a label in bold (a global theme)


def label_room(rows: Sequence[Bar]) -> float:
    """The width the labels of these rows need; give several charts the largest, so
    their bars start at one place."""
    return 18 + max([12 * r.depth + text_width(shorten(r.label, 46), 12) for r in rows]
                    + [80])


def bars(title: str, rows: Sequence[Bar], series: Sequence[str], low: float = 0.0,
         high: float = 1.0, ticks: Sequence[tuple[float, str]] = (),
         lines: Sequence[tuple[float, str]] = (), left: float | None = None,
         standalone: bool = False) -> str:
    """One row per Bar, one bar per series in it; `lines` are dashed reference lines,
    labelled under the chart."""
    bar, gap, plot = 11, 9, 340
    labels = [shorten(r.label, 46) for r in rows]
    left = left or label_room(rows)
    width = left + plot + 70
    keys, legend = _legend(series, width) if len(series) > 1 else ([], 0)
    top = 26 + legend
    bottom = 18 if lines else 8
    height = top + len(rows) * (len(series) * bar + gap) + bottom

    def x(value: float) -> float:
        return left + (min(high, max(low, value)) - low) / (high - low) * plot

    out = [_open(width, height, title, standalone), *keys]
    for value, label in ticks:
        out.append(f'<line x1="{x(value):.1f}" y1="{top - 4}" x2="{x(value):.1f}" '
                   f'y2="{height - bottom}" stroke="#dddddd"/>'
                   f'<text x="{x(value):.1f}" y="{top - 8}" text-anchor="middle" '
                   f'font-size="10" fill="#444444">{e(label)}</text>')
    y = top
    for row, label in zip(rows, labels):
        block = len(series) * bar
        weight = ' font-weight="bold"' if row.strong else ""
        out.append(f'<text x="{10 + 12 * row.depth}" y="{y + block / 2 + 4:.1f}"'
                   f'{weight}>{e(label)}</text>')
        for i, (value, note) in enumerate(zip(row.values, row.notes)):
            top_of = y + i * bar
            length = x(value) - x(low)
            out.append(f'<rect x="{x(low):.1f}" y="{top_of}" width="{length:.1f}" '
                       f'height="{bar - 1}" fill="{_colour(i, series[i])}"/>'
                       f'<text x="{x(low) + length + 4:.1f}" y="{top_of + bar - 2}" '
                       f'font-size="9">{e(note)}</text>')
        y += block + gap
    for value, label in lines:
        out.append(f'<line x1="{x(value):.1f}" y1="{top - 4}" x2="{x(value):.1f}" '
                   f'y2="{height - bottom}" stroke="#333333" stroke-dasharray="4 3"/>'
                   f'<text x="{x(value):.1f}" y="{height - 4}" text-anchor="middle" '
                   f'font-size="10">{e(label)}</text>')
    out.append(f'<line x1="{x(low):.1f}" y1="{top - 4}" x2="{x(low):.1f}" '
               f'y2="{height - bottom}" stroke="#333333"/></svg>')
    return "".join(out)


def _legend(series: Sequence[str], width: float) -> tuple[list[str], float]:
    """A key for every series, in rows that wrap within `width`, and the height the
    rows take beyond the first."""
    out, at, y = [], 12.0, 6
    for i, name in enumerate(series):
        label = shorten(name, 30)
        room = 30 + text_width(label, 12)
        if at > 12 and at + room - 16 > width - 8:
            at, y = 12.0, y + 18
        out.append(f'<rect x="{at:.1f}" y="{y}" width="10" height="10" '
                   f'fill="{_colour(i, name)}"/>'
                   f'<text x="{at + 14:.1f}" y="{y + 9}">{e(label)}</text>')
        at += room
    return out, y + 16


def _colour(index: int, name: str) -> str:
    return NONE_COLOUR if name == "(none)" else PALETTE[index % len(PALETTE)]


# -- heatmap -----------------------------------------------------------------------------


def heatmap(title: str, labels: Sequence[str], counts: Sequence[Sequence[int]],
            shades: Sequence[Sequence[float]], standalone: bool = False) -> str:
    """A square matrix: each cell shaded by its share (0 to 1, e.g. Jaccard) and
    labelled with its count. Rows are named on the left, columns by number."""
    cell = 24
    names = [f"{i}. {shorten(label, 44)}" for i, label in enumerate(labels, 1)]
    left = 10 + max([text_width(n, 11) for n in names] + [60])
    top = 30
    size = len(labels) * cell
    width, height = left + size + 20, top + size + 52
    out = [_open(width, height, title, standalone)]
    for j in range(len(labels)):
        out.append(f'<text x="{left + j * cell + cell / 2:.1f}" y="{top - 8}" '
                   f'text-anchor="middle" font-size="10">{j + 1}</text>')
    for i, name in enumerate(names):
        y = top + i * cell
        out.append(f'<text x="{left - 6}" y="{y + cell / 2 + 4:.1f}" text-anchor="end" '
                   f'font-size="11">{e(name)}</text>')
        for j in range(len(labels)):
            share = shades[i][j]
            fill = "#d0d0d0" if i == j else _blue(share)
            ink = "#ffffff" if i != j and share > 0.55 else "#000000"
            shown = str(counts[i][j]) if counts[i][j] or i == j else ""
            out.append(f'<rect x="{left + j * cell}" y="{y}" width="{cell}" '
                       f'height="{cell}" fill="{fill}" stroke="#ffffff"/>')
            if shown:
                out.append(f'<text x="{left + j * cell + cell / 2:.1f}" '
                           f'y="{y + cell / 2 + 4:.1f}" text-anchor="middle" '
                           f'font-size="10" fill="{ink}">{shown}</text>')
    key_y = top + size + 14
    out.append(f'<text x="{left}" y="{key_y + 11}" font-size="10">Jaccard</text>')
    for k, share in enumerate((0.0, 0.25, 0.5, 0.75, 1.0)):
        kx = left + 50 + k * 44
        out.append(f'<rect x="{kx}" y="{key_y}" width="16" height="14" '
                   f'fill="{_blue(share)}" stroke="#999999"/>'
                   f'<text x="{kx + 20}" y="{key_y + 11}" font-size="10">{share:g}</text>')
    out.append("</svg>")
    return "".join(out)


def _blue(share: float) -> str:
    """White at 0 to a dark blue at 1, even in lightness so grey prints keep order."""
    share = min(1.0, max(0.0, share))
    low, high = (255, 255, 255), (8, 48, 107)
    return "#" + "".join(f"{round(a + (b - a) * share):02x}" for a, b in zip(low, high))


# -- tidy tree ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Box:
    """One node of a tree to draw: a name, a line of counts, and its children."""
    name: str
    detail: str
    colour: str | None
    faint: bool                      # drawn dashed and grey (e.g. never applied)
    children: tuple[Box, ...]


def tree(title: str, roots: Sequence[Box], standalone: bool = False,
         notes: Sequence[str] = ()) -> str:
    """A left-to-right tree: each root (a global theme) on the left, its children in
    the next column; leaves take one row each and a parent sits level with the middle
    of its children, so no two boxes overlap. `notes`: lines for the figure's <desc>
    and for small print under it (the figure grows to hold them)."""
    row, gap_between_roots, box_height, pad = 38, 16, 30, 8
    depth_of: list[int] = []
    widths: dict[int, float] = {}

    def measure(box: Box, depth: int) -> None:
        depth_of.append(depth)
        width = max(text_width(shorten(box.name, 48), 12 if depth else 12.5),
                    text_width(box.detail, 10)) + 2 * pad
        widths[depth] = max(widths.get(depth, 0), width)
        for child in box.children:
            measure(child, depth + 1)

    for box in roots:
        measure(box, 0)
    columns, at = {}, 10.0
    for depth in sorted(widths):
        columns[depth] = at
        at += widths[depth] + 46
    placed: list[tuple[Box, int, float]] = []
    edges: list[tuple[int, float, int, float]] = []
    cursor = [10.0]

    def place(box: Box, depth: int) -> float:
        if not box.children:
            y = cursor[0]
            cursor[0] += row
        else:
            ys = [place(child, depth + 1) for child in box.children]
            y = (ys[0] + ys[-1]) / 2
            edges.extend((depth, y, depth + 1, child_y) for child_y in ys)
        placed.append((box, depth, y))
        return y

    for box in roots:
        place(box, 0)
        cursor[0] += gap_between_roots
    width, height = at - 36, cursor[0] - gap_between_roots + 4
    # Notes wrap at the tree's width (or 100 characters, for a narrow one), so a long
    # one does not make the figure wide.
    room = max(NOTE_CHARACTERS, int((width - 20) / text_width("x", 9)))
    lines = [part for n in notes for part in textwrap.wrap(
        " ".join(n.split()), room, subsequent_indent="  ")]
    if lines:
        width = max(width, 20 + max(text_width(n, 9) for n in lines))
        height += 10 + 12 * len(lines)
    out = [_open(width, height, title, standalone)]
    if lines:
        out.append("<desc>" + e("\n".join(" ".join(n.split()) for n in notes)) + "</desc>")
        top = height - 12 * len(lines) - 2
        out += [f'<text x="10" y="{top + 12 * (i + 1) - 3:.1f}" font-size="9" '
                f'fill="#444444">{e(n)}</text>' for i, n in enumerate(lines)]
    for depth, y, child_depth, child_y in edges:
        x1 = columns[depth] + widths[depth]
        x2 = columns[child_depth]
        middle = (x1 + x2) / 2
        out.append(f'<path d="M{x1:.1f},{y + box_height / 2:.1f} C{middle:.1f},'
                   f'{y + box_height / 2:.1f} {middle:.1f},{child_y + box_height / 2:.1f} '
                   f'{x2:.1f},{child_y + box_height / 2:.1f}" fill="none" '
                   f'stroke="#8a8a8a" stroke-width="1.2"/>')
    for box, depth, y in placed:
        x = columns[depth]
        stroke = box.colour or "#4a6a8a"
        fill = _tint(box.colour, 0.85) if box.colour else ("#e3edf7", "#f1f6fb",
                                                           "#ffffff")[min(depth, 2)]
        dash = ' stroke-dasharray="4 3"' if box.faint else ""
        ink = "#666666" if box.faint else "#000000"
        weight = ' font-weight="bold"' if depth == 0 else ""
        out.append(f"<g><title>{e(box.name)} ({e(box.detail)})</title>"
                   f'<rect x="{x:.1f}" y="{y:.1f}" width="{widths[depth]:.1f}" '
                   f'height="{box_height}" rx="6" fill="{fill}" stroke="{stroke}" '
                   f'stroke-width="{(2.4, 1.6, 1.0)[min(depth, 2)]}"{dash}/>'
                   f'<text x="{x + pad:.1f}" y="{y + 13:.1f}" fill="{ink}"{weight}>'
                   f'{e(shorten(box.name, 48))}</text>'
                   f'<text x="{x + pad:.1f}" y="{y + 25:.1f}" font-size="10" '
                   f'fill="#444444">{e(box.detail)}</text></g>')
    out.append("</svg>")
    return "".join(out)


def _tint(colour: str, amount: float) -> str:
    """The colour mixed with white, for a fill light enough to read black text on."""
    parts = [int(colour[i:i + 2], 16) for i in (1, 3, 5)]
    return "#" + "".join(f"{round(p + (255 - p) * amount):02x}" for p in parts)
