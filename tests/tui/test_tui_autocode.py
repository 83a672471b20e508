"""The auto-code review screen, driven headless: accept, reject, widen, accept the rest,
code the accepted as one undoable action; readable at 80x24."""

from __future__ import annotations

from pathlib import Path

from textual.widgets import DataTable, Static

from qcode.core.autocode import Search
from qcode.core.store import Project
from qcode.tui.app import QcodeApp
from qcode.tui.screens.autocode import AutocodeForm, AutocodeScreen
from tests.tui_helpers import FIRST, build_project, code_id, codings, run, settle, until


def review(tmp_path: Path, search: Search, keys: list[str]) -> Path:
    """Press `keys` on the review of `search` (coding with Resources), ending with c:
    the screen closes once the accepted hits are coded."""
    path = build_project(tmp_path / "p.qcode")
    code = (code_id(path, "Resources"), "Resources")

    async def drive():
        app = QcodeApp(path, "ana", remember=False,
                       first_screen=lambda: AutocodeScreen(search, code))
        async with app.run_test(size=(80, 24)) as pilot:
            await until(pilot, lambda: isinstance(app.screen, AutocodeScreen)
                        and len(app.screen.proposals) > 0)
            for key in keys:
                await pilot.press(key)
                await settle(pilot, app)
            await until(pilot, lambda: not isinstance(app.screen, AutocodeScreen))

    run(drive())
    return path


def test_accept_reject_widen_and_code_the_accepted(tmp_path: Path):
    # Hits of "to": "what to look for", "not talk to us", "loyal to the men".
    path = review(tmp_path, Search("to"),
                  ["a", "x", "s", "a", "c"])
    sentence = "Some stay loyal to the men who control them."
    assert [FIRST[s:e] for _, _, s, e, _ in codings(path, "ana")] == ["to", sentence]
    with Project.open(path) as project:
        assert project.conn.execute("SELECT count(*) FROM codings WHERE autocoded = 1"
                                    ).fetchone() == (2,)
        project.coder = "ana"
        assert project.undo().startswith("auto-coded 2 hit(s) of 'to'")


def test_widen_to_turn_and_accept_the_rest(tmp_path: Path):
    path = review(tmp_path, Search("training"), ["t", "A", "c"])
    turn = FIRST[FIRST.index("It is growing"):FIRST.index("[laughs].") + 9]
    assert [FIRST[s:e] for _, _, s, e, _ in codings(path)] == [turn]


def test_the_screen_shows_the_hit_in_its_turn_and_every_key_at_80x24(tmp_path: Path):
    path = build_project(tmp_path / "p.qcode")
    code = (code_id(path, "Resources"), "Resources")

    async def drive():
        app = QcodeApp(path, "ana", remember=False,
                       first_screen=lambda: AutocodeScreen(Search("deportation"), code))
        async with app.run_test(size=(80, 24)) as pilot:
            await until(pilot, lambda: isinstance(app.screen, AutocodeScreen)
                        and len(app.screen.proposals) == 1)
            context = str(app.screen.query_one("#hit-text", Static).render())
            assert "turn 4 · P01" in context and "Many fear deportation." in context
            title = str(app.screen.query_one("#autocode-title", Static).render())
            assert "1 hits, 0 accepted" in title
            keys = list(app.screen.query("FooterKey"))
            footer = " ".join(str(w.render()) for w in keys)
            assert all(0 < w.region.right <= 80 for w in keys)  # none cut off
            for does in ("Accept", "Reject", "Sentence", "Turn", "Accept all", "Code"):
                assert does in footer
            assert "Esc leaves" in title
            assert app.screen.query_one(DataTable).size.height >= 3

    run(drive())


def test_a_search_that_finds_nothing_says_so_and_codes_nothing(tmp_path: Path):
    path = build_project(tmp_path / "p.qcode")
    code = (code_id(path, "Resources"), "Resources")

    async def drive():
        app = QcodeApp(path, "ana", remember=False,
                       first_screen=lambda: AutocodeScreen(Search("zebra"), code))
        async with app.run_test(size=(80, 24)) as pilot:
            await until(pilot, lambda: isinstance(app.screen, AutocodeScreen) and any(
                "nothing matches" in str(title.render())
                for title in app.screen.query("#autocode-title")))
            await pilot.press("c")
            await settle(pilot, app)

    run(drive())
    assert codings(path) == []


def test_help_lists_the_review_keys():
    from qcode.tui.screens.help import binding_rows

    rows = {(where, keys, does) for where, keys, does, _ in
            binding_rows(QcodeApp.__new__(QcodeApp))}
    for keys, does in (("a", "Accept"), ("r,x", "Reject"), ("s", "Sentence"),
                       ("t", "Turn"), ("m", "Match"), ("A", "Accept all"),
                       ("c", "Code"), ("escape", "Leave")):
        assert ("Auto-code review", keys, does) in rows


def fill_the_form(path: Path, fields: list[str], then: list[str]) -> list[str]:
    """A on the transcripts screen, each field typed and Tab to the next, Enter, then
    `then` pressed on whatever screen is shown; returns the notifications."""
    said: list[str] = []

    async def drive():
        app = QcodeApp(path, "ana", remember=False)
        async with app.run_test(size=(80, 24)) as pilot:
            await settle(pilot, app)
            await pilot.press("A")
            await settle(pilot, app)
            form = app.screen
            assert isinstance(form, AutocodeForm)
            assert all(w.region.bottom <= 24 and w.region.right <= 80
                       for w in form.query("Input, Select"))
            for number, value in enumerate(fields):
                if number:
                    await pilot.press("tab")
                for key in value:
                    await pilot.press("space" if key == " " else key)
            await pilot.press("enter")
            await until(pilot, lambda: not isinstance(app.screen, AutocodeForm))
            if isinstance(app.screen, AutocodeScreen):
                await until(pilot, lambda: len(app.screen.proposals) > 0)
            for key in then:
                await pilot.press(key)
                await settle(pilot, app)
            await until(pilot, lambda: not isinstance(app.screen, AutocodeScreen))
            said.extend(n.message for n in app._notifications)

    run(drive())
    return said


def test_the_transcripts_screen_asks_for_a_search_then_opens_the_review(tmp_path: Path):
    path = build_project(tmp_path / "p.qcode")
    fill_the_form(path, ["deportation", "Resources"], ["a", "c"])
    assert [(code, FIRST[s:e]) for code, _, s, e, _ in codings(path, "ana")] == [
        ("Resources", "deportation")]


def test_the_form_refuses_an_unknown_code_in_one_line(tmp_path: Path):
    path = build_project(tmp_path / "p.qcode")
    said = fill_the_form(path, ["deportation", "Nonsense"], [])
    assert any("no code named 'Nonsense'" in line for line in said)
    assert codings(path) == []


def test_help_lists_the_form_and_its_key():
    from qcode.tui.screens.help import binding_rows

    rows = {(where, keys) for where, keys, *_ in binding_rows(QcodeApp.__new__(QcodeApp))}
    assert {("Transcripts", "A"), ("Auto-code form", "ctrl+s")} <= rows
