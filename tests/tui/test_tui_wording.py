"""The coding screen names passages by turn and first words, never by positions
(issue 14): the memo dialog, the undo message."""

from __future__ import annotations

import re
from pathlib import Path

from qcode.tui.app import QcodeApp
from qcode.tui.screens.coding import CodingScreen
from qcode.tui.screens.forms import MemoEditor
from tests.tui_helpers import FIRST, run, settle


WORDS = "p01-detective, turn 2 (P01): “We had no training at all.”"


def test_memo_dialog_and_undo_name_the_turn_and_first_words(path: Path):
    async def scenario():
        app = QcodeApp(path, "ana", remember=False)
        async with app.run_test(size=(100, 30)) as pilot:
            await settle(pilot, app)
            await pilot.press("enter")
            await settle(pilot, app)
            screen = app.screen
            assert isinstance(screen, CodingScreen)
            screen.view.move_to(FIRST.index("no training"))
            await pilot.press("s", "1")
            await settle(pilot, app)
            await pilot.press("m")
            await settle(pilot, app)
            assert isinstance(app.screen, MemoEditor)
            assert app.screen.title_text == f"Memo on Lack of training, {WORDS}"
            await pilot.press("escape")
            await settle(pilot, app)
            await pilot.press("u")
            await settle(pilot, app)
            told = [n.message for n in app._notifications]
            assert f"Undone: coded {WORDS} as Lack of training" in told
            assert not any(re.search(r"\[\d+, \d+\)", message) for message in told)
    run(scenario())
