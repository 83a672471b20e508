"""' then a code's key applies that code; ' then Escape is a change of mind."""

from __future__ import annotations

from pathlib import Path

from qcode.core.store import Project
from qcode.tui.app import QcodeApp
from tests.tui_helpers import code_id, codings, open_first, run, settle

SIZE = (80, 24)


def test_apostrophe_then_escape_applies_nothing_and_stays(path: Path):
    """A trial saw "No code has the key '\\x1b'" for ' then Escape."""
    with Project.open(path) as project:
        project.edit_code(code_id(path, "Resources"), key="j")

    async def scenario():
        app = QcodeApp(path, "ana", remember=False)
        async with app.run_test(size=SIZE) as pilot:
            screen = await open_first(pilot, app)
            await pilot.press("s", "apostrophe", "escape")
            await settle(pilot, app)
            messages = [str(n.message) for n in app._notifications]
            assert "No code applied" in messages
            assert not any("No code has the key" in m for m in messages)
            assert app.screen is screen  # Escape did not also leave the screen
            assert codings(path) == []
            await pilot.press("s", "apostrophe", "j")  # the key still works after
            await settle(pilot, app)
            assert [c[0] for c in codings(path)] == ["Resources"]

    run(scenario())


def test_a_transcript_removed_by_another_program_is_said_and_leaves_the_list(path: Path):
    """A trial saw "no transcript with id 6", and the row stayed."""
    from qcode.tui.screens.transcripts import TranscriptsScreen
    from tests.tui_helpers import screen_text, until

    async def scenario():
        app = QcodeApp(path, "ana", remember=False)
        async with app.run_test(size=SIZE) as pilot:
            await settle(pilot, app)
            first = screen_text(app)
            with Project.open(path) as other:  # another program removes the first one
                gone = other.transcripts()[0].name
                other.remove_transcript(other.transcripts()[0].id)
            assert gone in first
            await pilot.press("enter")
            await until(pilot, lambda: gone not in screen_text(app))
            assert isinstance(app.screen, TranscriptsScreen)
            messages = [str(n.message) for n in app._notifications]
            assert any("no longer in the project" in m for m in messages), messages
            assert not any("Worker" in m for m in messages), messages

    run(scenario())
