"""The review of a colleague's coding driven with Pilot, at 80x24: the reviewer agrees
and questions, the coder replies in the thread and decides; the project holds each
step and who took it."""

from __future__ import annotations

from pathlib import Path

import pytest

from qcode.core.store import Project
from qcode.tui.app import QcodeApp
from qcode.tui.screens.coding_review import CodingReviewScreen
from tests.tui_helpers import (FIRST, SECOND, build_project, code_id, codings, plain, run,
                                settle)

SIZE = (80, 24)


@pytest.fixture
def path(tmp_path: Path, monkeypatch) -> Path:
    monkeypatch.setenv("QCODE_CONFIG", str(tmp_path / "config.toml"))
    path = build_project(tmp_path / "p.qcode")
    training, fear = code_id(path, "Lack of training"), code_id(path, "Fear of deportation")
    with Project.open(path) as project:
        had, many = FIRST.index("We had"), FIRST.index("Many fear")
        project.add_coding(1, training, "ana", had, had + 26)
        project.add_coding(1, fear, "ana", many, many + 22)
        payment = SECOND.index("Payment")
        project.add_coding(2, training, "ana", payment, payment + 26)
    return path


def reviews(path: Path) -> list[tuple]:
    with Project.open(path) as project:
        return [(r.reviewer, r.mark, r.outcome, r.decided_by,
                 [(c.author, c.body) for c in r.comments]) for r in project.reviews()]


async def open_review(pilot, app) -> CodingReviewScreen:
    await settle(pilot, app)
    await pilot.press("V")
    await settle(pilot, app)
    assert isinstance(app.screen, CodingReviewScreen)
    return app.screen


def test_the_reviewer_agrees_and_questions_by_transcript_or_theme(path):
    async def scenario():
        app = QcodeApp(path, "ben", remember=False)
        async with app.run_test(size=SIZE) as pilot:
            screen = await open_review(pilot, app)
            shown = plain(app.export_screenshot())
            assert "ben reviews ana's codings · 0 of 3 reviewed" in shown
            assert "turn 2, “We had no training" in shown
            assert all(key in shown for key in ("a Agree", "q Question", "n Next", "u Undo"))
            await pilot.press("a")  # agreed; the next one is for a question
            await settle(pilot, app)
            await pilot.press("n", "q", *"Is fear the code here?", "enter")
            await settle(pilot, app)
            assert reviews(path) == [
                ("ben", "agreed", None, None, []),
                ("ben", "question", None, None, [("ben", "Is fear the code here?")])]
            shown = plain(app.export_screenshot())
            assert "2 of 3 reviewed · 1 open" in shown
            assert "ben: Is fear the code here?" in shown
            await pilot.press("o")  # theme by theme: both training codings first
            await settle(pilot, app)
            assert [i.code for i in screen.items] == [
                "Lack of training", "Lack of training", "Fear of deportation"]
            assert "by theme" in plain(app.export_screenshot())
            await pilot.press("u")  # the question, with its comment, taken back
            await settle(pilot, app)
            assert [r[1] for r in reviews(path)] == ["agreed"]
    run(scenario())


def test_the_coder_replies_in_the_thread_and_decides(path):
    with Project.open(path) as project:
        project.coder = "ben"
        first = project.codings_to_review("ana")[1].id  # Fear of deportation
        project.mark_coding(first, "question", "Is fear the code here?")

    async def scenario():
        app = QcodeApp(path, "ana", remember=False)
        async with app.run_test(size=SIZE) as pilot:
            await open_review(pilot, app)
            assert "ben reviews ana's codings" in plain(app.export_screenshot())
            await pilot.press("n")  # to the open question
            await pilot.press("r", *"Yes: she says they fear removal.", "enter")
            await settle(pilot, app)
            assert "decide: k kept · c changed · x removed" in plain(app.export_screenshot())
            await pilot.press("x")  # removed after all
            await settle(pilot, app)
            assert reviews(path) == [("ben", "question", "removed", "ana", [
                ("ben", "Is fear the code here?"),
                ("ana", "Yes: she says they fear removal.")])]
            assert [r[0] for r in codings(path, "ana")] == [
                "Lack of training", "Lack of training"]
            assert "removed, decided by ana" in plain(app.export_screenshot())
    run(scenario())


def test_undo_while_coding_names_a_review_step_and_asks(path):
    from qcode.tui.screens.coding import CodingScreen
    from qcode.tui.screens.forms import Choose

    async def scenario():
        app = QcodeApp(path, "ben", remember=False)
        async with app.run_test(size=SIZE) as pilot:
            await open_review(pilot, app)
            await pilot.press("n", "q", *"Why fear?", "enter")
            await settle(pilot, app)
            await pilot.press("escape", "enter")  # code p01, the same transcript
            await settle(pilot, app)
            assert isinstance(app.screen, CodingScreen)
            await pilot.press("u")
            await settle(pilot, app)
            assert isinstance(app.screen, Choose)
            assert "not made here" in plain(app.export_screenshot())
            assert ("questioned ana's Fear of deportation in p01-detective, turn 4, "
                    "“Many fear deportation.”") in app.screen.title_text
            await pilot.press("escape")
            await settle(pilot, app)
            assert [r[1] for r in reviews(path)] == ["question"]
    run(scenario())
