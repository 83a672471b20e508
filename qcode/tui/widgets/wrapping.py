"""Soft wrap for the transcript view: Textual's own wrap, done quicker for the lines
it spends its time on.

Textual's `WrappedDocument.wrap` measures every word of every line (about 100 ms for a
50,000-word transcript, most of first paint). A line whose characters are all one
cell wide and whose only white space is the plain space (nearly every line of a
transcript) can be wrapped a row at a time instead: the break is the last word start
that fits, found by `str.rfind`. It gives exactly the offsets Textual's
`compute_wrap_offsets` gives (a test compares them); any other line (tabs, wide or
zero-width characters, other spaces) is wrapped by Textual itself.

The document's height, which Textual sums over every line each time a row is drawn, is
kept from the last wrap.
"""

from __future__ import annotations

import re

from textual._cells import cell_len
from textual._wrap import compute_wrap_offsets
from textual.document._wrapped_document import WrappedDocument
from textual.expand_tabs import get_tab_widths

# A chunk as Textual's wrap sees it, on a line whose only white space is " ".
CHUNK = re.compile(r"[^ ]+ *| +")
NOT_ASCII = re.compile(r"[^\x00-\x7f]")


def plain(line: str, narrow: set[str]) -> bool:
    """Every character one cell wide, and no white space but " " (so no tabs).
    `narrow` remembers characters already found one cell wide."""
    if not line.isprintable():  # Python counts every space but " " unprintable
        return False
    if line.isascii():  # printable ASCII is one cell a character
        return True
    # Only the other characters are measured: a set of every character of every line
    # took half the time of wrapping a transcript.
    for character in set(NOT_ASCII.findall(line)) - narrow:
        if cell_len(character) != 1:
            return False
        narrow.add(character)
    return True


def plain_wrap_offsets(line: str, width: int) -> list[int]:
    """`compute_wrap_offsets(line, width, ...)` for a line `plain` accepts."""
    breaks: list[int] = []
    size = len(line)
    at, used = 0, 0  # the next chunk to place, and the cells used on its row
    while size - at > width - used:  # the rest does not fit on this row
        end = _last_chunk_end(line, at, at + width - used)
        if end > at:  # the chunks up to `end` fit, and so the one at `end` does not
            used += end - at
            at = end
        at, used = _place(breaks, at, CHUNK.match(line, at).end(), width, used)
    return breaks


def _last_chunk_end(line: str, low: int, high: int) -> int:
    """The last chunk end in (low, high]: a word start after a space; `low` if none."""
    space = line.rfind(" ", low, high)
    while space >= low:
        if line[space + 1] != " ":
            return space + 1
        space = line.rfind(" ", low, space)
    return low


def _place(breaks: list[int], start: int, end: int, width: int, used: int) -> tuple[int, int]:
    """Place the chunk [start, end), which does not fit beside what is on the row;
    returns where the next chunk starts and the cells used on its row."""
    size = end - start
    if size > width:  # folded, `width` characters a row
        if start:
            breaks.append(start)
        breaks.extend(range(start + width, end, width))
        last = start + (size - 1) // width * width
        return end, end - last
    if used and start:
        breaks.append(start)
    return end, size


class QuickWrappedDocument(WrappedDocument):
    """Textual's wrapped document, wrapping plain lines quickly; its height kept."""

    def __init__(self, document, width: int = 0, tab_width: int = 4) -> None:
        self._height = 0
        self._narrow: set[str] = set()
        super().__init__(document, width, tab_width)

    @property
    def height(self) -> int:
        return self._height

    def wrap(self, width: int, tab_width: int | None = None) -> None:
        self._width = width
        if tab_width:
            self._tab_width = tab_width
        tab_width = self._tab_width
        lines = self.document.lines
        if not width and not any("\t" in line for line in lines):
            self._unwrapped(lines)
            return
        wrap_offsets: list[list[int]] = []
        line_info: list[tuple[int, int]] = []
        line_offsets: list[list[int]] = []
        tab_widths: list[list[int]] = []
        at = 0
        narrow = self._narrow
        for index, line in enumerate(lines):
            if not width and "\t" not in line:  # not wrapped: only tabs matter
                offsets = []
                tab_widths.append([0] if line else [])
            elif plain(line, narrow):  # (no tabs: so at width 0, taken above)
                offsets = plain_wrap_offsets(line, width)
                tab_widths.append([0] if line else [])
            else:
                sections = get_tab_widths(line, tab_width)
                offsets = compute_wrap_offsets(line, width, tab_size=tab_width,
                                               precomputed_tab_sections=sections) \
                    if width else []
                tab_widths.append([cells for _, cells in sections])
            wrap_offsets.append(offsets)
            rows = len(offsets) + 1
            line_info.extend((index, section) for section in range(rows))
            line_offsets.append(list(range(at, at + rows)))
            at += rows
        self._wrap_offsets = wrap_offsets
        self._offset_to_line_info = line_info
        self._line_index_to_offsets = line_offsets
        self._tab_width_cache = tab_widths
        self._height = at

    def _unwrapped(self, lines: list[str]) -> None:
        """Every line one row (width 0, no tabs): what the loop above gives, built
        whole. The constructor wraps a new document so, before the view has a width
        (4 ms for a long transcript through the loop)."""
        count = len(lines)
        self._wrap_offsets = [[] for _ in range(count)]
        self._offset_to_line_info = [(index, 0) for index in range(count)]
        self._line_index_to_offsets = [[index] for index in range(count)]
        self._tab_width_cache = [[0] if line else [] for line in lines]
        self._height = count

    def wrap_range(self, start, old_end, new_end) -> None:
        # An edit (never in a read-only view, but the base class allows it).
        super().wrap_range(start, old_end, new_end)
        self._height = sum(len(offsets) + 1 for offsets in self._wrap_offsets)
