"""Participant groups: the columns a report compares, from a case attribute (each of
its values), or one column per transcript or per case."""

from __future__ import annotations

from dataclasses import dataclass

from qcode.core.reports.material import Material
from qcode.core.reports.selection import (BY_CASE, BY_TRANSCRIPT, NO_VALUE,
                                          attribute_named)


@dataclass(frozen=True)
class Grouping:
    by: str | None                # the attribute's name, "transcript", "case", or None
    columns: tuple[str, ...]      # values in order; "(none)" last, when some case has none
    column_of: dict[int, int]     # transcript id -> its column
    sizes: tuple[int, ...]        # cases in each column (a caseless transcript is one)

    def value_of(self, transcript_id: int) -> str | None:
        return self.columns[self.column_of[transcript_id]] if self.by else None


def grouping(material: Material, by: str | None) -> Grouping:
    """Columns for `by`: None (no groups), "transcript", "case", or an attribute name
    (matched ignoring case; one no case has is a ReportError naming those that
    exist)."""
    if by is None:
        return Grouping(None, (), {}, ())
    transcripts = material.transcripts.values()
    if by == BY_TRANSCRIPT:
        values = {t.id: t.name for t in transcripts}
        name = BY_TRANSCRIPT
    elif by == BY_CASE:
        values = {t.id: material.cases.get(t.case_id, NO_VALUE) for t in transcripts}
        name = BY_CASE
    else:
        name = attribute_named(material.attribute_names, by)
        if name not in material.held_attribute_names:
            raise material.unheld(name)
        values = {t.id: material.attributes.get(t.case_id, {}).get(name, NO_VALUE)
                  if t.case_id is not None else NO_VALUE for t in transcripts}
    ordered = sorted(set(values.values()) - {NO_VALUE}, key=_natural)
    if by == BY_TRANSCRIPT:
        ordered = [t.name for t in transcripts]
    if NO_VALUE in values.values():
        ordered.append(NO_VALUE)
    index = {value: i for i, value in enumerate(ordered)}
    column_of = {tid: index[value] for tid, value in values.items()}
    units: list[set] = [set() for _ in ordered]
    for t in transcripts:
        units[column_of[t.id]].add(material.unit_of(t.id))
    return Grouping(name, tuple(ordered), column_of, tuple(len(u) for u in units))


def _natural(value: str):
    """Numbers in numeric order before words in alphabetical order (ages, years)."""
    try:
        return (0, float(value), "")
    except ValueError:
        return (1, 0.0, value.casefold())
