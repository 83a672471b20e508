"""What every report is made from: one reading of the project (its codebook,
transcripts, cases and the chosen coders' codings), with the codings turned into coded
segments and the whole reading fingerprinted."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from typing import NamedTuple

from qcode.core.reports.codes import CodeTree
from qcode.core.reports.selection import CoderChoice, ReportError, choose_coders
from qcode.core.store import now


class Segment(NamedTuple):
    """A coded passage: one code's codings by the chosen coders that overlap, joined."""
    transcript_id: int
    code_id: int
    start: int
    end: int
    coders: tuple[str, ...]


@dataclass(frozen=True)
class Transcript:
    id: int
    name: str
    case_id: int | None
    words: int


@dataclass
class Material:
    project: object                           # the open Project, for the few later reads
    choice: CoderChoice
    tree: CodeTree
    transcripts: dict[int, Transcript]        # by id, in name order
    cases: dict[int, str]                     # case id -> name
    attributes: dict[int, dict[str, str]]     # case id -> attribute -> value
    segments: list[Segment]                   # by transcript, code, start
    codings: int                              # coding rows the segments were made from
    fingerprint: str
    made: str
    counts_by_coder: dict[str, int] = field(default_factory=dict)

    @property
    def attribute_names(self) -> list[str]:
        return sorted({name for values in self.attributes.values() for name in values})

    def unit_of(self, transcript_id: int) -> tuple[str, int]:
        """The case a transcript belongs to, as the unit cases are counted in: a
        transcript without a case counts as a case of its own."""
        case_id = self.transcripts[transcript_id].case_id
        return ("case", case_id) if case_id is not None else ("transcript", transcript_id)

    def case_name(self, transcript_id: int) -> str | None:
        case_id = self.transcripts[transcript_id].case_id
        return self.cases.get(case_id) if case_id is not None else None


def gather(project, coder: str | None = None) -> Material:
    """Read the project once for one or more reports. `coder`: a coder's name, "all",
    or None for the default (see `choose_coders`)."""
    transcript_rows = project.report_transcripts()
    if not transcript_rows:
        raise ReportError("the project has no transcripts yet: import some with "
                          "'qcode import FILES'")
    code_rows = project.codes()
    if not code_rows:
        raise ReportError("the codebook is empty: load one with 'qcode codebook load "
                          "FILE'")
    counts = project.coding_counts_by_coder()
    choice = choose_coders(counts, project.coders(), coder)
    rows = project.report_codings(list(choice.coders))
    case_rows, attribute_rows = project.report_cases()
    attributes: dict[int, dict[str, str]] = {}
    for case_id, name, value in attribute_rows:
        attributes.setdefault(case_id, {})[name] = value
    transcripts = {r[0]: Transcript(r[0], r[2], r[3], r[5]) for r in transcript_rows}
    fingerprint = _fingerprint(rows, code_rows, transcript_rows, case_rows, attribute_rows)
    return Material(project, choice, CodeTree(code_rows), transcripts,
                    {r[0]: r[2] for r in case_rows}, attributes, pooled(rows), len(rows),
                    fingerprint, now(), counts)


def material_of(source, coder: str | None) -> Material:
    """What a report function was given: a Project to read, or a Material already
    gathered (whose coders were chosen then)."""
    if isinstance(source, Material):
        if coder is not None:
            raise TypeError("the coders are chosen when the Material is gathered")
        return source
    return gather(source, coder)


def pooled(rows: list[tuple]) -> list[Segment]:
    """Coding rows (guid, transcript, code, coder, start, end) as segments: one code's
    spans that overlap in a transcript become one segment, whoever coded them. Spans
    that only touch stay apart: they are two passages."""
    out: list[Segment] = []
    key = None
    start = end = 0
    coders: set[str] = set()
    for _, transcript_id, code_id, coder, low, high in sorted(
            rows, key=lambda r: (r[1], r[2], r[4], r[5])):
        if (transcript_id, code_id) == key and low < end:
            end = max(end, high)
            coders.add(coder)
            continue
        if key is not None:
            out.append(Segment(*key, start, end, tuple(sorted(coders))))
        key, start, end, coders = (transcript_id, code_id), low, high, {coder}
    if key is not None:
        out.append(Segment(*key, start, end, tuple(sorted(coders))))
    return out


def _fingerprint(codings, codes, transcripts, cases, attributes) -> str:
    """SHA-256 over everything a report is made of: the codings used (by GUID, with
    their transcript, code, coder and span), the codebook's tree of names, each
    transcript's text hash and case, and the cases' attributes. The same fingerprint
    means the same inputs, so a re-made figure can be shown to match."""
    code_guid = {c["id"]: c["guid"] for c in codes}
    transcript_guid = {t[0]: t[1] for t in transcripts}
    case_guid = {c[0]: c[1] for c in cases}
    lines = sorted(f"{g}\t{transcript_guid[t]}\t{code_guid[c]}\t{k}\t{s}\t{e}"
                   for g, t, c, k, s, e in codings)
    lines.append("codes")
    lines += [f"{c['guid']}\t{code_guid.get(c['parent_id'], '')}\t{c['name']}"
              for c in codes]
    lines.append("transcripts")
    lines += [f"{t[1]}\t{t[4]}\t{case_guid.get(t[3], '')}" for t in transcripts]
    lines.append("attributes")
    lines += [f"{case_guid[c]}\t{n}\t{v}" for c, n, v in attributes]
    return hashlib.sha256("\n".join(lines).encode("utf-8")).hexdigest()
