"""Stepping through the places where two coders differ and resolving each into the
consensus coder's codings: take the first's, the second's, the union, the
intersection, or an edited selection. Every resolution is one undoable action."""

from __future__ import annotations

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.screen import Screen
from textual.widgets import DataTable, Static

from qcode.core.agreement.disagreements import places_in, resolve
from qcode.core.model import Code, Turn
from qcode.core.store import CONSENSUS, Project, ProjectError
from qcode.tui.widgets.footer import KeysFooter
from qcode.tui.widgets.transcript_view import TranscriptView


def load_places(project: Project, first: str, second: str) -> dict:
    places = places_in(project, first, second)
    codes = {c.id: c for c in project.codes()}
    return {"places": places, "codes": codes}


def load_text(project: Project, transcript_id: int) -> tuple[str, list[dict]]:
    return project.transcript_text(transcript_id), project.turns(transcript_id)


class DisagreementsScreen(Screen):
    BINDINGS = [
        Binding("escape", "app.pop_screen", "Back", id="disagreements.back"),
        Binding("1", "resolve('first')", "Take first's", id="disagreements.first"),
        Binding("2", "resolve('second')", "Take second's", id="disagreements.second"),
        Binding("plus", "resolve('union')", "Union", id="disagreements.union"),
        Binding("asterisk", "resolve('intersection')", "Intersection",
                id="disagreements.intersection"),
        Binding("e", "resolve('edit')", "Use selection", id="disagreements.edit"),
        Binding("n", "next_open", "Next open", id="disagreements.next"),
        Binding("u,ctrl+z", "undo", "Undo", id="disagreements.undo"),
        Binding("U,ctrl+y", "redo", "Redo", show=False, id="disagreements.redo"),
        Binding("tab", "switch_focus", "Text/list", show=False, id="disagreements.focus"),
    ]

    def __init__(self, first: str, second: str):
        super().__init__()
        self.first, self.second = first, second
        self.places: list[dict] = []
        self.codes: dict[int, Code] = {}
        self._texts: dict[int, tuple[str, list[Turn]]] = {}
        self._shown: int | None = None

    def compose(self) -> ComposeResult:
        yield Static(id="disagreements-title")
        yield DataTable(cursor_type="row", zebra_stripes=True, id="places")
        yield TranscriptView(id="place-text")
        yield KeysFooter()

    def on_mount(self) -> None:
        self.load()

    @property
    def table(self) -> DataTable:
        return self.query_one(DataTable)

    @property
    def view(self) -> TranscriptView:
        return self.query_one(TranscriptView)

    @work(exclusive=True, group="load", exit_on_error=False)
    async def load(self, keep_row: int = 0) -> None:
        data = await self.app.db(load_places, self.first, self.second)
        self.places, self.codes = data["places"], data["codes"]
        table = self.table
        table.clear(columns=True)
        table.add_columns("Resolved", "Code", "Transcript", "Place", "Difference")
        for place in self.places:
            where = place["place"]
            kind = where.kind.replace("the first coder", self.first).replace(
                "the second coder", self.second)
            table.add_row(place["resolution"] or "·", Text(place["code"]),
                          Text(place["transcript"]), f"{where.start}-{where.end}", kind)
        self.show_title()
        if self.places:
            table.move_cursor(row=min(keep_row, len(self.places) - 1))
            await self.show_place(table.cursor_row)
        table.focus()

    def show_title(self) -> None:
        done = sum(1 for p in self.places if p["resolution"])
        title = Text(f"{self.first} (1, background) vs {self.second} (2, underlined): ",
                     style="bold")
        title.append(f"{done} of {len(self.places)} places resolved" if self.places
                     else "they do not differ anywhere")
        title.append(f" · written as coder '{CONSENSUS}'", style="dim")
        self.query_one("#disagreements-title", Static).update(title)

    async def on_data_table_row_highlighted(self, event: DataTable.RowHighlighted) -> None:
        await self.show_place(event.cursor_row)

    async def show_place(self, row: int) -> None:
        if not 0 <= row < len(self.places):
            return
        place = self.places[row]
        transcript_id = place["transcript_id"]
        if transcript_id not in self._texts:
            self._texts[transcript_id] = await self.app.db(load_text, transcript_id)
        if self._shown != transcript_id:
            self.view.show_transcript(*self._texts[transcript_id])
            self._shown = transcript_id
        where = place["place"]
        codings = [{"code_id": place["code_id"], "coder": coder, "start": s, "end": e}
                   for coder, spans in ((self.first, where.first), (self.second, where.second))
                   for s, e in spans]
        self.view.show_codings(codings, self.codes, self.first)
        self.view.select_span(where.start, where.end)

    def current(self) -> dict | None:
        row = self.table.cursor_row
        return self.places[row] if 0 <= row < len(self.places) else None

    @work(group="action", exit_on_error=False)
    async def action_resolve(self, choice: str) -> None:
        place = self.current()
        if place is None:
            return
        where = place["place"]
        if choice == "edit":
            start, end = self.view.selected_span()
            start, end = max(start, where.start), min(end, where.end)
            spans = [(start, end)] if start < end else []
        else:
            spans = resolve(where, choice)
        try:
            await self.app.db(Project.resolve, place["transcript_id"], place["code_id"],
                              (where.start, where.end), spans, choice,
                              (self.first, self.second))
        except ProjectError as exc:
            self.notify(str(exc), title="Not done", severity="error")
            return
        row = self.table.cursor_row
        place["resolution"] = choice
        self.table.update_cell_at((row, 0), choice)
        self.show_title()
        self.action_next_open()

    def action_next_open(self) -> None:
        row = self.table.cursor_row
        order = list(range(row + 1, len(self.places))) + list(range(0, row + 1))
        following = next((i for i in order if not self.places[i]["resolution"]), None)
        if following is None:
            self.notify("Every place is resolved", timeout=3)
            return
        self.table.move_cursor(row=following)

    @work(group="action", exit_on_error=False)
    async def action_undo(self) -> None:
        await self.step(Project.undo, "Undo")

    @work(group="action", exit_on_error=False)
    async def action_redo(self) -> None:
        await self.step(Project.redo, "Redo")

    async def step(self, call, label: str) -> None:
        try:
            done = await self.app.db(call)
        except ProjectError as exc:
            self.notify(str(exc), severity="error")
            return
        self.notify(f"{label}: {done}" if done else f"Nothing to {label.lower()}",
                    timeout=3)
        self.load(self.table.cursor_row)

    def action_switch_focus(self) -> None:
        (self.view if self.table.has_focus else self.table).focus()
