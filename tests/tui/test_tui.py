"""The terminal UI driven as a person would, with Pilot key presses; assertions on the
project file and on the widgets."""

from __future__ import annotations

from pathlib import Path

from textual.widgets import DataTable

from qcode.core.store import Project
from qcode.settings import read_settings
from qcode.tui.app import QcodeApp, make_app
from qcode.tui.screens.coding import CodingScreen
from qcode.tui.screens.help import HelpScreen, binding_rows
from qcode.tui.screens.picker import CodePicker
from qcode.tui.screens.retrieve import RetrieveScreen
from qcode.tui.screens.transcripts import TranscriptsScreen
from tests.tui_helpers import FIRST, code_id, codings, run, select_code, settle, until


def shown(screen: CodingScreen) -> list[tuple[str, str, int, int, str]]:
    """(code, coder, start, end, memo) of every coding the screen shows."""
    return sorted((screen.codes[c.code_id].name, c.coder_name, c.start, c.end, c.memo)
                  for c in screen.codings)


async def open_first(pilot, app) -> CodingScreen:
    await settle(pilot, app)
    assert isinstance(app.screen, TranscriptsScreen)
    await pilot.press("enter")
    await settle(pilot, app)
    assert isinstance(app.screen, CodingScreen)
    return app.screen


def test_transcripts_screen_shows_cases_attributes_and_filters(path: Path):
    async def scenario():
        app = QcodeApp(path, "ana", remember=False)
        async with app.run_test(size=(100, 30)) as pilot:
            await settle(pilot, app)
            screen = app.screen
            assert [r["name"] for r in screen.shown] == ["p01-detective", "p02-operator"]
            table = screen.query_one("DataTable")
            labels = [str(c.label) for c in table.columns.values()]
            assert labels == ["Transcript", "Case", "Words", "Codings", "Participant turns",
                              "region", "role"]
            await pilot.press("slash", *"role=asw")
            await settle(pilot, app)
            assert [r["name"] for r in screen.shown] == ["p02-operator"]
            await pilot.press("enter", "enter")
            await settle(pilot, app)
            assert isinstance(app.screen, CodingScreen)
            assert app.screen.transcript_name == "p02-operator"
    run(scenario())


def test_select_and_code_with_picker_key_and_repeat(path: Path):
    async def scenario():
        app = QcodeApp(path, "ana", remember=False)
        async with app.run_test(size=(100, 30)) as pilot:
            screen = await open_first(pilot, app)
            view = screen.view
            view.move_to(FIRST.index("no training"))
            await pilot.press("s")
            assert view.selected_text == "We had no training at all."
            await pilot.press("c")
            await settle(pilot, app)
            assert isinstance(app.screen, CodePicker)
            await pilot.press(*"trainng")  # no code's name: a new code, first
            await pilot.press("down")  # a typo still finds it, next
            await settle(pilot, app)
            detail = str(app.screen.query_one("#picker-guidance").render())
            assert "Officers were not trained" in detail and "use Resources" in detail
            await pilot.press("enter")
            await settle(pilot, app)
            we_had = FIRST.index("We had")
            assert codings(path) == [("Lack of training", "ana", we_had, we_had + 26, "")]
            view.move_to(FIRST.index("Many fear"))
            await pilot.press("t", "3")  # the code's own key
            await settle(pilot, app)
            view.move_to(FIRST.index("It is"))
            await pilot.press("w", "full_stop")  # repeat the last code
            await settle(pilot, app)
            assert [(c[0], c[2]) for c in codings(path)] == [
                ("Fear of deportation", FIRST.index("It is")),
                ("Lack of training", we_had),
                ("Fear of deportation", FIRST.index("Many fear"))]
            assert " saved " in screen.status_text()  # (not "saving…", not "NOT SAVED")
    run(scenario())


def test_remove_recode_memo_and_navigate(path: Path):
    async def scenario():
        app = QcodeApp(path, "ana", remember=False)
        async with app.run_test(size=(100, 30)) as pilot:
            screen = await open_first(pilot, app)
            view = screen.view
            for phrase, key in (("It is growing", "1"), ("Many fear", "2"),
                                ("They will not", "3")):
                view.move_to(FIRST.index(phrase))
                await pilot.press("s", key)
                await settle(pilot, app)
            view.move_to(0)
            await pilot.press("n")
            assert view.selected_text == "It is growing."
            await pilot.press("n", "n")
            assert view.selected_text == "They will not talk to us."
            await pilot.press("N")
            assert view.selected_text == "Many fear deportation."
            await pilot.press("e")
            await settle(pilot, app)
            await pilot.press(*"fear", "down", "enter")
            await settle(pilot, app)
            await pilot.press("m")
            await settle(pilot, app)
            await pilot.press(*"hedged", "ctrl+s")
            await settle(pilot, app)
            rows = codings(path)
            assert ("Fear of deportation", "ana", FIRST.index("Many fear"),
                    FIRST.index("Many fear") + 22, "hedged") in rows
            # Shown from what was written, as the file holds it.
            assert shown(screen) == sorted(rows)
            view.move_to(FIRST.index("It is growing") + 2)
            await pilot.press("x")
            await settle(pilot, app)
            assert [r[0] for r in codings(path)] == ["Fear of deportation"] * 2
            assert shown(screen) == sorted(codings(path))
            with Project.open(path) as project:
                assert screen.panel.counts == project.code_counts(["ana"])
            view.move_to(0)
            await pilot.press("right_square_bracket")
            assert view.selected_text == "Many fear deportation."
    run(scenario())


def test_find_search_and_retrieve_jump(path: Path):
    async def scenario():
        app = QcodeApp(path, "ana", remember=False)
        async with app.run_test(size=(100, 30)) as pilot:
            screen = await open_first(pilot, app)
            await pilot.press("slash", *"loyal", "enter")
            assert screen.view.selected_text == "loyal"
            await pilot.press("escape")
            assert screen.focused is screen.view
            screen.view.move_to(FIRST.index("Many"))
            await pilot.press("s", "3")
            await settle(pilot, app)
            await pilot.press("F")
            await settle(pilot, app)
            await pilot.press(*"payment records", "enter")
            await settle(pilot, app)
            await pilot.press("down", "enter")
            await settle(pilot, app)
            assert isinstance(app.screen, CodingScreen)
            assert app.screen.transcript_name == "p02-operator"
            assert app.screen.view.selected_text.casefold() == "payment records"
            await pilot.press("g")
            await settle(pilot, app)
            await pilot.press(*"fear", "enter")
            await settle(pilot, app)
            assert isinstance(app.screen, RetrieveScreen)
            [segment] = app.screen.segments
            assert segment.speaker == "P01"
            assert segment.attributes["role"] == "Detective Sergeant"
            await pilot.press("enter")
            await settle(pilot, app)
            assert app.screen.transcript_name == "p01-detective"
            assert app.screen.view.selected_text == "Many fear deportation."
    run(scenario())


def test_codebook_panel_edits_are_undoable(path: Path):
    async def scenario():
        app = QcodeApp(path, "ana", remember=False)
        async with app.run_test(size=(100, 30)) as pilot:
            screen = await open_first(pilot, app)
            screen.view.move_to(FIRST.index("It is"))
            await pilot.press("s", "2")
            await settle(pilot, app)
            await pilot.press("tab")
            assert screen.focused is screen.panel
            await select_code(pilot, screen.panel, code_id(path, "Resources"))
            await pilot.press("r", *"Resources and staff", "enter")  # the old name is selected
            await settle(pilot, app)
            assert "Resources and staff" in [c.name for c in screen.codes.values()]
            # The panel redraws after the rename; under load the keys can come first.
            await select_code(pilot, screen.panel, code_id(path, "Resources and staff"))
            await pilot.press("A", *"Overtime", "enter")
            await settle(pilot, app)
            overtime = code_id(path, "Overtime")
            with Project.open(path) as project:
                assert project.code(overtime).parent_id == code_id(path, "Resources and staff")
            await pilot.press("e")
            await settle(pilot, app)
            app.screen.query_one("#f-definition").text = "Unpaid extra hours."
            await pilot.press("ctrl+s")
            await settle(pilot, app)
            await pilot.press("m", *"victims", "enter")
            await settle(pilot, app)
            with Project.open(path) as project:
                code = project.code(overtime)
                assert code.definition == "Unpaid extra hours."
                assert code.parent_id == code_id(path, "Victims")
            await select_code(pilot, screen.panel, code_id(path, "Resources and staff"))
            await pilot.press("M", *"lack of tr", "enter")
            await settle(pilot, app)
            assert [r[0] for r in codings(path)] == ["Lack of training"]
            await select_code(pilot, screen.panel, overtime)
            await pilot.press("d")
            await settle(pilot, app)
            assert "Overtime" not in [c.name for c in screen.codes.values()]
            for _ in range(6):
                await pilot.press("u")
                await settle(pilot, app)
            names = [c.name for c in screen.codes.values()]
            assert "Resources" in names and "Overtime" not in names
            assert [r[0] for r in codings(path)] == ["Resources"]
            await pilot.press("U")
            await settle(pilot, app)
            assert "Resources and staff" in [c.name for c in screen.codes.values()]
    run(scenario())


def test_undo_works_across_a_restart(path: Path):
    async def first():
        app = QcodeApp(path, "ana", remember=False)
        async with app.run_test() as pilot:
            screen = await open_first(pilot, app)
            screen.view.move_to(FIRST.index("It is"))
            await pilot.press("s", "1")
            await settle(pilot, app)

    async def second():
        app = QcodeApp(path, "ana", remember=False)
        async with app.run_test() as pilot:
            await open_first(pilot, app)
            await pilot.press("u")
            await settle(pilot, app)
            assert app.screen.codings == []

    run(first())
    assert len(codings(path)) == 1
    run(second())
    assert codings(path) == []


def test_blind_coding_hides_other_coders_until_toggled(path: Path):
    with Project.open(path) as project:
        project.add_coding(1, code_id(path, "Resources"), "ben", 13, 40)

    async def scenario():
        app = QcodeApp(path, "ana", remember=False)
        async with app.run_test() as pilot:
            screen = await open_first(pilot, app)
            assert screen.codings == []
            await pilot.press("o", "down", "enter")  # asked first: show every coder's
            await settle(pilot, app)
            assert [c.coder_name for c in screen.codings] == ["ben"]
            screen.view.move_to(20)
            await pilot.press("x")  # not ana's: nothing to remove
            await settle(pilot, app)
            assert len(codings(path)) == 1
    run(scenario())


def test_markup_in_user_text_is_shown_literally(path: Path):
    async def scenario():
        app = QcodeApp(path, "ana", remember=False)
        async with app.run_test(size=(120, 40)) as pilot:
            screen = await open_first(pilot, app)
            screen.view.move_to(FIRST.index("Some stay"))
            await pilot.press("s", "c", *"loyalty", "down", "enter")  # a word of its name
            await settle(pilot, app)
            screen.view.move_to(FIRST.index("Some stay"))
            screen.update_status()
            await pilot.pause()
            shown = app.export_screenshot()
            assert "[bold]Loyalty[/]" in _plain(shown)
            assert "[laughs]" in _plain(shown)
            await pilot.press("g")
            await settle(pilot, app)
            assert "[bold]Loyalty[/]" in _plain(app.export_screenshot())
    run(scenario())


def _plain(svg: str) -> str:
    import html
    import re

    return html.unescape(re.sub(r"<[^>]+>", "", svg)).replace("\xa0", " ")


def test_help_palette_and_remapped_keys(path: Path, tmp_path: Path):
    (tmp_path / "config.toml").write_text('coder = "ana"\n[keys]\n"coding.select_sentence" = "z"\n')

    async def scenario():
        app = make_app(path)
        assert app.coder == "ana"
        async with app.run_test(size=(80, 24)) as pilot:
            screen = await open_first(pilot, app)
            screen.view.move_to(FIRST.index("It is"))
            await pilot.press("z")
            assert screen.view.selected_text == "It is growing."
            await pilot.press("f1")
            await settle(pilot, app)
            assert isinstance(app.screen, HelpScreen)
            assert ("Coding", "z", "Sentence", "coding.select_sentence") in binding_rows(app)
            await pilot.press("escape", "question_mark")
            assert isinstance(app.screen, HelpScreen)
            await pilot.press("escape")
            commands = [c.title for c in app.get_system_commands(app.screen)]
            assert {"Code", "Undo", "Find", "Retrieve"} <= set(commands)
            await pilot.resize_terminal(60, 20)
            await settle(pilot, app)
            await pilot.resize_terminal(80, 24)
    run(scenario())


def test_the_coder_is_asked_once_and_remembered(path: Path, tmp_path: Path):
    async def scenario():
        app = make_app(path)
        async with app.run_test() as pilot:
            await pilot.pause()
            await pilot.press(*"Ana Lima", "enter")
            await settle(pilot, app)
            assert isinstance(app.screen, TranscriptsScreen)
            assert app.coder == "Ana Lima"
    run(scenario())
    assert read_settings().coder == "Ana Lima"
    assert make_app(path).coder == "Ana Lima"


def test_screenshots_for_review(path: Path, tmp_path: Path):
    """Saves the main screens as SVG; QCODE_SCREENSHOTS=DIR keeps them (docs/screenshots
    holds a set made this way)."""
    import os

    folder = Path(os.environ.get("QCODE_SCREENSHOTS") or tmp_path / "shots")
    folder.mkdir(parents=True, exist_ok=True)

    async def scenario():
        app = QcodeApp(path, "ana", remember=False)
        async with app.run_test(size=(100, 30)) as pilot:
            await settle(pilot, app)
            await until(pilot, lambda: app.screen.query_one(DataTable).row_count > 0)
            await settle(pilot, app)  # the rows drawn, not only added, before the shot
            app.save_screenshot("transcripts.svg", str(folder))
            screen = await open_first(pilot, app)
            for phrase, key in (("We had", "1"), ("Many fear", "3")):
                screen.view.move_to(FIRST.index(phrase))
                await pilot.press("s", key)
                await settle(pilot, app)
            screen.view.move_to(FIRST.index("Some stay"))
            await pilot.press("s")
            app.save_screenshot("coding.svg", str(folder))
            await pilot.press("c", *"loyal")
            await settle(pilot, app)
            app.save_screenshot("picker.svg", str(folder))
    run(scenario())
    for name in ("transcripts", "coding", "picker"):
        assert "p01-detective" in _plain((folder / f"{name}.svg").read_text())


def test_user_text_in_messages_is_never_markup(path: Path):
    async def scenario():
        app = QcodeApp(path, "ana", remember=False)
        # Recorded as they are sent: under load a notification can expire before the
        # assertions run, and what matters is that it was shown without breaking.
        shown: list[str] = []
        notify = app.notify
        app.notify = lambda message, **kw: (shown.append(message), notify(message, **kw))
        async with app.run_test() as pilot:
            screen = await open_first(pilot, app)
            await pilot.press("slash", *"zz[/]", "enter")  # "Not found: zz[/]"
            await settle(pilot, app)
            await pilot.press("escape", "tab", "a", *"Bad [/] code", "enter")
            await settle(pilot, app)
            await pilot.press("u")
            await settle(pilot, app)
            assert app.is_running
            assert any("zz[/]" in m for m in shown)
            assert any("Bad [/] code" in m for m in shown)
            assert screen.is_mounted
    run(scenario())
