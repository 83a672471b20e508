"""Found by trying the read-ahead as a new user: leaving the coding screen (Escape, or
opening another transcript from search) while a coding is still being written, or
waits for another program, must not drop the coding the screen showed."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from qcode.tui.app import QcodeApp
from qcode.tui.screens.transcripts import TranscriptsScreen
from tests.tui_helpers import FIRST, codings, open_with_waits, run, settle, until


coding_screen = open_with_waits


def code_a_sentence_while_held(path: Path, then, lock_wait_s: float):
    """Code a sentence while another program holds the project, run `then(pilot, app,
    screen)`, let the other program go: what is stored, and what `then` returned."""
    async def scenario():
        app = QcodeApp(path, "ana", remember=False)
        async with app.run_test(size=(100, 30)) as pilot:
            screen = await coding_screen(pilot, app, lock_wait_s)
            other = sqlite3.connect(path, isolation_level=None)
            other.execute("BEGIN IMMEDIATE")
            try:
                screen.view.move_to(FIRST.index("no training"))
                await pilot.press("s", "1")  # drawn at once, "saving…"
                seen = await then(pilot, app, screen)
            finally:
                other.execute("COMMIT")
                other.close()
            await until(pilot, lambda: not app.db.pending)
            await settle(pilot, app)
            return seen
    seen = run(scenario())
    return codings(path), seen


WE_HAD = FIRST.index("We had")
CODED = [("Lack of training", "ana", WE_HAD, WE_HAD + 26, "")]


def test_escape_while_a_coding_is_on_its_first_try_keeps_the_coding(path: Path):
    """Escape pressed while the coding's first try waits for the project: the screen
    stays (and says the change is not saved), and the coding is written later."""
    async def escape(pilot, app, screen):
        await pilot.press("escape")
        await until(pilot, lambda: app.db.waiting)
        await settle(pilot, app)
        return app.screen is screen

    stored, stayed = code_a_sentence_while_held(path, escape, lock_wait_s=0.5)
    assert stayed
    assert stored == CODED


def test_escape_just_after_coding_leaves_once_the_coding_is_written(path: Path):
    async def scenario():
        app = QcodeApp(path, "ana", remember=False)
        async with app.run_test(size=(100, 30)) as pilot:
            screen = await coding_screen(pilot, app, lock_wait_s=2.0)
            screen.view.move_to(FIRST.index("no training"))
            await pilot.press("s", "1", "escape")
            await until(pilot, lambda: isinstance(app.screen, TranscriptsScreen))
    run(scenario())
    assert codings(path) == CODED


def test_opening_another_transcript_while_a_coding_waits_keeps_the_coding(path: Path):
    """(As search, retrieval or a memo's link open one.) Refused while the coding
    waits: the coding screen stays, and the coding is written once the project is free."""
    async def open_the_other(pilot, app, screen):
        await until(pilot, lambda: app.db.waiting)
        app.open_transcript(2)
        await pilot.pause(0.3)
        await settle(pilot, app)
        return app.screen is screen

    stored, stayed = code_a_sentence_while_held(path, open_the_other, lock_wait_s=0.1)
    assert stayed
    assert stored == CODED
