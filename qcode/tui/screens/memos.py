"""Every memo in one list, and the reflexive journal: filter by kind, author, code or
transcript and search the text; Enter jumps to what a memo is about."""

from __future__ import annotations

from dataclasses import dataclass

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.screen import Screen
from textual.widgets import DataTable, Input, Static

from qcode.core.store import Project, ProjectError
from qcode.core.store.memos import Link, MemoRow
from qcode.tui.widgets.footer import KeysFooter
from qcode.tui.widgets.table import Table

FILTERS = ("kind", "author", "code", "transcript")
PASSAGE = "passage"  # the picker's extra choice: the passage the coding screen was at


@dataclass(frozen=True)
class Here:
    """Where the researcher was when opening the journal from the coding screen: the
    passage selected (or coded under the cursor) and the code under the cursor; a new
    entry offers to link them, and l offers the passage beside the codes."""

    transcript_id: int
    transcript: str
    span: tuple[int, int] | None
    code: tuple[int, str] | None

    @property
    def passage(self) -> str:
        return f"{self.transcript} [{self.span[0]}, {self.span[1]})"

    def links(self, which: str) -> list[Link]:
        out = []
        if which in ("both", PASSAGE) and self.span:
            out.append(Link("transcript", self.transcript_id, *self.span))
        if which in ("both", "code") and self.code:
            out.append(Link("code", self.code[0]))
        return out

    def choices(self) -> list[tuple[str, str]]:
        out = []
        if self.span and self.code:
            out.append(("both", f"the passage {self.passage} and the code {self.code[1]}"))
        if self.span:
            out.append((PASSAGE, f"the passage {self.passage}"))
        if self.code:
            out.append(("code", f"the code {self.code[1]}"))
        return out + [("none", "nothing")] if out else []


def load_memos(project: Project, query: str, journal: bool) -> list[MemoRow]:
    """The memos the filter asks for: 'kind=code author=ana code=Training
    transcript=P01' (any of them), the other words searched for in the text."""
    asked: dict[str, str] = {}
    words = []
    for word in query.split():
        name, equals, value = word.partition("=")
        if equals and name.casefold() in FILTERS and value:
            asked[name.casefold()] = value
        else:
            words.append(word)
    return project.memo_rows(
        kind="journal" if journal else asked.get("kind"), author=asked.get("author"),
        code_id=project.code_id_named(asked["code"]) if "code" in asked else None,
        transcript_id=project.transcript_id(asked["transcript"])
        if "transcript" in asked else None,
        search=" ".join(words) or None)


class MemoListScreen(Screen):
    BINDINGS = [
        Binding("enter", "open", "Go to", id="memos.open"),
        Binding("e", "edit", "Edit", id="memos.edit"),
        Binding("n", "new", "New", id="memos.new"),
        Binding("l", "link", "Link", id="memos.link"),
        Binding("x,delete", "remove", "Remove", id="memos.remove"),
        Binding("slash", "filter", "Filter", id="memos.filter"),
        Binding("escape", "back", "Back", id="memos.back"),
    ]

    def __init__(self, journal: bool = False, here: Here | None = None):
        super().__init__()
        self.journal, self.here = journal, here
        self.shown: list[MemoRow] = []

    def compose(self) -> ComposeResult:
        what = "your reflexive journal" if self.journal else "every memo"
        yield Static(Text(f"{'Journal' if self.journal else 'Memos'}: {what}",
                          style="bold"), id="memos-title")
        yield Input(placeholder=("filter: words, author=NAME code=NAME transcript=NAME"
                                 + ("" if self.journal else " kind=KIND")), id="memo-filter")
        yield Table(cursor_type="row", zebra_stripes=True, id="memos")
        yield Static(id="memo-text")
        yield KeysFooter()

    def on_mount(self) -> None:
        self.query_one(DataTable).focus()

    def on_screen_resume(self) -> None:
        # Also sent when the screen is first shown: the one load, then one per return.
        self.reload()

    @work(exclusive=True, group="memos", exit_on_error=False)
    async def reload(self) -> None:
        query = self.query_one("#memo-filter", Input).value
        try:
            memos = await self.app.db(load_memos, query, self.journal)
        except ProjectError as exc:
            self.notify(str(exc), severity="warning")
            return
        self.show(memos)

    def show(self, memos: list[MemoRow]) -> None:
        table = self.query_one(DataTable)
        chosen = self.chosen()
        table.clear(columns=True)
        table.add_columns(*(() if self.journal else ("Kind",)), "About" if not
                          self.journal else "Linked", "By", "Date", "Memo")
        self.shown = memos
        # The memo's words take what the other columns leave of the width (the whole
        # memo is shown under the table): at 80 columns nothing scrolls sideways.
        width = max(12, self.app.size.width - (40 if self.journal else 54))
        for memo in memos:
            about = "; ".join(memo.links) if self.journal else memo.about
            table.add_row(*(() if self.journal else (memo.kind,)), Text(_cut(about, 20)),
                          Text(_cut(memo.author or "", 10)), (memo.created or "")[:10],
                          Text(_cut(" ".join(memo.text.split()), width)))
        for index, memo in enumerate(memos):
            if chosen is not None and memo.ref == chosen.ref:
                table.move_cursor(row=index)
        self.preview()

    def chosen(self) -> MemoRow | None:
        table = self.query_one(DataTable)
        if self.shown and 0 <= table.cursor_row < len(self.shown):
            return self.shown[table.cursor_row]
        return None

    def preview(self) -> None:
        memo = self.chosen()
        text = Text()
        if memo is not None:
            text.append(f"{memo.about} · {memo.author or ''} · {memo.created}\n", style="dim")
            if memo.links:
                text.append(f"linked: {'; '.join(memo.links)}\n", style="dim")
            text.append(memo.text)
        elif not self.shown:
            text.append("No memos here yet: n writes one.", style="dim")
        self.query_one("#memo-text", Static).update(text)

    def on_data_table_row_highlighted(self) -> None:
        self.preview()

    def on_data_table_row_selected(self) -> None:
        self.action_open()

    def on_input_changed(self) -> None:
        self.reload()

    def on_input_submitted(self) -> None:
        self.query_one(DataTable).focus()

    def action_filter(self) -> None:
        self.query_one("#memo-filter", Input).focus()

    def action_back(self) -> None:
        if self.query_one("#memo-filter", Input).has_focus:
            self.query_one(DataTable).focus()
        else:
            self.app.pop_screen()

    def action_open(self) -> None:
        """Jump to what the memo is about (a transcript, a case's transcript, a coding,
        the passage it links); a memo about no place opens for editing."""
        memo = self.chosen()
        if memo is None:
            return
        if memo.place is None:
            self.action_edit()
            return
        transcript_id, start, end = memo.place
        self.app.open_transcript(transcript_id, (start, end) if end > start else None)

    @work(group="action", exit_on_error=False)
    async def action_edit(self) -> None:
        from qcode.tui.screens.forms import MemoEditor

        memo = self.chosen()
        if memo is None:
            return
        text = await self.app.push_screen_wait(
            MemoEditor(f"Memo on {memo.about}", memo.text))
        if text is not None:
            await self.write(Project.edit_memo, memo.ref, text)

    @work(group="action", exit_on_error=False)
    async def action_new(self) -> None:
        from qcode.tui.screens.forms import Choose, MemoEditor

        title = "New journal entry" if self.journal else "New memo on the project"
        text = await self.app.push_screen_wait(MemoEditor(title, ""))
        if text is None:
            return
        links = []
        if self.here is not None and self.here.choices():
            which = await self.app.push_screen_wait(
                Choose("Link this entry to what you were coding?", self.here.choices()))
            links = self.here.links(which or "none")
        await self.write(Project.add_memo, text, journal=self.journal, links=links)

    @work(group="action", exit_on_error=False)
    async def action_link(self) -> None:
        """Link the highlighted memo to a code chosen in the picker (or to the passage
        the coding screen was at)."""
        from qcode.core.code_search import CodeIndex
        from qcode.tui.screens.picker import CodePicker

        memo = self.chosen()
        if memo is None or memo.kind == "coding":
            self.notify("Highlight a memo to link (a coding's memo is about its coding "
                        "already)", severity="warning")
            return
        codes = await self.app.db(Project.codes)
        extra = [(PASSAGE, f"the passage {self.here.passage}")] \
            if self.here is not None and self.here.span else []
        choice = await self.app.push_screen_wait(CodePicker(
            CodeIndex(codes), "Link the memo to", allow_new=False, extra=extra))
        if choice is None:
            return
        links = (self.here.links(PASSAGE) if choice.get("extra") == PASSAGE
                 else [Link("code", choice["code"])])
        await self.write(Project.link_memo, memo.ref, links)

    @work(group="action", exit_on_error=False)
    async def action_remove(self) -> None:
        memo = self.chosen()
        if memo is not None:
            await self.write(Project.remove_memo, memo.ref)
            self.notify(f"Removed the memo on {memo.about} (u in the coding screen "
                        "undoes it)", timeout=3)

    async def write(self, call, *args, **kwargs) -> None:
        try:
            await self.app.db.write(call, *args, **kwargs)
        except ProjectError as exc:
            self.notify(str(exc), severity="warning")
            return
        self.reload()


async def write_memo(screen, about: tuple[str, int], title: str) -> None:
    """Write or edit the memo on one object (a transcript, a case, a code), from the
    screen where it is in focus: its first memo is edited, else a new one is written."""
    from qcode.tui.screens.forms import MemoEditor

    kind, target_id = about
    memos = [m for m in await screen.app.db(Project.memo_rows, kind=kind)
             if m.about_id == target_id]
    current = memos[0] if memos else None
    text = await screen.app.push_screen_wait(
        MemoEditor(title, current.text if current else ""))
    if text is None:
        return
    try:
        if current is None:
            await screen.app.db.write(Project.add_memo, text, about)
        else:
            await screen.app.db.write(Project.edit_memo, current.ref, text)
    except ProjectError as exc:
        screen.notify(str(exc), severity="warning")
        return
    screen.notify("Memo saved" + (f"; {len(memos)} memos on it, M lists them"
                                  if len(memos) > 1 else ""), timeout=2)


def _cut(text: str, width: int) -> str:
    return text if len(text) <= width else text[:width - 1] + "…"
