"""One transcript with its codes, for a reader without qcode (a supervisor, a
co-author): its turns in order, each cut into pieces where a coded passage opens or
closes, each coded passage numbered and named beside the turn where it opens, and the
memos (the transcript's own, and those on its codings) beside what they are about.

The coded passages are the reports' segments (material.gather): a coder's codings,
the agreed version of two coders, or every coder pooled, chosen as every report
chooses them (--coder), so the transcript shows what the tables count."""

from __future__ import annotations

import bisect
from dataclasses import dataclass

from qcode.core.model import Turn
from qcode.core.reports.material import Material, gather
from qcode.core.reports.provenance import Provenance, provenance


@dataclass(frozen=True)
class Passage:
    """A coded passage: one code's segment, numbered in text order."""
    number: int
    code: str                      # the code's path, "Theme / Code"
    coders: tuple[str, ...]
    start: int
    end: int


@dataclass(frozen=True)
class Note:
    """A memo: on a coding (its code and coder named) or on the transcript."""
    about: str                     # "Threats (ana)", or "the transcript"
    text: str


@dataclass(frozen=True)
class Piece:
    text: str
    passages: tuple[int, ...]      # numbers of the coded passages over it


@dataclass(frozen=True)
class Block:
    """A turn (or text outside every turn, with no speaker) and its margin."""
    speaker: str | None
    pieces: tuple[Piece, ...]
    opened: tuple[Passage, ...]    # the coded passages that open in it
    notes: tuple[Note, ...]        # memos on codings that open in it


@dataclass(frozen=True)
class CodedTranscript:
    name: str
    case: str | None
    blocks: tuple[Block, ...]
    passages: tuple[Passage, ...]
    memos: tuple[Note, ...]        # the transcript's own memos
    provenance: Provenance

    @property
    def empty(self) -> bool:
        return not self.passages


def coded_transcript(project, name: str, coder: str | None = None) -> CodedTranscript:
    """The transcript `name` (or its case's name, or the start of its name, as
    Project.transcript_id finds it) with the chosen coders' coded passages."""
    with project.reading():
        transcript_id = project.transcript_id(name)
        material = gather(project, coder)
        return _made(material, transcript_id)


def _made(material: Material, transcript_id: int) -> CodedTranscript:
    project = material.project
    facts = material.transcripts[transcript_id]
    text = project.transcript_text(transcript_id)
    passages = tuple(
        Passage(i, material.tree.by_id[s.code_id].label, s.coders, s.start, s.end)
        for i, s in enumerate(sorted((s for s in material.segments
                                      if s.transcript_id == transcript_id),
                                     key=lambda s: (s.start, -s.end, s.code_id)), 1))
    spans = _spans(text, project.turns(transcript_id))
    starts = [start for start, _, _, _ in spans]

    def block_of(position: int) -> int:
        return max(0, bisect.bisect_right(starts, position) - 1)

    # Each passage and memo in the block where it opens, each passage's text in every
    # block it reaches: one pass over them, however many turns there are.
    opened: list[list[Passage]] = [[] for _ in spans]
    reaching: list[list[Passage]] = [[] for _ in spans]
    for passage in passages:
        opened[block_of(passage.start)].append(passage)
        for at in range(block_of(passage.start), block_of(max(passage.start,
                                                              passage.end - 1)) + 1):
            reaching[at].append(passage)
    notes: list[list[Note]] = [[] for _ in spans]
    for position, note in _coding_notes(material, transcript_id):
        notes[block_of(position)].append(note)
    blocks = tuple(Block(speaker, _pieces(text, shown, end, reaching[at]),
                         tuple(opened[at]), tuple(notes[at]))
                   for at, (_, shown, end, speaker) in enumerate(spans))
    words = ["export-transcript", facts.name]
    made = provenance(material, "coded transcript", words, {"transcript": facts.name})
    return CodedTranscript(facts.name, material.case_name(transcript_id), blocks,
                           passages, _transcript_memos(project, transcript_id), made)


def _spans(text: str, turns: list[Turn]) -> list[tuple[int, int, int, str | None]]:
    """(start, text start, end, speaker) of each block, in text order, covering the
    text: a turn runs from its speaker label (shown apart, as the speaker) to its end;
    text between turns that is not blank is a block without a speaker."""
    out = []
    at = 0
    for turn in turns:
        label = turn.label_start if turn.label_start is not None else turn.start
        if text[at:label].strip():
            out.append((at, at, label, None))
        out.append((label, turn.start, turn.end, turn.speaker))
        at = turn.end
    if text[at:].strip() or not out:
        out.append((at, at, len(text), None))
    return out


def _pieces(text: str, start: int, end: int, passages: list[Passage]
            ) -> tuple[Piece, ...]:
    """text[start:end] cut wherever one of `passages` (those that reach it) opens or
    closes."""
    cuts = sorted({start, end, *[p for passage in passages for p in
                                 (passage.start, passage.end) if start < p < end]})
    pieces = []
    for low, high in zip(cuts, cuts[1:]):
        over = tuple(p.number for p in passages if p.start < high and p.end > low)
        pieces.append(Piece(text[low:high], over))
    return tuple(pieces)


def _coding_notes(material: Material, transcript_id: int) -> list[tuple[int, Note]]:
    """(where the coding starts, its memo) of each coding of the chosen coders that has
    a memo."""
    out = []
    for coding in material.project.codings(transcript_id, list(material.choice.coders)):
        if (coding.memo or "").strip():
            code = material.tree.by_id.get(coding.code_id)
            if code is not None:
                out.append((coding.start, Note(f"{code.label} ({coding.coder_name})",
                                               coding.memo)))
    return out


def _transcript_memos(project, transcript_id: int) -> tuple[Note, ...]:
    guid = next(row[1] for row in project.transcript_rows() if row[0] == transcript_id)
    coders = {c.guid: c.name for c in project.all_coders()}
    return tuple(Note(f"the transcript, by {coders[m.coder]}" if m.coder in coders
                      else "the transcript", f"{m.name}: {m.text}" if m.name else m.text)
                 for m in project.all_memos()
                 if m.target_type == "transcript" and m.target_guid == guid)
