"""Positions in a transcript: lines, words, sentences, turns, and which coded spans
touch each line. Pure functions over the stored text (code-point offsets)."""

from __future__ import annotations

import bisect
import re
from collections import defaultdict
from collections.abc import Iterable, Sequence

from qcode.core.model import Coding, Turn

WORD = re.compile(r"\w+(?:['’]\w+)*")
# A sentence ends at . ! ? or … (with closing quotes/brackets) followed by a space,
# or at a line end; "Mr." and "D.S." are rare enough in transcripts to accept.
SENTENCE_END = re.compile(r"[.!?…]+[\"'”’)\]]*(?=\s)|\n")


class Lines:
    """Maps text offsets to (line, column) and back in O(log n)."""

    def __init__(self, text: str):
        self.text = text
        self.starts = [0] + [m.end() for m in re.finditer("\n", text)]

    def __len__(self) -> int:
        return len(self.starts)

    def location(self, offset: int) -> tuple[int, int]:
        row = bisect.bisect_right(self.starts, offset) - 1
        return row, offset - self.starts[row]

    def offset(self, row: int, column: int) -> int:
        return self.starts[row] + column

    def end_of(self, row: int) -> int:
        """Offset just past the last character of the line (before its newline)."""
        return self.starts[row + 1] - 1 if row + 1 < len(self.starts) else len(self.text)


def word_at(text: str, offset: int) -> tuple[int, int]:
    """The word under or just before `offset`; an empty span where there is none."""
    for match in WORD.finditer(text, max(0, offset - 64), min(len(text), offset + 64)):
        if match.start() <= offset <= match.end():
            return match.start(), match.end()
    return offset, offset


def turn_at(turns: Sequence[Turn], offset: int) -> Turn | None:
    """The turn holding `offset`, or the one whose speaker label holds it."""
    starts = [t.label_start if t.label_start is not None else t.start
              for t in turns]
    index = bisect.bisect_right(starts, offset) - 1
    if index < 0:
        return None
    turn = turns[index]
    return turn if offset <= turn.end else None


def sentence_at(text: str, turns: Sequence[Turn], offset: int) -> tuple[int, int]:
    """The sentence holding `offset`, never reaching outside its turn (or, outside any
    turn, its line); leading spaces are left out."""
    turn = turn_at(turns, offset)
    if turn is not None:
        low, high = turn.start, turn.end
        offset = max(offset, low)
    else:
        low = text.rfind("\n", 0, offset) + 1
        high = text.find("\n", offset)
        high = len(text) if high < 0 else high
    start = low
    for match in SENTENCE_END.finditer(text, low, high):
        if match.end() > offset:
            end = match.end()
            break
        start = match.end()
    else:
        end = high
    return _trimmed(text, start, end)


def covering(codings: Iterable[Coding], offset: int) -> list[Coding]:
    """Codings whose span holds `offset`, shortest first (the innermost is on top)."""
    found = [c for c in codings if c.start <= offset < c.end]
    return sorted(found, key=lambda c: c.end - c.start)


def by_line(codings: Iterable[Coding], lines: Lines
            ) -> dict[int, list[tuple[int, int, Coding]]]:
    """For each line, the (start column, end column, coding) pieces drawn on it."""
    index: dict[int, list[tuple[int, int, Coding]]] = defaultdict(list)
    for coding in codings:
        first, first_column = lines.location(coding.start)
        last, last_column = lines.location(coding.end)
        for row in range(first, last + 1):
            start = first_column if row == first else 0
            end = last_column if row == last else lines.end_of(row) - lines.starts[row]
            if end > start:
                index[row].append((start, end, coding))
    return index


UNITS = ("character", "word", "sentence", "turn")


def units(text: str, turns: Sequence[Turn], unit: str) -> list[tuple[int, int]]:
    """The given units of a transcript for agreement on units, in text order: each
    word, each sentence (inside turns), each turn's utterance, or each character that
    is not white space."""
    if unit == "character":
        return [(i, i + 1) for i, ch in enumerate(text) if not ch.isspace()]
    if unit == "word":
        return [m.span() for m in WORD.finditer(text)]
    if unit == "turn":
        return [(t.start, t.end) for t in turns if t.end > t.start]
    if unit == "sentence":
        out = []
        stretches = [(t.start, t.end) for t in turns] or [(0, len(text))]
        for low, high in stretches:
            start = low
            for match in SENTENCE_END.finditer(text, low, high):
                out.append(_trimmed(text, start, match.end()))
                start = match.end()
            out.append(_trimmed(text, start, high))
        return [span for span in out if span[1] > span[0]]
    raise ValueError(f"unknown unit '{unit}'; use one of {', '.join(UNITS)}")


def _trimmed(text: str, start: int, end: int) -> tuple[int, int]:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return start, end
