"""A consensus meeting: stepping through the places where two coders differ and
deciding each into the consensus coder's codings. A place is a passage: where the
coders gave different codes to overlapping text it is one place ("ana: Gaps in police
knowledge / ben: Lack of training"). Each coder's spans are drawn as a layer of their
own. Take the first's, the second's, both, neither, the intersection, or an edited
selection; every decision is one undoable action."""

from __future__ import annotations

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.screen import Screen
from textual.widgets import DataTable, Static

from qcode.core.agreement.disagreements import places_in, resolve
from qcode.core.agreement.places import MeetingPlace, group_places
from qcode.core.model import Turn
from qcode.core.passages import passage
from qcode.core.store import CONSENSUS, Project, ProjectError
from qcode.tui.undo import MEETING_ACTIONS, ScopedUndo, take_step
from qcode.tui.widgets.consensus_view import ConsensusView, legend
from qcode.tui.widgets.footer import KeysFooter
from qcode.tui.widgets.table import Table

# The table names a place by its turn and this many first words (80 columns).
WHERE_WORDS = 4

# What a decision is called in the table and the messages.
SAID = {"first": "{first}'s", "second": "{second}'s", "union": "both",
        "intersection": "where both", "neither": "neither", "edit": "edited",
        "partly": "partly"}


def load_places(project: Project, first: str, second: str) -> list[tuple[MeetingPlace, str]]:
    """The meeting places, each with where it is in words."""
    places = group_places(places_in(project, first, second))
    texts = {t: load_text(project, t) for t in {p.transcript_id for p in places}}
    return [(p, passage(*texts[p.transcript_id], p.start, p.end, WHERE_WORDS))
            for p in places]


def load_text(project: Project, transcript_id: int) -> tuple[str, list[Turn]]:
    return project.transcript_text(transcript_id), project.turns(transcript_id)


class DisagreementsScreen(ScopedUndo, Screen):
    BINDINGS = [
        Binding("escape", "app.pop_screen", "Back", id="disagreements.back"),
        Binding("1", "resolve('first')", "1st's", id="disagreements.first"),
        Binding("2", "resolve('second')", "2nd's", id="disagreements.second"),
        Binding("b,plus", "resolve('union')", "Both", id="disagreements.union"),
        Binding("0", "resolve('neither')", "Neither", id="disagreements.neither"),
        Binding("asterisk", "resolve('intersection')", "Where both",
                show=False, id="disagreements.intersection"),
        Binding("e", "resolve('edit')", "Use selection", show=False,
                id="disagreements.edit"),
        Binding("n", "next_open", "Next", id="disagreements.next"),
        Binding("u,ctrl+z", "undo", "Undo", id="disagreements.undo"),
        Binding("U,ctrl+y", "redo", "Redo", id="disagreements.redo"),
        Binding("tab", "switch_focus", "Text/list", show=False, id="disagreements.focus"),
    ]

    def __init__(self, first: str, second: str):
        super().__init__()
        self.first, self.second = first, second
        self.places: list[MeetingPlace] = []
        self.where: list[str] = []
        self._texts: dict[int, tuple[str, list[Turn]]] = {}
        self._shown: int | None = None
        self.shown_place: MeetingPlace | None = None  # the place drawn now

    def compose(self) -> ComposeResult:
        yield Static(id="disagreements-title")
        yield Static(legend(self.first, self.second), id="disagreements-legend")
        yield Table(cursor_type="row", zebra_stripes=True, id="places")
        yield Static(id="place-detail")
        yield ConsensusView(id="place-text")
        yield KeysFooter()

    def on_mount(self) -> None:
        self.load()

    @property
    def table(self) -> DataTable:
        return self.query_one(DataTable)

    @property
    def view(self) -> ConsensusView:
        return self.query_one(ConsensusView)

    def said(self, choice: str | None) -> str:
        return SAID.get(choice, choice).format(first=self.first, second=self.second) \
            if choice else "·"

    @work(exclusive=True, group="load", exit_on_error=False)
    async def load(self, keep_row: int = 0) -> None:
        found = await self.app.db(load_places, self.first, self.second)
        self.places = [place for place, _ in found]
        self.where = [where for _, where in found]
        table = self.table
        table.clear(columns=True)
        table.add_columns("Decided", "Transcript", "What differs", "Where")
        for place, where in found:
            table.add_row(self.said(place.resolution), Text(place.transcript),
                          Text(place.label(self.first, self.second)), Text(where))
        self.show_title()
        if self.places:
            table.move_cursor(row=min(keep_row, len(self.places) - 1))
            await self.show_place(table.cursor_row)
        table.focus()

    def show_title(self) -> None:
        done = sum(1 for p in self.places if p.resolution and p.resolution != "partly")
        title = Text(f"{self.first} (1) vs {self.second} (2): ", style="bold")
        title.append(f"{done} of {len(self.places)} places decided" if self.places
                     else "they do not differ anywhere")
        title.append(f" · written as coder '{CONSENSUS}'", style="dim")
        self.query_one("#disagreements-title", Static).update(title)

    async def on_data_table_row_highlighted(self, event: DataTable.RowHighlighted) -> None:
        await self.show_place(event.cursor_row)

    async def show_place(self, row: int) -> None:
        """Draw the place's transcript with each coder's spans as a layer, and say in
        words which part each coder had."""
        if not 0 <= row < len(self.places):
            return
        place = self.places[row]
        transcript_id = place.transcript_id
        if transcript_id not in self._texts:
            self._texts[transcript_id] = await self.app.db(load_text, transcript_id)
        if self._shown != transcript_id:
            self.view.show_transcript(*self._texts[transcript_id])
            self._shown = transcript_id
        first = [s for m in place.members for s in m["place"].first]
        second = [s for m in place.members for s in m["place"].second]
        self.view.show_layers(first, second)
        self.view.move_to(place.start)
        self.query_one("#place-detail", Static).update(self.parts(place))
        self.shown_place = place

    def parts(self, place: MeetingPlace) -> Text:
        """Which part each coder had, code by code, in turns and first words."""
        text, turns = self._texts[place.transcript_id]
        out = Text()
        for coder, which in ((self.first, "first"), (self.second, "second")):
            had = [f"{m['code']}: " + "; ".join(passage(text, turns, s, e)
                                                for s, e in getattr(m["place"], which))
                   for m in place.members if getattr(m["place"], which)]
            out.append(f"{coder}: ", style="bold")
            out.append(" | ".join(had) if had else "nothing here")
            out.append("\n")
        out.rstrip()
        return out

    def current(self) -> MeetingPlace | None:
        row = self.table.cursor_row
        return self.places[row] if 0 <= row < len(self.places) else None

    def decisions(self, place: MeetingPlace, choice: str) -> list | None:
        """(code id, place, spans) for each code in the place; None when refused."""
        if choice != "edit":
            return [(m["code_id"], (m["place"].start, m["place"].end),
                     resolve(m["place"], choice)) for m in place.members]
        if len(place.members) > 1:
            self.notify("Use selection decides a place of one code; this place has "
                        f"{len(place.members)} ({', '.join(m['code'] for m in place.members)})",
                        title="Not done", severity="warning")
            return None
        member = place.members[0]
        start, end = self.view.selected_span()
        start, end = max(start, member["place"].start), min(end, member["place"].end)
        return [(member["code_id"], (member["place"].start, member["place"].end),
                 [(start, end)] if start < end else [])]

    @work(group="action", exit_on_error=False)
    async def action_resolve(self, choice: str) -> None:
        place = self.current()
        if place is None:
            return
        decisions = self.decisions(place, choice)
        if decisions is None:
            return
        row = self.table.cursor_row
        codes = ", ".join(m["code"] for m in place.members)
        summary = f"took {self.said(choice)} for {codes}"
        try:
            await self.app.db(Project.resolve_together, place.transcript_id, decisions,
                              choice, (self.first, self.second), summary=summary)
        except ProjectError as exc:
            self.notify(str(exc), title="Not done", severity="error")
            return
        for member in place.members:
            member["resolution"] = choice
        self.table.update_cell_at((row, 0), self.said(choice))
        self.show_title()
        self.notify(f"{place.transcript}, {self.where[row]}: {summary}", timeout=3)
        self.action_next_open()

    def action_next_open(self) -> None:
        row = self.table.cursor_row
        order = list(range(row + 1, len(self.places))) + list(range(0, row + 1))
        following = next((i for i in order if self.places[i].resolution in (None, "partly")),
                         None)
        if following is None:
            self.notify("Every place is decided", timeout=3)
            return
        self.table.move_cursor(row=following)

    async def step(self, direction: str) -> None:
        """Undo here takes back a decision of the meeting; anything else is named and
        asked about first."""
        done = await take_step(self, direction, lambda step: step.action in MEETING_ACTIONS)
        if done:
            self.load(self.table.cursor_row)

    def action_switch_focus(self) -> None:
        (self.view if self.table.has_focus else self.table).focus()
