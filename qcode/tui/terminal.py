"""The one place where the terminal app makes user text safe: every line every widget
draws passes through `TerminalSafe`, so an escape sequence in a transcript, a file
name, a code name or a notification shows as \\x1b... and is never written raw to the
terminal, whichever widget shows it (DESIGN.md, invariant 5: user text is data)."""

from __future__ import annotations

from rich.segment import Segment
from textual.color import Color
from textual.filter import LineFilter

from qcode.core.text import TERMINAL_UNSAFE, terminal_safe


class TerminalSafe(LineFilter):
    """Writes out what a terminal would obey (core/text.terminal_safe), keeping the
    line's width: the escape's extra cells push the rest of that line right and what
    passes the edge is cut, as a line drawn too long is."""

    def apply(self, segments: list[Segment], background: Color) -> list[Segment]:
        # Nearly every line has nothing to write out: one search of the whole line
        # finds that, without remaking each of its segments.
        if not TERMINAL_UNSAFE.search("".join(segment.text for segment in segments)):
            return segments
        shown = [segment if segment.control else
                 Segment(terminal_safe(segment.text), segment.style)
                 for segment in segments]
        if all(a.text == b.text for a, b in zip(segments, shown)):
            return segments
        return list(Segment.adjust_line_length(shown, Segment.get_line_length(segments)))


# One instance: Textual caches each line's filtered form by filter.
TERMINAL_SAFE = TerminalSafe()
