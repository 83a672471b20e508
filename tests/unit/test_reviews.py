"""A reviewer's pass over another coder's codings, in the store."""

from __future__ import annotations

import pytest

from qcode.core.model import ReviewCounts
from qcode.core.store import ProjectError
from tests.tui_helpers import FIRST, parsed


@pytest.fixture
def coded(project):
    project.coder = "ana"
    project.add_transcript(parsed("p01", FIRST), "p01.txt")
    code = project.add_code("Trust")
    ids = [project.add_coding(1, code, "ana", start, start + 5) for start in (0, 20, 40)]
    project.coder = "ben"
    return project, ids


def test_marks_threads_outcomes_and_figures(coded):
    project, (agreed, asked, dropped) = coded
    project.mark_coding(agreed, "agreed")
    question = project.mark_coding(asked, "question", "Is this trust or fear?")
    removal = project.mark_coding(dropped, "question", "Not about trust at all")
    project.coder = "ana"
    project.answer_review(question, "Trust: she says she relies on them.")
    project.decide_review(removal, "removed")
    [review] = project.reviews(open_only=True)
    assert (review.id, review.reviewer, review.coder) == (question, "ben", "ana")
    assert [(c.author, c.body) for c in review.comments] == [
        ("ben", "Is this trust or fear?"), ("ana", "Trust: she says she relies on them.")]
    decided = project.review(removal)
    assert (decided.outcome, decided.decided_by) == ("removed", "ana")
    assert dropped not in [c.id for c in project.codings(1)]
    figures = project.review_figures()
    assert figures.total == ReviewCounts(codings=3, reviewed=3, agreed=1, questioned=2,
                                         removed=1, open=1)
    assert figures.reviewers == ["ben"]
    project.undo()  # the removal, with its coding
    assert dropped in [c.id for c in project.codings(1)]
    assert project.review(removal).outcome is None


def test_marking_again_changes_the_mark_and_refusals_say_why(coded):
    project, (first, *_) = coded
    review = project.mark_coding(first, "question", "Why here?")
    assert project.mark_coding(first, "agreed") == review
    assert project.review(review).mark == "agreed"
    with pytest.raises(ProjectError, match="needs a comment"):
        project.mark_coding(first, "question", "  ")
    with pytest.raises(ProjectError, match="one of kept, changed, removed"):
        project.decide_review(review, "deleted")
    project.coder = "ana"
    with pytest.raises(ProjectError, match="does not review their own"):
        project.mark_coding(first, "agreed")


def test_a_review_moves_with_its_coding_when_the_text_is_redacted(coded):
    from qcode.core.anonymise.key import Key
    from qcode.core.anonymise.redact import redact_text

    project, (first, second, _) = coded
    review = project.mark_coding(second, "question", "Why here?")
    parsed = project.stored_transcript(1)
    result = redact_text(parsed, "Interviewer", "person", None, Key())
    project.rewrite_transcript(1, result.transcript, result.positions, "redacted a name")
    moved = next(c for c in project.codings(1) if c.id == second)
    assert moved.start != 20  # the name before it was shortened
    assert (project.review(review).start, project.review(review).end) == (
        moved.start, moved.end)


def test_removing_a_transcript_takes_its_reviews_and_undo_brings_them_back(coded):
    project, (first, *_) = coded
    review = project.mark_coding(first, "question", "Why here?")
    project.remove_transcript(1)
    assert project.reviews() == []
    project.undo()
    assert [c.body for c in project.review(review).comments] == ["Why here?"]
