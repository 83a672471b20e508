"""Selecting by keys starts from the cursor as drawn (issue 14: after `t` then Left,
`s` took the turn's first sentence, not the one under the cursor)."""

from __future__ import annotations

from pathlib import Path

from qcode.tui.app import QcodeApp
from qcode.tui.screens.coding import CodingScreen
from tests.tui_helpers import FIRST, run, settle


def test_after_a_turn_left_and_right_move_the_drawn_cursor(path: Path):
    async def scenario():
        app = QcodeApp(path, "ana", remember=False)
        async with app.run_test(size=(100, 30)) as pilot:
            await settle(pilot, app)
            await pilot.press("enter")
            await settle(pilot, app)
            screen = app.screen
            assert isinstance(screen, CodingScreen)
            view = screen.view
            view.move_to(FIRST.index("no training"))
            await pilot.press("t")
            turn_end = FIRST.index(" [laughs].") + len(" [laughs].")
            assert view.selected_span()[1] == view.cursor_offset == turn_end
            await pilot.press("left")
            assert view.cursor_offset == turn_end - 1
            await pilot.press("s")
            assert view.selected_text == "Nobody showed us what to look for [laughs]."
            await pilot.press("t", "left", "left", "w")
            assert view.selected_text == "laughs"
            # Shift+Left still grows the selection from the drawn cursor.
            view.move_to(FIRST.index("We had"))
            await pilot.press("s", "shift+left")
            assert view.selected_text == "We had no training at all"
    run(scenario())
