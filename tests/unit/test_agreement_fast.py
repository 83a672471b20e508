"""The fast paths of the agreement report against the direct computations they replace,
on random data: the MAXQDA-style segment view (a sweep over sorted boundaries against
comparing every pair of segments) and the bootstrap interval (per-transcript parts
against recomputing unitized alpha on each resampled continuum)."""

from __future__ import annotations

import random

import pytest

from qcode.core.agreement import bootstrap
from qcode.core.agreement.segments import maxqda_view
from qcode.core.agreement.unitized import (merge_overlaps, pooled_unitized_alpha,
                                           unitized_alpha)


def random_spans(rng: random.Random, length: int, count: int) -> list[tuple[int, int]]:
    out = []
    for _ in range(count):
        start = rng.randrange(length - 1)
        out.append((start, rng.randrange(start + 1, min(length, start + 60) + 1)))
    return merge_overlaps(out)


def every_pair(laid, threshold: float) -> dict:
    """The view as first written: each segment against every segment of the other."""
    agreed = checked = 0
    for mine, theirs in ((laid[0], laid[1]), (laid[1], laid[0])):
        for start, end in mine:
            checked += 1
            if any(min(end, e) - max(start, s) >= threshold * (max(end, e) - min(start, s))
                   for s, e in theirs if s < end and start < e):
                agreed += 1
    return {"agreements": agreed, "segments": checked,
            "percentage": agreed / checked if checked else None}


@pytest.mark.parametrize("seed", range(40))
def test_segment_sweep_matches_every_pair(seed):
    rng = random.Random(seed)
    length = rng.choice([50, 300, 2000])
    first = random_spans(rng, length, rng.randrange(0, 30))
    if rng.random() < 0.5:
        # Copies with ends moved a little, as a second coder of the same passages.
        second = merge_overlaps((max(0, s + rng.randint(-3, 3)), min(length, e + rng.randint(-3, 3)))
                                for s, e in first if rng.random() < 0.8)
        second = [(s, e) for s, e in second if s < e]
    else:
        second = random_spans(rng, length, rng.randrange(0, 30))
    for threshold in (0.5, 0.9, 1.0):
        assert maxqda_view([first, second], threshold) == every_pair([first, second], threshold)


def recomputed(laid_by_code, lengths, resamples, seed, joined=False):
    """The interval as first written: unitized alpha on every resampled continuum
    (`joined`: the drawn transcripts as one text, gaps running across their ends)."""
    chooser = random.Random(seed)
    starts = [sum(lengths[:i]) for i in range(len(lengths))]
    per_code = [[] for _ in laid_by_code]
    pooled = []
    for _ in range(resamples):
        picked = [chooser.choice(range(len(lengths))) for _ in lengths]
        new_lengths = [lengths[t] for t in picked]
        at = [sum(new_lengths[:i]) for i in range(len(picked))]
        results = []
        for k, laid in enumerate(laid_by_code):
            moved = [[(a + s - starts[t], a + e - starts[t]) for t, a in zip(picked, at)
                      for s, e in coder if starts[t] <= s < starts[t] + lengths[t]]
                     for coder in laid]
            result = unitized_alpha(moved, sum(new_lengths) if joined else new_lengths)
            results.append(result)
            if result.value is not None:
                per_code[k].append(result.value)
        overall = pooled_unitized_alpha(results)
        if overall.value is not None:
            pooled.append(overall.value)

    def cut(values):
        if len(values) < 20:
            return None
        values = sorted(values)
        return values[int(0.025 * (len(values) - 1))], values[int(0.975 * (len(values) - 1))]
    return [cut(v) for v in per_code], cut(pooled)


def random_study(rng: random.Random) -> tuple[list, list[int]]:
    """Codes x coders x segments on transcripts laid end to end, and their lengths."""
    lengths = [rng.randrange(20, 400) for _ in range(rng.randrange(2, 7))]
    starts = [sum(lengths[:i]) for i in range(len(lengths))]
    coders = rng.choice([2, 3])
    laid_by_code = []
    for _ in range(rng.randrange(1, 4)):
        laid = []
        for _ in range(coders):
            spans = []
            for t, length in enumerate(lengths):
                if rng.random() < 0.3:
                    continue  # nobody's segments of this code here
                spans += [(starts[t] + s, starts[t] + e)
                          for s, e in random_spans(rng, length, rng.randrange(0, 6))]
            laid.append(spans)
        laid_by_code.append(laid)
    return laid_by_code, lengths


@pytest.mark.parametrize("seed", range(8))
def test_bootstrap_parts_match_recomputing(seed):
    laid_by_code, lengths = random_study(random.Random(seed))
    fast = bootstrap.intervals(laid_by_code, lengths, 60, seed)
    slow = recomputed(laid_by_code, lengths, 60, seed)
    assert [c is None for c in fast[0]] == [c is None for c in slow[0]]
    for got, want in zip(fast[0] + [fast[1]], slow[0] + [slow[1]]):
        if want is not None:
            assert got == pytest.approx(want, abs=1e-9)
    assert (fast[1] is None) == (slow[1] is None)


@pytest.mark.parametrize("seed", range(4))
def test_joined_bootstrap_lays_each_resample_out_in_drawn_order(seed):
    laid_by_code, lengths = random_study(random.Random(seed))
    joined = bootstrap.joined_intervals(laid_by_code, lengths, 60, seed)
    assert joined == recomputed(laid_by_code, lengths, 60, seed, joined=True)


@pytest.mark.parametrize("seed", range(30))
def test_character_counts_match_one_unit_per_character(seed):
    from qcode.core.agreement.units import Characters, spans_to_unit_counts
    from qcode.core.spans import units

    rng = random.Random(seed)
    pieces = ["word", " ", "\n", "\u3000", "\x1c", "é", "\U0001F600", "\t\t", "ab"]
    texts = ["".join(rng.choice(pieces) for _ in range(rng.randrange(0, 60)))
             for _ in range(rng.randrange(1, 4))]
    joined = "".join(texts)
    coders = [random_spans(rng, len(joined) + 1, rng.randrange(0, 8))
              if len(joined) > 1 else [] for _ in range(rng.choice([2, 3]))]
    coders = [[(s, min(e, len(joined))) for s, e in c if s < len(joined)] for c in coders]
    want = spans_to_unit_counts(coders, units(joined, [], "character"))
    assert Characters(texts).counts(coders) == want


@pytest.mark.parametrize("seed", range(30))
def test_merged_segments_as_merge_overlaps(seed):
    from qcode.core.agreement.units import merged_segments

    rng = random.Random(seed)
    spans = []
    for _ in range(rng.randrange(0, 25)):
        start = rng.randrange(100)
        spans.append((start, start + rng.randrange(1, 20)))
    assert [tuple(row) for row in merged_segments(spans).tolist()] == merge_overlaps(spans)
