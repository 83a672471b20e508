"""MAXQDA-style segment agreement (a compatibility view): a coder's segment agrees when
the other coder has a segment of the same code overlapping it by at least a share of
the two segments' joint extent.

Pure functions over half-open spans [start, end) in code points. One coder's segments
of one code are disjoint once merged (merge_overlaps), so the other coder's segments
overlapping one of them are a run of consecutive segments, found by binary search on
sorted boundaries: the cost grows with the number of segments, never with their square.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from qcode.core.agreement.units import Span, span_array


def segments_agreeing(mine: Sequence[Span], theirs: Sequence[Span], threshold: float) -> int:
    """How many of `mine` have a segment in `theirs` overlapping it by at least
    `threshold` of the pair's joint extent. Both lists are sorted disjoint segments
    (merge_overlaps); segments may lie on a continuum of several transcripts, as no
    segment crosses from one transcript into the next."""
    a = span_array(mine, "segments")
    b = span_array(theirs, "segments")
    if not len(a) or not len(b):
        return 0
    a_start, a_end, b_start, b_end = a[:, 0], a[:, 1], b[:, 0], b[:, 1]
    low = np.searchsorted(b_end, a_start, side="right")
    high = np.searchsorted(b_start, a_end, side="left")
    overlaps = np.maximum(high - low, 0)
    pairs = int(overlaps.sum())
    if not pairs:
        return 0
    i = np.repeat(np.arange(len(a_start)), overlaps)
    j = np.arange(pairs) - np.repeat(np.cumsum(overlaps) - overlaps, overlaps) \
        + np.repeat(low, overlaps)
    shared = np.minimum(a_end[i], b_end[j]) - np.maximum(a_start[i], b_start[j])
    joint = np.maximum(a_end[i], b_end[j]) - np.minimum(a_start[i], b_start[j])
    agreeing = np.zeros(len(a_start), dtype=bool)
    agreeing[i[shared >= threshold * joint]] = True
    return int(agreeing.sum())


def maxqda_view(laid: Sequence[Sequence[Span]], threshold: float) -> dict:
    """The view for two coders' segments of one code: each coder's segments are
    checked against the other's in turn."""
    first, second = laid
    agreed = (segments_agreeing(first, second, threshold)
              + segments_agreeing(second, first, threshold))
    checked = len(first) + len(second)
    return {"agreements": agreed, "segments": checked,
            "percentage": agreed / checked if checked else None}
