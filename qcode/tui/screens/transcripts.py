"""The first screen: every transcript with its case, attributes, size and this coder's
progress; type to filter (words, or attribute=value), Enter to code one."""

from __future__ import annotations

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.screen import Screen
from textual.timer import Timer
from textual.widgets import DataTable, Input, Static

from qcode.core.store import Project
from qcode.tui.widgets.footer import KeysFooter
from qcode.tui.undo import ScopedUndo
from qcode.tui.widgets.table import Table

# How long the cursor rests on a row before its transcript is read ahead: past the
# repeat of a held arrow key, well under the time it takes to decide to press Enter.
REST_S = 0.25


def load_overview(project: Project, coder: str) -> dict:
    cases = {c.name: c.values for c in project.all_cases()}
    progress = project.progress(coder)
    rows = []
    for t in project.transcripts():
        codings, turns_coded, participant_turns = progress.get(t.id, (0, 0, 0))
        rows.append({"id": t.id, "name": t.name, "case": t.case or "",
                     "attributes": cases.get(t.case, {}), "words": t.word_count,
                     "turns": participant_turns, "codings": codings, "coded": turns_coded})
    return {"rows": rows, "attributes": project.attribute_names(),
            "summary": project.summary()}


def matches(row: dict, query: str) -> bool:
    """Each word of the filter must match: 'role=detective' an attribute (prefix,
    any case), anything else a transcript, case or attribute value."""
    for word in query.casefold().split():
        name, equals, value = word.partition("=")
        if equals:
            found = row["attributes"].get(next(
                (a for a in row["attributes"] if a.casefold() == name), ""), "")
            if not found.casefold().startswith(value):
                return False
        elif not any(word in str(v).casefold() for v in (
                row["name"], row["case"], *row["attributes"].values())):
            return False
    return True


NEW_ATTRIBUTE = "\x00new"  # cannot be an attribute's name typed in a line


class TranscriptsScreen(ScopedUndo, Screen):
    BINDINGS = [
        Binding("enter", "open", "Code", id="transcripts.open"),
        Binding("u,ctrl+z", "undo", "Undo", id="transcripts.undo"),
        Binding("U,ctrl+y", "redo", "Redo", id="transcripts.redo"),
        Binding("a", "edit_attribute", "Attributes", id="transcripts.attributes"),
        Binding("slash", "filter", "Filter", id="transcripts.filter"),
        Binding("F", "search", "Search", id="transcripts.search"),
        Binding("D", "disagreements", "Disagreements", id="transcripts.disagreements"),
        Binding("R", "reports", "Reports", id="transcripts.reports"),
        Binding("m", "memo('transcript')", "Memo", id="transcripts.memo"),
        Binding("p", "memo('case')", "Participant memo", show=False,
                id="transcripts.case_memo"),
        Binding("M", "memos", "Memos", id="transcripts.memos"),
        Binding("J", "journal", "Journal", id="transcripts.journal"),
        Binding("V", "review_coding", "Review", id="transcripts.review"),
        Binding("A", "autocode", "Auto-code", show=False, id="transcripts.autocode"),
        Binding("r", "reload", "Reload", show=False, id="transcripts.reload"),
    ]

    def __init__(self):
        super().__init__()
        self.rows: list[dict] = []
        self.shown: list[dict] = []
        self.attributes: list[str] = []
        self._resting: Timer | None = None  # until the cursor has rested on its row
        self._room: int | None = None  # what names were cut to fit, when last shown

    def compose(self) -> ComposeResult:
        yield Static(id="overview")
        yield Input(placeholder="filter: words, or attribute=value (e.g. role=detective)",
                    id="filter")
        yield Table(cursor_type="row", zebra_stripes=True, id="transcripts")
        yield KeysFooter()

    def on_mount(self) -> None:
        self.query_one(DataTable).focus()

    def on_screen_resume(self) -> None:
        # Also sent when the screen is first shown: the one load, then one per return.
        self.action_reload()

    @work(exclusive=True, group="load", exit_on_error=False)
    async def action_reload(self) -> None:
        data = await self.app.db(load_overview, self.app.coder)
        self.rows, self.attributes = data["rows"], data["attributes"]
        s = data["summary"]
        overview = Text(f"{s['transcripts']} transcripts · {s['words']:,} words · "
                        f"{s['cases']} cases · {s['codes']} codes · coder ")
        overview.append(self.app.coder, style="bold")
        overview.append(f" · {self.app.db.path.name}", style="dim")
        self.query_one("#overview", Static).update(overview)
        self.show_rows()

    def show_rows(self) -> None:
        table = self.query_one(DataTable)
        chosen = self.shown[table.cursor_row]["id"] if self.shown and \
            0 <= table.cursor_row < len(self.shown) else None
        table.clear(columns=True)
        table.add_columns("Transcript", "Case", "Words", "Codings", "Participant turns",
                          *self.attributes)
        query = self.query_one("#filter", Input).value
        self.shown = [row for row in self.rows if matches(row, query)]
        # Real file names run to 40 characters and more, and at 80 columns pushed the
        # words, codings and progress off the screen. Names and cases share what those
        # columns leave (40 cells with padding), 3:2, cut in the middle where longer:
        # dates, numbers and versions sit at their ends. The coding screen's title has
        # the full name.
        room = self._room = self.room()
        for row in self.shown:
            share = f"{row['coded']}/{row['turns']} coded"
            if row["turns"]:
                share += f" ({100 * row['coded'] // row['turns']}%)"
            table.add_row(Text(cut_middle(row["name"], room * 3 // 5)),
                          Text(cut_middle(row["case"], room * 2 // 5)), f"{row['words']:,}",
                          str(row["codings"]), share,
                          *(Text(row["attributes"].get(a, "")) for a in self.attributes))
        for index, row in enumerate(self.shown):
            if row["id"] == chosen:
                table.move_cursor(row=index)

    def on_input_changed(self, event: Input.Changed) -> None:
        self.show_rows()

    def room(self) -> int:
        """What names and cases share of the table's width (see show_rows)."""
        return max(24, (self.size.width or 80) - 40)

    def on_resize(self) -> None:
        # Only the width cuts names: a change of height leaves the rows as they are.
        if self.rows and self.room() != self._room:
            self.show_rows()

    def on_input_submitted(self) -> None:
        self.query_one(DataTable).focus()

    def action_filter(self) -> None:
        self.query_one("#filter", Input).focus()

    def on_data_table_row_selected(self) -> None:
        self.action_open()

    def on_data_table_row_highlighted(self) -> None:
        # Once the cursor rests on a row, its transcript is read ahead: Enter opens it
        # without waiting for the read (which is used only if nothing changed since).
        if self._resting is not None:
            self._resting.stop()
        self._resting = self.set_timer(REST_S, self._read_ahead)

    def _read_ahead(self) -> None:
        self._resting = None
        table = self.query_one(DataTable)
        if self.is_current and self.shown and 0 <= table.cursor_row < len(self.shown):
            self.app.read_ahead(self.shown[table.cursor_row]["id"])

    def action_open(self) -> None:
        table = self.query_one(DataTable)
        if self.shown and 0 <= table.cursor_row < len(self.shown):
            self.app.open_transcript(self.shown[table.cursor_row]["id"])

    @work(group="action", exit_on_error=False)
    async def action_edit_attribute(self) -> None:
        """Set one attribute of the highlighted transcript's case (or add one)."""
        from qcode.tui.screens.forms import AskLine, Choose

        table = self.query_one(DataTable)
        if not self.shown or not 0 <= table.cursor_row < len(self.shown):
            return
        row = self.shown[table.cursor_row]
        if not row["case"]:
            self.notify(f"{row['name']} has no case to hold attributes", severity="warning")
            return
        values = row["attributes"]
        choices = [(name, Text(f"{name} = {values.get(name, '(none)')}"))
                   for name in self.attributes]
        name = await self.app.push_screen_wait(Choose(
            f"Attribute of case {row['case']} to set:",
            [*choices, (NEW_ATTRIBUTE, Text("+ a new attribute", style="italic"))]))
        if name == NEW_ATTRIBUTE:
            name = await self.app.push_screen_wait(AskLine("Name of the new attribute:"))
        if not name:
            return
        value = await self.app.push_screen_wait(AskLine(
            f"{name} of case {row['case']}:", values.get(name, "")))
        if value is None or value == values.get(name):
            return
        await self.app.db.write(Project.set_attributes, row["case"], {name: value})
        self.notify(f"Case {row['case']}: {name} = {value}", timeout=3)
        self.action_reload()

    async def step(self, direction: str) -> None:
        """Undo here takes back an attribute set here (or with `qcode case set`);
        anything else is named and asked about first."""
        from qcode.tui.undo import ATTRIBUTE_ACTIONS, take_step

        if await take_step(self, direction, lambda step: step.action in ATTRIBUTE_ACTIONS):
            self.action_reload()

    async def action_review_coding(self) -> None:
        """Review a colleague's codings, or answer a review of one's own."""
        from qcode.tui.screens.coding_review import CodingReviewScreen, review_choices
        from qcode.tui.screens.forms import Choose

        choices = await self.app.db(review_choices, self.app.coder)
        if not choices:
            self.notify("Nothing to review: no other coder has codings yet",
                        severity="warning")
            return
        chosen = choices[0][0] if len(choices) == 1 else await self.app.push_screen_wait(
            Choose("Review:", choices))
        if chosen is not None:
            coder, reviewer = chosen.split("\n")
            self.app.push_screen(CodingReviewScreen(coder, reviewer))

    @work(group="action", exit_on_error=False)
    async def action_disagreements(self) -> None:
        from qcode.core.store import CONSENSUS
        from qcode.tui.screens.disagreements import DisagreementsScreen
        from qcode.tui.screens.forms import Choose

        coders = [c for c in await self.app.db(Project.coders) if c != CONSENSUS]
        if len(coders) < 2:
            self.notify("Disagreements need two coders; this project has "
                        f"{len(coders)}", severity="warning")
            return
        pair = coders
        if len(coders) > 2:
            first = await self.app.push_screen_wait(
                Choose("First coder:", [(c, c) for c in coders]))
            if first is None:
                return
            second = await self.app.push_screen_wait(
                Choose("Second coder:", [(c, c) for c in coders if c != first]))
            if second is None:
                return
            pair = [first, second]
        self.app.push_screen(DisagreementsScreen(*pair))

    def action_reports(self) -> None:
        from qcode.tui.screens.reports import ReportsScreen

        self.app.push_screen(ReportsScreen(self.app.report_choices))

    @work(group="action", exit_on_error=False)
    async def action_autocode(self) -> None:
        from qcode.tui.screens.autocode import open_autocode

        await open_autocode(self)

    def action_search(self) -> None:
        from qcode.tui.screens.search import SearchScreen

        self.app.push_screen(SearchScreen())

    @work(group="action", exit_on_error=False)
    async def action_memo(self, kind: str) -> None:
        """Write or edit the memo on the transcript under the cursor, or its case."""
        from qcode.tui.screens.memos import write_memo

        table = self.query_one(DataTable)
        if not (self.shown and 0 <= table.cursor_row < len(self.shown)):
            return
        row = self.shown[table.cursor_row]
        if kind == "transcript":
            await write_memo(self, ("transcript", row["id"]), f"Memo on {row['name']}")
        elif not row["case"]:
            self.notify(f"{row['name']} has no case (participant) to write on",
                        severity="warning")
        else:
            case_id = await self.app.db(Project.case_id, row["case"])
            await write_memo(self, ("case", case_id), f"Memo on participant {row['case']}")

    def action_memos(self) -> None:
        from qcode.tui.screens.memos import MemoListScreen

        self.app.push_screen(MemoListScreen())

    def action_journal(self) -> None:
        from qcode.tui.screens.memos import MemoListScreen

        self.app.push_screen(MemoListScreen(journal=True))


def cut_middle(name: str, width: int) -> str:
    """`name` in at most `width` characters: its start and end, an ellipsis between."""
    if len(name) <= width:
        return name
    keep = width - 1
    return name[:(keep + 1) // 2] + "…" + name[len(name) - keep // 2:]
