"""C in the coding screen marks the transcript coded by the current coder, for
agreement to compare coders only where each has coded (issue 13)."""

from __future__ import annotations

from pathlib import Path

import pytest

from qcode.core.store import Project
from qcode.tui.app import QcodeApp
from qcode.tui.screens.coding import CodingScreen
from qcode.tui.screens.help import binding_rows
from qcode.tui.screens.transcripts import TranscriptsScreen
from tests.tui_helpers import run, settle


pytestmark = pytest.mark.tui


def marked(path: Path) -> set[tuple[str, str]]:
    with Project.open(path) as project:
        return {(r.coder, r.transcript) for r in project.coding_status()
                if r.marked_coded}


def test_c_marks_the_transcript_coded_and_again_takes_the_mark_away(path: Path):
    async def scenario():
        app = QcodeApp(path, "cy", remember=False)
        async with app.run_test(size=(80, 24)) as pilot:
            await settle(pilot, app)
            assert isinstance(app.screen, TranscriptsScreen)
            await pilot.press("enter")
            await settle(pilot, app)
            assert isinstance(app.screen, CodingScreen)
            await pilot.press("C")
            await settle(pilot, app)
            assert marked(path) == {("cy", "p01-detective")}
            assert "marked coded" in app.screen.status_text()
            await pilot.press("u")  # undoable like any other action
            await settle(pilot, app)
            assert marked(path) == set()
            assert "marked coded" not in app.screen.status_text()
            await pilot.press("C", "C")
            await settle(pilot, app)
            assert marked(path) == set()
    run(scenario())


def test_the_key_is_listed_in_help():
    rows = binding_rows(QcodeApp.__new__(QcodeApp))
    assert ("Coding", "C", "Mark transcript coded", "coding.mark_coded") in rows
