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


@dataclass
class ReviewItem:
    """One coding to review, where it is in words, and its review by this reviewer
    (None until marked). A coding removed after review stays, told by its review."""

    coding_id: int
    transcript_id: int
    code_id: int
    start: int
    transcript: str
    code: str
    where: str
    excerpt: str
    review: Review | None


ORDERS = ("transcript", "theme")


def review_items(project, coder: str, reviewer: str, order: str = "transcript"
                 ) -> list[ReviewItem]:
    """The coder's codings with this reviewer's reviews of them, transcript by
    transcript (and text order) or theme by theme (codebook order, then the same)."""
    names = {t.id: t.name for t in project.transcripts()}
    codes = project.codes()
    code_names = {c.id: c.name for c in codes}
    rank = {c.id: n for n, c in enumerate(codes)}
    reviews = {r.coding_id: r for r in project.reviews(coder=coder)
               if r.reviewer == reviewer}
    places = [(c.id, c.transcript_id, c.code_id, c.start, c.end)
              for c in project.codings_to_review(coder)]
    present = {place[0] for place in places}
    places += [(r.coding_id, r.transcript_id, r.code_id, r.start, r.end)
               for r in reviews.values() if r.coding_id not in present]
    texts: dict[int, tuple] = {}
    items = []
    for coding_id, transcript_id, code_id, start, end in places:
        if transcript_id not in texts:
            texts[transcript_id] = (project.transcript_text(transcript_id),
                                    project.turns(transcript_id))
        text, turns = texts[transcript_id]
        items.append(ReviewItem(coding_id, transcript_id, code_id, start,
                                names[transcript_id],
                                code_names.get(code_id, "a code since deleted"),
                                passage(text, turns, start, end, 5), text[start:end],
                                reviews.get(coding_id)))
    if order == "theme":
        items.sort(key=lambda i: (rank.get(i.code_id, len(rank)), i.transcript, i.start))
    else:
        items.sort(key=lambda i: (i.transcript, i.start))
    return items
