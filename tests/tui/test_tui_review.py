"""The anonymisation review screen, driven headless with Pilot key presses."""

from __future__ import annotations

import asyncio
import sys
from pathlib import Path

from qcode.cli.commandline import CommandError
import pytest
from textual.widgets import DataTable, Static

from qcode.cli.anonymise import anonymise_batch
from qcode.core.anonymise.key import Key
from qcode.core.anonymise.review import Anonymiser, Decision
from qcode.core.importers.base import rebuild
from qcode.core.model import Transcript
from qcode.tui.screens.forms import Choose
from qcode.tui.screens.review import ReviewApp, ReviewScreen

TURNS = [
    ("Interviewer", "Tell me about the case.", None, None),
    ("P01", "Detective Sergeant Marsh ran it. Then [bold]Kirsty[/] rang me about it, "
     "and we asked Reynolds. Marsh was pleased with Reynolds.", None, None),
]


def transcript() -> Transcript:
    text, turns = rebuild(TURNS)
    return Transcript("interview", "txt", text, turns)


def scan_of(key: Key):
    scan = Anonymiser([], key).scan([transcript()])
    assert {g.value for g in scan.groups} == {"Marsh", "Kirsty", "Reynolds"}
    return scan


def review(keys: list[str], key: Key | None = None, check=None):
    """Press `keys` on a fresh review and return what the app exits with."""
    key = key or Key()
    scan = scan_of(key)

    async def drive():
        app = ReviewApp(scan, scan.groups, key)
        async with app.run_test(size=(120, 40)) as pilot:
            await pilot.pause()
            if check is not None:
                check(app, scan)
            for pressed in keys:
                await pilot.press(pressed)
                await pilot.pause()
        return app.return_value

    return asyncio.run(drive())


def order(key: Key | None = None) -> list[str]:
    return [g.key for g in scan_of(key or Key()).groups]


def rendered(widget: Static) -> str:
    return str(widget.render())


def test_accept_and_reject_go_down_the_list_then_enter_finishes():
    first, second, third = order()
    result = review(["a", "r", "a", "enter"])
    assert result == {first: Decision("accept", "person", None),
                      second: Decision("reject", "person", None),
                      third: Decision("accept", "person", None)}


def test_accept_all_then_ctrl_s():
    result = review(["r", "A", "ctrl+s"])
    first, *rest = order()
    assert result[first].action == "reject"
    assert [result[k].action for k in rest] == ["accept", "accept"]


def test_reject_all_then_ctrl_s():
    result = review(["a", "R", "ctrl+s"])
    first, *rest = order()
    assert result[first].action == "accept"
    assert [result[k].action for k in rest] == ["reject", "reject"]


def test_finish_waits_for_every_group():
    async def drive():
        key = Key()
        scan = scan_of(key)
        app = ReviewApp(scan, scan.groups, key)
        async with app.run_test(size=(120, 40)) as pilot:
            await pilot.press("a", "ctrl+s")
            await pilot.pause()
            assert isinstance(app.screen, ReviewScreen)  # two still undecided
            assert "1 of 3 decided" in rendered(app.screen.query_one("#review-progress"))
            await pilot.press("A", "ctrl+s")
            await pilot.pause()
        return app.return_value

    result = asyncio.run(drive())
    assert len(result) == 3 and all(d.action == "accept" for d in result.values())


def test_map_to_an_existing_pseudonym():
    key = Key()
    key.assign("Kirsty Miles", "person", "[Person 7]")
    key.assign("Thames Valley Police", "police force")
    first = order(key)[0]
    # The pseudonyms are offered sorted: [Force 1], [Person 7].
    result = review(["m", "down", "enter", "A", "ctrl+s"], key)
    assert result[first] == Decision("accept", "person", "[Person 7]")


def test_map_with_an_empty_key_says_so_and_decides_nothing():
    async def drive():
        key = Key()
        scan = scan_of(key)
        app = ReviewApp(scan, scan.groups, key)
        async with app.run_test(size=(120, 40)) as pilot:
            await pilot.press("m")
            await pilot.pause()
            assert isinstance(app.screen, ReviewScreen)
            assert app.screen.decisions == {}
            assert [n.message for n in app._notifications] == [
                "The key has no pseudonyms yet."]
            await pilot.press("escape")
            await pilot.pause()
        return app.return_value

    assert asyncio.run(drive()) is None


def test_change_category_then_accept():
    first = order()[0]
    # CATEGORIES order: person, place, organisation, ...
    result = review(["c", "down", "enter", "a", "A", "ctrl+s"])
    assert result[first] == Decision("accept", "place", None)


def test_change_category_after_deciding_keeps_the_decision():
    first = order()[0]
    result = review(["a", "up", "c", "down", "down", "enter", "A", "ctrl+s"])
    assert result[first] == Decision("accept", "organisation", None)


def test_escape_with_nothing_decided_stops_at_once():
    assert review(["escape"]) is None
    assert review(["q"]) is None


def test_stopping_after_decisions_asks_first():
    # Esc in the question keeps reviewing; "Stop: import nothing" stops.
    assert review(["a", "q", "escape", "A", "ctrl+s"]) is not None
    assert review(["a", "q", "down", "enter"]) is None


def test_user_text_is_shown_literally():
    def check(app, scan):
        screen = app.screen
        assert isinstance(screen, ReviewScreen)
        table = screen.query_one(DataTable)
        kirsty = next(i for i, g in enumerate(scan.groups) if g.value == "Kirsty")
        table.move_cursor(row=kirsty)
        screen.show_context()
        context = rendered(screen.query_one("#review-context"))
        assert "[bold] [Kirsty] [/]" in context
        assert "0 of 3 decided" in rendered(screen.query_one("#review-progress"))
        values = [str(table.get_row_at(i)[1]) for i in range(table.row_count)]
        assert sorted(values) == ["Kirsty", "Marsh", "Reynolds"]

    assert review(["escape"], check=check) is None


def test_footer_shows_the_review_keys():
    def check(app, scan):
        ids = {active.binding.id for active in app.screen.active_bindings.values()}
        assert {"review.accept", "review.reject", "review.map", "review.category",
                "review.accept_all", "review.finish", "review.cancel"} <= ids

    review(["escape"], check=check)


def test_the_choice_dialogs_are_the_shared_ones():
    async def drive():
        key = Key()
        scan = scan_of(key)
        app = ReviewApp(scan, scan.groups, key)
        async with app.run_test(size=(120, 40)) as pilot:
            await pilot.press("c")
            await pilot.pause()
            assert isinstance(app.screen, Choose)
            await pilot.press("escape")
            await pilot.pause()
            assert isinstance(app.screen, ReviewScreen)
            await pilot.press("escape")
            await pilot.pause()
        return app.return_value

    assert asyncio.run(drive()) is None


# -- the CLI's --review screen -------------------------------------------------------

class Terminal:
    def isatty(self) -> bool:
        return True


def batch_with_screen(monkeypatch, result, tmp_path: Path):
    monkeypatch.setattr(sys, "stdin", Terminal())
    monkeypatch.setattr(sys, "stderr", Terminal())
    seen = {}

    def run(app):
        seen["groups"] = [g.value for g in app.review.groups]
        return result(app) if callable(result) else result

    monkeypatch.setattr(ReviewApp, "run", run)
    items = [(tmp_path / "interview.txt", transcript())]
    out = anonymise_batch(items, [None], Key(), None, False, None, None,
                          tmp_path / "key.json", review="screen")
    return out, seen


def test_cli_screen_review_applies_the_decisions(monkeypatch, tmp_path):
    def decide(app):
        return {g.key: Decision("accept" if g.value != "Reynolds" else "reject")
                for g in app.review.groups}

    out, seen = batch_with_screen(monkeypatch, decide, tmp_path)
    assert sorted(seen["groups"]) == ["Kirsty", "Marsh", "Reynolds"]
    text = out[0][1].text
    assert "Sergeant Marsh" not in text and "Kirsty" not in text
    assert text.count("Reynolds") == 2  # rejected: kept as it is


def test_cli_screen_review_stopped_imports_nothing(monkeypatch, tmp_path):
    with pytest.raises(CommandError, match="nothing was imported"):
        batch_with_screen(monkeypatch, None, tmp_path)


def test_cli_screen_review_needs_a_terminal(tmp_path):
    items = [(tmp_path / "interview.txt", transcript())]
    with pytest.raises(CommandError, match="needs a terminal"):
        anonymise_batch(items, [None], Key(), None, False, None, None,
                        tmp_path / "key.json", review="screen")
