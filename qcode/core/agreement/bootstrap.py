"""The bootstrap interval of unitized alpha: transcripts (the independent units of a
study) resampled with replacement, seeded, 95% percentile intervals per code and
pooled over codes.

A resample is a multiset of transcripts, so it is described by how many times it
holds each one. Unitized alpha's parts (Krippendorff 2004; see unitized.py) add up
over transcripts, given those multiplicities w: the observed disagreement, the
number of units, the sums over units of l (l - 1) and of 2 l^3 - 3 l^2 + l, and the
continuum's length are sums of per-transcript parts weighted by w; the placements of
units in gaps pair a unit of transcript t with a gap of transcript t': with the gaps
sorted by length once, each resample's placements are suffix sums of its weighted
gaps. Every resample is then a few array operations, instead of a new alpha from the
spans for each resample and code. The values are the same as
recomputing unitized_alpha on each resampled continuum (tests compare them).
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from itertools import combinations

import numpy as np

from qcode.core.agreement.unitized import (pair_disagreement_terms, pooled_unitized_alpha,
                                           unitized_alpha)

Span = tuple[int, int]
MIN_DEFINED = 20    # fewer defined resamples than this: no interval
_CELLS = 4_000_000  # resamples x (gaps + units) held at once by the placements


def resample_weights(transcripts: int, resamples: int, seed: int) -> np.ndarray:
    """resamples x transcripts: how many times each resample holds each transcript,
    drawn exactly as ``random.Random(seed).choice`` picks them one by one."""
    pick, among = random.Random(seed).choice, range(transcripts)
    picked = np.array([pick(among) for _ in range(resamples * transcripts)], dtype=np.int64)
    row = np.repeat(np.arange(resamples, dtype=np.int64), transcripts)
    return np.bincount(row * transcripts + picked, minlength=resamples * transcripts
                       ).reshape(resamples, transcripts).astype(np.float64)


def intervals(laid: Sequence[Sequence[Sequence[Span]]], lengths: Sequence[int],
              resamples: int, seed: int
              ) -> tuple[list[tuple[float, float] | None], tuple[float, float] | None]:
    """Per code (``laid[code][coder]``: the coder's merged, sorted segments on the
    continuum of the transcripts laid end to end in ``lengths`` order) its interval,
    or None when fewer than MIN_DEFINED resamples define alpha; and the pooled one."""
    bounds = np.concatenate(([0], np.cumsum(np.asarray(lengths, dtype=np.int64))))
    weights = resample_weights(len(lengths), resamples, seed)
    total = weights @ np.asarray(lengths, dtype=np.float64)
    out = []
    sum_d_o = np.zeros(resamples)
    sum_d_e = np.zeros(resamples)
    for code in laid:
        value, d_o, d_e = _resampled(_parts(code, bounds), weights, total, len(code))
        out.append(_percentiles(value))
        sum_d_o += d_o
        sum_d_e += d_e
    d_o, d_e = sum_d_o / len(laid), sum_d_e / len(laid)
    with np.errstate(divide="ignore", invalid="ignore"):
        pooled = np.where(d_e > 0, 1 - d_o / d_e, np.nan)
    return out, _percentiles(pooled)


def joined_intervals(laid: Sequence[Sequence[np.ndarray]], lengths: Sequence[int],
                     resamples: int, seed: int
                     ) -> tuple[list[tuple[float, float] | None], tuple[float, float] | None]:
    """As :func:`intervals`, for the transcripts joined into one continuum (agree
    --continuum joined): there a gap runs on from one transcript into the next, so
    a resample's figures depend on the order its transcripts were drawn in and do not
    add up from per-transcript parts. Each resample is laid out in its drawn order and
    alpha computed afresh from its spans: exact, and slower than :func:`intervals`."""
    bounds = np.concatenate(([0], np.cumsum(np.asarray(lengths, dtype=np.int64))))
    pick, among = random.Random(seed).choice, range(len(lengths))
    # Each code's and coder's segments cut per transcript, offsets from its start.
    pieces = [[_per_transcript(np.asarray(spans, dtype=np.int64).reshape(-1, 2), bounds)
               for spans in code] for code in laid]
    per_code: list[list[float]] = [[] for _ in laid]
    pooled: list[float] = []
    for _ in range(resamples):
        drawn = [pick(among) for _ in among]
        starts = np.concatenate(([0], np.cumsum([lengths[t] for t in drawn])[:-1]))
        total = int(sum(lengths[t] for t in drawn))
        results = []
        for i, code in enumerate(pieces):
            spans = [np.concatenate([own[t] + at for t, at in zip(drawn, starts)])
                     for own in code]
            result = unitized_alpha([s.tolist() for s in spans], total)
            results.append(result)
            if result.value is not None:
                per_code[i].append(result.value)
        overall = pooled_unitized_alpha(results)
        if overall.value is not None:
            pooled.append(overall.value)
    return ([_percentiles(np.array(v, dtype=float)) for v in per_code],
            _percentiles(np.array(pooled, dtype=float)))


def _per_transcript(spans: np.ndarray, bounds: np.ndarray) -> list[np.ndarray]:
    where = np.searchsorted(bounds, spans[:, 0], side="right") - 1
    return [spans[where == t] - bounds[t] for t in range(len(bounds) - 1)]


def _parts(code: Sequence[Sequence[Span]], bounds: np.ndarray) -> dict:
    """One code's per-transcript parts of unitized alpha."""
    count = len(bounds) - 1
    coders = [np.asarray(spans, dtype=np.int64).reshape(-1, 2) for spans in code]
    starts = [c[:, 0] for c in coders]
    ends = [c[:, 1] for c in coders]

    def per_transcript(where: np.ndarray, values) -> np.ndarray:
        index = np.searchsorted(bounds, where, side="right") - 1
        return np.bincount(index, weights=values, minlength=count)[:count]

    observed = np.zeros(count)
    for i, j in combinations(range(len(coders)), 2):
        where, terms = pair_disagreement_terms((starts[i], ends[i]), (starts[j], ends[j]))
        observed += per_transcript(where, terms)
    unit_start = np.concatenate(starts)
    length = (np.concatenate(ends) - unit_start).astype(np.float64)
    unit_of = np.searchsorted(bounds, unit_start, side="right") - 1
    gap_length, gap_of = _gaps(starts, ends, bounds)
    return {
        "observed": observed,
        "units": np.bincount(unit_of, minlength=count).astype(np.float64),
        "within": per_transcript(unit_start, 2 * length ** 3 - 3 * length ** 2 + length),
        "squares": per_transcript(unit_start, length * (length - 1)),
        "fits": _fits(length, unit_of, gap_length, gap_of),
    }


def _gaps(starts, ends, bounds) -> tuple[np.ndarray, np.ndarray]:
    """Every coder's gap lengths, each ended by a segment or a transcript boundary (as
    unitized._gaps), with the transcript each lies in."""
    lengths, owners = [], []
    for s, e in zip(starts, ends):
        gap_start = np.sort(np.concatenate((e, bounds[:-1])))
        gap_end = np.sort(np.concatenate((s, bounds[1:])))
        keep = gap_end > gap_start
        lengths.append((gap_end - gap_start)[keep])
        owners.append(np.searchsorted(bounds, gap_start[keep], side="right") - 1)
    return np.concatenate(lengths).astype(np.float64), np.concatenate(owners)


def _fits(length, unit_of, gap_length, gap_of) -> dict:
    """What the placements need: gaps sorted by length with their transcripts, and for
    each unit its transcript and the first gap long enough to hold it (the gaps a unit
    fits in are a suffix of that order)."""
    order = np.argsort(gap_length, kind="stable")
    sorted_length = gap_length[order]
    return {"gap_length": sorted_length, "gap_of": gap_of[order], "length": length,
            "unit_of": unit_of,
            "first": np.searchsorted(sorted_length, length, side="left")}


def _placements(fits: dict, weights: np.ndarray) -> np.ndarray:
    """Per resample: the sum over units u and gaps h with l_h >= l_u of
    l_u^2 (l_h - l_u + 1), each transcript's units and gaps as many times as the
    resample holds it. Prefix sums over the gaps by length (one column per resample),
    in blocks of resamples so that memory stays bounded."""
    gaps, length = fits["gap_length"], fits["length"]
    out = np.zeros(len(weights))
    if not len(length):
        return out
    block = max(1, _CELLS // (len(gaps) + len(length) + 1))
    first = fits["first"]
    for low in range(0, len(weights), block):
        held = np.ascontiguousarray(weights[low:low + block].T)    # transcripts x resamples
        gap_held = held[fits["gap_of"]]
        # Row i: over the i shortest gaps; the gaps a unit fits in are the rest.
        longer = np.zeros((len(gaps) + 1, held.shape[1]))
        count = np.zeros_like(longer)
        np.cumsum(gap_held * gaps[:, None], axis=0, out=longer[1:])
        np.cumsum(gap_held, axis=0, out=count[1:])
        fitting = (longer[-1] - longer[first]) - (length - 1)[:, None] * (count[-1] - count[first])
        out[low:low + block] = (length ** 2) @ (held[fits["unit_of"]] * fitting)
    return out


def _resampled(parts: dict, weights: np.ndarray, total: np.ndarray, m: int):
    """Per resample: alpha (NaN where undefined), D_o and D_e as unitized_alpha gives
    them (D_o 0 when nobody coded, D_e 0 where undefined)."""
    units = weights @ parts["units"]
    placements = _placements(parts["fits"], weights)
    numerator = (units - 1) / 3 * (weights @ parts["within"]) + placements
    denominator = m * total * (m * total - 1.0) - weights @ parts["squares"]
    with np.errstate(divide="ignore", invalid="ignore"):
        d_o = 2 * (weights @ parts["observed"]) / (m * (m - 1) * total ** 2)
        d_e = 2 / total * numerator / denominator
    defined = (units > 0) & (numerator > 0)
    d_o = np.where(units > 0, d_o, 0.0)
    d_e = np.where(defined, d_e, 0.0)
    with np.errstate(divide="ignore", invalid="ignore"):
        value = np.where(defined, 1 - d_o / d_e, np.nan)
    return value, d_o, d_e


def _percentiles(values: np.ndarray) -> tuple[float, float] | None:
    values = np.sort(values[~np.isnan(values)])
    if len(values) < MIN_DEFINED:
        return None
    return (float(values[int(0.025 * (len(values) - 1))]),
            float(values[int(0.975 * (len(values) - 1))]))
