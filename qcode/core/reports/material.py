"""What every report is made from: one reading of the project (its codebook,
transcripts, cases and the chosen coders' codings), with the codings turned into coded
segments and the whole reading fingerprinted."""

from __future__ import annotations

import dataclasses
import hashlib
from dataclasses import dataclass, field
from typing import NamedTuple

import numpy as np

from qcode.core.reports.agreed import agreed, runs
from qcode.core.reports.codes import CodeTree
from qcode.core.reports.selection import (CoderChoice, ReportError, agreed_note,
                                          choose_coders)
from qcode.core.store import now


class Segment(NamedTuple):
    """A coded passage: one code's codings by the chosen coders that overlap, joined."""
    transcript_id: int
    code_id: int
    start: int
    end: int
    coders: tuple[str, ...]


@dataclass(frozen=True)
class TranscriptFacts:
    id: int
    name: str
    case_id: int | None
    words: int


@dataclass
class Material:
    project: object                           # the open Project, for the few later reads
    choice: CoderChoice
    tree: CodeTree
    transcripts: dict[int, TranscriptFacts]        # by id, in name order
    cases: dict[int, str]                     # case id -> name
    attributes: dict[int, dict[str, str]]     # case id -> attribute -> value
    segments: list[Segment]                   # by transcript, code, start
    codings: int                              # coding rows read to make the segments
    fingerprint: str
    made: str
    counts_by_coder: dict[str, int] = field(default_factory=dict)

    @property
    def attribute_names(self) -> list[str]:
        return sorted({name for values in self.attributes.values() for name in values})

    @property
    def held_attribute_names(self) -> list[str]:
        """The attributes some transcript's case has a value for (a case may have
        attributes and no transcript yet)."""
        held = {t.case_id for t in self.transcripts.values()}
        return sorted({name for case_id, values in self.attributes.items()
                       if case_id in held for name in values})

    def unheld(self, name: str) -> ReportError:
        """The error for an attribute no transcript's case has a value for."""
        holders = sorted(self.cases[c] for c, values in self.attributes.items()
                         if name in values)
        return ReportError(f"no transcript's case has a value for '{name}' (only "
                           f"{', '.join(holders)}, without transcripts, "
                           f"{'has' if len(holders) == 1 else 'have'} it)")

    def unit_of(self, transcript_id: int) -> tuple[str, int]:
        """The case a transcript belongs to, as the unit cases are counted in: a
        transcript without a case counts as a case of its own."""
        case_id = self.transcripts[transcript_id].case_id
        return ("case", case_id) if case_id is not None else ("transcript", transcript_id)

    def case_name(self, transcript_id: int) -> str | None:
        case_id = self.transcripts[transcript_id].case_id
        return self.cases.get(case_id) if case_id is not None else None


def gather(project, coder: str | None = None, need_transcripts: bool = True) -> Material:
    """Read the project once for one or more reports, all of it as of one moment.
    `coder`: a coder's name, "all", or None for the default (see `choose_coders`).
    `need_transcripts`: whether a project without transcripts is an error (it is for
    every report but the codebook's network)."""
    with project.reading():
        return _read(project, coder, need_transcripts)


def _read(project, coder: str | None, need_transcripts: bool) -> Material:
    transcript_rows = project.transcript_rows()
    if not transcript_rows and need_transcripts:
        raise ReportError("the project has no transcripts yet: import some with "
                          "'qcode import FILES'")
    code_rows = project.codes()
    if not code_rows:
        raise ReportError("the codebook is empty: load one with 'qcode codebook load "
                          "FILE'")
    coder_rows = project.coder_rows()
    counts = {name: n for _, name, n in coder_rows if n}
    resolutions = project.resolution_rows()
    pairs: dict[tuple[str, str], int] = {}
    for first, second, *_ in resolutions:
        pairs[(first, second)] = pairs.get((first, second), 0) + 1
    choice = choose_coders(counts, [name for _, name, _ in coder_rows], coder, pairs)
    ids = {name: coder_id for coder_id, name, _ in coder_rows}
    names = {coder_id: name for coder_id, name, _ in coder_rows}
    rows = _codings(project, [ids[name] for name in choice.coders if name in ids])
    used = []
    if choice.pair:
        used = [r for r in resolutions if tuple(r[:2]) == choice.pair]
        made = agreed_codings(rows, [ids.get(name) for name in choice.pair],
                              np.array([r[2:6] for r in used], dtype=np.int64))
        segments_from, agreement = made
        choice = dataclasses.replace(choice, note=agreed_note(
            choice.pair, len(used), agreement.unresolved, len(pairs) - 1))
    else:
        segments_from = rows
    case_rows, attribute_rows = project.case_rows()
    attributes: dict[int, dict[str, str]] = {}
    for case_id, name, value in attribute_rows:
        attributes.setdefault(case_id, {})[name] = value
    transcripts = {r[0]: TranscriptFacts(r[0], r[2], r[3], r[5]) for r in transcript_rows}
    fingerprint = _fingerprint(rows, code_rows, transcript_rows, case_rows,
                               attribute_rows, coder_rows, used)
    return Material(project, choice, CodeTree(code_rows), transcripts,
                    {r[0]: r[2] for r in case_rows}, attributes,
                    pooled(segments_from, names), len(rows), fingerprint, now(), counts)


def _codings(project, coder_ids: list[int]) -> np.ndarray:
    """The coding rows of these coders, sorted (transcript, code, start, end, coder)."""
    rows = np.array(project.coding_rows(coder_ids), dtype=np.int64).reshape(-1, 5)
    return rows[np.lexsort(rows.T[::-1])]


def agreed_codings(rows: np.ndarray, pair: list[int | None], resolved: np.ndarray):
    """The sorted coding rows that make the agreed version of the pair (coder ids; None
    for a coder no longer in the project): each stretch both coded, once as each
    coder's, and the consensus coder's rows as they are. Returns them and the Agreed
    (its places counted)."""
    own = [rows[rows[:, 4] == coder][:, :4] if coder is not None else
           np.zeros((0, 4), dtype=np.int64) for coder in pair]
    found = agreed(own[0], own[1], resolved.reshape(-1, 4))
    consensus = rows[~np.isin(rows[:, 4], [c for c in pair if c is not None])]
    both = [np.column_stack([found.spans, np.full(len(found.spans), coder,
                                                  dtype=np.int64)])
            for coder in pair if coder is not None]
    made = np.concatenate([consensus, *both]).reshape(-1, 5)
    return made[np.lexsort(made.T[::-1])], found


def material_of(source, coder: str | None, need_transcripts: bool = True) -> Material:
    """What a report function was given: a Project to read, or a Material already
    gathered (whose coders were chosen then)."""
    if isinstance(source, Material):
        if coder is not None:
            raise TypeError("the coders are chosen when the Material is gathered")
        return source
    return gather(source, coder, need_transcripts)


def reading(source):
    """The read transaction a report's later reads (turns, texts) share with its
    gathering, so all of it sees one state of the project: the project's, when the
    report reads the project itself; a fresh one for a Material gathered earlier."""
    project = source.project if isinstance(source, Material) else source
    return project.reading()


def pooled(codings: np.ndarray, names: dict[int, str]) -> list[Segment]:
    """Coding rows (transcript, code, start, end, coder id), sorted, as segments: one
    code's spans that overlap in a transcript become one segment, whoever coded them.
    Spans that only touch stay apart: they are two passages. Vectorised, because it
    runs over every coding of the project."""
    if not len(codings):
        return []
    transcript, code, start, end, coder = codings.T
    key = transcript * (int(code.max()) + 1) + code
    at = runs(key, start, end, touching=False)
    # Who coded each segment, as bits of a Python integer (so any number of coders).
    ids = np.array(sorted(names))
    bit = np.array([1 << i for i in range(len(ids))], dtype=object)
    coders = np.bitwise_or.reduceat(bit[np.searchsorted(ids, coder)], at)
    spelled: dict[int, tuple[str, ...]] = {}
    for mask in set(coders.tolist()):
        spelled[mask] = tuple(sorted(names[int(k)] for i, k in enumerate(ids)
                                     if mask >> i & 1))
    return [Segment(t, c, s, e, spelled[m]) for t, c, s, e, m in zip(
        transcript[at].tolist(), code[at].tolist(), start[at].tolist(),
        np.maximum.reduceat(end, at).tolist(), coders.tolist())]


def _fingerprint(codings, codes, transcripts, cases, attributes, coders,
                 resolutions=()) -> str:
    """SHA-256 over everything a report is made of: the codings read (transcript,
    code, span, coder), the codebook's tree of names, each transcript's text hash and
    case, the cases' attributes, the coders' names and the resolved places an agreed
    version uses, with the GUIDs that identify each row referred to. The same
    fingerprint means the same inputs, so a re-made figure can be shown to match."""
    digest = hashlib.sha256()
    lines = [f"code\t{c.id}\t{c.guid}\t{c.parent_id}\t{c.name}" for c in codes]
    lines += [f"transcript\t{t[0]}\t{t[1]}\t{t[4]}\t{t[3]}" for t in transcripts]
    lines += [f"case\t{c[0]}\t{c[1]}\t{c[2]}" for c in cases]
    lines += [f"attribute\t{c}\t{n}\t{v}" for c, n, v in attributes]
    lines += [f"coder\t{k}\t{name}" for k, name, _ in coders]
    lines += ["resolution\t" + "\t".join(map(str, r)) for r in resolutions]
    digest.update("\n".join(lines).encode("utf-8"))
    # The sorted codings as little-endian 64-bit integers, the same on every machine.
    digest.update(codings.astype("<i8").tobytes())
    return digest.hexdigest()
