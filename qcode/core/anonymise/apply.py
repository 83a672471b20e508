"""Replacing identifiers: build the new text and carry every position across.

Replacement only touches the matched spans; everything between them is copied as it
was. Positions (turn boundaries, codings) move by the length changes before them; a
position inside a replaced span moves to that span's start (for a start) or end (for an
end), so a coding that covered a name covers its pseudonym.
"""

from __future__ import annotations

import bisect
from dataclasses import dataclass, replace

from qcode.core.model import Transcript, Turn


@dataclass(frozen=True)
class Replacement:
    start: int
    end: int
    new: str


class PositionMap:
    """Maps positions in the old text to positions in the new one."""

    def __init__(self, replacements: list[Replacement]):
        self._starts = [r.start for r in replacements]
        self._replacements = replacements
        self._shift_after: list[int] = []  # total shift once past replacement i
        shift = 0
        for r in replacements:
            shift += len(r.new) - (r.end - r.start)
            self._shift_after.append(shift)

    def _locate(self, position: int) -> tuple[int, int]:
        """(index of the last replacement starting at or before position, shift before it)"""
        i = bisect.bisect_right(self._starts, position) - 1
        before = self._shift_after[i - 1] if i >= 1 else 0
        return i, before

    def start(self, position: int) -> int:
        i, before = self._locate(position)
        if i < 0:
            return position
        r = self._replacements[i]
        if position < r.end:
            return r.start + before  # inside (or at the start of) a replaced span
        return position + self._shift_after[i]

    def end(self, position: int) -> int:
        i, before = self._locate(position - 1)
        if i < 0:
            return position
        r = self._replacements[i]
        if position <= r.end:
            return r.start + before + len(r.new)  # inside: take the whole pseudonym
        return position + self._shift_after[i]


def apply_replacements(text: str, replacements: list[Replacement]) -> str:
    parts, at = [], 0
    for r in replacements:
        if r.start < at:
            raise ValueError("replacements overlap")
        parts.append(text[at:r.start])
        parts.append(r.new)
        at = r.end
    parts.append(text[at:])
    return "".join(parts)


def anonymise_parsed(parsed: Transcript, replacements: list[Replacement],
                     speaker_names: dict[str, str] | None = None) -> Transcript:
    """A new Transcript with replaced text and turns carried across. A speaker
    whose label stands in the text is renamed exactly as its label was replaced there,
    so labels and text always agree; other speakers go through `speaker_names`."""
    replacements = sorted(replacements, key=lambda r: r.start)
    mapping = PositionMap(replacements)
    text = apply_replacements(parsed.text, replacements)
    turns = []
    for t in parsed.turns:
        speaker = t.speaker
        label_start = t.label_start
        if speaker is not None and label_start is not None:
            label_end = label_start + len(speaker)
            label_start = mapping.start(label_start)
            if parsed.text[t.label_start:label_end] == speaker:
                speaker = text[label_start:mapping.end(label_end)]
            else:
                speaker = (speaker_names or {}).get(speaker, speaker)
        elif speaker is not None:
            speaker = (speaker_names or {}).get(speaker, speaker)
        turns.append(Turn(speaker, mapping.start(t.start), mapping.end(t.end), label_start,
                          t.begin_time, t.end_time))
    return replace(parsed, text=text, turns=turns)
