"""The terminal app never writes an escape sequence it was given: on every screen the
lines drawn hold the visible form (\\x1b...) of what a hostile project holds, never the
raw characters."""

from __future__ import annotations

from pathlib import Path

import pytest

from qcode.core.codebook import parse as parse_codebook
from qcode.core.store import Project
from qcode.tui.app import QcodeApp
from qcode.tui.screens.picker import CodePicker
from tests.tui_helpers import parsed, run, settle, until

HOSTILE = "\x1b]0;owned\x07\x1b[2J\x9b31m\u202e"
RAW = ("\x1b", "\x07", "\x9b", "\u202e")
# Rich drops BEL (and BS, VT, FF, CR) from any Text it is given: gone, not obeyed.
SEEN = "\\x1b]0;owned\\x1b[2J\\x9b31m\\u202e"


@pytest.fixture
def path(tmp_path: Path, monkeypatch) -> Path:
    monkeypatch.setenv("QCODE_CONFIG", str(tmp_path / "config.toml"))
    path = tmp_path / "p.qcode"
    with Project.open(path) if path.exists() else Project.create(path) as project:
        project.add_transcript(parsed(f"t{HOSTILE}", f"P01: It was {HOSTILE} hard.\n"),
                               f"t{HOSTILE}.txt", case=f"c{HOSTILE}")
        project.set_attributes(f"c{HOSTILE}", {"role": f"r{HOSTILE}"})
        # A code's name may hold no control character (refused on the way in), but a
        # bidi override is text and must be shown written out too.
        project.load_codebook(parse_codebook(
            'name: b\ncodes:\n  - name: "Code\\u202e"\n    key: "1"\n'))
    return path


def drawn(app) -> str:
    return "\n".join("".join(segment.text for segment in strip)
                     for strip in app.screen._compositor.render_strips())


async def assert_shown_safely(pilot, app, times: int = 1) -> None:
    # On a loaded machine a screen's rows may be drawn a little after the data arrives.
    await until(pilot, lambda: drawn(app).count(SEEN) >= times)
    text = drawn(app)
    assert not [raw for raw in RAW if raw in text], text
    assert text.count(SEEN) >= times, text


def test_every_screen_shows_escapes_written_out(path: Path):
    async def scenario():
        app = QcodeApp(path, coder="ana", remember=False)
        async with app.run_test(size=(140, 30)) as pilot:
            await settle(pilot, app)
            await assert_shown_safely(pilot, app, times=3)  # the name, the case and the attribute
            await pilot.press("enter")
            await settle(pilot, app)
            await assert_shown_safely(pilot, app)  # the transcript
            assert "■ [1] Code\\u202e" in drawn(app)  # the codebook, its key first
            await pilot.press("s", "c")
            await settle(pilot, app)
            assert isinstance(app.screen, CodePicker)
            assert "Code\\u202e" in drawn(app) and "\u202e" not in drawn(app)
            await pilot.press("escape")
            app.notify(f"Not found: {HOSTILE}")
            await settle(pilot, app)
            await assert_shown_safely(pilot, app, times=2)  # the transcript and the notification

    run(scenario())
