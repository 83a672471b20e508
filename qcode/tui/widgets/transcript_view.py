"""The transcript being coded: a read-only TextArea (cursor, shift-selection and mouse
drag come with it) whose lines are painted with the codings on them.

Coded spans are drawn from a per-line index rebuilt only when the codings change; the
TextArea renders just the lines on screen, so a 50,000-word transcript costs no more to
draw than a short one.
"""

from __future__ import annotations

from rich.style import Style
from rich.text import Text
from textual.widgets import TextArea
from textual.widgets.text_area import Selection

from qcode.core.model import Code, Coding, Turn
from qcode.core.spans import Lines, by_line

PALETTE = ("#4E79A7", "#F28E2B", "#E15759", "#76B7B2", "#59A14F", "#EDC948", "#B07AA1",
           "#FF9DA7", "#9C755F", "#BAB0AC")


def code_colour(code: Code) -> str:
    return code.colour or PALETTE[code.id % len(PALETTE)]


def readable_on(colour: str) -> str:
    """Black or white text, whichever reads better on `colour`."""
    red, green, blue = (int(colour[i:i + 2], 16) for i in (1, 3, 5))
    return "black" if 0.299 * red + 0.587 * green + 0.114 * blue > 150 else "white"


class TranscriptView(TextArea):
    """Text offsets in and out of this widget are code points in the stored text."""

    def __init__(self, **kwargs):
        super().__init__("", read_only=True, soft_wrap=True, show_line_numbers=False,
                         highlight_cursor_line=False, **kwargs)
        self.lines = Lines("")
        self._labels: dict[int, list[tuple[int, int]]] = {}
        self._pieces: dict[int, list[tuple[int, int, Coding]]] = {}
        self._styles: dict[int, tuple[Style, Style]] = {}
        self._mine = ""  # the coder whose codings are painted as a background

    def show_transcript(self, text: str, turns: list[Turn]) -> None:
        self.lines = Lines(text)
        self._labels = {}
        for turn in turns:
            if turn.label_start is not None:
                row, column = self.lines.location(turn.label_start)
                self._labels.setdefault(row, []).append(
                    (column, column + turn.start - turn.label_start))
        self._pieces = {}
        self.load_text(text)

    def forget_colours(self) -> None:
        """The codebook changed: styles are rebuilt as codings are next shown."""
        self._styles = {}

    def show_codings(self, codings: list[Coding], codes: dict[int, Code],
                     mine: str) -> None:
        """Paint `codings`: this coder's as a background in the code's colour, other
        coders' (when shown) as underlined text in it."""
        for code_id in {c.code_id for c in codings} - set(self._styles):
            colour = code_colour(codes[code_id])
            self._styles[code_id] = (
                Style(bgcolor=colour, color=readable_on(colour)),
                Style(color=colour, underline=True),
            )
        self._mine = mine
        self._pieces = by_line(codings, self.lines)
        self._line_cache.clear()  # TextArea caches painted lines; the paint changed
        self.refresh()

    def get_line(self, line_index: int) -> Text:
        line = super().get_line(line_index)
        for start, end in self._labels.get(line_index, ()):
            line.stylize("bold", start, end)
        pieces = self._pieces.get(line_index)
        if pieces:
            # Longest first, so a shorter (inner) coding is painted over a longer one;
            # where codings overlap the text is also drawn bold to show it.
            pieces = sorted(pieces, key=lambda p: p[0] - p[1])
            for start, end, coding in pieces:
                mine, others = self._styles.get(coding.code_id, (Style(), Style()))
                line.stylize(mine if coding.coder_name == self._mine else others, start, end)
            for i, (start, end, _) in enumerate(pieces):
                for other_start, other_end, _ in pieces[i + 1:]:
                    low, high = max(start, other_start), min(end, other_end)
                    if low < high:
                        line.stylize("bold", low, high)
        return line

    # -- offsets -----------------------------------------------------------------------

    @property
    def cursor_offset(self) -> int:
        return self.lines.offset(*self.cursor_location)

    def selected_span(self) -> tuple[int, int]:
        start, end = sorted(self.selection)
        return self.lines.offset(*start), self.lines.offset(*end)

    def select_span(self, start: int, end: int) -> None:
        self.selection = Selection(self.lines.location(start), self.lines.location(end))
        self.scroll_cursor_visible(center=True)

    def move_to(self, offset: int) -> None:
        self.select_span(offset, offset)

    # With a selection, TextArea's Left and Right jump to the selection's far edge (an
    # editor's habit): after `t` the cursor is drawn at the turn's end, so Left put it
    # at the turn's start and `s` took the first sentence. Here they move the drawn
    # cursor one character, as they do without a selection.
    def action_cursor_left(self, select: bool = False) -> None:
        self.move_cursor(self.get_cursor_left_location(), select=select)

    def action_cursor_right(self, select: bool = False) -> None:
        self.move_cursor(self.get_cursor_right_location(), select=select)

    # TextArea binds ctrl+z / ctrl+y to its own (text) undo: here they mean the
    # project's undo, which the screen owns.
    def action_undo(self) -> None:
        self.screen.run_action("undo")

    def action_redo(self) -> None:
        self.screen.run_action("redo")
