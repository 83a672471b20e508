"""Reviewing auto-coding's hits one by one in the context of their turn: accept,
reject, widen to the sentence or the turn, accept all that are left; then code the
accepted ones as one undoable action. Finding the hits runs off the UI, with progress.
From the transcripts screen, a small form asks for the search first."""

from __future__ import annotations

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, VerticalScroll
from textual.screen import ModalScreen, Screen
from textual.widgets import DataTable, Input, Label, ProgressBar, Select, Static

from qcode.core.autocode import MODES, UNITS, Proposal, Search, accept, code_to_apply, find
from qcode.core.errors import QcodeError
from qcode.tui.widgets.footer import KeysFooter
from qcode.tui.widgets.table import Table

MARKS = {None: "·", True: "✓", False: "✗"}
PREVIEW = 200  # characters of a hit's text in its row (the row cuts it to fit)


class AutocodeScreen(Screen):
    BINDINGS = [
        # Not in the footer, so that 80 columns hold the rest: the title line says
        # Esc, and help (F1) lists both.
        Binding("escape", "app.pop_screen", "Leave", show=False, id="autocode.leave"),
        Binding("q", "app.quit", "Quit", show=False, id="autocode.quit"),
        Binding("a", "decide(True)", "Accept", id="autocode.accept"),
        Binding("r,x", "decide(False)", "Reject", id="autocode.reject"),
        Binding("s", "widen('sentence')", "Sentence", id="autocode.sentence"),
        Binding("t", "widen('turn')", "Turn", id="autocode.turn"),
        Binding("m", "widen('match')", "Match", show=False, id="autocode.match"),
        Binding("A", "accept_rest", "Accept all", id="autocode.accept_rest"),
        Binding("c", "code", "Code", id="autocode.code"),
    ]

    def __init__(self, search: Search, code: tuple[int, str]):
        super().__init__()
        self.search, self.code = search, code
        self.proposals: list[Proposal] = []
        self.decisions: list[bool | None] = []

    def compose(self) -> ComposeResult:
        yield Static(id="autocode-title")
        yield ProgressBar(id="autocode-progress", show_eta=False)
        yield Table(cursor_type="row", zebra_stripes=True, id="hits")
        with VerticalScroll(id="hit-context"):
            yield Static(id="hit-text")
        # ctrl+p still opens the palette (help says so); its key would cut off F1's.
        yield KeysFooter()

    def on_mount(self) -> None:
        self.title_line(f"looking for {self._pattern()}…")
        self.find_hits()

    @property
    def table(self) -> DataTable:
        return self.query_one(DataTable)

    def _pattern(self) -> str:
        if self.search.pattern is None:
            return f"every turn of {self.search.speaker}"
        return repr(self.search.pattern)

    def title_line(self, text: str) -> None:
        line = Text(f"Auto-code {self._pattern()} as {self.code[1]}: ", style="bold")
        line.append(text)
        self.query_one("#autocode-title", Static).update(line)

    @work(exclusive=True, group="find", exit_on_error=False)
    async def find_hits(self) -> None:
        bar = self.query_one(ProgressBar)

        def progress(done: int, total: int) -> None:
            self.app.call_from_thread(bar.update, total=total, progress=done)

        try:
            found = await self.app.db(find, self.search, progress)
        except QcodeError as exc:
            bar.display = False
            self.title_line(str(exc))
            self.notify(str(exc), severity="error", timeout=8)
            return
        bar.display = False
        self.proposals = found.proposals
        self.decisions = [None] * len(self.proposals)
        for note in found.notes:
            self.notify(note, timeout=8)
        table = self.table
        table.add_columns("", "Transcript", "Turn", "Speaker", "Text")
        for number, proposal in enumerate(self.proposals):
            table.add_row(*self._cells(number), key=str(number))
        self.show_counts()
        table.focus()
        self.show_hit(0)

    def _cells(self, number: int) -> list:
        proposal = self.proposals[number]
        return [MARKS[self.decisions[number]], Text(proposal.transcript), str(proposal.turn),
                Text(proposal.speaker or ""), Text(" ".join(proposal.text[:PREVIEW].split()))]

    def show_counts(self) -> None:
        accepted = sum(1 for d in self.decisions if d)
        rejected = sum(1 for d in self.decisions if d is False)
        self.title_line(f"{len(self.proposals)} hits, {accepted} accepted, {rejected} "
                        "rejected; c codes the accepted, Esc leaves without coding")

    def on_data_table_row_highlighted(self, event: DataTable.RowHighlighted) -> None:
        self.show_hit(event.cursor_row)

    def show_hit(self, row: int) -> None:
        if not 0 <= row < len(self.proposals):
            return
        proposal = self.proposals[row]
        text = Text(f"{proposal.transcript} · turn {proposal.turn} · "
                    f"{proposal.speaker or 'no speaker'}\n", style="bold")
        body = Text(proposal.turn_text)
        offset = proposal.turn_start
        body.stylize("reverse", proposal.start - offset, proposal.end - offset)
        body.stylize("bold underline", proposal.hit_start - offset,
                     proposal.hit_end - offset)
        text.append_text(body)
        self.query_one("#hit-text", Static).update(text)

    def _current(self) -> int | None:
        row = self.table.cursor_row
        return row if 0 <= row < len(self.proposals) else None

    def _redraw(self, row: int) -> None:
        for column, value in enumerate(self._cells(row)):
            self.table.update_cell_at((row, column), value, update_width=True)
        self.show_counts()
        self.show_hit(row)

    def action_decide(self, accepted: bool) -> None:
        row = self._current()
        if row is None:
            return
        self.decisions[row] = accepted
        self._redraw(row)
        if row + 1 < len(self.proposals):
            self.table.move_cursor(row=row + 1)

    def action_widen(self, unit: str) -> None:
        row = self._current()
        if row is None:
            return
        self.proposals[row] = self.proposals[row].widened(unit)
        self._redraw(row)

    def action_accept_rest(self) -> None:
        self.decisions = [True if d is None else d for d in self.decisions]
        for row in range(len(self.proposals)):
            self.table.update_cell_at((row, 0), MARKS[self.decisions[row]])
        self.show_counts()

    @work(exclusive=True, group="code", exit_on_error=False)
    async def action_code(self) -> None:
        chosen = [p for p, d in zip(self.proposals, self.decisions) if d]
        try:
            done = await self.app.db.write(
                accept, self.code, self.app.coder, chosen,
                self.search.pattern or f"turns of {self.search.speaker}",
                on_busy=lambda exc: self.notify(str(exc), severity="warning"))
        except QcodeError as exc:
            self.notify(str(exc), severity="error", timeout=8)
            return
        left = f"; {done.already_coded} coded so already" if done.already_coded else ""
        self.notify(f"coded {done.added} place(s) as {self.code[1]}, marked auto-coded"
                    f"{left}; u undoes it on the coding screen", timeout=8)
        self.app.pop_screen()


ASKED = (("pattern", "Look for", "a phrase, an expression or a fuzzy phrase"),
         ("code", "Code as", "the code's name, or Theme > Code"),
         ("speaker", "Speaker", "any; participant, interviewer or a label"),
         ("within", "Within", "anywhere; or only inside your codings of this code"))


class AutocodeForm(ModalScreen[dict | None]):
    """What to look for and how, as `qcode autocode` asks it; dismisses with the
    fields (empty ones left out) for `search_from`."""

    BINDINGS = [Binding("ctrl+s", "find", "Find hits", id="autocode_form.find"),
                Binding("escape", "dismiss(None)", "Cancel", id="autocode_form.cancel")]
    AUTO_FOCUS = "#ac-pattern"

    def compose(self) -> ComposeResult:
        with VerticalScroll(classes="dialog", id="autocode-form"):
            yield Label(Text("Auto-code: find every place, then review each hit",
                             style="bold"))
            for field, label, hint in ASKED:
                with Horizontal(classes="form-row"):
                    yield Label(label, classes="form-label")
                    yield Input(placeholder=hint, id=f"ac-{field}", compact=True)
            with Horizontal(classes="form-row"):
                yield Label("Kind", classes="form-label")
                yield Select([(m, m) for m in MODES], value="phrase", allow_blank=False,
                             id="ac-mode", compact=True)
            with Horizontal(classes="form-row"):
                yield Label("Code the", classes="form-label")
                yield Select([(u, u) for u in UNITS], value="match", allow_blank=False,
                             id="ac-unit", compact=True)
            yield Static(Text("Tab moves, Ctrl+S (or Enter) finds the hits, Esc cancels",
                              style="dim"))

    def on_input_submitted(self) -> None:
        self.action_find()

    def action_find(self) -> None:
        fields = {field: self.query_one(f"#ac-{field}", Input).value.strip()
                  for field, _, _ in ASKED}
        fields["mode"] = self.query_one("#ac-mode", Select).value
        fields["unit"] = self.query_one("#ac-unit", Select).value
        if not fields["code"]:
            self.notify("Say which code to apply", severity="warning")
            return
        self.dismiss({k: v for k, v in fields.items() if v})


def search_from(project, fields: dict, coder: str) -> tuple[Search, tuple[int, str]]:
    """The form's answers as a search and the code to apply; an unknown code or a
    category is refused here, a bad pattern when the review screen looks."""
    code = code_to_apply(project, fields["code"])
    within = code_to_apply(project, fields["within"]) if "within" in fields else None
    return Search(fields.get("pattern"), fields["mode"], fields["unit"],
                  fields.get("speaker"), within, None, coder), code


async def open_autocode(screen) -> None:
    """Ask for the search in the form, then open the review screen on it."""
    fields = await screen.app.push_screen_wait(AutocodeForm())
    if fields is None:
        return
    try:
        search, code = await screen.app.db(search_from, fields, screen.app.coder)
    except QcodeError as exc:
        screen.notify(str(exc), severity="warning", timeout=8)
        return
    await screen.app.push_screen(AutocodeScreen(search, code))
