"""Krippendorff's unitizing family for a semantic domain (a set of mutually exclusive
codes, ATLAS.ti's word): cu-alpha, whether coders who both coded a stretch chose the
same code, and |u-alpha, whether they marked the same stretches as relevant at all.

Pure functions: no I/O, no database. ``segments[i]`` are coder i's ``(start, end,
code)`` triples, half-open offsets in code points on the continuum [0, length). Within
one domain a coder's segments must not overlap (the codes are mutually exclusive);
abutting segments are fine. Value-specific u-alpha for one code is
:func:`~qcode.core.agreement.unitized.unitized_alpha`.
"""

from __future__ import annotations

import bisect
from collections import Counter
from collections.abc import Hashable, Iterable, Sequence

from qcode.core.agreement.coefficients import (AgreementDataError, Alpha, UnitCounts,
                                               krippendorff_alpha)
from qcode.core.agreement.unitized import UnitizedAlpha, merge_overlaps, unitized_alpha

Segment = tuple[int, int, Hashable]

__all__ = ["Segment", "binary_u_alpha", "cu_alpha", "global_cu_alpha", "stretch_counts"]


def cu_alpha(segments: Sequence[Iterable[Segment]], length: int) -> Alpha:
    """cu-alpha, coding given unitizing: nominal alpha over the stretches that two or
    more coders coded, each stretch weighted by its length; uncoded stretches count as
    missing, whatever their size (Krippendorff, Mathet, Bouvry & Widlöcher 2016, Quality
    & Quantity 50:2347-2364; Krippendorff 2019, Content Analysis, 4th ed., §12.6.5).

    Coincidences: o_ck = sum over stretches s where m_s >= 2 coders coded of
    l_s * (ordered pairs of codes c, k in s) / (m_s - 1). For two coders this is the sum
    of the lengths of the intersections of one coder's c-segments with the other's
    k-segments, both ways; for more it gives every coder's code at a character the
    weight 1, as alpha for given units does. alpha = 1 - D_o / D_e on these
    coincidences. ``units`` and ``values`` of the result count characters."""
    return krippendorff_alpha(stretch_counts(segments, length), "nominal")


def global_cu_alpha(segments: Sequence[Iterable[Segment]], length: int
                    ) -> tuple[Alpha, int]:
    """Cu-alpha (capital C), over every domain at once: where two or more coders coded
    anything, did they choose the same domain (ATLAS.ti's global Cu-alpha; Krippendorff,
    Mathet, Bouvry & Widlöcher 2016). ``segments[i]`` are coder i's ``(start, end,
    domain)`` triples: the third item names the domain, not the code. One coder's
    segments of different domains may overlap (domains are separate questions); those
    of one domain are joined where they overlap.

    This is :func:`cu_alpha` with each code read as its domain: nominal alpha over the
    stretches two or more coders coded, weighted by length. Where a coder shows two
    domains at once, that coder has no single value there and is missing, as a unit
    given two codes of a theme is (a coder who applied both domains would otherwise
    disagree with themselves); the second item returned counts those characters, summed
    over coders, for a warning. ``units`` of the alpha counts characters."""
    coders = [_checked(i, own, length) for i, own in enumerate(segments)]
    if len(coders) < 2:
        raise AgreementDataError(f"agreement needs at least two coders; got {len(coders)}")
    changes: dict[int, list[tuple[int, Hashable, int]]] = {0: [], length: []}
    for i, own in enumerate(coders):
        for start, end, domain in own:
            changes.setdefault(start, []).append((i, domain, 1))
            changes.setdefault(end, []).append((i, domain, -1))
    active = [Counter() for _ in coders]
    patterns: Counter = Counter()
    several = 0
    points = sorted(changes)
    for here, following in zip(points, points[1:]):
        for i, domain, step in changes[here]:
            active[i][domain] += step
        pattern = []
        for counter in active:
            shown = [d for d, count in counter.items() if count > 0]
            several += (following - here) * (len(shown) > 1)
            pattern.append(shown[0] if len(shown) == 1 else None)
        patterns[tuple(pattern)] += following - here
    return krippendorff_alpha(UnitCounts(len(coders), patterns), "nominal"), several


def binary_u_alpha(segments: Sequence[Iterable[Segment]],
                   length: int | Sequence[int]) -> UnitizedAlpha:
    """|u-alpha, boundaries only: unitized alpha (Krippendorff 1995, 2004; see
    :func:`unitized_alpha`) with every code of the domain read as one value, "relevant"
    (Krippendorff et al. 2016's |u-alpha; ATLAS.ti's alpha-binary for a domain). Abutting
    segments stay separate units, as in every unitized alpha."""
    return unitized_alpha([merge_overlaps((s, e) for s, e, _ in _checked(i, own, length))
                           for i, own in enumerate(segments)], length)


def stretch_counts(segments: Sequence[Iterable[Segment]], length: int) -> UnitCounts:
    """The continuum cut at every segment boundary into stretches on which each coder
    shows one code or none, as counts: each stretch is ``length`` units of its pattern.
    Costs grow with the number of segments, not with the length of the text."""
    coders = [sorted(_checked(i, own, length), key=lambda s: (s[0], s[1]))
              for i, own in enumerate(segments)]
    if len(coders) < 2:
        raise AgreementDataError(f"agreement needs at least two coders; got {len(coders)}")
    for i, own in enumerate(coders):
        for (s1, e1, c1), (s2, e2, c2) in zip(own, own[1:]):
            if s2 < e1:
                raise AgreementDataError(
                    f"coder #{i + 1}: segments [{s1}, {e1}) ({c1}) and [{s2}, {e2}) ({c2}) "
                    "overlap; the codes of a domain are mutually exclusive")
    points = sorted({0, length, *(p for own in coders for s, e, _ in own for p in (s, e))})
    starts = [[s for s, _, _ in own] for own in coders]
    patterns: Counter = Counter()
    for start, end in zip(points, points[1:]):
        patterns[tuple(_code_at(own, first, start)
                       for own, first in zip(coders, starts))] += end - start
    return UnitCounts(len(coders), patterns)


def _code_at(own: list[Segment], starts: list[int], offset: int):
    index = bisect.bisect_right(starts, offset) - 1
    if index >= 0 and own[index][0] <= offset < own[index][1]:
        return own[index][2]
    return None


def _checked(coder: int, segments: Iterable[Segment], length) -> list[Segment]:
    total = length if isinstance(length, int) else sum(length)
    out = []
    for segment in segments:
        try:
            start, end, code = segment
        except (TypeError, ValueError):
            raise AgreementDataError(f"coder #{coder + 1}: a segment must be (start, end, "
                                     f"code); got {segment!r}") from None
        if code is None:
            raise AgreementDataError(f"coder #{coder + 1}: segment [{start}, {end}) has "
                                     "no code")
        if not (isinstance(start, int) and isinstance(end, int)) or not 0 <= start < end <= total:
            raise AgreementDataError(f"coder #{coder + 1}: segment [{start}, {end}) is empty "
                                     f"or outside the text [0, {total})")
        out.append((start, end, code))
    return out
