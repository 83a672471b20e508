"""The coding margin: one stripe column per code beside the text, so every coding can
be seen at a glance. Pure layout over rendered rows; the interface decides how the
stripes and labels are drawn.

A "row" is one rendered line of the transcript (a soft-wrapped line gives several);
`row_starts` lists the text offset each row begins at, in order, the first being 0.
"""

from __future__ import annotations

import bisect
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import NamedTuple


class Run(NamedTuple):
    """Rows `first` to `last` (inclusive) on which a code has a coding. (A named tuple:
    a layout makes one per coding on every change, and tuples are quick to make.)"""

    code_id: int
    first: int
    last: int


@dataclass
class MarginLayout:
    """Which code each stripe column shows on each row, and where labels go."""

    columns: int = 0
    column_of: dict[int, int] = field(default_factory=dict)
    # Per column, its runs in row order (they never overlap) and their first rows.
    runs: list[list[Run]] = field(default_factory=list)
    firsts: list[list[int]] = field(default_factory=list)
    # Row -> the codes whose label is drawn on that row, in column order.
    labels: dict[int, list[int]] = field(default_factory=dict)

    def stripes(self, row: int) -> list[int | None]:
        """The code drawn in each column on `row`, None where the column is empty."""
        drawn: list[int | None] = []
        for runs, firsts in zip(self.runs, self.firsts):
            index = bisect.bisect_right(firsts, row) - 1
            drawn.append(runs[index].code_id
                         if index >= 0 and runs[index].last >= row else None)
        return drawn


def row_of(row_starts: Sequence[int], offset: int) -> int:
    return max(0, bisect.bisect_right(row_starts, offset) - 1)


def code_runs(codings: Iterable[tuple[int, int, int]],
              row_starts: Sequence[int]) -> dict[int, list[Run]]:
    """Each code's runs of rows: its codings as rows, joined where they share a row
    (one stripe, one label)."""
    rows: dict[int, list[tuple[int, int]]] = defaultdict(list)
    find = bisect.bisect_right
    for code_id, start, end in codings:
        if end > start:
            rows[code_id].append((max(0, find(row_starts, start) - 1),
                                  max(0, find(row_starts, end - 1) - 1)))
    runs: dict[int, list[Run]] = {}
    for code_id, spans in rows.items():
        spans.sort()
        joined = [list(spans[0])]
        for first, last in spans[1:]:
            if first <= joined[-1][1]:
                joined[-1][1] = max(joined[-1][1], last)
            else:
                joined.append([first, last])
        runs[code_id] = [Run(code_id, first, last) for first, last in joined]
    return runs


def layout_margin(codings: Iterable[tuple[int, int, int]], row_starts: Sequence[int],
                  max_columns: int | None = None) -> MarginLayout:
    """Give each code of `codings` ((code id, start, end) spans) one column, the
    lowest where none of its rows meets another code's, so codings that overlap stand
    side by side.

    Codes are placed in the order they first appear (at a tie, the longer run first,
    so a parent coding sits left of the codings nested in it), which keeps a code's
    column independent of the order codings were given in and, for codes coded once,
    uses the fewest columns possible. With `max_columns`, codes that find no free
    column share the last one rather than vanish."""
    runs = code_runs(codings, row_starts)
    order = sorted(runs, key=lambda c: (runs[c][0].first, -runs[c][0].last, c))
    layout = MarginLayout()
    for code_id in order:
        column = _free_column(layout, runs[code_id], max_columns)
        if column == layout.columns:
            layout.columns += 1
            layout.runs.append([])
            layout.firsts.append([])
        layout.column_of[code_id] = column
        for run in runs[code_id]:
            _put(layout, column, run)
    _place_labels(layout, runs)
    return layout


def add_coding(layout: MarginLayout, code_id: int, start: int, end: int,
               row_starts: Sequence[int]) -> None:
    """Add one coding to `layout` where it stands, without laying the rest out again:
    every other code keeps its column, so the margin does not shift as the
    researcher codes. The coding goes in its code's column, joining the code's runs it
    meets; where another code stands there on its rows, in the lowest column free on
    them (a new one if none is), labelled there."""
    if end <= start:
        return
    run = Run(code_id, row_of(row_starts, start), row_of(row_starts, end - 1))
    column = layout.column_of.get(code_id)
    if column is not None and _meets(layout, column, run):
        if _join(layout, column, run):
            return
        column = None  # another code stands in its column on these rows
    if column is None:
        column = _free_column(layout, [run], None)
        if column == layout.columns:
            layout.columns += 1
            layout.runs.append([])
            layout.firsts.append([])
        layout.column_of.setdefault(code_id, column)
    _put(layout, column, run)
    row = next((r for r in range(run.first, run.last + 1) if r not in layout.labels),
               run.first)
    layout.labels.setdefault(row, []).append(code_id)


def _join(layout: MarginLayout, column: int, run: Run) -> bool:
    """Join `run` to the runs of its own code it meets (coding the next sentence with
    the same code); their labels stay. False if it meets another code's run."""
    firsts, placed = layout.firsts[column], layout.runs[column]
    low = bisect.bisect_left([r.last for r in placed], run.first)
    high = bisect.bisect_right(firsts, run.last)
    met = placed[low:high]
    if any(r.code_id != run.code_id for r in met):
        return False
    joined = Run(run.code_id, min(run.first, met[0].first), max(run.last, met[-1].last))
    firsts[low:high] = [joined.first]
    placed[low:high] = [joined]
    return True


def _free_column(layout: MarginLayout, runs: list[Run], max_columns: int | None) -> int:
    for column in range(layout.columns):
        if not any(_meets(layout, column, run) for run in runs):
            return column
    if max_columns is not None and layout.columns >= max_columns:
        return max_columns - 1
    return layout.columns


def _meets(layout: MarginLayout, column: int, run: Run) -> bool:
    firsts, placed = layout.firsts[column], layout.runs[column]
    index = bisect.bisect_right(firsts, run.last) - 1
    return index >= 0 and placed[index].last >= run.first


def _put(layout: MarginLayout, column: int, run: Run) -> None:
    """Place `run` in the rows of `column` still free (all of them, unless the column
    is the shared last one)."""
    firsts, placed = layout.firsts[column], layout.runs[column]
    first = run.first
    index = bisect.bisect_right(firsts, first) - 1
    if (index < 0 or placed[index].last < first) and (
            index + 1 == len(placed) or placed[index + 1].first > run.last):
        firsts.insert(index + 1, first)  # the usual case: all its rows are free
        placed.insert(index + 1, run)
        return
    if index >= 0 and placed[index].last >= first:
        first = placed[index].last + 1
    index += 1
    while first <= run.last:
        last = run.last if index == len(placed) else min(run.last, placed[index].first - 1)
        if last >= first:
            firsts.insert(index, first)
            placed.insert(index, Run(run.code_id, first, last))
            index += 1
        if index == len(placed) or last == run.last:
            break
        first = placed[index].last + 1
        index += 1


def _place_labels(layout: MarginLayout, runs: dict[int, list[Run]]) -> None:
    """A run's label goes on its first row, or the next row of the run that has no
    label yet, so labels starting together stack downwards while their runs last (the
    shortest run first, as it has the fewest rows to spare)."""
    every = sorted((run.first, run.last, layout.column_of[run.code_id], run.code_id, run)
                   for code_runs_ in runs.values() for run in code_runs_)
    for *_, run in every:
        row = next((r for r in range(run.first, run.last + 1) if r not in layout.labels),
                   run.first)
        layout.labels.setdefault(row, []).append(run.code_id)
