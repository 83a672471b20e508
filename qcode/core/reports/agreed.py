"""The agreed version of two coders' codings, as the reports count it.

Resolving a place where two coders differ (qcode.core.agreement.disagreements) writes
codings of the consensus coder there and nowhere else, so the consensus coder's codings
alone are only the resolved places. The agreed version of coders A and B is, per transcript and
code:

    (what both A and B coded, outside the places resolved) ∪ (the consensus codings)

Outside every place of difference the two coders coded alike, so that is their common
coding; in a resolved place the resolution replaces what they did (even where it keeps
less than both coded); in a place not resolved yet only what both coded is kept.

Vectorised over numpy arrays, because it runs over every coding of two coders; the
places are those of `disagreements.compare`, which the tests hold it to."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

# A resolved place weighs more than both coders together in the sweep below, so a
# stretch counts as "both coded" only where no resolved place lies over it.
RESOLVED_WEIGHT = 4


@dataclass(frozen=True)
class Agreed:
    spans: np.ndarray          # (transcript, code, start, end) rows, sorted, disjoint
    places: int                # places where the two coders differ
    unresolved: int            # of those, the ones no resolution matches


def runs(key: np.ndarray, start: np.ndarray, end: np.ndarray, touching: bool
         ) -> np.ndarray:
    """Where each run of overlapping spans opens, in spans sorted by (key, start): the
    indices of the first span of each run. `touching`: whether spans that only touch
    ([0, 5) and [5, 9)) are one run."""
    if not len(key):
        return np.zeros(0, dtype=np.int64)
    first = np.ones(len(key), dtype=bool)
    first[1:] = key[1:] != key[:-1]
    # The furthest end so far within each key: each key's ends are lifted above every
    # earlier key's, so one running maximum serves them all.
    lift = (np.cumsum(first) - 1) * (int(end.max()) + 1)
    reach = np.maximum.accumulate(lift + end) - lift
    opens = first.copy()
    if touching:
        opens[1:] |= start[1:] > reach[:-1]
    else:
        opens[1:] |= start[1:] >= reach[:-1]
    return np.flatnonzero(opens)


def _joined(key, start, end, touching: bool):
    """Spans sorted by (key, start) with each run of overlapping ones made one."""
    at = runs(key, start, end, touching)
    if not len(at):
        return key, start, end
    return key[at], start[at], np.maximum.reduceat(end, at)


def agreed(first: np.ndarray, second: np.ndarray, resolved: np.ndarray) -> Agreed:
    """`first`, `second`: each coder's (transcript, code, start, end) rows, any order;
    `resolved`: the (transcript, code, start, end) of each resolved place."""
    rows = [np.asarray(r, dtype=np.int64).reshape(-1, 4) for r in (first, second, resolved)]
    width = max([int(r[:, 1].max()) + 1 for r in rows if len(r)] + [1])
    merged = []
    for r in rows[:2]:
        key = r[:, 0] * width + r[:, 1]
        order = np.lexsort((r[:, 2], key))
        # Each coder's own spans joined as disagreements.merged joins them (touching
        # too), so a coder counts at most once at any point of the sweep.
        merged.append(_joined(key[order], r[order, 2], r[order, 3], touching=True))
    places, unresolved = _places(merged, rows[2], width)
    # A sweep over the boundaries: +1 where a coder's span opens, -1 where it closes,
    # RESOLVED_WEIGHT for a resolved place. Between two boundaries the sum is 2 exactly
    # where both coders coded and no resolved place lies.
    r = rows[2]
    keys = [m[0] for m in merged] + [r[:, 0] * width + r[:, 1]]
    starts = [m[1] for m in merged] + [r[:, 2]]
    ends = [m[2] for m in merged] + [r[:, 3]]
    weights = [1, 1, RESOLVED_WEIGHT]
    key = np.concatenate([np.concatenate([k, k]) for k in keys])
    where = np.concatenate([np.concatenate([s, e]) for s, e in zip(starts, ends)])
    step = np.concatenate([np.concatenate([np.full(len(s), w), np.full(len(s), -w)])
                           for s, w in zip(starts, weights)])
    order = np.lexsort((where, key))
    key, where, depth = key[order], where[order], np.cumsum(step[order])
    both = np.flatnonzero((depth[:-1] == 2) & (key[:-1] == key[1:])
                          & (where[1:] > where[:-1]))
    piece_key, piece_start, piece_end = _joined(key[both], where[both], where[both + 1],
                                                touching=True)
    spans = np.column_stack([piece_key // width, piece_key % width, piece_start,
                             piece_end]).astype(np.int64).reshape(-1, 4)
    return Agreed(spans, places, unresolved)


def _places(merged, resolved: np.ndarray, width: int) -> tuple[int, int]:
    """The places where the two coders differ, as `disagreements.compare` finds them:
    each stretch of the union of their spans (touching ones joined) is a place unless
    each coder has exactly one span there and the two are the same; and how many of
    those no resolution names."""
    key = np.concatenate([merged[0][0], merged[1][0]])
    start = np.concatenate([merged[0][1], merged[1][1]])
    end = np.concatenate([merged[0][2], merged[1][2]])
    if not len(key):
        return 0, 0
    who = np.concatenate([np.zeros(len(merged[0][0]), dtype=np.int64),
                          np.ones(len(merged[1][0]), dtype=np.int64)])
    order = np.lexsort((start, key))
    key, start, end, who = key[order], start[order], end[order], who[order]
    at = runs(key, start, end, touching=True)
    low, high = start[at], np.maximum.reduceat(end, at)
    seconds = np.add.reduceat(who, at)
    spans = np.diff(np.append(at, len(key)))
    length = np.add.reduceat(end - start, at)
    # One span each, and their lengths add up to twice the stretch: both are the stretch.
    same = (spans == 2) & (seconds == 1) & (length == 2 * (high - low))
    differ = ~same
    named = set(map(tuple, resolved.tolist()))
    if not named:
        return int(differ.sum()), int(differ.sum())
    found = sum(1 for k, s, e in zip(key[at][differ].tolist(), low[differ].tolist(),
                                     high[differ].tolist())
                if (k // width, k % width, s, e) in named)
    return int(differ.sum()), int(differ.sum()) - found
