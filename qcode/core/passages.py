"""A passage told in the researcher's words: the turn it starts in and its first
words, never its offsets ("turn 12, “we never knew who…”", not `[2279, 2466)`)."""

from __future__ import annotations

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
