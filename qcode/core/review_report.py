"""A colleague's review told for a methods section and for the people in the thread:
the figures in a sentence, and each reviewed coding named by transcript, turn and first
words."""

from __future__ import annotations

from dataclasses import dataclass

from qcode.core.model import Review, ReviewCounts
from qcode.core.passages import passage
from qcode.core.wording import plural


@dataclass
class ReviewLine:
    """A review with where its coding is, in words."""

    review: Review
    transcript: str
    code: str
    where: str  # "turn 12, “first words…”"


def described(project, reviews: list[Review]) -> list[ReviewLine]:
    """Each review with its transcript's name, its code's name and its passage."""
    names = {t.id: t.name for t in project.transcripts()}
    codes = {c.id: c.name for c in project.codes()}
    texts: dict[int, tuple] = {}
    out = []
    for review in reviews:
        if review.transcript_id not in texts:
            texts[review.transcript_id] = (project.transcript_text(review.transcript_id),
                                           project.turns(review.transcript_id))
        out.append(ReviewLine(review, names[review.transcript_id],
                              codes.get(review.code_id, "a code since deleted"),
                              passage(*texts[review.transcript_id], review.start,
                                      review.end)))
    return out


def methods_sentence(coder: str, counts: ReviewCounts, reviewers: list[str]) -> str:
    """"Of ana's 120 codings, ben reviewed 40 (33%): ...", for one coder reviewed."""
    share = f" ({counts.reviewed / counts.codings:.0%})" if counts.codings else ""
    return (f"Of {coder}'s {plural(counts.codings, 'coding')}, "
            f"{' and '.join(reviewers)} reviewed {counts.reviewed:,}{share}: "
            f"{counts.agreed:,} agreed, {counts.questioned:,} questioned; "
            f"after discussion {counts.kept:,} kept, {counts.changed:,} changed, "
            f"{counts.removed:,} removed; "
            f"{plural(counts.open, 'question')} still open.")
