"""Plain text (.txt) and Markdown (.md) transcripts: the text is kept verbatim and a turn
starts at each speaker label or heading (`Interviewer:`, `P03:`, `**Dr. Jane Doe:**`,
`Jane Doe  0:04`, `### Jane Doe`, ...; see speakers.py) and runs to the next one.
"""

from __future__ import annotations

import re
from pathlib import Path

from qcode.core.importers.base import read_text_file
from qcode.core.model import Transcript, Turn
from qcode.core.importers.speakers import find_heads

def strip_span(text: str, start: int, end: int) -> tuple[int, int]:
    """[start, end) narrowed so it neither begins nor ends with whitespace; an empty
    span stays at `start`, right after its label."""
    chunk = text[start:end]
    stripped = chunk.lstrip()
    if stripped:
        start += len(chunk) - len(stripped)
    return start, start + len(stripped.rstrip())


def parse_plain(path: Path, speaker_pattern: re.Pattern | None = None) -> Transcript:
    text, encoding, warnings = read_text_file(path)
    turns, notes = turns_and_notes(text, speaker_pattern)
    return Transcript(name=path.stem, source_format=path.suffix.lower()[1:],
                      text=text, turns=turns, encoding=encoding,
                      warnings=warnings + notes)


def turns_in(text: str, speaker_pattern: re.Pattern | None = None) -> list[Turn]:
    """The turns of a text, found from its speaker labels; the text is not changed (so a
    text that came from another tool keeps every position its codings refer to)."""
    return turns_and_notes(text, speaker_pattern)[0]


def turns_and_notes(text: str, speaker_pattern: re.Pattern | None = None
                    ) -> tuple[list[Turn], list[str]]:
    layout = find_heads(text, speaker_pattern)
    heads = layout.heads
    turns = []
    header = strip_span(text, 0, heads[0].at if heads else len(text))
    if header[0] < header[1]:
        turns.append(Turn(None, *header))
    for head, following in zip(heads, heads[1:] + [None]):
        start, end = strip_span(text, head.end, following.at if following else len(text))
        if head.speaker is None and start == end:
            continue  # a bare time or footer mark with nothing under it
        turns.append(Turn(head.speaker, start, end, head.label_start, head.time))
    return turns, layout.notes
