"""The coding screen: one transcript, the codebook beside it, every action a key away.

Every change goes through the database thread; the status line says "saving…" until it
has committed and "saved" once the last action is on disk. A coding made by a key is
drawn at once, in the frame after the key, while "saving…" shows it is not on disk yet
(waiting for the commit and re-reading the codings took two to four frames). A change
another program keeps from being written is shown as NOT SAVED (a coding also painted in
its own colour) and tried again until it is written.
"""

from __future__ import annotations

from bisect import insort
from dataclasses import replace

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.events import Key
from textual.screen import Screen
from textual.widgets import Input, Static, Tree

from qcode.core import spans
from qcode.core.code_search import CodeIndex
from qcode.core.colours import distinct_colours
from qcode.core.model import Code, Coding, Turn
from qcode.core.passages import passage_in
from qcode.core.store import Project, ProjectError
from qcode.tui.widgets.footer import KeysFooter
from qcode.tui.screens.forms import AskLine, Choose, CodeEditor, MemoEditor
from qcode.tui.screens.picker import CodePicker
from qcode.tui.widgets.codebook_panel import CodebookPanel, code_labels
from qcode.tui.widgets.transcript_view import TranscriptView, prepare
from qcode.tui.undo import ScopedUndo

TOP = "top"

# What the numbers beside each code in the panel mean.
LEGEND = Text.assemble(("n", "dim"), " your codings · ", ("n/m", "dim"),
                       " with the codes under it · ", ("[k]", "bold"), " its key")

SAVED, SAVING, NOT_SAVED = "saved", "saving…", "NOT SAVED: project busy, retrying"
# A coding not written yet is painted as if of this pseudo-code: a colour no code gets
# from the palette, so it cannot pass for a saved coding.
UNSAVED_CODE = Code(guid="", name="not saved yet", colour="#FF00FF", codable=False, id=-1)


def not_saved(transcript_id: int, code_id: int, coder: str, start: int, end: int
              ) -> Coding:
    """A coding made while another program holds the project: it has no GUIDs and no
    row id (None) until the store writes it."""
    return Coding(guid="", transcript="", code="", coder="", start=start, end=end,
                  transcript_id=transcript_id, code_id=code_id, coder_name=coder)


def load_transcript(project: Project, transcript_id: int, coders: list[str] | None):
    return {"name": project.transcript_name(transcript_id),
            "text": project.transcript_text(transcript_id),
            "turns": project.turns(transcript_id),
            "codings": project.codings(transcript_id, coders),
            "codes": project.codes(), "counts": project.code_counts([project.coder]),
            "marked": bool(project.coded_by([project.coder], [transcript_id])[0])}


def read_opening(project: Project, transcript_id: int, coders: list[str] | None) -> dict:
    """What opening the transcript shows (`load_transcript`'s), with what is worked
    out from the codebook alone (its colours, the picker's index, the panel's lines)
    and from the text (its lines, turn labels and the codings' paint index), and the
    project's change stamp as it was read. Done off the UI's thread, and
    ahead of time while the cursor rests on the transcript (`QcodeApp.read_ahead`)."""
    stamp = project.change_stamp()
    data = load_transcript(project, transcript_id, coders)
    colours = distinct_colours(data["codes"])
    data.update(stamp=stamp, colours=colours, index=CodeIndex(data["codes"]),
                labels=code_labels(data["codes"], data["counts"], colours),
                prepared=prepare(data["text"], data["turns"], data["codings"]))
    return data


def open_reading(project: Project, transcript_id: int, coders: list[str] | None,
                 ahead: dict | None) -> dict:
    """`ahead` (`read_opening`'s, read earlier) if nothing was written to the project
    since, else the transcript read now: a stale read is never shown."""
    if ahead is not None and ahead["stamp"] == project.change_stamp():
        return ahead
    return read_opening(project, transcript_id, coders)


def toggle_coded(project: Project, coder: str, transcript_id: int) -> bool:
    """Mark the transcript coded by the coder, or take the mark away if it was there;
    returns whether it is marked now."""
    marked = bool(project.coded_by([coder], [transcript_id])[0])
    project.mark_coded(coder, [transcript_id], coded=not marked)
    return not marked


def load_codings(project: Project, transcript_id: int, coders: list[str] | None):
    return project.codings(transcript_id, coders), project.code_counts([project.coder])


def add_coding(project: Project, transcript_id: int, code_id: int, coder: str,
               start: int, end: int) -> tuple[Coding, dict[int, int]]:
    """Code a span; the coding as stored (joined with any it touched) and the coder's
    counts, read in the same trip to the database thread."""
    coding_id = project.add_coding(transcript_id, code_id, coder, start, end)
    return project.coding(coding_id), project.code_counts([coder])


def remove_coding(project: Project, coding_id: int, coder: str) -> dict[int, int]:
    """Remove a coding; the coder's counts after, read in the same trip."""
    project.remove_coding(coding_id)
    return project.code_counts([coder])


def recode(project: Project, coding_id: int, code_id: int, coder: str
           ) -> tuple[Coding, dict[int, int]]:
    """Give a coding another code; the coding as stored and the coder's counts."""
    project.recode(coding_id, code_id)
    return project.coding(coding_id), project.code_counts([coder])


def set_memo(project: Project, coding_id: int, memo: str) -> Coding:
    """Write a coding's memo; the coding as stored."""
    project.set_coding_memo(coding_id, memo)
    return project.coding(coding_id)


def joined_locally(codings: list[Coding], coding: Coding) -> list[Coding]:
    """`codings` with `coding` added as the store will keep it: joined with the same
    coder's codings of its code that it overlaps or touches (as `add_coding` does)."""
    joined = [c for c in codings if c.code_id == coding.code_id
              and c.coder_name == coding.coder_name
              and c.start <= coding.end and c.end >= coding.start]
    for old in joined:
        coding.start, coding.end = min(coding.start, old.start), max(coding.end, old.end)
    coding.memo = "\n\n".join(c.memo for c in joined if c.memo)
    kept = [c for c in codings if not any(c is old for old in joined)]
    insort(kept, coding, key=lambda c: (c.start, c.end))
    return kept


class CodingScreen(ScopedUndo, Screen):
    BINDINGS = [
        Binding("c,enter", "code_selection", "Code", id="coding.code"),
        Binding("s", "select('sentence')", "Sentence", id="coding.select_sentence"),
        Binding("t", "select('turn')", "Turn", id="coding.select_turn"),
        Binding("full_stop", "repeat_code", "Repeat", id="coding.repeat"),
        Binding("w", "select('word')", "Word", show=False, id="coding.select_word"),
        Binding("S", "extend('sentence')", "Extend by sentence", show=False,
                id="coding.extend_sentence"),
        Binding("T", "extend('turn')", "Extend by turn", show=False, id="coding.extend_turn"),
        Binding("x,delete", "remove_coding", "Uncode", id="coding.remove"),
        Binding("escape", "back", "Transcripts", id="coding.back"),
        Binding("e", "recode", "Change code", show=False, id="coding.recode"),
        Binding("m", "memo", "Memo", show=False, id="coding.memo"),
        Binding("M", "memos", "Memos", show=False, id="coding.memos"),
        Binding("J", "journal", "Journal", show=False, id="coding.journal"),
        Binding("n", "next_coding(1, False)", "Next coding", show=False, id="coding.next"),
        Binding("N", "next_coding(-1, False)", "Previous coding", show=False,
                id="coding.previous"),
        Binding("right_square_bracket", "next_coding(1, True)", "Next of this code",
                show=False, id="coding.next_same"),
        Binding("left_square_bracket", "next_coding(-1, True)", "Previous of this code",
                show=False, id="coding.previous_same"),
        Binding("slash", "find", "Find", show=False, id="coding.find"),
        Binding("f3", "find_next", "Find next", show=False, id="coding.find_next"),
        Binding("F", "search", "Search all", show=False, id="coding.search"),
        Binding("g", "retrieve", "Retrieve", show=False, id="coding.retrieve"),
        Binding("o", "toggle_others", "Others' codings", show=False, id="coding.others"),
        Binding("b", "toggle_codebook", "Codebook panel", show=False, id="coding.codebook"),
        Binding("vertical_line", "toggle_margin", "Coding margin", key_display="|",
                show=False, id="coding.margin"),
        Binding("u,ctrl+z", "undo", "Undo", id="coding.undo"),
        Binding("U,ctrl+y", "redo", "Redo", id="coding.redo"),
        Binding("apostrophe", "code_key", "Code by its key", show=False,
                id="coding.code_key"),
        Binding("C", "toggle_coded", "Mark transcript coded", show=False,
                id="coding.mark_coded"),
    ]

    def __init__(self, transcript_id: int, loaded: dict,
                 select: tuple[int, int] | None = None):
        """`loaded`: what `read_opening` read of it for this coder. It is read
        before the screen is shown, so that its first frame shows the transcript."""
        super().__init__()
        self._loaded: dict | None = loaded
        self.transcript_id = transcript_id
        self.transcript_name = ""
        self.marked = False  # marked coded by this coder (C)
        self.turns: list[Turn] = []
        self.codings: list[Coding] = []
        self.codes: dict[int, Code] = {}
        self.index = CodeIndex([])
        self.last_code: int | None = None
        self.show_others = False
        self.state = "loading…"
        self.unsaved: list[Coding] = []  # codings made but not written yet (project busy)
        self.saving: list[Coding] = []  # codings shown at once, their write under way
        self._pending_select = select
        self._awaiting_code_key = False
        self._status = ""
        self._here = Text()

    def compose(self) -> ComposeResult:
        with Horizontal(id="coding-body"):
            yield TranscriptView(id="transcript")
            with Vertical(id="side"):
                # One made ahead with the codebook read (`QcodeApp.read_ahead`), if any.
                yield self._loaded.pop("panel", None) or CodebookPanel(id="codebook")
                yield Static(LEGEND, id="legend")
                yield Static(id="here")
        yield Input(placeholder="find in this transcript (Enter: next, Esc: close)",
                    id="find")
        yield Static(id="status")
        yield KeysFooter()

    @property
    def view(self) -> TranscriptView:
        return self.query_one(TranscriptView)

    @property
    def panel(self) -> CodebookPanel:
        return self.query_one(CodebookPanel)

    @property
    def coder(self) -> str:
        return self.app.coder

    def coders_shown(self) -> list[str] | None:
        return None if self.show_others else [self.coder]

    # -- loading -------------------------------------------------------------------

    def on_mount(self) -> None:
        self.query_one("#find").display = False
        self.view.focus()
        self.show_loaded(self._loaded)
        self._loaded = None  # (the text is kept by the view)

    def show_loaded(self, data: dict) -> None:
        self.transcript_name = data["name"]
        self.marked = data["marked"]
        self.turns = data["turns"]
        self.view.show_transcript(data["text"], data["turns"], data["codings"],
                                  data["prepared"])
        # A panel made ahead with this read (see compose) shows these codes already.
        self.set_codebook(data["codes"], data["counts"], data["colours"], data["index"],
                          data["labels"], panel_shown=bool(self.panel.codes))
        self.codings = data["codings"]
        self.paint()
        if self._pending_select:
            # After the view is laid out (it may not be yet), to centre the selection.
            self.call_after_refresh(self.view.select_span, *self._pending_select)
            self._pending_select = None
        self.state = SAVED
        self.update_status()

    def set_codebook(self, codes: list[Code], counts: dict[int, int],
                     colours: dict[int, str] | None = None, index: CodeIndex | None = None,
                     labels: dict[int, Text] | None = None, panel_shown: bool = False
                     ) -> None:
        """Show `codes`; `colours`, `index` and `labels` when read with them
        (`read_opening`), else worked out here; `panel_shown`: the panel shows them."""
        self.codes = {code.id: code for code in codes}
        self.index = CodeIndex(codes) if index is None else index
        if colours is None:  # worked out once for the margin and the panel
            colours = distinct_colours(codes)
        self.view.forget_colours(colours)
        if not panel_shown:
            self.panel.show_codebook(codes, counts, colours, labels)

    async def refresh_codings(self) -> None:
        self.codings, counts = await self.app.db(
            load_codings, self.transcript_id, self.coders_shown())
        for coding in self.saving:  # on their way to the database, not waiting
            if not any(coding is c for c in self.unsaved):
                self.codings = joined_locally(self.codings, coding)
        self.paint()
        self.panel.update_counts(counts)
        self.update_status()

    async def refresh_all(self) -> None:
        data = await self.app.db(load_transcript, self.transcript_id, self.coders_shown())
        self.marked = data["marked"]
        self.set_codebook(data["codes"], data["counts"])
        self.codings = data["codings"]
        self.paint()
        self.update_status()

    def paint(self) -> None:
        """The saved codings, and those not written yet in their own colour."""
        unsaved = [replace(c, code_id=UNSAVED_CODE.id) for c in self.unsaved]
        self.view.show_codings(self.codings + unsaved,
                               {**self.codes, UNSAVED_CODE.id: UNSAVED_CODE}, self.coder)

    async def act(self, call, *args, refresh: str = "codings", unsaved: Coding | None = None,
                  **kwargs):
        """Run one user action on the database thread; report a refusal, not a crash.
        While another program holds the project the action waits, shown as NOT SAVED
        (and `unsaved`, the coding it makes, painted as such), and is never dropped."""
        told = False

        def busy(exc: ProjectError | None) -> None:
            nonlocal told
            if unsaved is not None and unsaved not in self.unsaved:
                # One shown at once in its code's colour is shown as not saved instead.
                self.codings = [c for c in self.codings if c is not unsaved]
                self.unsaved.append(unsaved)
                self.paint()
            if exc is not None and not told:
                told = True
                self.notify(f"{exc}; qcode keeps trying and saves it once the other "
                            "program is done", title="Not saved yet", severity="error")
            self.state = NOT_SAVED
            self.update_status()

        if self.app.db.waiting:  # queued behind a change the project could not take yet
            busy(None)
        else:
            self.state = SAVING
            self.update_status()

        try:
            result = await self.app.db.write(call, *args, on_busy=busy, **kwargs)
        except ProjectError as exc:
            self.notify(str(exc), title="Not done", severity="error")
            return None
        finally:
            if unsaved in self.unsaved:
                self.unsaved.remove(unsaved)
                self.paint()
            self.state = NOT_SAVED if self.unsaved or self.app.db.waiting else SAVED
            self.update_status()
        if told:
            self.notify("Saved now: the project is free again", timeout=3)
        if refresh == "all":
            await self.refresh_all()
        elif refresh == "codings":
            await self.refresh_codings()
        return result if result is not None else True

    # -- status and the codings on the cursor's line --------------------------------

    def on_text_area_selection_changed(self) -> None:
        self.update_status()

    def update_status(self) -> None:
        if not self.view.lines.text:  # (called from on_mount, before is_mounted)
            return
        offset = self.view.cursor_offset
        turn = spans.turn_at(self.turns, offset)
        where = (f"turn {turn.number}/{len(self.turns)}" if turn else "header")
        blind = "all coders" if self.show_others else "blind"
        status = Text()
        status.append(f" {self.coder} ", style="reverse")
        status.append(" ")
        # Whether it is saved comes first: at 80 columns the line's end is cut, and
        # notifications cover its right half. Padded as long as "saving…", so the rest
        # of the line stays put as a key press goes from one to the other.
        status.append(self.state.ljust(len(SAVING)),
                      style={SAVED: "green", NOT_SAVED: "bold white on red"}
                      .get(self.state, "yellow"))
        coded = " · marked coded" if self.marked else ""
        status.append(f" · {self.transcript_name} · {where} · {blind}{coded}")
        self._status = status.plain
        # Fixed-height panels: no need to lay the whole screen out again per keystroke.
        self.query_one("#status", Static).update(status, layout=False)
        self.show_here(offset)

    def status_text(self) -> str:
        return self._status

    def show_here(self, offset: int) -> None:
        """The codings on the cursor's line, innermost first, with coder and memo."""
        row = self.view.lines.location(offset)[0]
        start, end = self.view.lines.starts[row], self.view.lines.end_of(row)
        here = [c for c in self.codings + self.unsaved
                if c.start < max(end, start + 1) and c.end > start]
        text = Text()
        text.append("On this line\n" if here else "No codings on this line", style="bold")
        for coding in sorted(here, key=lambda c: c.end - c.start):
            code = self.codes.get(coding.code_id)
            if code is None:
                continue
            text.append("■ ", style=self.view.colour_of(code))
            text.append(code.name)
            if coding in self.unsaved:
                text.append(" NOT SAVED", style="bold white on red")
            if coding.coder_name != self.coder:
                text.append(f" ({coding.coder_name})", style="dim")
            if coding.memo:
                text.append(" ✎", style="bold")
            text.append("\n")
        if text != self._here:  # the status changes more often (saving…, saved)
            self._here = text
            self.query_one("#here", Static).update(text, layout=False)

    # -- selecting ----------------------------------------------------------------------

    def span_of(self, unit: str, offset: int) -> tuple[int, int]:
        text = self.view.lines.text
        if unit == "word":
            return spans.word_at(text, offset)
        if unit == "sentence":
            return spans.sentence_at(text, self.turns, offset)
        turn = spans.turn_at(self.turns, offset)
        return (turn.start, turn.end) if turn else spans.sentence_at(text, [], offset)

    def action_select(self, unit: str) -> None:
        self.view.select_span(*self.span_of(unit, self.view.cursor_offset))

    def action_extend(self, unit: str) -> None:
        """Grow the selection to take in the next sentence or turn."""
        start, end = self.view.selected_span()
        if start == end:
            self.action_select(unit)
            return
        text = self.view.lines.text
        following = end
        while following < len(text) and text[following].isspace():
            following += 1
        if following >= len(text):
            return
        self.view.select_span(start, max(end, self.span_of(unit, following)[1]))

    # -- coding -------------------------------------------------------------------------

    def selection_or_warn(self) -> tuple[int, int] | None:
        start, end = self.view.selected_span()
        if start == end:
            self.notify("Select text first: w word, s sentence, t turn, or shift+arrows",
                        severity="warning")
            return None
        return start, end

    def action_code_selection(self) -> None:
        if self.selection_or_warn() is None:
            return
        self.app.push_screen(CodePicker(self.index, applies=True), self.picked)

    @work(group="action", exit_on_error=False)
    async def picked(self, choice: dict | None) -> None:
        if choice is None:
            return
        code_id = choice.get("code")
        if "new" in choice:
            code_id = await self.act(Project.add_code, choice["new"], refresh="all")
            if code_id is None:
                return
        await self.apply_code(code_id)

    async def apply_code(self, code_id: int) -> None:
        span = self.selection_or_warn()
        if span is None:
            return
        self.last_code = code_id
        start, end = span
        # Drawn at once (the margin takes one coding in where it stands); the status
        # line says "saving…" until it is on disk, NOT SAVED if that has to wait.
        shown = not_saved(self.transcript_id, code_id, self.coder, start, end)
        self.codings = joined_locally(self.codings, shown)
        self.saving.append(shown)
        self.paint()
        try:
            written = await self.act(add_coding, self.transcript_id, code_id, self.coder,
                                     *span, unsaved=shown, refresh="none")
        finally:
            self.saving.remove(shown)
        if written is None:  # refused: show what the project holds
            await self.refresh_codings()
            return
        stored, counts = written
        at = next((i for i, c in enumerate(self.codings) if c is shown), None)
        if at is None or (stored.start, stored.end) != (shown.start, shown.end):
            # Not as drawn (it waited, or joined a coding made elsewhere): read them all.
            await self.refresh_codings()
            return
        self.codings[at] = stored  # drawn already: the same span, code and coder
        self.panel.update_counts(counts)
        self.update_status()

    @work(group="action", exit_on_error=False)
    async def action_repeat_code(self) -> None:
        if self.last_code is None or self.last_code not in self.codes:
            self.notify("No code applied yet: press c to choose one", severity="warning")
            return
        await self.apply_code(self.last_code)

    def on_key(self, event: Key) -> None:
        """A code's own shortcut key applies it. Keys the screen uses for actions keep
        their action; ' then the key applies the code whatever the key."""
        if self.focused is not self.view or event.character is None:
            return
        leader, self._awaiting_code_key = self._awaiting_code_key, False
        if leader and event.key == "escape":  # ' then Escape: changed one's mind
            self.notify("No code applied")
            event.stop()
            event.prevent_default()
            return
        if not leader and event.key in self.active_bindings:
            return
        code = next((c for c in self.codes.values() if c.key == event.character), None)
        if code is None:
            if leader:
                self.notify(f"No code has the key {event.character!r}", severity="warning")
                event.stop()
            return
        event.stop()
        event.prevent_default()
        self.apply_by_key(code.id)

    @work(group="action", exit_on_error=False)
    async def apply_by_key(self, code_id: int) -> None:
        await self.apply_code(code_id)

    def action_code_key(self) -> None:
        self._awaiting_code_key = True
        self.notify("Press a code's key", timeout=2)

    def mine_here(self) -> list[dict]:
        start, end = self.view.selected_span()
        offset = start if start != end else self.view.cursor_offset
        # Not one still being written: it has no row to change yet.
        return [c for c in spans.covering(self.codings, offset)
                if c.coder_name == self.coder and c.id is not None]

    def in_words(self, coding: Coding) -> str:
        """Where a coding is, by turn and first words (never offsets)."""
        text = self.view.lines.text
        return passage_in(self.transcript_name, self.turns, coding.start, coding.end,
                          text[coding.start:min(coding.end, coding.start + 300)])

    async def choose_coding(self, verb: str) -> Coding | None:
        found = self.mine_here()
        if not found:
            self.notify(f"Nothing of yours to {verb} under the cursor", severity="warning")
            return None
        if len(found) == 1:
            return found[0]
        choices = []
        for coding in found:
            code = self.codes[coding.code_id]
            label = Text("■ ", style=self.view.colour_of(code))
            label.append(f"{code.name}  {self.in_words(coding)}")
            choices.append((str(coding.id), label))
        chosen = await self.app.push_screen_wait(Choose(f"Which coding to {verb}?", choices))
        return next((c for c in found if str(c.id) == chosen), None)

    @work(group="action", exit_on_error=False)
    async def action_remove_coding(self) -> None:
        coding = await self.choose_coding("remove")
        if coding:
            counts = await self.act(remove_coding, coding.id, self.coder, refresh="none")
            if counts is not None:
                await self.show_written(coding, None, counts)

    @work(group="action", exit_on_error=False)
    async def action_recode(self) -> None:
        coding = await self.choose_coding("change")
        if coding is None:
            return
        choice = await self.app.push_screen_wait(CodePicker(self.index, "Change the code to",
                                                            applies=True))
        if choice is None:
            return
        code_id = choice.get("code")
        if "new" in choice:
            code_id = await self.act(Project.add_code, choice["new"], refresh="all")
        if code_id:
            written = await self.act(recode, coding.id, code_id, self.coder,
                                     refresh="none")
            if written is not None:
                await self.show_written(coding, *written)

    @work(group="action", exit_on_error=False)
    async def action_memo(self) -> None:
        coding = await self.choose_coding("write a memo on")
        if coding is None:
            return
        code = self.codes[coding.code_id]
        memo = await self.app.push_screen_wait(
            MemoEditor(f"Memo on {code.name}, {self.in_words(coding)}", coding.memo))
        if memo is not None:
            stored = await self.act(set_memo, coding.id, memo, refresh="none")
            if stored is not None:
                await self.show_written(coding, stored)

    async def show_written(self, old: Coding, new: Coding | None,
                           counts: dict[int, int] | None = None) -> None:
        """Show a change to one coding from what was written (`new`, None if it was
        removed), not by reading every coding again; read them all only if `old` is no
        longer shown (the codings were read again meanwhile)."""
        if not any(c.id == old.id for c in self.codings):
            await self.refresh_codings()
            return
        self.codings = [new if c.id == old.id else c for c in self.codings
                        if new is not None or c.id != old.id]
        if new is None or (new.code_id, new.start, new.end) != (old.code_id, old.start,
                                                                old.end):
            self.paint()  # (a memo is not drawn on the text)
        if counts is not None:
            self.panel.update_counts(counts)
        self.update_status()

    def action_memos(self) -> None:
        from qcode.tui.screens.memos import MemoListScreen

        self.app.push_screen(MemoListScreen())

    def action_journal(self) -> None:
        """The journal, offering a new entry links to the passage and code here."""
        from qcode.tui.screens.memos import Here, MemoListScreen

        span = self.view.selected_span()
        under = spans.covering(self.codings, self.view.cursor_offset)
        code_id = under[0].code_id if under else self.panel.highlighted_code
        if span[0] == span[1]:
            span = (under[0].start, under[0].end) if under else None
        code = (code_id, self.codes[code_id].name) if code_id in self.codes else None
        self.app.push_screen(MemoListScreen(journal=True, here=Here(
            self.transcript_id, self.transcript_name, span, code)))

    @work(group="action", exit_on_error=False)
    async def action_code_memo(self) -> None:
        """Write or edit the memo on the code highlighted in the codebook panel."""
        from qcode.tui.screens.memos import write_memo

        code_id = self.panel.highlighted_code
        if code_id is None or code_id not in self.codes:
            self.notify("Highlight a code in the codebook panel first", severity="warning")
            return
        await write_memo(self, ("code", code_id), f"Memo on {self.codes[code_id].name}")

    def action_next_coding(self, step: int, same_code: bool) -> None:
        codings = [c for c in self.codings if c.coder_name == self.coder or self.show_others]
        if same_code:
            under = self.mine_here()
            code_id = under[0].code_id if under else self.last_code
            if code_id is None:
                self.notify("No code to follow: put the cursor on a coding",
                            severity="warning")
                return
            codings = [c for c in codings if c.code_id == code_id]
        offset = self.view.selected_span()[0]
        if step > 0:
            found = next((c for c in codings if c.start > offset), None)
        else:
            found = next((c for c in reversed(codings) if c.start < offset), None)
        if found is None:
            self.notify("No more codings that way", timeout=2)
            return
        self.view.select_span(found.start, found.end)

    # -- undo ---------------------------------------------------------------------------

    async def step(self, direction: str) -> None:
        """Undo here takes back what was done on this transcript (or to the codebook);
        anything else (a consensus decision, another transcript) is named and asked
        about first."""
        from qcode.tui.undo import DONE, next_step

        step = await next_step(self, direction, self.undo_belongs_here)
        if step is None:
            return
        call = Project.undo if direction == "undo" else Project.redo
        try:
            done = await self.act(call, step.event_id, refresh="all")
        except ProjectError:
            # Refusals are reported by act; what is left is the refresh failing because
            # the step took this transcript away (it redid a removal).
            self.notify(f"{direction.capitalize()} removed this transcript", timeout=4)
            self.app.pop_screen()
            return
        if done is True:
            self.notify(f"Nothing to {direction}", timeout=2)
        elif done:
            self.notify(f"{DONE[direction]}: {step.told}", timeout=3)

    def undo_belongs_here(self, step) -> bool:
        from qcode.tui.undo import ATTRIBUTE_ACTIONS, MEETING_ACTIONS, REVIEW_ACTIONS

        return (step.action not in MEETING_ACTIONS + REVIEW_ACTIONS + ATTRIBUTE_ACTIONS
                and step.transcript_id in (None, self.transcript_id))

    # -- who codes what -------------------------------------------------------------------

    @work(group="action", exit_on_error=False)
    async def action_toggle_coded(self) -> None:
        """Agreement compares coders on the transcripts each of them marked coded."""
        marked = await self.act(toggle_coded, self.coder, self.transcript_id)
        if marked is None:
            return  # refused, and said so by act
        self.marked = marked
        self.update_status()
        self.notify(f"{self.transcript_name} marked {'coded' if marked else 'not coded'} "
                    f"by {self.coder} (C again {'takes the mark away' if marked else 'marks it'})",
                    timeout=3)

    # -- find and search ------------------------------------------------------------------

    def action_find(self) -> None:
        find = self.query_one("#find", Input)
        find.display = True
        find.focus()

    @on(Input.Submitted, "#find")
    def find_submitted(self) -> None:
        self.action_find_next()

    def action_find_next(self) -> None:
        needle = self.query_one("#find", Input).value.casefold()
        if not needle:
            return
        text = self.view.lines.text.casefold()
        start = self.view.selected_span()[1]
        found = text.find(needle, start)
        if found < 0:
            found = text.find(needle)
            if found >= 0:
                self.notify("Search wrapped to the start", timeout=2)
        if found < 0:
            self.notify(f"Not found: {needle}", severity="warning", timeout=2)
            return
        self.view.select_span(found, found + len(needle))

    def on_descendant_blur(self, event) -> None:
        find = self.query_one("#find", Input)
        if event.widget is find and not find.value:
            find.display = False

    def key_escape(self, event: Key) -> None:
        find = self.query_one("#find", Input)
        if self.focused is find:
            event.stop()
            find.display = False
            self.view.focus()

    def action_search(self) -> None:
        from qcode.tui.screens.search import SearchScreen

        self.app.push_screen(SearchScreen())

    def action_retrieve(self) -> None:
        under = self.mine_here()
        if under:
            self.open_retrieve(under[0].code_id)
            return
        self.app.push_screen(CodePicker(self.index, "Retrieve the segments of",
                                        allow_new=False),
                             lambda choice: choice and self.open_retrieve(choice["code"]))

    def open_retrieve(self, code_id: int) -> None:
        from qcode.tui.screens.retrieve import RetrieveScreen

        self.app.push_screen(RetrieveScreen(code_id, self.show_others))

    def jump(self, start: int, end: int) -> None:
        self.view.focus()
        self.view.select_span(start, end)

    # -- views ------------------------------------------------------------------------------

    @work(group="action", exit_on_error=False)
    async def action_toggle_others(self) -> None:
        if not self.show_others and not await self.leave_blind():
            return
        self.show_others = not self.show_others
        await self.refresh_codings()
        self.notify("Showing every coder's codings (underlined)" if self.show_others
                    else "Blind: only your codings", timeout=2)

    def action_toggle_margin(self) -> None:
        self.view.toggle_margin()
        self.notify("Coding margin shown: a stripe per code (| hides it)"
                    if self.view.margin_shown else "Coding margin hidden (| shows it)",
                    timeout=2)

    async def leave_blind(self) -> bool:
        """Seeing another coder's codings ends blind coding for good on this
        transcript, so it is asked, never done by one stray key."""
        choice = await self.app.push_screen_wait(Choose(
            "Leave blind coding? You will see every coder's codings on this transcript, "
            "and your coding of it is no longer independent.",
            [("stay", "Stay blind"), ("leave", "Show every coder's codings")]))
        return choice == "leave"

    def action_toggle_codebook(self) -> None:
        side = self.query_one("#side")
        side.display = not side.display
        if side.display:
            self.panel.focus()
        else:
            self.view.focus()

    @work(group="leave", exclusive=True, exit_on_error=False)
    async def action_back(self) -> None:
        # Leaving would cancel the retries (they are this screen's workers).
        if not await self.app.changes_tried("stay until it is"):
            return
        if self.is_current:  # (not under a dialog opened while the change was written)
            self.app.pop_screen()

    # -- the codebook panel -------------------------------------------------------------

    @on(Tree.NodeSelected, "#codebook")
    def code_chosen_in_panel(self, event: Tree.NodeSelected) -> None:
        if event.node.data is not None and self.view.selected_span()[0] != \
                self.view.selected_span()[1]:
            self.apply_by_key(event.node.data)
            self.view.focus()

    def panel_code(self) -> Code | None:
        code_id = self.panel.highlighted_code
        if code_id is None:
            self.notify("Highlight a code in the codebook first", severity="warning")
        return self.codes.get(code_id) if code_id is not None else None

    @work(group="action", exit_on_error=False)
    async def action_add_code(self, as_child: bool) -> None:
        code = self.codes.get(self.panel.highlighted_code)
        parent = (code.id if as_child else code.parent_id) if code else None
        where = f" under {self.codes[parent].name}" if parent else ""
        name = await self.app.push_screen_wait(AskLine(f"New code{where}:"))
        if name:
            code_id = await self.act(Project.add_code, name, parent, refresh="all")
            if code_id:
                self.panel.select_code(code_id)

    @work(group="action", exit_on_error=False)
    async def action_rename_code(self) -> None:
        code = self.panel_code()
        if code is None:
            return
        name = await self.app.push_screen_wait(AskLine("Rename code to:", code.name))
        if name and name != code.name:
            await self.act(Project.edit_code, code.id, name=name, refresh="all")

    @work(group="action", exit_on_error=False)
    async def action_edit_code(self) -> None:
        code = self.panel_code()
        if code is None:
            return
        changed = await self.app.push_screen_wait(CodeEditor(code))
        if changed:
            await self.act(Project.edit_code, code.id, **changed, refresh="all")

    @work(group="action", exit_on_error=False)
    async def action_move_code(self) -> None:
        code = self.panel_code()
        if code is None:
            return
        choice = await self.app.push_screen_wait(CodePicker(
            self.index, f"Move {code.name} under", allow_new=False,
            extra=[(TOP, "(the top level: a global theme)")]))
        if choice is None:
            return
        parent = None if choice.get("extra") == TOP else choice["code"]
        await self.act(Project.move_code, code.id, parent, refresh="all")

    @work(group="action", exit_on_error=False)
    async def action_merge_code(self) -> None:
        code = self.panel_code()
        if code is None:
            return
        choice = await self.app.push_screen_wait(CodePicker(
            self.index, f"Merge {code.name} into", allow_new=False))
        if choice is None:
            return
        moved = await self.act(Project.merge_codes, code.id, choice["code"],
                               refresh="all")
        if moved is not None:
            self.notify(f"Merged {code.name} ({moved if moved is not True else 0} "
                        "codings moved)")

    @work(group="action", exit_on_error=False)
    async def action_delete_code(self) -> None:
        code = self.panel_code()
        if code is not None:
            await self.act(Project.delete_code, code.id, refresh="all")

    def action_retrieve_code(self) -> None:
        code = self.panel_code()
        if code is not None:
            self.open_retrieve(code.id)
