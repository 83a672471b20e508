"""How often each code was applied (its coded segments) and in how many cases, per
participant group; a theme counts its own segments and those of every code under it."""

from __future__ import annotations

from dataclasses import dataclass

from qcode.core.reports.codes import CodeRef
from qcode.core.reports.groups import Grouping, grouping
from qcode.core.reports.material import Material, material_of
from qcode.core.reports.provenance import Provenance, provenance

# How a theme's numbers are made, said wherever they are shown.
ROLL_UP = ("A theme's segments are its own and those of every code under it added up, "
           "so a passage coded with three of its codes counts three times; its cases "
           "are distinct cases.")


@dataclass(frozen=True)
class Cell:
    segments: int   # coded segments (see Material)
    cases: int      # cases with at least one of them


@dataclass(frozen=True)
class FrequencyRow:
    code: CodeRef
    cells: tuple[Cell, ...]     # one per column of the table
    total: Cell


@dataclass(frozen=True)
class FrequencyTable:
    by: str | None
    columns: tuple[str, ...]    # the groups; empty when the table has no --by
    sizes: tuple[int, ...]      # cases in each group
    cases: int                  # cases in the project (a caseless transcript is one)
    rows: tuple[FrequencyRow, ...]   # every code, in tree order
    provenance: Provenance

    @property
    def empty(self) -> bool:
        return not any(row.total.segments for row in self.rows)


def frequencies(source, by: str | None = None, coder: str | None = None
                ) -> FrequencyTable:
    """Segments and cases per code, rolled up through the theme tree, per value of `by`
    (an attribute, "transcript" or "case"; None for totals only). `source` is a
    Project, or a Material from `gather` to make several reports from one reading."""
    material = material_of(source, coder)
    groups = grouping(material, by)
    rows = count(material, groups)
    words = ["report", "frequencies", *(["--by", groups.by] if groups.by else [])]
    made = provenance(material, "frequencies", words, {"by": groups.by})
    units = {material.unit_of(t) for t in material.transcripts}
    return FrequencyTable(groups.by, groups.columns, groups.sizes, len(units),
                          tuple(rows), made)


def count(material: Material, groups: Grouping) -> list[FrequencyRow]:
    """The rows of the table: one pass over the segments to count per code and
    column, then each code's counts are added to every theme above it."""
    width = max(1, len(groups.columns))
    column = {tid: groups.column_of.get(tid, 0) for tid in material.transcripts}
    unit = {tid: material.unit_of(tid) for tid in material.transcripts}
    segments: dict[int, list[int]] = {c.id: [0] * width for c in material.tree.codes}
    cases: dict[int, list[set]] = {c.id: [set() for _ in range(width)]
                                   for c in material.tree.codes}
    for segment in material.segments:
        at = column[segment.transcript_id]
        segments[segment.code_id][at] += 1
        cases[segment.code_id][at].add(unit[segment.transcript_id])
    # Children come after their theme in tree order, so walking backwards adds each
    # code's (already rolled-up) counts into its theme exactly once.
    for code in reversed(material.tree.codes):
        if code.parent_id is None:
            continue
        for at in range(width):
            segments[code.parent_id][at] += segments[code.id][at]
            cases[code.parent_id][at] |= cases[code.id][at]
    rows = []
    for code in material.tree.codes:
        cells = tuple(Cell(segments[code.id][at], len(cases[code.id][at]))
                      for at in range(width))
        total = Cell(sum(segments[code.id]), len(set().union(*cases[code.id])))
        rows.append(FrequencyRow(code, cells if groups.by else (), total))
    return rows
