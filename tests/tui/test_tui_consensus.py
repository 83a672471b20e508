"""The consensus meeting driven with Pilot: both coders' spans drawn as layers of their
own, different codes on one passage as one place, decisions written to the project,
and undo that stays on its screen or asks."""

from __future__ import annotations

from pathlib import Path

import pytest

from qcode.core.store import CONSENSUS, Project
from qcode.tui.app import QcodeApp
from qcode.tui.screens.coding import CodingScreen
from qcode.tui.screens.disagreements import DisagreementsScreen
from qcode.tui.screens.forms import Choose
from qcode.tui.widgets.consensus_view import FIRST_STYLE, SECOND_STYLE
from tests.tui_helpers import (FIRST, SECOND, build_project, code_id, codings, plain, run,
                                settle)


@pytest.fixture
def path(tmp_path: Path, monkeypatch) -> Path:
    monkeypatch.setenv("QCODE_CONFIG", str(tmp_path / "config.toml"))
    path = build_project(tmp_path / "p.qcode")
    training, resources = code_id(path, "Lack of training"), code_id(path, "Resources")
    fear = code_id(path, "Fear of deportation")
    with Project.open(path) as project:
        had = FIRST.index("We had")
        project.add_coding(1, training, "ana", had, had + 26)
        project.add_coding(1, resources, "ben", had + 7, had + 52)
        many = FIRST.index("Many fear")
        project.add_coding(1, fear, "ben", many, many + 22)
        payment = SECOND.index("Payment")
        project.add_coding(2, resources, "ana", payment, payment + 26)
        project.add_coding(2, resources, "ben", payment, payment + 46)
    return path


def resolutions(path: Path) -> list[tuple[str, str]]:
    with Project.open(path) as project:
        return project.conn.execute(
            "SELECT k.name, r.choice FROM resolutions r JOIN codes k ON k.id = r.code_id"
            " ORDER BY r.id").fetchall()


async def open_meeting(pilot, app) -> DisagreementsScreen:
    await settle(pilot, app)
    await pilot.press("D")
    await settle(pilot, app)
    assert isinstance(app.screen, DisagreementsScreen)
    return app.screen


def test_a_place_shows_both_coders_as_layers_and_different_codes_as_one_place(path):
    async def scenario():
        app = QcodeApp(path, "ana", remember=False)
        async with app.run_test(size=(80, 24)) as pilot:
            screen = await open_meeting(pilot, app)
            assert len(screen.places) == 3
            shown = plain(app.export_screenshot())
            assert "ana: Lack of training / ben: Resources" in shown
            assert "turn 2, “We had" in shown
            assert all(key in shown for key in ("1 1st's", "2 2nd's", "b Both", "0 Neither",
                                                "u Undo", "U Redo"))
            assert "ana background" in shown and "ben underlined" in shown
            assert "[" not in shown.split("Decided")[1].split("\n")[1]  # no offsets
            view = screen.view
            assert view.selection.start == view.selection.end  # nothing drawn as selected
            row, _ = view.lines.location(FIRST.index("We had"))
            styles = {span.style for span in view.get_line(row).spans}
            assert FIRST_STYLE in styles and SECOND_STYLE in styles
            # which part each coder had, in words
            assert "ana: Lack of training: turn 2, “We had no training at all.”" in shown
            assert "ben: Resources: turn 2, “no training at all. Nobody showed…”" in shown
    run(scenario())


def test_take_either_neither_or_both_is_written_and_undone_here(path):
    async def scenario():
        app = QcodeApp(path, "ana", remember=False)
        async with app.run_test(size=(100, 30)) as pilot:
            screen = await open_meeting(pilot, app)
            await pilot.press("1")  # ana's: her code stays, his goes
            await settle(pilot, app)
            assert resolutions(path) == [("Lack of training", "first"), ("Resources", "first")]
            had = FIRST.index("We had")
            assert [(r[0], r[2], r[3]) for r in codings(path, CONSENSUS)] == [
                ("Lack of training", had, had + 26)]
            await pilot.press("0")  # the next open place, ben alone: neither
            await settle(pilot, app)
            await pilot.press("b")  # boundaries differ in p02: both
            await settle(pilot, app)
            assert [c for _, c in resolutions(path)] == ["first", "first", "neither", "union"]
            assert len(codings(path, CONSENSUS)) == 2
            assert "3 of 3 places decided" in plain(app.export_screenshot())
            await pilot.press("u")  # this screen's last action: no question
            await settle(pilot, app)
            assert not isinstance(app.screen, Choose)
            assert [c for _, c in resolutions(path)] == ["first", "first", "neither"]
            assert [p.resolution for p in screen.places] == ["first", "neither", None]
    run(scenario())


def test_undo_on_another_transcript_names_the_decision_and_asks(path):
    async def scenario():
        app = QcodeApp(path, "ana", remember=False)
        async with app.run_test(size=(100, 30)) as pilot:
            await open_meeting(pilot, app)
            await pilot.press("1")
            await settle(pilot, app)
            await pilot.press("escape", "down", "enter")  # open p02 to code
            await settle(pilot, app)
            assert isinstance(app.screen, CodingScreen)
            assert app.screen.transcript_name == "p02-operator"
            await pilot.press("u")
            await settle(pilot, app)
            assert isinstance(app.screen, Choose)
            asked = plain(app.export_screenshot())
            assert "not made here" in asked
            assert "took ana's for Lack of training," in asked
            assert "Resources in p01-detective, turn 2, “We had no training at all.”" in asked
            await pilot.press("escape")  # leave it
            await settle(pilot, app)
            assert len(resolutions(path)) == 2
            await pilot.press("u")
            await settle(pilot, app)
            await pilot.press("enter")  # undo it
            await settle(pilot, app)
            assert resolutions(path) == []
            assert codings(path, CONSENSUS) == []
    run(scenario())
