"""Every segment of a code across transcripts, with speaker, case attributes and memo;
Enter jumps to the segment in its transcript."""

from __future__ import annotations

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.screen import Screen
from textual.widgets import DataTable, Static

from qcode.core.codebook import codes_below
from qcode.core.model import Segment
from qcode.core.store import Project
from qcode.tui.widgets.footer import KeysFooter
from qcode.tui.widgets.table import Table


def load_segments(project: Project, code_id: int, coders: list[str] | None):
    codes = project.codes()
    name = next(c.name for c in codes if c.id == code_id)
    return name, project.segments(codes_below(codes, code_id), coders)


class RetrieveScreen(Screen):
    BINDINGS = [
        Binding("escape", "app.pop_screen", "Back", id="retrieve.back"),
        Binding("enter", "jump", "Go to segment", id="retrieve.jump"),
    ]

    def __init__(self, code_id: int, all_coders: bool):
        super().__init__()
        self.code_id = code_id
        self.all_coders = all_coders
        self.segments: list[Segment] = []

    def compose(self) -> ComposeResult:
        yield Static(id="retrieve-title")
        yield Table(cursor_type="row", zebra_stripes=True, id="segments")
        yield Static(id="segment-text")
        yield KeysFooter()

    def on_mount(self) -> None:
        self.load()

    @work(exclusive=True, exit_on_error=False)
    async def load(self) -> None:
        coders = None if self.all_coders else [self.app.coder]
        name, self.segments = await self.app.db(load_segments, self.code_id, coders)
        title = Text(f"{name}: {len(self.segments)} segments", style="bold")
        title.append("" if self.all_coders else f" coded by {self.app.coder}", style="dim")
        self.query_one("#retrieve-title", Static).update(title)
        table = self.query_one(DataTable)
        table.add_columns("Transcript", "Case", "Attributes", "Speaker", "Text", "Memo")
        for segment in self.segments:
            attributes = ", ".join(segment.attributes.values())
            table.add_row(*(Text(str(v or "")) for v in (
                segment.transcript, segment.case, attributes, segment.speaker,
                " ".join(segment.text.split())[:60], segment.coding.memo[:30])))
        table.focus()

    def on_data_table_row_highlighted(self, event: DataTable.RowHighlighted) -> None:
        if 0 <= event.cursor_row < len(self.segments):
            segment = self.segments[event.cursor_row]
            text = Text(segment.text)
            if segment.coding.memo:
                text.append("\nMemo: ", style="bold")
                text.append(segment.coding.memo)
            self.query_one("#segment-text", Static).update(text)

    def on_data_table_row_selected(self) -> None:
        self.action_jump()

    def action_jump(self) -> None:
        row = self.query_one(DataTable).cursor_row
        if 0 <= row < len(self.segments):
            segment = self.segments[row]
            self.app.open_transcript(segment.coding.transcript_id,
                                     (segment.coding.start, segment.coding.end))
