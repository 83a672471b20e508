"""The qcode terminal app. `make_app` is shared by the CLI, the tests and the benchmarks."""

from __future__ import annotations

import asyncio
import gc
from collections.abc import Callable
from functools import partial
from pathlib import Path

from textual.app import App, SystemCommand
from textual.binding import Binding
from textual.screen import Screen
from textual.worker import Worker, WorkerState

from qcode.core.store import ProjectError
from qcode.settings import read_settings, remember_coder
from qcode.tui.database import Database
from qcode.tui.screens.forms import AskLine
from qcode.tui.screens.help import HelpScreen, typed_key, typed_keys
from qcode.tui.screens.transcripts import TranscriptsScreen
from qcode.tui.terminal import TERMINAL_SAFE


class QcodeApp(App):
    CSS_PATH = "app.tcss"
    TITLE = "qcode"
    BINDINGS = [
        Binding("question_mark,f1", "help", "Help", id="app.help"),
        Binding("q", "quit", "Quit", id="app.quit"),
    ]

    def __init__(self, project: Path, coder: str | None = None,
                 keys: dict[str, str] | None = None, transcript: str | None = None,
                 remember: bool = True, vim: bool = False,
                 first_screen: Callable[[], Screen] | None = None):
        super().__init__()
        self.vim = vim  # h j k l move on the coding screen (settings: vim = true)
        self.project_path = Path(project)
        self.coder = coder or ""
        self.remember = remember
        self.first_transcript = transcript
        self.first_screen = first_screen  # shown over the transcripts once open
        self.db: Database | None = None
        self.report_choices = None  # the reports screen's, kept while one goes to a quote
        self._ahead: tuple[int, asyncio.Future] | None = None  # see read_ahead
        if keys:
            self.set_keymap(keys)

    def on_mount(self) -> None:
        # Textual keeps many small cached objects per line of text; with the default
        # thresholds a full collection (40-120 ms) interrupts typing every few seconds.
        gc.set_threshold(700, 10, 1000)
        if self.coder:
            self.start()
        else:
            self.push_screen(AskLine("Your name as a coder (asked once, then remembered):"),
                             self._coder_given)

    async def action_quit(self) -> None:
        # Quitting would drop a change that is waiting for another program's write.
        if await self.changes_tried("quit once it is saved"):
            await super().action_quit()

    async def changes_tried(self, otherwise: str) -> bool:
        """Whether no change waits for another program, once the changes under way
        have had their first try (`Database.tried`); if one waits, says so and what to
        do (`otherwise`)."""
        if self.db is None or await self.db.tried():
            return True
        self.notify("A change is not saved yet (another program holds the project): "
                    f"{otherwise}", title="Not saved yet", severity="error")
        return False

    def _coder_given(self, name: str | None) -> None:
        if not name:
            self.exit(message="qcode needs a coder's name to start", return_code=1)
            return
        self.coder = name
        if self.remember:
            remember_coder(name)
        self.start()

    def start(self) -> None:
        self.run_worker(self._open(), exit_on_error=False)

    async def _open(self) -> None:
        self.db = Database(self.project_path, self.coder)
        await self.db.open()
        await self.push_screen(TranscriptsScreen())
        if self.first_transcript:
            transcript_id = await self.db(lambda p: p.transcript_id(self.first_transcript))
            await self._show_transcript(transcript_id)
        if self.first_screen is not None:
            await self.push_screen(self.first_screen())

    def open_transcript(self, transcript_id: int, select: tuple[int, int] | None = None
                        ) -> None:
        """Show a transcript on the coding screen, with `select` selected."""
        from qcode.tui.screens.coding import CodingScreen

        current = self.screen
        if isinstance(current, CodingScreen) and current.transcript_id == transcript_id:
            if select:
                current.jump(*select)
            return
        self.run_worker(self._show_transcript(transcript_id, select), group="open",
                        exclusive=True, exit_on_error=False)

    def read_ahead(self, transcript_id: int) -> None:
        """Read what opening this transcript shows (the row the cursor rests on), so
        that Enter shows it without waiting for the read. Kept only while nothing is
        written to the project: `_show_transcript` reads it again otherwise."""
        if self.db is None or (self._ahead is not None and self._ahead[0] == transcript_id):
            return
        self._drop_ahead()  # another row's: its panel need not be made now
        reading = asyncio.ensure_future(self._read_opening_ahead(transcript_id))
        # A read that failed is read again on Enter, which reports what went wrong.
        reading.add_done_callback(lambda done: done.cancelled() or done.exception())
        self._ahead = (transcript_id, reading)

    async def _read_opening_ahead(self, transcript_id: int) -> dict:
        from qcode.tui.screens.coding import read_opening
        from qcode.tui.widgets.codebook_panel import CodebookPanel

        data = await self.db(read_opening, transcript_id, [self.coder])
        # The codebook panel too (Textual's widgets are made on this thread).
        data["panel"] = CodebookPanel.made_ahead(data["codes"], data["counts"],
                                                 data["colours"], data["labels"])
        return data

    async def _read_ahead_of(self, transcript_id: int) -> dict | None:
        """What `read_ahead` read of this transcript (waiting for it if still under
        way), or None; it is used once."""
        if self._ahead is None or self._ahead[0] != transcript_id:
            self._drop_ahead()
            return None
        ahead, self._ahead = self._ahead, None
        try:
            return await ahead[1]
        except ProjectError:
            return None  # (read again now, and reported then if it fails again)

    def _drop_ahead(self) -> None:
        """Forget what was read ahead, stopping it if it is still under way."""
        if self._ahead is not None:
            self._ahead[1].cancel()
            self._ahead = None

    async def _show_transcript(self, transcript_id: int,
                               select: tuple[int, int] | None = None) -> None:
        """Read the transcript, then show its coding screen with it. Shown first and
        read after, the screen was laid out and drawn empty (a frame for nothing, its
        CPU time contending with the database thread's), then all again. What was read
        ahead is shown if the project is unchanged since."""
        from qcode.tui.screens.coding import CodingScreen, open_reading
        from qcode.tui.screens.vim import VimCodingScreen

        ahead = await self._read_ahead_of(transcript_id)
        loaded = await self.db(open_reading, transcript_id, [self.coder], ahead)
        # Closing the coding screen it was made on would drop the change.
        if not await self.changes_tried("open the transcript once it is saved"):
            return
        while not isinstance(self.screen, TranscriptsScreen) and len(self.screen_stack) > 2:
            self.pop_screen()
        screen = VimCodingScreen if self.vim else CodingScreen
        self.push_screen(screen(transcript_id, loaded, select))

    def notify(self, message: str, *, title: str = "", severity="information",
               timeout: float | None = None, markup: bool = False) -> None:
        """Messages carry user text (code names, searches, memos): never markup, so
        "[laughs]" shows as written and "[/]" cannot break the screen."""
        super().notify(message, title=title, severity=severity, timeout=timeout,
                       markup=False)

    def get_line_filters(self):
        """Textual's, with user text made terminal-safe on every line drawn."""
        return [TERMINAL_SAFE, *super().get_line_filters()]

    def action_help(self) -> None:
        codes = getattr(self.screen, "codes", {}) or {}
        keys = sorted((c.key, c.name) for c in codes.values() if c.key)
        self.push_screen(HelpScreen(keys))

    def get_key_display(self, binding: Binding) -> str:
        """Keys as people type them: `?`, `.`, `]`, ctrl+z."""
        return binding.key_display or typed_key(binding.key)

    def get_system_commands(self, screen):
        """The palette offers what the current screen can do, by name, and qcode's
        help and quit. Textual's own (theme, screenshot, keys panel) are found only
        when asked for by name."""
        for command in super().get_system_commands(screen):
            if command.title != "Quit":
                yield command._replace(discover=False)
        for owner, bindings in ((screen, type(screen).BINDINGS), (self, self.BINDINGS)):
            for binding in bindings:
                if isinstance(binding, Binding) and binding.description:
                    yield SystemCommand(binding.description,
                                        f"key: {typed_keys(binding.key)}",
                                        partial(owner.run_action, binding.action))

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        """A failed background job becomes a message, never a crash."""
        if event.state is WorkerState.ERROR:
            error = event.worker.error
            if isinstance(error, ProjectError) and self.db and self.db.project is None:
                self.exit(message=str(error), return_code=1)
                return
            self.notify(str(error) if isinstance(error, ProjectError)
                        else f"{type(error).__name__}: {error}",
                        title="Something went wrong", severity="error", timeout=8)
            if event.worker.group == "open" and isinstance(self.screen, TranscriptsScreen):
                # What could not be opened may be gone: the list shows the project now.
                self.screen.action_reload()  # (a worker of its own)

    async def on_unmount(self) -> None:
        self._drop_ahead()  # not wanted now, and no panel to make after exit
        if self.db is not None:
            self.db.close()


def make_app(project: Path, coder: str | None = None, transcript: str | None = None,
             remember: bool = True, first_screen: Callable[[], Screen] | None = None
             ) -> QcodeApp:
    """The app as a user starts it: the coder from the argument, else the settings file
    (asked for when missing); keys remapped, and vim's movement keys, from the settings
    file."""
    settings = read_settings()
    return QcodeApp(project, coder or settings.coder, settings.keys, transcript, remember,
                    settings.vim, first_screen)
