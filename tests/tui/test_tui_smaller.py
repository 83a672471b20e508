"""The smaller points of the coding screens: the panel's legend, coverage of the
participant's turns, leaving blind coding, a case's attributes, vim's movement keys."""

from __future__ import annotations

from pathlib import Path

import pytest

from qcode.core.store import Project
from qcode.settings import SettingsError, read_settings, remember_coder
from qcode.tui.app import QcodeApp, make_app
from qcode.tui.screens.forms import AskLine, Choose
from qcode.tui.screens.transcripts import TranscriptsScreen
from qcode.tui.screens.vim import VimCodingScreen
from tests.tui_helpers import (FIRST, code_id, codings, open_first, run, screen_text,
                                settle, until)


SIZE = (80, 24)


def test_the_codebook_panel_says_what_its_counts_mean(path: Path):
    async def scenario():
        app = QcodeApp(path, "ana", remember=False)
        async with app.run_test(size=SIZE) as pilot:
            await open_first(pilot, app)
            side = " ".join(line.partition("│")[2].strip()
                            for line in screen_text(app).splitlines())
            assert "n your codings · n/m with the codes under it · [k] its key" in side
    run(scenario())


def test_turn_coverage_counts_the_participants_turns(path: Path):
    # FIRST has two interviewer turns and two of the participant's.
    interviewer = FIRST.index("How big")
    participant = FIRST.index("It is growing")
    with Project.open(path) as project:
        project.add_coding(1, code_id(path, "Resources"), "ana", participant,
                           participant + 5)
        project.add_coding(1, code_id(path, "Resources"), "ana", interviewer,
                           interviewer + 5)
        assert project.progress("ana")[1] == (2, 1, 2)

    async def scenario():
        app = QcodeApp(path, "ana", remember=False)
        async with app.run_test(size=SIZE) as pilot:
            await until(pilot, lambda: isinstance(app.screen, TranscriptsScreen)
                        and app.screen.shown)
            await until(pilot, lambda: "p01-detective" in screen_text(app), seconds=60)
            assert "Participant turns" in [
                str(c.label) for c in app.screen.query_one("DataTable").columns.values()]
            row = next(line for line in screen_text(app).splitlines()
                       if "p01-detective" in line)
            assert "1/2 coded (50%)" in row
    run(scenario())


def test_leaving_blind_coding_is_asked_first(path: Path):
    with Project.open(path) as project:
        project.add_coding(1, code_id(path, "Resources"), "ben", 13, 40)

    async def scenario():
        app = QcodeApp(path, "ana", remember=False)
        async with app.run_test(size=SIZE) as pilot:
            screen = await open_first(pilot, app)
            await pilot.press("o")
            await until(pilot, lambda: isinstance(app.screen, Choose))
            assert "Leave blind coding?" in screen_text(app)
            await pilot.press("escape")
            await settle(pilot, app)
            await pilot.press("o", "enter")  # the first choice: stay blind
            await settle(pilot, app)
            assert app.screen is screen and not screen.show_others
            assert screen.codings == [] and "blind" in screen.status_text()
            await pilot.press("o", "down", "enter")
            await settle(pilot, app)
            assert screen.show_others and [c.coder_name for c in screen.codings] == ["ben"]
            await pilot.press("o")  # back to blind needs no question
            await settle(pilot, app)
            assert app.screen is screen and not screen.show_others
            assert screen.codings == []
    run(scenario())


def attributes(path: Path, case: str) -> dict[str, str]:
    with Project.open(path) as project:
        found = next(c for c in project.all_cases() if c.name == case)
    return {name: value for name, (value, _kind) in found.attributes.items()}


def test_a_cases_attributes_are_set_from_the_transcripts_screen(path: Path):
    async def scenario():
        app = QcodeApp(path, "ana", remember=False)
        async with app.run_test(size=SIZE) as pilot:
            await settle(pilot, app)
            await pilot.press("a")
            await until(pilot, lambda: isinstance(app.screen, Choose))
            drawn = screen_text(app)
            assert "role = Detective Sergeant" in drawn and "+ a new attribute" in drawn
            await pilot.press("down", "enter")  # region, role: role
            await until(pilot, lambda: isinstance(app.screen, AskLine))
            assert app.screen.query_one("Input").value == "Detective Sergeant"
            await pilot.press("ctrl+shift+a", *"Inspector", "enter")
            await until(pilot, lambda: isinstance(app.screen, TranscriptsScreen) and any(
                row["attributes"].get("role") == "Inspector" for row in app.screen.rows))
            assert attributes(path, "P01")["role"] == "Inspector"
            await pilot.press("a", "down", "down", "enter")  # + a new attribute
            await until(pilot, lambda: isinstance(app.screen, AskLine))
            await pilot.press(*"years", "enter")
            await until(pilot, lambda: isinstance(app.screen, AskLine)
                        and "years of case P01" in screen_text(app))
            await pilot.press(*"12", "enter")
            await until(pilot, lambda: "years" in app.screen.attributes)
            assert attributes(path, "P01") == {
                "role": "Inspector", "region": "Southeast", "years": "12"}
            assert attributes(path, "P02")["role"] == "ASW Operator"
    run(scenario())


def test_attributes_set_on_the_transcripts_screen_are_undone_and_redone_there(path: Path):
    async def scenario():
        app = QcodeApp(path, "ana", remember=False)
        async with app.run_test(size=SIZE) as pilot:
            await settle(pilot, app)
            assert screen_text(app).splitlines()[-1].split()[:4] == ["u", "Undo", "U", "Redo"]
            await pilot.press("a", "down", "enter")  # role
            await until(pilot, lambda: isinstance(app.screen, AskLine))
            await pilot.press("ctrl+shift+a", *"Inspector", "enter")
            await until(pilot, lambda: isinstance(app.screen, TranscriptsScreen) and any(
                row["attributes"].get("role") == "Inspector" for row in app.screen.rows))
            await pilot.press("u")
            await until(pilot, lambda: any(row["attributes"].get("role") ==
                                           "Detective Sergeant" for row in app.screen.rows))
            assert attributes(path, "P01")["role"] == "Detective Sergeant"
            assert any(str(n.message) == "Undone: case P01: role=Inspector"
                       for n in app._notifications)
            await pilot.press("U")
            await until(pilot, lambda: any(row["attributes"].get("role") == "Inspector"
                                           for row in app.screen.rows))
            assert attributes(path, "P01")["role"] == "Inspector"
    run(scenario())


def test_undo_on_the_transcripts_screen_asks_before_taking_back_a_coding(path: Path):
    with Project.open(path) as project:
        project.coder = "ana"
        project.add_coding(1, code_id(path, "Resources"), "ana", 0, 5)

    async def scenario():
        app = QcodeApp(path, "ana", remember=False)
        async with app.run_test(size=SIZE) as pilot:
            await settle(pilot, app)
            await pilot.press("u")
            await until(pilot, lambda: isinstance(app.screen, Choose))
            await settle(pilot, app)
            drawn = screen_text(app)
            # The question names the coding in words: transcript, turn, first words, code
            # (read across the dialog's wrapped lines).
            words = " ".join(drawn.replace("│", " ").split())
            assert "not made here: coded p01-detective, turn 1" in words
            assert "as Resources" in words
            await pilot.press("escape")
            await until(pilot, lambda: isinstance(app.screen, TranscriptsScreen))
            assert len(codings(path, "ana")) == 1
    run(scenario())


@pytest.mark.parametrize("vim", [True, False])
def test_vim_keys_move_and_never_code(path: Path, vim: bool):
    with Project.open(path) as project:
        project.edit_code(code_id(path, "Resources"), key="j")

    async def scenario():
        app = QcodeApp(path, "ana", remember=False, vim=vim)
        async with app.run_test(size=SIZE) as pilot:
            screen = await open_first(pilot, app)
            assert isinstance(screen, VimCodingScreen) == vim
            await pilot.press("j")
            await settle(pilot, app)
            if not vim:  # j is the code's key: it asks for a selection, and moves not
                assert screen.view.cursor_offset == 0
                await pilot.press("s", "j")
                await settle(pilot, app)
                assert [c[0] for c in codings(path)] == ["Resources"]
                return
            assert "a code whose key is j is applied with ' then its key" in " ".join(
                str(n.message) for n in app._notifications)
            assert screen.view.cursor_offset > 0  # a line down
            assert codings(path) == []
            await pilot.press("k", "l", "l", "h")
            assert screen.view.cursor_offset == 1
            await pilot.press("s", "apostrophe", "j")  # the code with key j, asked for
            await settle(pilot, app)
            assert [c[0] for c in codings(path)] == ["Resources"]

    run(scenario())


def test_vim_keys_are_a_setting_kept_when_the_coder_is_remembered(tmp_path: Path,
                                                                  monkeypatch):
    config = tmp_path / "config.toml"
    monkeypatch.setenv("QCODE_CONFIG", str(config))
    config.write_text("vim = true\n", encoding="utf-8")
    assert make_app(tmp_path / "p.qcode", "ana").vim
    remember_coder("ana")
    assert read_settings().vim and read_settings().coder == "ana"
    config.write_text("vim = 1\n", encoding="utf-8")
    with pytest.raises(SettingsError, match="vim must be true or false"):
        read_settings()
