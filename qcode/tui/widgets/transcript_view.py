"""The transcript being coded: a read-only TextArea (cursor, shift-selection and mouse
drag come with it) whose lines are painted with the codings on them, and a margin
beside the text with one stripe per code.

Coded spans are drawn from a per-line index rebuilt only when the codings change; the
TextArea renders just the lines on screen, so a 50,000-word transcript costs no more to
draw than a short one. The margin is the TextArea's gutter (where line numbers would
go), so the text wraps, scrolls and takes mouse clicks beside it as it would beside
line numbers; its layout (`core.margin`) is rebuilt when the codings or the wrapping
change.
"""

from __future__ import annotations

from collections import Counter
from functools import lru_cache
from typing import NamedTuple

from rich.cells import cell_len, set_cell_size
from rich.segment import Segment
from rich.style import Style
from rich.text import Text
from textual.document._document import Document
from textual.document._document_navigator import DocumentNavigator
from textual.strip import Strip
from textual.widgets import TextArea
from textual.widgets.text_area import Selection

from qcode.core.colours import PALETTE, distinct_colours
from qcode.core.margin import MarginLayout, add_coding, layout_margin, row_of
from qcode.core.model import Code, Coding, Turn
from qcode.core.spans import Lines, by_line
from qcode.tui.widgets.wrapping import QuickWrappedDocument

STRIPE = "┃"
# Labels: a code's name where the view is wide; its key (or its name's start) at 80
# columns, where the text needs the room. Stripes are never dropped.
WIDE_VIEW, WIDE_LABEL, NARROW_LABEL = 90, 14, 3
# Room for this many stripes at least, so the second overlapping code does not make
# the whole transcript wrap again.
MIN_STRIPES = 2
NO_STYLES = (Style(),) * 3


def code_colour(code: Code) -> str:
    return code.colour or PALETTE[code.id % len(PALETTE)]


def readable_on(colour: str) -> str:
    """Black or white text, whichever reads better on `colour`."""
    red, green, blue = (int(colour[i:i + 2], 16) for i in (1, 3, 5))
    return "black" if 0.299 * red + 0.587 * green + 0.114 * blue > 150 else "white"


@lru_cache(maxsize=256)
def code_styles(colour: str) -> tuple[Style, Style, Style]:
    """How a code in `colour` is drawn: this coder's codings (a background), other
    coders' (underlined), its stripe and label. By colour, as codes share a few dozen
    colours: a transcript's 500 codes made 1,500 styles on opening."""
    return (Style(bgcolor=colour, color=readable_on(colour)),
            Style(color=colour, underline=True),
            Style(color=colour, bold=True))


def _within(span: tuple[int, int, int], outer: tuple[int, int, int]) -> bool:
    """Of the same code, and inside `outer`."""
    return span[0] == outer[0] and outer[1] <= span[1] and span[2] <= outer[2]


def _look(coding: Coding) -> tuple[int, int, int, str]:
    """What is drawn of a coding."""
    return coding.start, coding.end, coding.code_id, coding.coder_name


class Prepared(NamedTuple):
    """What showing a transcript works out from its text, turns and codings alone:
    pure data, so it can be made off the UI's thread, with the read."""

    lines: Lines
    labels: dict[int, list[tuple[int, int]]]  # line -> the speaker labels' columns
    codings: list[Coding]
    pieces: dict[int, list[tuple[int, int, Coding]]]  # `by_line` of the codings


def prepare(text: str, turns: list[Turn], codings: list[Coding] = ()) -> Prepared:
    lines = Lines(text)
    labels: dict[int, list[tuple[int, int]]] = {}
    for turn in turns:
        if turn.label_start is not None:
            row, column = lines.location(turn.label_start)
            labels.setdefault(row, []).append(
                (column, column + turn.start - turn.label_start))
    return Prepared(lines, labels, list(codings), by_line(codings, lines))


class TranscriptView(TextArea):
    """Text offsets in and out of this widget are code points in the stored text."""

    def __init__(self, **kwargs):
        # Set before TextArea's own set-up, which already wraps (and so lays out).
        self.lines = Lines("")
        self.margin_shown = True
        self._margin = MarginLayout()
        self._margin_spans: list[tuple[int, int, int]] = []
        self._rows: list[int] = [0]  # the text offset each wrapped row starts at
        self._stripes = MIN_STRIPES
        self._label_width = NARROW_LABEL
        self._wrapped_as: tuple[object, int, int] | None = None  # document, width, tabs
        self._codes: dict[int, Code] = {}
        self._colours: dict[int, str] = {}
        super().__init__("", read_only=True, soft_wrap=True, show_line_numbers=False,
                         highlight_cursor_line=False, **kwargs)
        self._labels: dict[int, list[tuple[int, int]]] = {}
        self._pieces: dict[int, list[tuple[int, int, Coding]]] = {}
        self._shown: list[Coding] = []  # the codings the pieces are of
        self._ready: Prepared | None = None  # its pieces, until the codings are shown
        self._styles: dict[int, tuple[Style, Style, Style]] = {}
        self._mine = ""  # the coder whose codings are painted as a background

    def show_transcript(self, text: str, turns: list[Turn],
                        codings: list[Coding] = (), ready: Prepared | None = None) -> None:
        """Show the text; `codings`, when known, let the margin take its width before
        the text is wrapped (once). `ready`: `prepare` of these, when made ahead."""
        ready = ready or prepare(text, turns, codings)
        self.lines, self._labels = ready.lines, ready.labels
        self._pieces = {}
        self._shown = []
        self._ready = ready
        self._margin_spans = [(c.code_id, c.start, c.end) for c in codings]
        self.load_text(text)

    def _set_document(self, text: str, language: str | None) -> None:
        """TextArea's own, for plain text (the view never highlights syntax), with the
        quick wrap (`wrapping`)."""
        self._highlight_query = None
        self._document_text = text
        self.document = Document(text)
        self.wrapped_document = QuickWrappedDocument(self.document,
                                                     tab_width=self.indent_width)
        self.navigator = DocumentNavigator(self.wrapped_document)
        self._build_highlight_map()
        self.move_cursor((0, 0))
        if self.document.line_count > self.scrollable_content_region.height:
            # It will scroll: the scrollbar is shown first (which wraps the text, at the
            # width beside it), not after wrapping the text, which would narrow it and
            # wrap it all again.
            self.show_vertical_scrollbar = True
        self._rewrap_and_refresh_virtual_size()

    @property
    def text(self) -> str:
        """The text shown. TextArea's joins every line of the document to answer, and
        asks on every row it draws (for a placeholder): 38 joins of the transcript a
        frame. The view is read-only and its document only ever replaced whole
        (`_set_document`), so the text it was made from is the text."""
        return self._document_text

    @text.setter
    def text(self, value: str) -> None:
        self.load_text(value)

    def forget_colours(self, colours: dict[int, str] | None = None) -> None:
        """The codebook changed: styles are rebuilt as codings are next shown, in
        `colours` (the codes' distinct colours) when given, else worked out then."""
        self._styles = {}
        self._colours = dict(colours or {})

    def colour_of(self, code: Code) -> str:
        return self._colours.get(code.id) or code_colour(code)

    def show_codings(self, codings: list[Coding], codes: dict[int, Code],
                     mine: str) -> None:
        """Paint `codings`: this coder's as a background in the code's colour, other
        coders' (when shown) as underlined text in it; each code's stripe in the
        margin. Colours differ between siblings and from the parent."""
        self._codes = codes
        if not self._colours:
            self._colours = distinct_colours(codes.values())
        for code_id in {c.code_id for c in codings} - set(self._styles):
            self._styles[code_id] = code_styles(self.colour_of(codes[code_id]))
        self._mine = mine
        span = self._update_pieces(codings)
        spans = [(c.code_id, c.start, c.end) for c in codings]
        if spans != self._margin_spans:  # (on opening, laid out as the text was wrapped)
            if self._show_margin_spans(spans) is None:
                span = None
        if span is None:
            self._line_cache.clear()
            self.refresh()
        else:  # the margin changed within the rows of the codings that changed
            self._repaint_rows(row_of(self._rows, span[0]),
                               row_of(self._rows, max(span[0], span[1] - 1)))

    def _update_pieces(self, codings: list[Coding]) -> tuple[int, int] | None:
        """Index the pieces of `codings` by line, indexing again only the lines of the
        codings that came or went since last shown (a key press changes one or two);
        returns the stretch of text those codings cover (only its rows look
        different), or None if every line changed (or none did: the paint itself
        changed)."""
        if not self._shown:  # (a transcript just shown)
            self._shown = list(codings)
            ready, self._ready = self._ready, None
            same = ready is not None and len(ready.codings) == len(codings) and all(
                made is shown for made, shown in zip(ready.codings, codings))
            self._pieces = ready.pieces if same else by_line(codings, self.lines)
            return None
        before = {id(c) for c in self._shown}
        now = {id(c) for c in codings}
        came = Counter(_look(c) for c in codings if id(c) not in before)
        came.subtract(_look(c) for c in self._shown if id(c) not in now)
        # (A coding drawn at once and then replaced by the one stored looks the same.)
        changed = [look for look, count in came.items() if count]
        self._shown = list(codings)
        if not changed or len(changed) > len(codings) // 2:
            self._pieces = by_line(codings, self.lines)
            return None
        lines = self.lines
        start, end = min(c[0] for c in changed), max(c[1] for c in changed)
        first, last = lines.location(start)[0], lines.location(end)[0]
        low, high = lines.starts[first], lines.end_of(last)
        for line in range(first, last + 1):
            self._pieces.pop(line, None)
        near = [c for c in codings if c.start <= high and c.end >= low]
        for line, pieces in by_line(near, lines).items():
            if first <= line <= last:
                self._pieces[line] = pieces
        return start, end

    def _repaint_rows(self, first: int, last: int) -> None:
        """Paint these rows again, keeping the rest: one coding added by a key repaints
        its own rows, not the screen (a frame's time on a long transcript)."""
        cache = self._line_cache
        for key in [k for k in cache.keys() if first <= k[2] <= last]:
            cache.discard(key)
        self.refresh_lines(first, last - first + 1)

    # -- the margin ------------------------------------------------------------------

    def toggle_margin(self) -> None:
        self.margin_shown = not self.margin_shown
        self._rewrap_and_refresh_virtual_size()
        self.scroll_cursor_visible(center=True)
        self.refresh()

    @property
    def label_width(self) -> int:
        return self._label_width

    @property
    def gutter_width(self) -> int:
        # stripes, a space, the label, a space
        return self._stripes + self.label_width + 2 if self.margin_shown else 0

    def _rewrap_and_refresh_virtual_size(self) -> None:
        self._label_width = WIDE_LABEL if self.size.width >= WIDE_VIEW else NARROW_LABEL
        # Textual also wraps when nothing wrapping depends on has changed (the scrollbar
        # shown, a resize in height): the text, its width and the tab size.
        if self._wrap_key() == self._wrapped_as:
            self._refresh_size()
            return
        if not self.size.width:
            # Not laid out yet (a screen shown with its transcript): Textual wraps at
            # width 0, which leaves lines whole; the margin waits for the real width.
            # (A new document is so already: its constructor wrapped it at width 0.)
            document = self.wrapped_document
            if (document._width, document._tab_width) != (self.wrap_width,
                                                          self.indent_width):
                self._wrap()
            else:
                self._line_cache.clear()
                self._refresh_size()
                self._wrapped_as, self._rows = self._wrap_key(), self._row_starts()
            self._margin = MarginLayout()
            return
        # Wrapping a long transcript costs far more than laying out its margin, so the
        # margin's width is chosen before wrapping, from rows as long as the wrap width
        # (real rows, broken at spaces, are a little shorter and meet no more often).
        # Read once a wrap, not per drawn row: TextArea asks for the gutter's width often.
        if self.margin_shown and self._margin_spans:
            self._stripes = MIN_STRIPES
            width = max(1, self.wrap_width)
            rough = [row for line, start in enumerate(self.lines.starts)
                     for row in range(start, self.lines.end_of(line) + 1, width)]
            self._stripes = max(MIN_STRIPES, layout_margin(self._margin_spans,
                                                           rough).columns)
        self._wrap()
        self._lay_out_margin()

    def _wrap(self) -> None:
        """Textual's wrap, and what this view keeps of it: what it was wrapped for and
        where each row starts."""
        super()._rewrap_and_refresh_virtual_size()
        self._wrapped_as, self._rows = self._wrap_key(), self._row_starts()

    @property
    def wrapped_to_width(self) -> bool:
        """Whether the text is wrapped for the view's width as it is now."""
        return bool(self.size.width) and self._wrap_key() == self._wrapped_as

    def render_lines(self, crop):
        # A screen shown with its transcript is drawn once before Textual tells the view
        # its size (a Resize event): wrap for the width being drawn, rather than show
        # the text unwrapped for a frame and wrap it after.
        if self.size.width and self._wrap_key() != self._wrapped_as:
            self._rewrap_and_refresh_virtual_size()
        return super().render_lines(crop)

    def _wrap_key(self) -> tuple[object, int, int]:
        # The document itself, not its id: a new one could be given a freed one's id.
        return self.wrapped_document, self.wrap_width, self.indent_width

    def _show_margin_spans(self, spans: list[tuple[int, int, int]]
                           ) -> tuple[int, int] | None:
        """One coding added (the usual change, a key press) goes in where it stands,
        and the rows it covers are returned (only they changed); so does one that took
        in codings of its code it touched (the margin shows codes, and theirs were
        within its rows); anything else lays the margin out again (None: every row
        changed)."""
        count = Counter(spans)
        count.subtract(self._margin_spans)
        self._margin_spans = spans
        gained = [span for span, n in count.items() if n > 0]
        lost = [span for span, n in count.items() if n < 0]
        if (self.margin_shown and len(gained) == 1 and count[gained[0]] == 1
                and all(_within(span, gained[0]) for span in lost)):
            add_coding(self._margin, *gained[0], self._rows)
            if self._margin.columns > self._stripes:
                self._lay_out_margin()  # wrapped again, wider
                return None
            _, start, end = gained[0]
            return row_of(self._rows, start), row_of(self._rows, max(start, end - 1))
        self._lay_out_margin()
        return None

    def _lay_out_margin(self) -> None:
        """Lay the margin out over the rows as wrapped. The margin only grows while the
        text stays wrapped as it is (wrapping again for a narrower one is not worth a
        key press's time); it narrows when the text is next wrapped (a resize)."""
        if not self.margin_shown:
            self._margin = MarginLayout()
            return
        layout = layout_margin(self._margin_spans, self._rows)
        if layout.columns > self._stripes:
            self._stripes = layout.columns
            self._wrap()
            # Codes beyond the width (the new rows needing more) share the last column.
            layout = layout_margin(self._margin_spans, self._rows,
                                   max_columns=self._stripes)
        self._margin = layout
        self._line_cache.clear()

    def _row_starts(self) -> list[int]:
        """The text offset each rendered (wrapped) row starts at."""
        rows: list[int] = []
        get_offsets = self.wrapped_document.get_offsets
        for line, start in enumerate(self.lines.starts):
            rows.append(start)
            rows.extend(start + offset for offset in get_offsets(line))
        return rows

    def _render_line(self, y: int) -> Strip:
        strip = super()._render_line(y)
        if not self.margin_shown:
            return strip
        theme = self._theme
        base = theme.base_style if theme and theme.base_style is not None else \
            self.rich_style
        margin = self._margin_strip(self.scroll_offset.y + y).apply_style(base)
        return Strip.join([margin, strip])

    def _margin_strip(self, row: int) -> Strip:
        segments = []
        drawn = self._margin.stripes(row)
        for code_id in drawn:
            segments.append(Segment(STRIPE, self._styles.get(code_id, NO_STYLES)[2])
                            if code_id is not None else Segment(" "))
        segments.append(Segment(" " * (self._stripes - len(drawn) + 1)))
        labels = self._margin.labels.get(row, ())
        room = self.label_width
        # Labels starting on one row share the room (separated by a space).
        each = max(1, (room - len(labels) + 1) // len(labels)) if labels else 0
        for code_id in labels:
            if room < 1:
                break
            label = self._label(code_id, min(each, room))
            segments.append(Segment(label, self._styles.get(code_id, NO_STYLES)[2]))
            room -= cell_len(label)
            if room > 0:
                segments.append(Segment(" "))
                room -= 1
        segments.append(Segment(" " * (room + 1)))
        return Strip(segments, self.gutter_width)

    def _label(self, code_id: int, room: int) -> str:
        code = self._codes.get(code_id)
        if code is None:
            return ""
        name = code.key if code.key and room <= NARROW_LABEL else code.name
        if cell_len(name) <= room:
            return name
        if room < 3:
            return set_cell_size(name, room)
        return set_cell_size(name, room - 1) + "…"

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
                mine, others, _ = self._styles.get(coding.code_id, NO_STYLES)
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
