"""A category in the coding screen: shown in the codebook and the picker, never applied."""

from __future__ import annotations

from pathlib import Path

import pytest

from qcode.core.store import Project
from qcode.tui.app import QcodeApp
from qcode.tui.screens.coding import CodingScreen
from qcode.tui.screens.picker import CodePicker
from qcode.tui.screens.transcripts import TranscriptsScreen
from qcode.tui.widgets.codebook_panel import CodebookPanel
from tests.tui_helpers import FIRST, build_project, code_id, codings, run, settle


@pytest.fixture
def path(tmp_path: Path, monkeypatch) -> Path:
    monkeypatch.setenv("QCODE_CONFIG", str(tmp_path / "config.toml"))
    path = build_project(tmp_path / "p.qcode")
    with Project.open(path) as project:
        project.edit_code(code_id(path, "Barriers to policing"), codable=False)
    return path


def test_the_picker_shows_a_category_but_does_not_apply_it(path: Path):
    async def scenario():
        app = QcodeApp(path, "ana", remember=False)
        async with app.run_test(size=(100, 30)) as pilot:
            await settle(pilot, app)
            assert isinstance(app.screen, TranscriptsScreen)
            await pilot.press("enter")
            await settle(pilot, app)
            screen = app.screen
            assert isinstance(screen, CodingScreen)
            panel = screen.query_one(CodebookPanel)
            barriers = code_id(path, "Barriers to policing")
            assert str(panel._code_nodes[barriers].label).endswith("(category)")
            screen.view.move_to(FIRST.index("no training"))
            await pilot.press("s", "c")
            await settle(pilot, app)
            assert isinstance(app.screen, CodePicker)
            await pilot.press(*"barriers to")
            await settle(pilot, app)
            picker = app.screen
            options = picker.query_one("#picker-options")
            where = options.get_option_index(f"c:{barriers}")
            shown = options.get_option_at_index(where).prompt
            assert str(shown).startswith("■ Barriers to policing (category)")
            options.highlighted = where
            await pilot.press("enter")
            await settle(pilot, app)
            assert app.screen is picker  # still choosing
            assert any("Barriers to policing is a category" in n.message
                       for n in app._notifications)
            assert codings(path) == []
            picker.query_one("#picker-input").value = "Lack of training"
            await settle(pilot, app)
            await pilot.press("enter")
            await settle(pilot, app)
            assert [c[0] for c in codings(path)] == ["Lack of training"]
    run(scenario())
