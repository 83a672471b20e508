"""The coding margin (issue 14): a stripe per code beside the text, labelled, stacked
where codings overlap, in colours that tell siblings and nested codes apart; toggled
with |; readable at 80 x 24. Assertions on the rendered screen."""

from __future__ import annotations

from pathlib import Path

import pytest

from qcode.core.margin import row_of
from qcode.core.spans import by_line
from qcode.core.store import Project
from qcode.tui.app import QcodeApp
from qcode.tui.screens.help import binding_rows
from qcode.tui.widgets.transcript_view import STRIPE
from tests.tui_helpers import FIRST, build_project, code_id, open_saved, run, settle, until

@pytest.fixture
def path(tmp_path: Path, monkeypatch) -> Path:
    """A turn coded "Barriers to policing" with "Lack of training" nested in it (both
    the same colour in the codebook, as siblings and parents are in the shipped ones),
    and a later sentence coded "Fear of deportation"."""
    monkeypatch.setenv("QCODE_CONFIG", str(tmp_path / "config.toml"))
    path = build_project(tmp_path / "p.qcode")
    barriers = code_id(path, "Barriers to policing")
    training = code_id(path, "Lack of training")
    with Project.open(path) as project:
        project.coder = "ana"
        project.edit_code(barriers, colour="#1F5F8B")
        project.edit_code(training, colour="#1F5F8B")
        turn = FIRST.index("It is growing")
        project.add_coding(1, barriers, "ana", turn, FIRST.index("[laughs].") + 9)
        inner = FIRST.index("We had no training")
        project.add_coding(1, training, "ana", inner, inner + len("We had no training"))
        fear = FIRST.index("Many fear")
        project.add_coding(1, code_id(path, "Fear of deportation"), "ana", fear,
                           fear + len("Many fear deportation."))
    return path


def screen_rows(app) -> list[list]:
    return [list(strip) for strip in app.screen._compositor.render_strips()]


def text_of(row) -> str:
    return "".join(segment.text for segment in row)


def row_with(app, words: str) -> list:
    return next(row for row in screen_rows(app) if words in text_of(row))


def stripe_colours(row) -> list[str]:
    return [segment.style.color.name for segment in row if segment.text == STRIPE]


def test_at_80_columns_nested_codings_stack_and_labels_shorten(path: Path):
    async def scenario():
        app = QcodeApp(path, "ana", remember=False)
        async with app.run_test(size=(80, 24)) as pilot:
            await open_saved(pilot, app)
            first = text_of(row_with(app, "It is growing"))
            # Two stripes (the turn's code, the nested one beside it), then the
            # nested code's key as its label, then the text.
            assert first.startswith(f" {STRIPE}{STRIPE} 1   P01: It is growing")
            second = text_of(row_with(app, "Nobody showed us"))
            assert second.startswith(f" {STRIPE}  Ba… all. Nobody")  # the inner one ended
            last = text_of(row_with(app, "[laughs]."))
            assert last.startswith(f" {STRIPE}      [laughs].")
            assert text_of(row_with(app, "Many fear")).startswith(f" {STRIPE}  3   P01:")
            # The inner code stays visible under its parent: its own colour, though
            # the codebook gives both the same.
            parent, inner = stripe_colours(row_with(app, "It is growing"))
            assert parent == "#1f5f8b" and inner != parent
            # The codebook panel shows each code in the colour of its stripe.
            panel = row_with(app, "Lack of training")
            square = [segment for segment in panel if segment.text.startswith("■")][-1]
            assert square.style.color.name == inner
            assert text_of(row_with(app, "Interviewer: And")).startswith("      ")

    run(scenario())


def test_wide_labels_name_the_code(path: Path):
    async def scenario():
        app = QcodeApp(path, "ana", remember=False)
        async with app.run_test(size=(160, 40)) as pilot:
            await open_saved(pilot, app)
            row = text_of(row_with(app, "It is growing"))
            # Both codings start on this row: the shorter one's label goes here, the
            # turn's on the next row it covers.
            assert row.startswith(f" {STRIPE}{STRIPE} Lack of train… P01: It is growing")
            assert text_of(row_with(app, "[laughs].")).startswith(
                f" {STRIPE}  Barriers to p… [laughs].")
            assert text_of(row_with(app, "Many fear")).startswith(
                f" {STRIPE}  Fear of depor… P01: Many fear")

    run(scenario())


def test_bar_hides_and_shows_the_margin_and_help_lists_it(path: Path):
    async def scenario():
        app = QcodeApp(path, "ana", remember=False)
        async with app.run_test(size=(80, 24)) as pilot:
            screen = await open_saved(pilot, app)
            await pilot.press("|")
            await settle(pilot, app)
            assert not screen.view.margin_shown
            assert text_of(row_with(app, "It is growing")).startswith(" P01: It is growing")
            assert STRIPE not in "".join(text_of(row) for row in screen_rows(app))
            await pilot.press("|")
            await settle(pilot, app)
            assert text_of(row_with(app, "It is growing")).startswith(f" {STRIPE}{STRIPE} 1")
            assert any(row[3] == "coding.margin" for row in binding_rows(app))

    run(scenario())


def drawn(pieces: dict) -> dict:
    """What a paint index draws: per line, each piece's columns, code and coder."""
    return {line: [(start, end, c.code_id, c.coder_name) for start, end, c in found]
            for line, found in pieces.items() if found}


def test_a_code_applied_by_its_key_gets_its_stripe(path: Path):
    async def scenario():
        app = QcodeApp(path, "ana", remember=False)
        async with app.run_test(size=(80, 24)) as pilot:
            screen = await open_saved(pilot, app)
            screen.view.move_to(FIRST.index("Some stay loyal") + 2)
            await pilot.press("s", "2")  # the sentence, then Resources' key
            await until(pilot, lambda: len(screen.codings) == 4)
            await settle(pilot, app)
            # Fear of deportation ends a row above, so Resources takes its column.
            row = text_of(row_with(app, "talk to us"))
            assert row.startswith(f" {STRIPE}  2   talk to us. Some stay")
            assert text_of(row_with(app, "control them")).startswith(f" {STRIPE}      control")
            # Then the sentence before with the same key, and an earlier one: the
            # paint index, kept up line by line, is the one built over every coding,
            # and the margin shows each code on its rows.
            screen.view.move_to(FIRST.index("They will not"))
            await pilot.press("s", "2")
            await settle(pilot, app)
            screen.view.move_to(FIRST.index("Many fear"))
            await pilot.press("s", "2")
            await settle(pilot, app)
            view = screen.view
            assert drawn(view._pieces) == drawn(by_line(screen.codings, view.lines))
            for coding in screen.codings:
                for row in range(row_of(view._rows, coding.start),
                                 row_of(view._rows, coding.end - 1) + 1):
                    assert coding.code_id in view._margin.stripes(row)

    run(scenario())
