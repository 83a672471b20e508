"""Krippendorff's unitized alpha: agreement between coders who each choose their own
segments of one continuous text, per code and pooled over codes.

Pure functions: no I/O, no database. Spans are half-open ``(start, end)`` offsets in
code points, as codings are stored. Nothing is missing: every coder is taken to have
read the whole continuum, and stretches a coder did not code are that coder's gaps.
Malformed input (one coder, overlapping segments of one coder, spans outside the
text) raises :class:`~qcode.core.agreement.coefficients.AgreementDataError`.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from itertools import accumulate, combinations

import numpy as np

from qcode.core.agreement.coefficients import AgreementDataError
from qcode.core.agreement.units import Span, span_array

__all__ = ["UnitizedAlpha", "merge_overlaps", "pooled_unitized_alpha", "unitized_alpha"]

_NOBODY_CODED = "no coder applied this code"


@dataclass(frozen=True)
class UnitizedAlpha:
    """Krippendorff's unitized alpha for one code = 1 - D_o / D_e.

    ``units`` counts the coded segments of all coders, ``length`` is the continuum's
    length L in characters, ``coders`` is m."""

    value: float | None
    d_o: float
    d_e: float
    units: int
    length: int
    coders: int
    undefined: str | None = None

    @property
    def defined(self) -> bool:
        return self.value is not None


def unitized_alpha(spans: Sequence[Iterable[Span]], length: int | Sequence[int]) -> UnitizedAlpha:
    """Krippendorff's unitized alpha for one code (Krippendorff 1995, Sociological
    Methodology 25:47-76; 2004, Quality & Quantity 38:787-800, and Content Analysis 2nd
    ed. §11.6; the "value-specific" (k)u-alpha of Krippendorff et al. 2016).

    ``spans[i]`` are coder i's segments of this code, half-open offsets on the
    continuum [0, L). Each coder's continuum is cut into sections: the coder's
    segments (units) and the stretches between them (gaps). Abutting segments stay
    separate units; one coder's segments must not overlap (see :func:`merge_overlaps`).

    D_o = sum_{i != j} sum_{g of i, h of j} delta2(g, h) / (m (m - 1) L^2), with
    delta2 = (b_g - b_h)^2 + (e_g - e_h)^2 for overlapping units g and h, l_g^2 for a
    unit g lying wholly inside a gap h of the other coder (and the reverse), else 0.
    D_e = (2/L) sum_units [ (N - 1)/3 (2 l^3 - 3 l^2 + l)
                            + l^2 sum_{gaps h, l_h >= l} (l_h - l + 1) ]
          / ( m L (m L - 1) - sum_units l (l - 1) ),
    N the number of units of all coders; alpha = 1 - D_o / D_e.

    ``length`` is L, or a list of transcript lengths: the transcripts then lie end to
    end (transcript t starts at the sum of the lengths before it), no segment may cross
    from one into the next, and every transcript boundary ends a gap, so a coder's gaps
    never run across transcripts and the value does not depend on their order. With
    one transcript this is exactly the published formula.

    Cost grows with the number of segments, not with L: each pair of coders is compared
    on sorted segment boundaries (binary search), and D_e uses the sorted gap lengths."""
    m = len(spans)
    if m < 2:
        raise AgreementDataError(f"agreement needs at least two coders; got {m}")
    bounds = _continuum(length)
    total = int(bounds[-1])
    coders = [_units_of(i, s, bounds) for i, s in enumerate(spans)]
    count = sum(len(s) for s, _ in coders)
    if count == 0:
        return UnitizedAlpha(None, 0.0, 0.0, 0, total, m, _NOBODY_CODED)

    observed = sum(_pair_disagreement(a, b) for a, b in combinations(coders, 2))
    d_o = 2 * observed / (m * (m - 1) * float(total) ** 2)

    lengths = np.concatenate([(e - s) for s, e in coders]).astype(np.float64)
    gaps = np.concatenate([_gaps(s, e, bounds) for s, e in coders]).astype(np.float64)
    gaps.sort()
    below = np.concatenate(([0.0], np.cumsum(gaps)))
    first = np.searchsorted(gaps, lengths, side="left")
    placements = (below[-1] - below[first]) - (len(gaps) - first) * (lengths - 1)
    within = (count - 1) / 3 * (2 * lengths ** 3 - 3 * lengths ** 2 + lengths)
    numerator = float(np.sum(within + lengths ** 2 * placements))
    denominator = m * total * (m * total - 1.0) - float(np.sum(lengths * (lengths - 1)))
    d_e = 2 / total * numerator / denominator
    if numerator <= 0:
        return UnitizedAlpha(None, d_o, 0.0, count, total, m, "expected disagreement is 0: "
                             "the segments leave nothing that could vary")
    return UnitizedAlpha(1 - d_o / d_e, d_o, d_e, count, total, m)


def pooled_unitized_alpha(results: Iterable[UnitizedAlpha]) -> UnitizedAlpha:
    """One alpha over several codes: 1 - sum_c D_o,c / sum_c D_e,c, pooling the
    disagreements rather than averaging the alphas (Krippendorff 2004, Q&Q 38:787-800,
    overall alpha of its Figure 2 example; DKPro's KrippendorffAlphaUnitizingAgreement).
    D_o and D_e shown are the means over the codes given. All results must share the
    continuum and the coders."""
    results = list(results)
    if not results:
        raise AgreementDataError("no codes to pool")
    if len({(r.length, r.coders) for r in results}) > 1:
        raise AgreementDataError("pooled codes must share one continuum and set of coders")
    d_o = sum(r.d_o for r in results) / len(results)
    d_e = sum(r.d_e for r in results) / len(results)
    first = results[0]
    units = sum(r.units for r in results)
    if d_e <= 0:
        reason = _NOBODY_CODED if units == 0 else "expected disagreement is 0 for every code"
        return UnitizedAlpha(None, d_o, d_e, units, first.length, first.coders, reason)
    return UnitizedAlpha(1 - d_o / d_e, d_o, d_e, units, first.length, first.coders)


def merge_overlaps(spans: Iterable[Span]) -> list[Span]:
    """One coder's spans of one code, sorted, with overlapping spans joined into one.
    Spans that only touch stay separate units, as Krippendorff's unitizing requires."""
    out: list[list[int]] = []
    for start, end in sorted(spans):
        if out and start < out[-1][1]:
            out[-1][1] = max(out[-1][1], end)
        else:
            out.append([start, end])
    return [(s, e) for s, e in out]


# --- internals -----------------------------------------------------------------------

def _continuum(length) -> np.ndarray:
    pieces = [length] if isinstance(length, (int, np.integer)) else list(length)
    for piece in pieces:
        if isinstance(piece, bool) or not isinstance(piece, (int, np.integer)) or piece < 0:
            raise AgreementDataError(f"lengths must be whole numbers of characters, not {piece!r}")
    bounds = np.array([0, *accumulate(int(p) for p in pieces)], dtype=np.int64)
    if bounds[-1] <= 0:
        raise AgreementDataError("the continuum is empty (length 0)")
    return bounds


def _units_of(coder: int, spans, bounds: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    array = span_array(spans, f"coder #{coder + 1}'s spans")
    array = array[np.argsort(array[:, 0], kind="stable")]
    starts, ends = array[:, 0], array[:, 1]
    bad = np.flatnonzero((starts >= ends) | (starts < 0) | (ends > bounds[-1]))
    if bad.size:
        s, e = array[bad[0]]
        raise AgreementDataError(
            f"coder #{coder + 1}: span [{s}, {e}) is empty or outside the text [0, {bounds[-1]})")
    clash = np.flatnonzero(starts[1:] < ends[:-1])
    if clash.size:
        i = clash[0]
        raise AgreementDataError(
            f"coder #{coder + 1}: segments [{starts[i]}, {ends[i]}) and [{starts[i + 1]}, "
            f"{ends[i + 1]}) of one code overlap; unitized alpha needs one coder's segments "
            "to be disjoint (merge_overlaps joins them)")
    if len(bounds) > 2:
        crossing = np.flatnonzero(np.searchsorted(bounds, starts, side="right")
                                  != np.searchsorted(bounds, ends - 1, side="right"))
        if crossing.size:
            i = crossing[0]
            raise AgreementDataError(f"coder #{coder + 1}: segment [{starts[i]}, {ends[i]}) "
                                     "runs across a transcript boundary")
    return starts, ends


def _pair_disagreement(a: tuple[np.ndarray, np.ndarray],
                       b: tuple[np.ndarray, np.ndarray]) -> float:
    """Sum of delta2 over the pairs (g of a, h of b) of two coders' sections: overlapping
    units, and units of either coder lying inside a gap of the other. Gap-gap pairs and
    units that only partly cover a gap add nothing. The pairs (h, g) give the same sum."""
    return float(np.sum(pair_disagreement_terms(a, b)[1]))


def pair_disagreement_terms(a: tuple[np.ndarray, np.ndarray],
                            b: tuple[np.ndarray, np.ndarray]) -> tuple[np.ndarray, np.ndarray]:
    """The terms of :func:`_pair_disagreement`, each with the start of a unit it
    concerns, so that they can be added up per transcript (the bootstrap's parts)."""
    a_start, a_end = a
    b_start, b_end = b
    # For each unit of a, the b units overlapping it are b[low:high]: sorted, disjoint
    # units have sorted starts and ends.
    low = np.searchsorted(b_end, a_start, side="right")
    high = np.searchsorted(b_start, a_end, side="left")
    overlaps = high - low
    b_low = np.searchsorted(a_end, b_start, side="right")
    b_high = np.searchsorted(a_start, b_end, side="left")
    a_alone, b_alone = overlaps == 0, b_high == b_low
    where = [a_start[a_alone], b_start[b_alone]]
    terms = [(a_end - a_start)[a_alone].astype(np.float64) ** 2,
             (b_end - b_start)[b_alone].astype(np.float64) ** 2]
    pairs = int(overlaps.sum())
    if pairs:
        i = np.repeat(np.arange(len(a_start)), overlaps)
        j = np.arange(pairs) - np.repeat(np.cumsum(overlaps) - overlaps, overlaps) \
            + np.repeat(low, overlaps)
        d_start = (a_start[i] - b_start[j]).astype(np.float64)
        d_end = (a_end[i] - b_end[j]).astype(np.float64)
        where.append(a_start[i])
        terms.append(d_start ** 2 + d_end ** 2)
    return np.concatenate(where), np.concatenate(terms)


def _gaps(starts: np.ndarray, ends: np.ndarray, bounds: np.ndarray) -> np.ndarray:
    """Lengths of one coder's gaps, each ended by a segment or a transcript boundary.

    Gaps run from each segment end or transcript start to the next segment start or
    transcript end; both lists, sorted, pair up in order."""
    gap_starts = np.sort(np.concatenate((ends, bounds[:-1])))
    gap_ends = np.sort(np.concatenate((starts, bounds[1:])))
    lengths = gap_ends - gap_starts
    return lengths[lengths > 0]
