"""The transcript in a consensus meeting: each coder's spans of the place drawn as a
layer of its own, so neither hides the other and no selection covers them. The first
coder's layer is a background, the second's an underline; where both coded, both show."""

from __future__ import annotations

from rich.style import Style
from rich.text import Text

from qcode.tui.widgets.transcript_view import TranscriptView

FIRST_STYLE = Style(bgcolor="#1F4E79", color="white")
SECOND_STYLE = Style(color="#FFB000", underline=True, bold=True)
FIRST_MARK, SECOND_MARK = "▌", "▁"


def legend(first: str, second: str) -> Text:
    """The key to the two layers, in the layers' own styles."""
    out = Text()
    out.append(f"{FIRST_MARK} {first}", style=FIRST_STYLE)
    out.append(" background   ")
    out.append(f"{SECOND_MARK} {second}", style=SECOND_STYLE)
    out.append(" underlined   both: both at once")
    return out


class ConsensusView(TranscriptView):
    """Paints two layers of spans; offsets are code points in the stored text."""

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self._layers: dict[int, list[tuple[int, int, Style]]] = {}

    def show_layers(self, first: list[tuple[int, int]], second: list[tuple[int, int]]) -> None:
        """Draw the first coder's spans and the second's, replacing what was drawn."""
        layers: dict[int, list[tuple[int, int, Style]]] = {}
        for spans, style in ((first, FIRST_STYLE), (second, SECOND_STYLE)):
            for start, end in spans:
                for row, low, high in self._pieces_of(start, end):
                    layers.setdefault(row, []).append((low, high, style))
        self._layers = layers
        self._line_cache.clear()  # TextArea caches painted lines; the paint changed
        self.refresh()

    def _pieces_of(self, start: int, end: int):
        first_row, first_column = self.lines.location(start)
        last_row, last_column = self.lines.location(end)
        for row in range(first_row, last_row + 1):
            low = first_column if row == first_row else 0
            high = (last_column if row == last_row
                    else self.lines.end_of(row) - self.lines.offset(row, 0))
            if low < high:
                yield row, low, high

    def get_line(self, line_index: int) -> Text:
        line = super().get_line(line_index)
        for start, end, style in self._layers.get(line_index, ()):
            line.stylize(style, start, end)
        return line
