"""What undo would take back next, told in words, and an undo refused when another
action came in between."""

from __future__ import annotations

import pytest

from qcode.core.store import ProjectError
from tests.tui_helpers import FIRST, SECOND, parsed


@pytest.fixture
def two(project):
    project.coder = "ana"
    project.add_transcript(parsed("p01", FIRST), "p01.txt")
    project.add_transcript(parsed("p02", SECOND), "p02.txt")
    project.add_code("Trust")
    return project


def test_the_next_undo_is_named_by_transcript_turn_and_first_words(two):
    code = two.codes()[0].id
    start = SECOND.index("Payment")
    coding = two.add_coding(2, code, "ana", start, start + 26)
    step = two.next_step("undo")
    assert (step.action, step.transcript_id) == ("code", 2)
    assert step.told == "coded p02, turn 2 (P02): “Payment records help most.” as Trust"
    assert "[" not in step.told
    two.remove_coding(coding)
    assert two.next_step("undo").told.startswith("removed the coding of p02, turn 2")
    assert two.next_step("redo") is None


def test_an_undo_shown_is_refused_once_another_action_came_first(two):
    code = two.codes()[0].id
    two.add_coding(1, code, "ana", 0, 5)
    shown = two.next_step("undo")
    two.add_coding(2, code, "ana", 0, 5)
    with pytest.raises(ProjectError, match="another action was done since"):
        two.undo(shown.event_id)
    assert two.undo(two.next_step("undo").event_id)
    assert two.undo(shown.event_id)
    assert two.next_step("undo").action == "add code"
