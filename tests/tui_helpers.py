"""Building small projects and driving the app headless, for the TUI tests."""

from __future__ import annotations

import asyncio
import re
import shutil
import tempfile
from functools import lru_cache
from pathlib import Path

from qcode.core.codebook import parse as parse_codebook
from qcode.core.model import Transcript, Turn
from qcode.core.store import Project

BOOK = """
name: Test codebook
codes:
  - name: Barriers to policing
    definition: What stops police acting.
    codes:
      - name: Lack of training
        definition: Officers were not trained to recognise exploitation.
        when_to_use: The speaker names missing training.
        when_not_to_use: A lack of staff; use Resources.
        example: Nobody showed us what to look for.
        key: "1"
      - name: Resources
        definition: Too few staff or too little money.
        key: "2"
  - name: Victims
    codes:
      - name: Fear of deportation
        definition: Victims fear being removed from the country.
        key: "3"
      - name: "[bold]Loyalty[/]"
        definition: "Loyalty to the exploiter [laughs]."
"""

FIRST = """Interviewer: How big is the problem in your area? Tell me about it.

P01: It is growing. We had no training at all. Nobody showed us what to look for [laughs].

Interviewer: And the victims?

P01: Many fear deportation. They will not talk to us. Some stay loyal to the men who control them.
"""

SECOND = """Interviewer: What data helps an investigation?

P02: Payment records help most. Phone numbers too.
"""


def parsed(name: str, body: str) -> Transcript:
    turns = [Turn(m.group(1), m.start(2), m.end(2), m.start(1))
             for m in re.finditer(r"^(\w+): (.*)$", body, re.M)]
    return Transcript(name=name, source_format="txt", text=body, turns=turns)


def build_project(path: Path) -> Path:
    """The two interviews and the codebook, at `path`: a copy (mode included: a project
    is private) of one built once per test process, as building takes 30 ms of CPU and
    copying well under one, and nearly every TUI test starts from it."""
    shutil.copy(_built_once(), path)
    return path


_FOLDERS: list[tempfile.TemporaryDirectory] = []  # removed when the test process ends


@lru_cache(maxsize=1)
def _built_once() -> Path:
    folder = tempfile.TemporaryDirectory(prefix="qcode-tui-project-")
    _FOLDERS.append(folder)
    return _build(Path(folder.name) / "p.qcode")


def _build(path: Path) -> Path:
    with Project.create(path) as project:
        project.add_transcript(parsed("p01-detective", FIRST), "p01.txt", case="P01")
        project.add_transcript(parsed("p02-operator", SECOND), "p02.txt", case="P02")
        project.set_attributes("P01", {"role": "Detective Sergeant", "region": "Southeast"})
        project.set_attributes("P02", {"role": "ASW Operator", "region": "North"})
        project.load_codebook(parse_codebook(BOOK))
    return path


def code_id(path: Path, name: str) -> int:
    with Project.open(path) as project:
        return next(c.id for c in project.codes() if c.name == name)


def codings(path: Path, coder: str | None = None) -> list[tuple[str, str, int, int, str]]:
    """(code, coder, start, end, memo) of every coding, from the file itself."""
    with Project.open(path) as project:
        rows = project.conn.execute(
            'SELECT k.name, c2.name, c.start, c."end", c.memo FROM codings c'
            " JOIN codes k ON k.id = c.code_id JOIN coders c2 ON c2.id = c.coder_id"
            " ORDER BY c.start, k.name").fetchall()
    return [r for r in rows if coder is None or r[1] == coder]


async def settle(pilot, app) -> None:
    """Wait until the database thread is idle and the UI has caught up. (Not for
    every worker: one may be waiting, rightly, on a dialog.)"""
    for _ in range(4):
        await pilot.pause()
        if app.db is not None and app.db.project is not None:
            await app.db(lambda project: None)
    await pilot.pause()


async def until(pilot, condition, seconds: float = 20.0) -> None:
    """Pause until `condition()` holds: on a loaded machine a worker's result can take
    longer than a few pauses to be drawn."""
    import time

    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() >= deadline:
            # What was on the screen says why (a notification, a screen left unloaded).
            raise AssertionError("the screen never reached the expected state:\n"
                                 + screen_text(pilot.app))
        await pilot.pause(0.05)
    await pilot.pause()


def run(coroutine):
    return asyncio.run(coroutine)


def screen_text(app) -> str:
    """The screen as drawn, one line per row, without colours: what a person reads."""
    return "\n".join(strip.text for strip in app.screen._compositor.render_strips())


async def select_code(pilot, panel, code_id: int) -> None:
    """Highlight a code in the codebook panel and wait until it is: the panel moves its
    cursor only after its next refresh, and a key pressed before then acts on the code
    highlighted before."""
    panel.select_code(code_id)
    await until(pilot, lambda: panel.highlighted_code == code_id)


async def open_first(pilot, app):
    """Open the first transcript from the transcripts screen; its coding screen, once
    its turns are shown."""
    from qcode.tui.screens.coding import CodingScreen

    await settle(pilot, app)
    await pilot.press("enter")
    await until(pilot, lambda: isinstance(app.screen, CodingScreen) and app.screen.turns)
    return app.screen


async def open_saved(pilot, app):
    """Open the first transcript; its coding screen once it says it is saved (the
    margin and the wrap are drawn), and the app idle."""
    from qcode.tui.screens.coding import CodingScreen

    await settle(pilot, app)
    await pilot.press("enter")
    await until(pilot, lambda: isinstance(app.screen, CodingScreen)
                and app.screen.state == "saved")
    await settle(pilot, app)
    return app.screen


async def open_with_waits(pilot, app, lock_wait_s: float):
    """Open the first transcript with short waits for another program's lock (set
    through the store), so that a test of a busy project is quick."""
    from qcode.tui.screens.coding import CodingScreen
    from qcode.tui.screens.transcripts import TranscriptsScreen

    await settle(pilot, app)
    assert isinstance(app.screen, TranscriptsScreen)
    await app.db(lambda project: project.wait_for_lock(lock_wait_s))
    app.db.retry_pause_s = 0.05
    await pilot.press("enter")
    await until(pilot, lambda: isinstance(app.screen, CodingScreen))
    await settle(pilot, app)
    return app.screen


def plain(svg: str) -> str:
    """An SVG screenshot's text, without its markup."""
    import html

    return html.unescape(re.sub(r"<[^>]+>", "", svg)).replace("\xa0", " ")
