"""The terminal app at 80x24, asserted on the screen as drawn: the footer keeps the
keys a lost user looks for, help and the palette speak in keys as they are typed."""

from __future__ import annotations

import io
import re
from pathlib import Path

from rich.console import Console

from qcode.tui.app import QcodeApp
from qcode.tui.screens.help import HelpScreen, binding_rows
from qcode.tui.screens.picker import CodePicker
from tests.tui_helpers import open_first, run, screen_text, settle, until


SIZE = (80, 24)
TEXTUAL_NAMES = ("full_stop", "square_bracket", "question_mark", "apostrophe", "slash")


def footer(app) -> str:
    return screen_text(app).splitlines()[-1]


def test_footers_keep_undo_redo_help_quit_and_the_way_back_at_80_columns(path: Path):
    async def scenario():
        app = QcodeApp(path, "ana", remember=False)
        async with app.run_test(size=SIZE) as pilot:
            await settle(pilot, app)
            # The transcripts screen undoes the attributes it sets.
            keys = re.split(r"\s{2,}", footer(app).strip())
            assert keys[:4] == ["u Undo", "U Redo", "? Help", "q Quit"]
            assert "a Attributes" in keys
            await open_first(pilot, app)
            await settle(pilot, app)
            keys = re.split(r"\s{2,}", footer(app).strip())
            assert keys[:4] == ["u Undo", "U Redo", "? Help", "q Quit"]
            # The only way back to the table, never cut (a trial found it was).
            assert keys[4] == "esc Transcripts"
            assert "c Code" in keys
            await pilot.press("escape", "R")  # the reports screen
            await until(pilot, lambda: type(app.screen).__name__ == "ReportsScreen")
            await settle(pilot, app)
            assert footer(app).split()[:4] == ["?", "Help", "q", "Quit"]
    run(scenario())


def help_text(app) -> str:
    """The help screen's whole text, as wide as it is drawn at 80 columns."""
    console = Console(width=app.screen.query_one("#help").content_size.width,
                      record=True, file=io.StringIO())
    for static in app.screen.query("#help Static"):
        console.print(static.content)
    return console.export_text()


def test_help_shows_keys_as_typed_and_ids_whole(path: Path):
    async def scenario():
        app = QcodeApp(path, "ana", remember=False)
        async with app.run_test(size=SIZE) as pilot:
            await open_first(pilot, app)
            await pilot.press("question_mark")
            await until(pilot, lambda: isinstance(app.screen, HelpScreen))
            text = help_text(app)
            assert not any(name in text for name in TEXTUAL_NAMES), text
            lines = [line.split() for line in text.splitlines()]
            assert [".", "Repeat", "coding.repeat"] in lines
            assert ["]", "Next", "of", "this", "code", "coding.next_same"] in lines
            assert ["?,", "f1", "Help", "app.help"] in lines
            assert ["u,", "ctrl+z", "Undo", "coding.undo"] in lines
            # Every binding id drawn whole on one line, never broken mid-word.
            words = set(text.split())
            assert {row[3] for row in binding_rows(app) if row[3]} <= words
            # The code keys of the codebook are listed too.
            assert ["1", "apply", "Lack", "of", "training"] in lines
            assert "for remapping" in screen_text(app)
    run(scenario())


def test_palette_offers_qcode_actions_and_textual_ones_only_when_asked(path: Path):
    async def scenario():
        app = QcodeApp(path, "ana", remember=False)
        async with app.run_test(size=SIZE) as pilot:
            await open_first(pilot, app)
            await pilot.press("ctrl+p")
            await pilot.pause(0.5)
            shown = screen_text(app)
            assert "Code" in shown and "Undo" in shown
            for textual_own in ("Theme", "Screenshot", "Maximize", "Keys"):
                assert textual_own not in shown
            await pilot.press(*"theme")
            await pilot.pause(0.5)
            assert "Theme" in screen_text(app)  # asked for by name
            await pilot.press("escape")
            commands = {c.title: c for c in app.get_system_commands(app.screen)}
            discovered = {title for title, c in commands.items() if c.discover}
            assert {"Code", "Undo", "Redo", "Help", "Quit", "Repeat"} <= discovered
            assert not {"Theme", "Screenshot", "Keys"} & discovered
            assert "key: ." in commands["Repeat"].help
    run(scenario())


def test_codebook_panel_and_picker_fit_80_columns(path: Path):
    async def scenario():
        app = QcodeApp(path, "ana", remember=False)
        async with app.run_test(size=SIZE) as pilot:
            screen = await open_first(pilot, app)
            assert screen.query_one("#side").size.width <= 27
            assert screen.view.size.width >= 52
            await pilot.press("s", "c", *"lack", "down")  # Down: from "+ new code" to it
            await until(pilot, lambda: isinstance(app.screen, CodePicker))
            await settle(pilot, app)
            drawn = screen_text(app)
            assert "Definition: Officers were not trained" in drawn
            assert "Not when: A lack of staff; use Resources." in drawn
            assert "shift+↑↓ guidance" in drawn
            guidance = app.screen.query_one("#picker-detail")
            await pilot.press("shift+down")
            await pilot.pause()
            assert "Example: Nobody showed us what to look for." in screen_text(app)
            assert guidance.scroll_y >= 0
            await pilot.press("escape")
    run(scenario())


def test_long_transcript_names_leave_the_progress_columns_on_screen(tmp_path: Path,
                                                                   monkeypatch):
    from tests.tui_helpers import FIRST, parsed
    from qcode.core.store import Project
    from qcode.tui.screens.transcripts import TranscriptsScreen, cut_middle

    monkeypatch.setenv("QCODE_CONFIG", str(tmp_path / "config.toml"))
    name = "interview-2024-03-14-detective-sergeant-southeast-region-final-v2"
    with Project.create(tmp_path / "p.qcode") as project:
        project.add_transcript(parsed(name, FIRST), "a.txt",
                               case="participant-with-a-long-case-name-07")

    async def scenario():
        app = QcodeApp(tmp_path / "p.qcode", "ana", remember=False)
        async with app.run_test(size=SIZE) as pilot:
            await until(pilot, lambda: isinstance(app.screen, TranscriptsScreen)
                        and "coded" in screen_text(app))
            text = screen_text(app)
            assert "Participant turns" in text
            assert "0/2 coded (0%)" in text
            shown = next(line for line in text.splitlines() if "interview-" in line)
            assert "…" in shown and "final-v2" in shown  # both ends of the name kept
    run(scenario())
    assert cut_middle("abcdefghij", 5) == "ab…ij"
    assert cut_middle("short", 10) == "short"


def test_the_save_state_stays_on_screen_at_80_columns(path: Path):
    """Saved or not is what tells a researcher that closing qcode loses nothing: it
    comes first on the status line, where neither the line's cut end nor a
    notification (they cover the right half of the rows above the footer) hides it."""
    async def scenario():
        app = QcodeApp(path, "ana", remember=False)
        async with app.run_test(size=SIZE, notifications=True) as pilot:
            screen = await open_first(pilot, app)
            await settle(pilot, app)

            def status_row() -> str:
                return screen_text(app).splitlines()[-2]

            assert "saved" in status_row()
            await pilot.press("C")  # marked coded: the line grows
            await until(pilot, lambda: screen.marked and screen.state == "saved")
            await pilot.press("u")  # its undo is told in a notification
            await until(pilot, lambda: not screen.marked and "Undone" in screen_text(app))
            assert "saved" in status_row()
    run(scenario())
