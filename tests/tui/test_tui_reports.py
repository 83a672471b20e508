"""The reports screen driven with keys: frequencies by a chosen attribute, co-occurring
codes, the quotes of a chosen code with attributions, and Enter to the quote's place."""

from __future__ import annotations

from pathlib import Path

import pytest

from qcode.core.reports import cooccurrence
from qcode.core.store import Project
from qcode.tui.app import QcodeApp
from qcode.tui.screens.coding import CodingScreen
from qcode.tui.screens.forms import Choose
from qcode.tui.screens.picker import CodePicker
from qcode.tui.screens.reports import ReportsScreen
from tests.tui_helpers import FIRST, SECOND, build_project, code_id, run, settle


@pytest.fixture
def path(tmp_path: Path, monkeypatch) -> Path:
    monkeypatch.setenv("QCODE_CONFIG", str(tmp_path / "config.toml"))
    path = build_project(tmp_path / "p.qcode")
    training, fear = code_id(path, "Lack of training"), code_id(path, "Fear of deportation")
    with Project.open(path) as project:
        first = project.transcript_id("p01-detective")
        second = project.transcript_id("p02-operator")
        at = FIRST.index("We had no training at all.")
        project.add_coding(first, training, "ana", at, at + len("We had no training at all."))
        at = FIRST.index("Many fear deportation.")
        project.add_coding(first, fear, "ana", at, FIRST.index("Some stay"))
        project.add_coding(first, training, "ana", at, at + 4)  # overlaps the fear coding
        at = SECOND.index("Payment records")
        project.add_coding(second, training, "ana", at, at + len("Payment records help most."))
    return path


def rows(table) -> list[list[str]]:
    return [[str(cell) for cell in table.get_row_at(i)] for i in range(table.row_count)]


async def loaded(pilot, app) -> None:
    """Wait for the screen's reports to be made (on the database thread)."""
    for _ in range(200):
        await settle(pilot, app)
        screen = app.screen
        if not isinstance(screen, ReportsScreen) or not any(
                w.is_running for w in screen.workers if w.group == "reports"):
            return
        await pilot.pause(0.05)
    raise AssertionError("the report was not made in 10 s")


async def open_reports(pilot, app) -> ReportsScreen:
    await settle(pilot, app)
    await pilot.press("R")
    await loaded(pilot, app)
    assert isinstance(app.screen, ReportsScreen)
    return app.screen


def test_frequencies_by_a_chosen_attribute(path: Path):
    async def scenario():
        app = QcodeApp(path, "ana", remember=False)
        async with app.run_test(size=(120, 40)) as pilot:
            screen = await open_reports(pilot, app)
            table = screen.query_one("#frequency-table")
            labels = [str(c.label) for c in table.columns.values()]
            assert labels[:2] == ["Code", "Total (2)"]
            assert "Detective Sergeant (1)" in labels and "ASW Operator (1)" in labels
            by_code = {r[0].strip(): r[1] for r in rows(table)}
            assert by_code["Lack of training"] == "3 (2)"
            assert by_code["Barriers to policing"] == "3 (2)"  # rolled up from its codes
            assert by_code["Fear of deportation"] == "1 (1)"
            await pilot.press("a")
            await settle(pilot, app)
            assert isinstance(app.screen, Choose)
            await pilot.press("down", "enter")  # attribute: region
            await loaded(pilot, app)
            labels = [str(c.label) for c in table.columns.values()]
            assert screen.by == "region"
            assert labels == ["Code", "Total (2)", "North (1)", "Southeast (1)"]
            assert "made" in str(screen.query_one("#reports-made").render()).lower()
    run(scenario())


def test_cooccurrence_cycles_its_unit(path: Path):
    async def scenario():
        app = QcodeApp(path, "ana", remember=False)
        async with app.run_test(size=(120, 40)) as pilot:
            screen = await open_reports(pilot, app)
            await pilot.press("2")
            await loaded(pilot, app)
            table = screen.query_one("#pair-table")
            with Project.open(path) as project:  # what `qcode report cooccurrence` says
                (first, second, count, jaccard), = cooccurrence(project).pairs()
            assert rows(table) == [[str(count), f"{jaccard:.2f}", first.name, second.name]]
            assert {first.name, second.name} == {"Lack of training", "Fear of deportation"}
            assert first.label in str(screen.query_one("#pair-text").render())
            await pilot.press("w")  # within the turn
            await loaded(pilot, app)
            assert screen.within == "turn"
            assert len(rows(table)) == 1
            await pilot.press("w", "w")  # transcript, then overlap again
            await loaded(pilot, app)
            assert screen.within == "overlap"
    run(scenario())


def test_quotes_of_a_code_and_jump_to_one(path: Path):
    async def scenario():
        app = QcodeApp(path, "ana", remember=False)
        async with app.run_test(size=(120, 40)) as pilot:
            screen = await open_reports(pilot, app)
            await pilot.press("3")
            await settle(pilot, app)
            assert "Press p" in rows(screen.query_one("#quote-table"))[0][0]
            await pilot.press("p")
            await settle(pilot, app)
            assert isinstance(app.screen, CodePicker)
            await pilot.press(*"Lack of training", "enter")
            await loaded(pilot, app)
            table = screen.query_one("#quote-table")
            found = rows(table)
            assert len(found) == 3
            assert any(r[2] == "Detective Sergeant, Southeast" for r in found)
            assert any(r[2] == "ASW Operator, North" for r in found)
            shown = str(screen.query_one("#quote-text").render())
            assert "—" in shown
            target = next(i for i, r in enumerate(found) if "Payment" in r[3])
            table.move_cursor(row=target)
            await pilot.press("enter")
            await loaded(pilot, app)
            assert isinstance(app.screen, CodingScreen)
            assert app.screen.transcript_name == "p02-operator"
            # Back, and the reports are as they were left: the same code's quotes.
            await pilot.press("escape")
            await settle(pilot, app)
            await pilot.press("R")
            await loaded(pilot, app)
            assert isinstance(app.screen, ReportsScreen) and app.screen.tab == "quotes"
            assert len(rows(app.screen.query_one("#quote-table"))) == 3
    run(scenario())


def test_an_empty_selection_says_so(tmp_path: Path, monkeypatch):
    monkeypatch.setenv("QCODE_CONFIG", str(tmp_path / "config.toml"))
    path = build_project(tmp_path / "p.qcode")  # codes, but nothing coded

    async def scenario():
        app = QcodeApp(path, "ana", remember=False)
        async with app.run_test(size=(120, 40)) as pilot:
            screen = await open_reports(pilot, app)
            assert "nothing is coded yet" in str(screen.query_one("#reports-made").render())
            await pilot.press("2")
            await loaded(pilot, app)
            assert "none" in str(screen.query_one("#reports-made").render())
            assert app.is_running
    run(scenario())


def test_help_lists_the_reports_keys(path: Path):
    from qcode.tui.screens.help import binding_rows

    app = QcodeApp(path, "ana", remember=False)
    keys = {(where, key) for where, key, _, _ in binding_rows(app)}
    for key in ("1", "2", "3", "a", "k", "w", "p"):
        assert ("Reports", key) in keys


def test_without_a_codebook_every_tab_says_why(tmp_path: Path, monkeypatch):
    from tests.tui_helpers import parsed

    monkeypatch.setenv("QCODE_CONFIG", str(tmp_path / "config.toml"))
    path = tmp_path / "bare.qcode"
    with Project.create(path) as project:
        project.add_transcript(parsed("p01", FIRST), "p01.txt", case="P01")

    async def scenario():
        app = QcodeApp(path, "ana", remember=False)
        async with app.run_test(size=(100, 30)) as pilot:
            screen = await open_reports(pilot, app)
            for tab, table in (("1", "#frequency-table"), ("2", "#pair-table")):
                await pilot.press(tab)
                await loaded(pilot, app)
                assert "codebook is empty" in rows(screen.query_one(table))[0][0]
                assert "…" not in str(screen.query_one("#reports-title").render())
    run(scenario())
