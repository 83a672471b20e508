"""A passage told in the researcher's words: the turn it starts in and its first
words, never its offsets ("turn 12, “we never knew who…”", not `[2279, 2466)`)."""

from __future__ import annotations

from collections.abc import Sequence

from qcode.core.model import Turn
from qcode.core.spans import turn_at

FIRST_WORDS = 6


def first_words(text: str, start: int, end: int, count: int = FIRST_WORDS) -> str:
    """The passage's first `count` words, with an ellipsis when it goes on."""
    words = text[start:end].split()
    shown = " ".join(words[:count])
    return f"“{shown}…”" if len(words) > count else f"“{shown}”"


def passage(text: str, turns: list[Turn], start: int, end: int,
            count: int = FIRST_WORDS) -> str:
    """"turn 12, “first words…”"; without turns, only the words."""
    turn = turn_at(turns, start)
    words = first_words(text, start, end, count)
    return f"turn {turn.number}, {words}" if turn and turn.number else words


def passage_in(transcript: str, turns: Sequence[Turn], start: int, end: int,
               excerpt: str) -> str:
    """A passage named on its own, wherever it is shown (a memo, an undo, a command's
    output): `p07, turn 12 (Ana): “I reported it to the…”`. `turns` are the
    transcript's turns as the store gives them (numbered), `excerpt` the passage's own
    text (at least its first words); a passage over several turns names them all."""
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
    return f"{where}: {first_words(excerpt, 0, len(excerpt))}"
