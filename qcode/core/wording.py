"""Sentences a researcher reads: counts ("1 coding", "1,234 codings") and passages named
by transcript, turn and first words rather than by positions in the text."""

from __future__ import annotations

from collections.abc import Sequence

from qcode.core.model import Turn
from qcode.core.spans import turn_at

FIRST_WORDS = 5


def plural(count: int, word: str) -> str:
    """The count with thousands separated and the word in the number it takes."""
    return f"{count:,} {word}{'' if count == 1 else 's'}"


def first_words(text: str, count: int = FIRST_WORDS) -> str:
    """The passage's first words, quoted, with "…" when it goes on."""
    words = text.split()
    shown = " ".join(words[:count])
    return f'"{shown}{"…" if len(words) > count else ""}"'


def passage(transcript: str, turns: Sequence[Turn], start: int, end: int,
            text: str) -> str:
    """Where a passage is, as a researcher finds it again: `p07, turn 12 (Ana): "I
    reported it to…"`. `turns` are the transcript's turns as the store gives them
    (numbered), `text` the passage's own text (at least its first words)."""
    first = turn_at(turns, start)
    last = turn_at(turns, max(start, end - 1))
    where = transcript
    if first is not None and last is not None and first is not last:
        speakers = list(dict.fromkeys(
            t.speaker for t in turns[turns.index(first):turns.index(last) + 1]
            if t.speaker))
        named = f" ({', '.join(speakers)})" if 0 < len(speakers) <= 3 else ""
        where += f", turns {first.number}–{last.number}{named}"
    elif first is not None or last is not None:
        turn = first or last
        where += f", turn {turn.number}" + (f" ({turn.speaker})" if turn.speaker else "")
    return f"{where}: {first_words(text)}"
