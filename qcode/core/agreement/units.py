"""From coded spans to given units (words, sentences, turns or characters): which
units each coder touched, as a coders x units matrix or as counts for the coefficients.

Pure functions: no I/O, no database. Spans are half-open ``(start, end)`` offsets in
code points, as codings are stored; units come from :func:`qcode.core.spans.units`.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from functools import lru_cache

import numpy as np

from qcode.core.agreement.coefficients import AgreementDataError, UnitCounts

Span = tuple[int, int]

__all__ = ["Characters", "Span", "merged", "merged_segments", "span_array",
           "spans_to_unit_counts", "spans_to_units",
           "touched_ranges"]

# Every character str.isspace() counts as white space lies below U+3001 (the last is
# U+3000, the ideographic space), so only those code points need asking.
_SPACE_CANDIDATES = 0x3001


def merged(spans: Iterable[Span]) -> list[Span]:
    """Sorted spans with overlapping or touching ones joined (unlike
    unitized.merge_overlaps, which keeps touching segments apart as units)."""
    out: list[list[int]] = []
    for start, end in sorted(spans):
        if out and start <= out[-1][1]:
            out[-1][1] = max(out[-1][1], end)
        else:
            out.append([start, end])
    return [(s, e) for s, e in out]


def spans_to_units(spans: Sequence[Iterable[Span]], units: Sequence[Span]) -> list[list[int]]:
    """The coders x units matrix of given units: 1 where a coder's spans cover at least
    one character of the unit, else 0. ``units`` are (start, end) offsets in text order
    and must not overlap (words, sentences, turns or characters, as from
    :func:`qcode.core.spans.units`). Found by binary search on the unit boundaries."""
    starts, ends = _unit_bounds(units)
    matrix = []
    for coder in spans:
        low, high = _touched(coder, starts, ends)
        edges = np.zeros(len(starts) + 1, dtype=np.int64)
        np.add.at(edges, low, 1)
        np.add.at(edges, high, -1)
        matrix.append((np.cumsum(edges[:-1]) > 0).astype(int).tolist())
    return matrix


def spans_to_unit_counts(spans: Sequence[Iterable[Span]], units: Sequence[Span]) -> UnitCounts:
    """The same data as :func:`spans_to_units`, as :class:`UnitCounts`: a sweep over the
    boundaries of the touched unit ranges, so the cost grows with the number of spans,
    not with the number of units."""
    starts, ends = _unit_bounds(units)
    total = len(starts)
    changes: dict[int, list[tuple[int, int]]] = {0: [], total: []}
    for coder, coder_spans in enumerate(spans):
        low, high = _touched(coder_spans, starts, ends)
        for a, b in merged(zip(low.tolist(), high.tolist())):
            changes.setdefault(a, []).append((coder, 1))
            changes.setdefault(b, []).append((coder, 0))
    coders = len(spans)
    state = [0] * coders
    counts: Counter = Counter()
    points = sorted(changes)
    for here, following in zip(points, points[1:]):
        for coder, value in changes[here]:
            state[coder] = value
        counts[tuple(state)] += following - here
    return UnitCounts(coders, counts)


def touched_ranges(spans: Iterable[Span], units: Sequence[Span]) -> list[tuple[int, int]]:
    """The ranges [low, high) of unit indices that ``spans`` touch (share a character
    with), sorted and joined where they meet."""
    starts, ends = _unit_bounds(units)
    low, high = _touched(spans, starts, ends)
    return merged(zip(low.tolist(), high.tolist()))


class Characters:
    """The characters of texts that are not white space, as given units (what
    :func:`qcode.core.spans.units` lists one by one), kept as the number of such
    characters before each offset: the counts of :meth:`counts` come from a sweep over
    the coders' span boundaries, never from one unit or array cell per character of
    each code."""

    __slots__ = ("before",)

    def __init__(self, texts: Sequence[str], count_space: bool = False):
        """The texts lie end to end, as transcripts on the report's continuum; white
        space is left out unless ``count_space`` (agree --whitespace count)."""
        total = sum(len(text) for text in texts)
        self.before = np.zeros(total + 1, dtype=np.int32 if total < 2 ** 31 else np.int64)
        at = 0
        for text in texts:
            points = np.frombuffer(text.encode("utf-32-le"), dtype="<u4")
            counted = (np.ones(len(points), dtype=bool) if count_space
                       else ~_space_table()[np.minimum(points, _SPACE_CANDIDATES)])
            np.cumsum(counted, out=self.before[at + 1:at + len(text) + 1])
            self.before[at + 1:at + len(text) + 1] += self.before[at]
            at += len(text)

    def counts(self, spans: Sequence[Iterable[Span]]) -> UnitCounts:
        """The same counts as :func:`spans_to_unit_counts` over these characters."""
        length = len(self.before) - 1
        coders = [_covering(coder_spans, length) for coder_spans in spans]
        points = np.sort(np.concatenate([[0, length], *(c[0] for c in coders),
                                         *(c[1] for c in coders)]))
        # (Not np.unique: it loads numpy.ma, a tenth of a second at start-up.)
        points = points[np.concatenate(([True], points[1:] != points[:-1]))]
        starts = points[:-1]
        pattern = np.zeros(len(starts), dtype=np.int64)
        for bit, (begins, reach) in enumerate(coders):
            if not len(begins):
                continue
            # A stretch is covered when a span starting at or before it reaches past it.
            index = np.searchsorted(begins, starts, side="right") - 1
            inside = (index >= 0) & (reach[np.maximum(index, 0)] > starts)
            pattern |= inside.astype(np.int64) << bit
        sizes = (self.before[points[1:]] - self.before[starts]).astype(np.int64)
        totals = np.bincount(pattern, weights=sizes, minlength=1 << len(coders))
        return UnitCounts(len(coders), {
            tuple((code >> bit) & 1 for bit in range(len(coders))): int(total)
            for code, total in enumerate(totals.tolist()) if total})


def merged_segments(spans) -> np.ndarray:
    """What unitized.merge_overlaps gives, as an n x 2 array and without a Python loop:
    sorted, overlapping spans joined, spans that only touch kept apart."""
    array = span_array(spans, "spans")
    if not len(array):
        return array
    array = array[np.lexsort((array[:, 1], array[:, 0]))]
    reach = np.maximum.accumulate(array[:, 1])
    first = np.concatenate(([True], array[1:, 0] >= reach[:-1]))
    last = np.concatenate((first[1:], [True]))
    return np.stack((array[first, 0], reach[last]), axis=1)


def _covering(spans, length: int) -> tuple[np.ndarray, np.ndarray]:
    """One coder's span starts in order (clipped to the text) and, for each, the
    furthest end of the spans up to it; empty spans are refused."""
    array = span_array(spans, "spans")
    empty = np.flatnonzero(array[:, 0] >= array[:, 1])
    if empty.size:
        start, end = array[empty[0]]
        raise AgreementDataError(f"span [{start}, {end}) is empty")
    array = np.clip(array[np.argsort(array[:, 0], kind="stable")], 0, length)
    return array[:, 0], np.maximum.accumulate(array[:, 1]) if len(array) else array[:, 1]


def span_array(items, what: str) -> np.ndarray:
    """Spans (or units) as an n x 2 array of whole numbers; AgreementDataError names
    `what` when they are not (start, end) pairs."""
    try:
        array = np.asarray(items if isinstance(items, np.ndarray) else list(items))
    except (TypeError, ValueError) as error:
        raise AgreementDataError(f"{what} must be (start, end) pairs") from error
    if array.size == 0:
        return np.zeros((0, 2), dtype=np.int64)
    if array.ndim != 2 or array.shape[1] != 2 or array.dtype.kind not in "iu":
        raise AgreementDataError(f"{what} must be (start, end) pairs of whole numbers")
    return array.astype(np.int64)


# --- internals -----------------------------------------------------------------------

@lru_cache(maxsize=1)
def _space_table() -> np.ndarray:
    """Whether each code point below the bound is white space; the last cell stands for
    every code point from the bound on."""
    return np.array([chr(c).isspace() for c in range(_SPACE_CANDIDATES)] + [False])


def _unit_bounds(units: Sequence[Span]) -> tuple[np.ndarray, np.ndarray]:
    array = span_array(units, "units")
    starts, ends = array[:, 0], array[:, 1]
    empty = np.flatnonzero(starts >= ends)
    if empty.size:
        i = empty[0]
        raise AgreementDataError(f"unit [{starts[i]}, {ends[i]}) is empty")
    disorder = np.flatnonzero(starts[1:] < ends[:-1])
    if disorder.size:
        i = disorder[0]
        raise AgreementDataError(
            f"units must be in text order without overlapping; [{starts[i]}, {ends[i]}) "
            f"and [{starts[i + 1]}, {ends[i + 1]}) are not")
    return starts, ends


def _touched(spans: Iterable[Span], starts: np.ndarray,
             ends: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """For each span, the range [low, high) of units sharing a character with it."""
    array = span_array(spans, "spans")
    empty = np.flatnonzero(array[:, 0] >= array[:, 1])
    if empty.size:
        s, e = array[empty[0]]
        raise AgreementDataError(f"span [{s}, {e}) is empty")
    low = np.searchsorted(ends, array[:, 0], side="right")
    high = np.searchsorted(starts, array[:, 1], side="left")
    keep = low < high
    return low[keep], high[keep]
