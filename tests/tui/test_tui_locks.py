"""Coding while another program holds the project for writing: the coding is shown as
not saved (never "saving…" for ever), nothing is lost, and it is written once the other
program is done."""

from __future__ import annotations

import sqlite3
import threading
from pathlib import Path

from qcode.tui.app import QcodeApp
from qcode.tui.screens.coding import NOT_SAVED, SAVED, UNSAVED_CODE, CodingScreen
from tests.tui_helpers import FIRST, code_id, codings, open_with_waits, run, until


async def coding_screen(pilot, app) -> CodingScreen:
    return await open_with_waits(pilot, app, lock_wait_s=0.1)


def test_a_coding_made_while_the_project_is_busy_is_kept_and_written_later(path: Path):
    async def scenario():
        app = QcodeApp(path, "ana", remember=False)
        async with app.run_test(size=(100, 30)) as pilot:
            screen = await coding_screen(pilot, app)
            other = sqlite3.connect(path, isolation_level=None)
            other.execute("BEGIN IMMEDIATE")
            try:
                screen.view.move_to(FIRST.index("no training"))
                await pilot.press("s", "1")  # the sentence, coded by the code's key
                await until(pilot, lambda: NOT_SAVED in screen.status_text())
                assert "saving" not in screen.status_text()
                we_had = FIRST.index("We had")
                # Painted as not saved, and named so beside the text.
                assert [(c.id, c.start, c.end) for c in screen.unsaved] \
                    == [(None, we_had, we_had + 26)]
                row = screen.view.lines.location(we_had)[0]
                assert [c.code_id for *_, c in screen.view._pieces[row]] == [UNSAVED_CODE.id]
                assert "NOT SAVED" in str(screen.query_one("#here").render())
                # Still waiting, not given up, a while later; leaving is refused.
                await pilot.pause(0.5)
                await pilot.press("escape")
                assert app.screen is screen and screen.unsaved
                other.execute("COMMIT")
            finally:
                other.close()
            await until(pilot, lambda: f" {SAVED} " in screen.status_text())
            assert not screen.unsaved
            assert codings(path) == [("Lack of training", "ana", we_had, we_had + 26, "")]
    run(scenario())


def test_changes_made_while_busy_are_written_in_order(path: Path):
    async def scenario():
        app = QcodeApp(path, "ana", remember=False)
        async with app.run_test(size=(100, 30)) as pilot:
            screen = await coding_screen(pilot, app)
            other = sqlite3.connect(path, isolation_level=None)
            other.execute("BEGIN IMMEDIATE")
            try:
                screen.view.move_to(FIRST.index("no training"))
                await pilot.press("s", "1")
                await until(pilot, lambda: len(screen.unsaved) == 1)
                screen.view.move_to(FIRST.index("Many fear"))
                await pilot.press("s", "3")
                await until(pilot, lambda: len(screen.unsaved) == 2)
                assert NOT_SAVED in screen.status_text()
                other.execute("COMMIT")
            finally:
                other.close()
            await until(pilot, lambda: not screen.unsaved
                        and f" {SAVED} " in screen.status_text())
            assert [c[0] for c in codings(path)] == ["Lack of training",
                                                     "Fear of deportation"]
    run(scenario())


def test_quitting_while_a_change_waits_is_refused(path: Path):
    async def scenario():
        app = QcodeApp(path, "ana", remember=False)
        async with app.run_test(size=(100, 30)) as pilot:
            screen = await coding_screen(pilot, app)
            other = sqlite3.connect(path, isolation_level=None)
            other.execute("BEGIN IMMEDIATE")
            try:
                screen.view.move_to(FIRST.index("no training"))
                await pilot.press("s", "1")
                await until(pilot, lambda: NOT_SAVED in screen.status_text())
                await pilot.press("q")  # quitting now would drop the coding
                await pilot.pause(0.2)
                assert app.is_running and app.screen is screen and screen.unsaved
                other.execute("COMMIT")
            finally:
                other.close()
            await until(pilot, lambda: not screen.unsaved)
        assert len(codings(path)) == 1
    run(scenario())


def test_a_coding_is_drawn_at_once_and_says_saving_until_written(path: Path):
    """The key's coding is drawn before the database thread gets to it (here held
    back), in its code's colour, the status line saying "saving…" until it is on disk;
    once written it is the stored coding, joined as the store joined it."""
    async def scenario():
        app = QcodeApp(path, "ana", remember=False)
        async with app.run_test(size=(100, 30)) as pilot:
            screen = await coding_screen(pilot, app)
            held = threading.Event()
            app.db._thread.submit(held.wait)  # the database thread is busy with this
            try:
                we_had = FIRST.index("We had")
                screen.view.move_to(we_had + 3)
                await pilot.press("w", "1")  # the word "had", coded by the key
                await until(pilot, lambda: len(screen.codings) == 1)
                assert [(c.id, c.start, c.end) for c in screen.codings] \
                    == [(None, we_had + 3, we_had + 6)]
                row = screen.view.lines.location(we_had)[0]
                assert [c.code_id for *_, c in screen.view._pieces[row]] \
                    == [code_id(path, "Lack of training")]
                assert "saving" in screen.status_text()
                assert codings(path) == []
                # Its sentence, the same code: one coding on screen, as in the store.
                await pilot.press("s", "1")
                await until(pilot, lambda: screen.codings[0].start == we_had)
                assert [(c.start, c.end) for c in screen.codings] == [(we_had, we_had + 26)]
            finally:
                held.set()
            await until(pilot, lambda: f" {SAVED} " in screen.status_text())
            assert [(c.start, c.end) for c in screen.codings] == [(we_had, we_had + 26)]
            assert screen.codings[0].id is not None
            assert codings(path) == [("Lack of training", "ana", we_had, we_had + 26, "")]
    run(scenario())
