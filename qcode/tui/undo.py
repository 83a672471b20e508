"""Undo what the researcher can see: a screen undoes its own last action; when the
latest one belongs elsewhere (another transcript, another screen) it is named in
words and undone only if the researcher says so."""

from __future__ import annotations

from collections.abc import Callable

from textual import work

from qcode.core.store import Project, ProjectError
from qcode.core.store.journal import Step
from qcode.tui.screens.forms import Choose

DONE = {"undo": "Undone", "redo": "Redone"}
# The actions each screen of its own takes, by the journal's action names: undo in
# the coding screen asks before taking one of these back.
MEETING_ACTIONS = ("resolve",)
REVIEW_ACTIONS = ("review", "review answer", "review outcome")
ATTRIBUTE_ACTIONS = ("set attributes",)  # the transcripts screen's


class ScopedUndo:
    """The undo and redo keys of a screen that takes its own steps back: the screen
    says, in its `step(direction)`, which steps are its own and what to redraw."""

    @work(group="action", exit_on_error=False)
    async def action_undo(self) -> None:
        await self.step("undo")

    @work(group="action", exit_on_error=False)
    async def action_redo(self) -> None:
        await self.step("redo")


async def next_step(screen, direction: str, belongs: Callable[[Step], bool]) -> Step | None:
    """The step to take, once asked about when it is not this screen's; None when
    there is nothing to take or the researcher left it (and said so)."""
    step = await screen.app.db(Project.next_step, direction)
    if step is None:
        screen.notify(f"Nothing to {direction}", timeout=2)
        return None
    if belongs(step):
        return step
    chosen = await screen.app.push_screen_wait(Choose(
        f"The last action to {direction} was not made here: {step.told}\n"
        f"{direction.capitalize()} it?",
        [("yes", f"{direction.capitalize()} it"), ("no", "Leave it as it is")]))
    if chosen != "yes":
        screen.notify(f"Nothing was {DONE[direction].lower()}", timeout=2)
        return None
    return step


async def take_step(screen, direction: str, belongs: Callable[[Step], bool]) -> bool:
    """Undo (or redo) on a screen that has no unsaved work to show; whether it did."""
    step = await next_step(screen, direction, belongs)
    if step is None:
        return False
    call = Project.undo if direction == "undo" else Project.redo
    try:
        await screen.app.db(call, step.event_id)
    except ProjectError as exc:
        screen.notify(str(exc), severity="error")
        return False
    screen.notify(f"{DONE[direction]}: {step.told}", timeout=3)
    return True
