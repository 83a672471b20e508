"""Memos from the terminal app: one key on a transcript, a participant and a code; the
memo list filtered and searched, Enter jumping to what a memo is about; the journal.
Driven by Pilot at 80x24."""

from __future__ import annotations

from pathlib import Path

import pytest

from qcode.core.store import Project
from qcode.core.store.memos import Link
from qcode.tui.app import QcodeApp
from qcode.tui.screens.coding import CodingScreen
from qcode.tui.screens.help import binding_rows
from qcode.tui.screens.memos import MemoListScreen
from qcode.tui.screens.transcripts import TranscriptsScreen
from tests.tui_helpers import code_id, open_first, run, select_code, settle, until


pytestmark = pytest.mark.tui


def memos(path: Path, **filters) -> list[tuple[str, str, str]]:
    with Project.open(path) as project:
        return [(m.kind, m.about, m.text) for m in project.memo_rows(**filters)]


async def type_memo(pilot, app, text: str) -> None:
    await settle(pilot, app)
    for character in text:
        await pilot.press("space" if character == " " else character)
    await pilot.press("ctrl+s")
    await settle(pilot, app)


def test_one_key_writes_a_memo_on_a_transcript_a_participant_and_a_code(path: Path):
    async def scenario():
        app = QcodeApp(path, "cy", remember=False)
        async with app.run_test(size=(80, 24)) as pilot:
            await settle(pilot, app)
            assert isinstance(app.screen, TranscriptsScreen)
            await pilot.press("m")
            await type_memo(pilot, app, "long interview")
            await pilot.press("p")
            await type_memo(pilot, app, "a detective")
            await pilot.press("m")  # again: the memo is edited, not doubled
            await settle(pilot, app)
            await pilot.press("end", "!", "ctrl+s")
            await settle(pilot, app)
            await pilot.press("enter")
            await settle(pilot, app)
            assert isinstance(app.screen, CodingScreen)
            await pilot.press("tab")
            assert app.screen.focused is app.screen.panel
            await select_code(pilot, app.screen.panel, code_id(path, "Resources"))
            await pilot.press("w")
            await type_memo(pilot, app, "stops")
    run(scenario())
    assert memos(path) == [("transcript", "transcript p01-detective", "long interview!"),
                           ("case", "case P01", "a detective"),
                           ("code", "code Resources", "stops")]


def test_the_memo_list_filters_searches_and_jumps_to_the_passage(path: Path):
    with Project.open(path) as project:
        project.coder = "cy"
        first = project.transcript_id("p01-detective")
        project.add_memo("a study-wide thought")
        project.add_memo("fear runs deep", links=[Link("transcript", first, 100, 120)])
        project.add_memo("my own position", journal=True)

    async def scenario():
        app = QcodeApp(path, "cy", remember=False)
        async with app.run_test(size=(80, 24)) as pilot:
            await settle(pilot, app)
            await pilot.press("M")
            await settle(pilot, app)
            screen = app.screen
            assert isinstance(screen, MemoListScreen)
            await until(pilot, lambda: len(screen.shown) == 3)
            await pilot.press("slash")
            for key in "fear":
                await pilot.press(key)
            await until(pilot, lambda: len(screen.shown) == 1)
            await pilot.press("enter", "enter")  # leave the filter, then go
            await settle(pilot, app)
            assert isinstance(app.screen, CodingScreen)
            assert app.screen.view.selected_span() == (100, 120)
    run(scenario())


def test_the_journal_screen_writes_dated_entries_by_the_coder(path: Path):
    async def scenario():
        app = QcodeApp(path, "cy", remember=False)
        async with app.run_test(size=(80, 24)) as pilot:
            await settle(pilot, app)
            await pilot.press("J")
            await settle(pilot, app)
            assert isinstance(app.screen, MemoListScreen) and app.screen.journal
            await pilot.press("n")
            await type_memo(pilot, app, "I expected blame")
            await until(pilot, lambda: len(app.screen.shown) == 1)
            await pilot.press("x")
            await settle(pilot, app)
            await until(pilot, lambda: app.screen.shown == [])
    run(scenario())
    with Project.open(path) as project:
        assert project.events(1)[0]["summary"].startswith("removed memo")


def test_a_journal_entry_from_the_coding_screen_links_the_passage_and_code(path: Path):
    """J on the coding screen, then n: the new entry is offered the selected passage
    and the code under the cursor; l then links one more code from the picker."""
    async def scenario():
        app = QcodeApp(path, "cy", remember=False)
        async with app.run_test(size=(80, 24)) as pilot:
            await open_first(pilot, app)
            app.screen.view.select_span(100, 120)
            await select_code(pilot, app.screen.panel, code_id(path, "Resources"))
            await pilot.press("J")
            await settle(pilot, app)
            assert isinstance(app.screen, MemoListScreen) and app.screen.journal
            await pilot.press("n")
            await type_memo(pilot, app, "blame again")
            await pilot.press("enter")  # the first choice: the passage and the code
            await until(pilot, lambda: len(app.screen.shown) == 1)
            keys = list(app.screen.query("FooterKey"))
            assert "Link" in " ".join(str(k.render()) for k in keys)
            assert all(0 < k.region.right <= 80 for k in keys)  # none cut off
            await pilot.press("l")
            await settle(pilot, app)
            for key in "Fear":
                await pilot.press(key)
            await pilot.press("enter")
            await until(pilot, lambda: len(app.screen.shown[0].links) == 3)
    run(scenario())
    with Project.open(path) as project:
        entry = project.memo_rows(kind="journal")[0]
        assert entry.links == [
            "passage p01-detective, turn 2 (P01): “raining at all. Nobo”", "code Resources",
            "code Fear of deportation"]


def test_the_keys_are_in_help():
    rows = {(where, keys) for where, keys, *_ in binding_rows(QcodeApp.__new__(QcodeApp))}
    assert {("Transcripts", "m"), ("Transcripts", "p"), ("Transcripts", "M"),
            ("Transcripts", "J"), ("Coding", "M"), ("Codebook panel", "w"),
            ("Memos and journal", "enter"), ("Memos and journal", "l")} <= rows
