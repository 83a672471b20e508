"""From coded spans to given units (words, sentences, turns or characters): which
units each coder touched, as a coders x units matrix or as counts for the coefficients.

Pure functions: no I/O, no database. Spans are half-open ``(start, end)`` offsets in
code points, as codings are stored; units come from :func:`qcode.core.spans.units`.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence

import numpy as np

from qcode.core.agreement.coefficients import AgreementDataError, UnitCounts

Span = tuple[int, int]

__all__ = ["Span", "merged", "span_array", "spans_to_unit_counts", "spans_to_units",
           "touched_ranges"]


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
