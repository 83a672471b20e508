"""The code picker's Enter (issue 14): a name no code has is a new code, the code with
the typed name is applied, and only a highlight the user moved chooses otherwise."""

from __future__ import annotations

from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st
from textual.app import App
from textual.widgets import Input, OptionList

from qcode.core.code_search import CodeIndex, same_name
from qcode.core.model import Code
from qcode.tui.app import QcodeApp
from qcode.tui.screens.coding import CodingScreen
from qcode.tui.screens.picker import CodePicker
from tests.tui_helpers import FIRST, codings, run, settle


class PickerApp(App):
    """Only the picker, so that a property can try many names quickly."""

    def __init__(self, index: CodeIndex):
        super().__init__()
        self.index = index
        self.chosen: list[dict | None] = []

    def on_mount(self) -> None:
        self.push_screen(CodePicker(self.index, applies=True), self.chosen.append)


def choose(names: list[str], typed: str, moves: int = 0) -> dict | None:
    """What the picker dismisses with after `typed`, `moves` presses of Down, Enter."""
    index = CodeIndex([Code(guid=str(i), name=name, id=i)
                       for i, name in enumerate(names, start=1)])

    async def scenario():
        app = PickerApp(index)
        async with app.run_test(size=(80, 24)) as pilot:
            await pilot.pause()
            app.screen.query_one(Input).value = typed
            await pilot.pause()
            await pilot.press(*["down"] * moves, "enter")
            await pilot.pause()
            return app.chosen
    chosen = run(scenario())
    assert len(chosen) == 1, "Enter did not close the picker"
    return chosen[0]


names_typed = st.text(st.characters(codec="utf-8", exclude_categories=("Cs", "Cc")),
                      min_size=1, max_size=24).filter(lambda s: s.strip())


@settings(max_examples=25, deadline=None)
@given(names=st.lists(names_typed, max_size=6, unique_by=same_name), data=st.data())
def test_enter_creates_a_name_no_code_has_and_applies_the_one_that_has_it(names, data):
    # Half the time the user types an existing name, in another case and spacing.
    if names and data.draw(st.booleans()):
        typed = data.draw(st.sampled_from(names))
        typed = f" {typed.upper() if data.draw(st.booleans()) else typed.lower()} "
    else:
        typed = data.draw(names_typed)
    holder = next((i for i, name in enumerate(names, start=1)
                   if same_name(name) == same_name(typed)), None)
    expected = {"new": typed.strip()} if holder is None else {"code": holder}
    assert choose(names, typed) == expected


def test_a_moved_highlight_chooses_a_matching_code_instead():
    names = ["Police", "Policing powers", "Barriers to policing"]
    assert choose(names, "polic") == {"new": "polic"}
    assert choose(names, "polic", moves=1) == {"code": 1}  # starts with it: first
    assert choose(names, "polic", moves=2) == {"code": 2}


def test_the_new_code_row_comes_first_and_is_highlighted():
    index = CodeIndex([Code(guid="1", name="Barriers to policing", id=1,
                            definition="What stops police acting.")])

    async def scenario():
        app = PickerApp(index)
        async with app.run_test(size=(80, 24)) as pilot:
            await pilot.pause()
            app.screen.query_one(Input).value = "police acting"
            await pilot.pause()
            options = app.screen.query_one(OptionList)
            first = options.get_option_at_index(0)
            assert str(first.prompt) == "+ new code “police acting”"
            assert options.highlighted == 0
            assert options.get_option_at_index(1).id == "c:1"  # its definition matches
    run(scenario())


def test_typing_a_new_name_codes_with_a_new_code_not_the_definition_match(path: Path):
    """The report: a new name applied "Barriers to …", matched by its definition."""
    async def scenario():
        app = QcodeApp(path, "ana", remember=False)
        async with app.run_test(size=(100, 30)) as pilot:
            await settle(pilot, app)
            await pilot.press("enter")
            await settle(pilot, app)
            assert isinstance(app.screen, CodingScreen)
            app.screen.view.move_to(FIRST.index("no training"))
            await pilot.press("s", "c")
            await settle(pilot, app)
            await pilot.press(*"police acting", "enter")
            await settle(pilot, app)
            start = FIRST.index("We had")
            assert codings(path) == [("police acting", "ana", start, start + 26, "")]
    run(scenario())
