"""Which codes are applied together: a code-by-code matrix of counts and Jaccard
coefficients, within overlapping passages, within turns, or within transcripts.

Units (what a count counts):
- overlap: places, each where a segment of one code overlaps a segment of the other
  (one place per overlapping pair of segments; the diagonal holds each code's
  segments). Jaccard: the segments of either code that overlap the other, over all
  segments of the two codes.
- turn: turns with a segment of both codes (a segment belongs to every turn it
  covers part of); Jaccard: turns with both / turns with either.
- transcript: transcripts with both; Jaccard: transcripts with both / with either.
Codes are those with segments of their own (themes applied directly included; a
theme's codes are not rolled up into it), in tree order.
"""

from __future__ import annotations

import bisect
import dataclasses
from collections import defaultdict
from dataclasses import dataclass
from itertools import groupby

import numpy as np

from qcode.core.reports.codes import CodeRef
from qcode.core.reports.material import Material, Segment, material_of, reading
from qcode.core.reports.provenance import Provenance, provenance
from qcode.core.reports.selection import ReportError

WITHIN = ("overlap", "turn", "transcript")
UNITS = {"overlap": "places", "turn": "turns", "transcript": "transcripts"}
MEANING = {
    "overlap": ("count: places where a segment of one code overlaps a segment of the "
                "other (the diagonal: the code's segments); Jaccard: segments of either "
                "code that overlap the other / all segments of the two"),
    "turn": ("count: turns with segments of both codes (the diagonal: turns with the "
             "code); Jaccard: turns with both / turns with either"),
    "transcript": ("count: transcripts with segments of both codes (the diagonal: "
                   "transcripts with the code); Jaccard: transcripts with both / "
                   "transcripts with either"),
}
CHUNK = 20_000   # units per block of the incidence matrix, to bound its memory


@dataclass(frozen=True)
class Matrix:
    within: str                             # overlap | turn | transcript
    unit: str                               # what the counts count: places, turns...
    codes: tuple[CodeRef, ...]
    counts: tuple[tuple[int, ...], ...]     # [i][j] units with both; [i][i] with code i
    jaccard: tuple[tuple[float, ...], ...]  # in [0, 1], symmetric, 1 on the diagonal
    left_out: int                           # codes with segments not shown (--top)
    outside_turns: int                      # segments in no turn (within turn only)
    provenance: Provenance
    segments: tuple[int, ...] = ()          # each code's segments
    outside: tuple[int, ...] = ()           # each code's segments in no turn

    @property
    def empty(self) -> bool:
        return not self.codes

    def narrowed(self, top: int) -> Matrix:
        """Only the `top` codes with most segments (in tree order among themselves):
        each cell depends on its two codes alone, so the rows and columns kept are
        the whole matrix's."""
        if len(self.codes) <= top:
            return self
        ranked = sorted(range(len(self.codes)), key=lambda i: (-self.segments[i], i))
        kept = sorted(ranked[:top])
        return dataclasses.replace(
            self, codes=tuple(self.codes[i] for i in kept),
            counts=tuple(tuple(self.counts[i][j] for j in kept) for i in kept),
            jaccard=tuple(tuple(self.jaccard[i][j] for j in kept) for i in kept),
            left_out=self.left_out + len(self.codes) - len(kept),
            outside_turns=sum(self.outside[i] for i in kept),
            segments=tuple(self.segments[i] for i in kept),
            outside=tuple(self.outside[i] for i in kept))

    def pairs(self) -> list[tuple[CodeRef, CodeRef, int, float]]:
        """Every pair of different codes that co-occur, most often first."""
        found = [(self.codes[i], self.codes[j], self.counts[i][j], self.jaccard[i][j])
                 for i in range(len(self.codes)) for j in range(i + 1, len(self.codes))
                 if self.counts[i][j]]
        return sorted(found, key=lambda p: (-p[2], -p[3]))


def cooccurrence(source, within: str = "overlap", coder: str | None = None,
                 theme: str | None = None, top: int | None = None) -> Matrix:
    """The matrix over the codes with segments (only those under `theme` when given;
    only the `top` codes with most segments when given)."""
    if within not in WITHIN:
        raise ReportError(f"unknown unit '{within}': use {', '.join(WITHIN)}")
    if top is not None and top < 1:
        raise ReportError("--top needs a number of codes of 1 or more")
    # Within turns, the turns are read in the reading the codings were gathered in.
    with reading(source):
        return _matrix(material_of(source, coder), within, theme, top)


def _matrix(material: Material, within: str, theme: str | None, top: int | None
            ) -> Matrix:
    picked = material.tree.find(theme) if theme is not None else None
    allowed = {c.id for c in material.tree.below(picked.id)} if picked else None
    sizes: dict[int, int] = defaultdict(int)
    for segment in material.segments:
        if allowed is None or segment.code_id in allowed:
            sizes[segment.code_id] += 1
    chosen = [c for c in material.tree.codes if sizes.get(c.id)]
    index = {c.id: i for i, c in enumerate(chosen)}
    segments = [s for s in material.segments if s.code_id in index]
    outside = [0] * len(chosen)
    if within == "overlap":
        counts, jaccard = _overlaps(segments, index)
    else:
        incidence, outside = (_turn_incidence(material, segments, index)
                              if within == "turn" else _transcript_incidence(segments, index))
        counts, jaccard = _from_incidence(incidence, len(chosen))
    words = ["report", "cooccurrence", "--within", within,
             *(["--theme", picked.label] if picked else []),
             *(["--top", str(top)] if top is not None else [])]
    made = provenance(material, "co-occurrence", words,
                      {"within": within, "theme": theme, "top": top})
    matrix = Matrix(within, UNITS[within], tuple(chosen), counts, jaccard, 0,
                    sum(outside), made, tuple(sizes[c.id] for c in chosen), tuple(outside))
    return matrix.narrowed(top) if top is not None else matrix


def _overlaps(segments: list[Segment], index: dict[int, int]):
    """A sweep over each transcript's segments in start order: the segments still open
    when one starts are the ones it overlaps."""
    size = len(index)
    places = [[0] * size for _ in range(size)]
    touched = [[0] * size for _ in range(size)]   # [i][j]: segments of i overlapping j
    totals = [0] * size
    for _, these in groupby(segments, key=lambda s: s.transcript_id):
        open_: list[tuple[int, int, set]] = []     # (end, code, codes it overlaps)
        for segment in sorted(these, key=lambda s: s.start):
            code = index[segment.code_id]
            totals[code] += 1
            open_ = [o for o in open_ if o[0] > segment.start]
            mine: set[int] = set()
            for _, other, theirs in open_:
                low, high = min(code, other), max(code, other)
                places[low][high] += 1
                mine.add(other)
                if code not in theirs:
                    theirs.add(code)
                    touched[other][code] += 1
            for other in mine:
                touched[code][other] += 1
            open_.append((segment.end, code, mine))
    counts = [[places[min(i, j)][max(i, j)] if i != j else totals[i] for j in range(size)]
              for i in range(size)]
    jaccard = [[1.0 if i == j else (touched[i][j] + touched[j][i]) / (totals[i] + totals[j])
                for j in range(size)] for i in range(size)]
    return _frozen(counts), _frozen(jaccard)


def _transcript_incidence(segments: list[Segment], index: dict[int, int]):
    units = [{index[s.code_id] for s in these}
             for _, these in groupby(segments, key=lambda s: s.transcript_id)]
    return units, [0] * len(index)


def _turn_incidence(material: Material, segments: list[Segment], index: dict[int, int]):
    """The codes in each turn: a segment belongs to each turn it shares text with."""
    turns: dict[int, tuple[list[int], list[int]]] = {}
    for tid, rows in groupby(material.project.turn_rows(), key=lambda r: r[0]):
        rows = list(rows)
        turns[tid] = ([r[3] for r in rows], [r[4] for r in rows])
    found: dict[tuple[int, int], set[int]] = defaultdict(set)
    outside = [0] * len(index)
    for segment in segments:
        starts, ends = turns.get(segment.transcript_id, ([], []))
        at = max(0, bisect.bisect_right(starts, segment.start) - 1)
        inside = False
        while at < len(starts) and starts[at] < segment.end:
            if ends[at] > segment.start:
                found[(segment.transcript_id, at)].add(index[segment.code_id])
                inside = True
            at += 1
        outside[index[segment.code_id]] += not inside
    return list(found.values()), outside


def _from_incidence(units: list[set[int]], size: int):
    """Counts of units with both codes as a product of the units x codes incidence
    matrix with itself, in blocks of units so a large project fits in memory."""
    both = np.zeros((size, size), dtype=np.int64)
    for first in range(0, len(units), CHUNK):
        block = units[first:first + CHUNK]
        rows = np.zeros((len(block), size), dtype=np.float32)
        for row, codes in enumerate(block):
            rows[row, list(codes)] = 1.0
        # float32 sums are exact up to 2**24, far above a block's size.
        both += np.rint(rows.T @ rows).astype(np.int64)
    alone = np.diag(both)
    either = alone[:, None] + alone[None, :] - both
    with np.errstate(invalid="ignore", divide="ignore"):
        jaccard = np.where(either > 0, both / np.maximum(either, 1), 0.0)
    np.fill_diagonal(jaccard, 1.0)
    return _frozen(both.tolist()), _frozen(jaccard.tolist())


def _frozen(rows) -> tuple[tuple, ...]:
    return tuple(tuple(row) for row in rows)
