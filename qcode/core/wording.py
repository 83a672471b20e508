"""Counts in sentences a researcher reads: "1 coding", "1,234 codings"."""

from __future__ import annotations


def plural(count: int, word: str) -> str:
    """The count with thousands separated and the word in the number it takes."""
    return f"{count:,} {word}{'' if count == 1 else 's'}"
