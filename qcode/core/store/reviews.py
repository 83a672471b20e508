"""A colleague's review of a coder's codings: each coding marked agreed or questioned
by the reviewer, a thread of comments under a question that the coder answers, and
the outcome (kept, changed, removed) with who decided. Every step is one undoable
action; the figures are what a methods section reports."""

from __future__ import annotations

from qcode.core.store.base import ProjectError, new_guid, now

# The model is imported where its objects are made (see store/__init__.py).
TYPE_CHECKING = False  # typing.TYPE_CHECKING, without loading typing
if TYPE_CHECKING:
    from qcode.core.model import (Coding, Review, ReviewComment, ReviewCounts, ReviewFigures,
                                  ReviewRecord)

MARKS = ("agreed", "question")
OUTCOMES = ("kept", "changed", "removed")

_COLUMNS = ('id, guid, coding_id, transcript_id, code_id, start, "end", coder, reviewer,'
            " mark, outcome, decided_by, created")


class Reviews:
    def mark_coding(self, coding_id: int, mark: str, comment: str = "") -> int:
        """The reviewer (this coder) marks another coder's coding agreed, or raises a
        question with a comment; marking again changes the mark. Returns the review."""
        if mark not in MARKS:
            raise ProjectError(f"a review mark is one of {', '.join(MARKS)}, not '{mark}'")
        comment = comment.strip()
        if mark == "question" and not comment:
            raise ProjectError("a question needs a comment saying what is asked")
        found = self.conn.execute(
            'SELECT c.transcript_id, c.code_id, c.start, c."end", k.name FROM codings c'
            " JOIN coders k ON k.id = c.coder_id WHERE c.id = ?", (coding_id,)).fetchone()
        if found is None:
            raise ProjectError(f"no coding with id {coding_id}")
        transcript_id, code_id, start, end, coder = found
        if coder == self.coder:
            raise ProjectError("a coder does not review their own codings; open the "
                               "project as the reviewer")
        existing = self.conn.execute(
            "SELECT id FROM reviews WHERE coding_id = ? AND reviewer = ?",
            (coding_id, self.coder)).fetchone()
        name = self._code_name(code_id)
        with self.transaction():
            changes: list = []
            if existing:
                review_id = existing[0]
                self._update(changes, "reviews", review_id, mark=mark)
            else:
                review_id = self._insert(changes, "reviews", {
                    "guid": new_guid(), "coding_id": coding_id,
                    "transcript_id": transcript_id, "code_id": code_id, "start": start,
                    "end": end, "coder": coder, "reviewer": self.coder, "mark": mark,
                    "outcome": None, "decided_by": None, "decided": None,
                    "created": now()})
            if comment:
                self._comment(changes, review_id, comment)
            verb = "agreed with" if mark == "agreed" else "questioned"
            self._action("review", f"{verb} {coder}'s {name} [{start}, {end})", changes,
                         transcript=transcript_id, review=review_id)
        return review_id

    def answer_review(self, review_id: int, body: str) -> None:
        """A comment in a review's thread (the coder's answer, or the reviewer's)."""
        body = body.strip()
        if not body:
            raise ProjectError("an answer needs some words")
        review = self.review(review_id)
        with self.transaction():
            changes: list = []
            self._comment(changes, review_id, body)
            self._action("review answer", f"answered on {review.coder}'s "
                         f"{self._code_name(review.code_id)} [{review.start}, {review.end})",
                         changes, transcript=review.transcript_id, review=review_id)

    def decide_review(self, review_id: int, outcome: str) -> None:
        """Record the outcome and who decided (this coder). "removed" removes the
        coding in the same action; "changed" records that the coder changed it."""
        if outcome not in OUTCOMES:
            raise ProjectError(f"an outcome is one of {', '.join(OUTCOMES)}, not '{outcome}'")
        review = self.review(review_id)
        with self.transaction():
            changes: list = []
            if outcome == "removed" and self._row("codings", review.coding_id):
                self._delete(changes, "codings", review.coding_id)
            self._update(changes, "reviews", review_id, outcome=outcome,
                         decided_by=self.coder, decided=now())
            self._action("review outcome", f"{outcome} {review.coder}'s "
                         f"{self._code_name(review.code_id)} [{review.start}, {review.end})",
                         changes, transcript=review.transcript_id, review=review_id)

    def _comment(self, changes: list, review_id: int, body: str) -> None:
        self._insert(changes, "review_comments", {
            "guid": new_guid(), "review_id": review_id, "author": self.coder,
            "body": body, "created": now()})

    def review(self, review_id: int) -> Review:
        found = self.reviews(review_id=review_id)
        if not found:
            raise ProjectError(f"no review with id {review_id}")
        return found[0]

    def reviews(self, coder: str | None = None, transcript_id: int | None = None,
                open_only: bool = False, review_id: int | None = None) -> list[Review]:
        """Reviews with their threads, in transcript and text order."""
        from qcode.core.model import Review, ReviewComment

        sql, params = f"SELECT {_COLUMNS} FROM reviews WHERE 1", []
        for column, value in (("coder", coder), ("transcript_id", transcript_id),
                              ("id", review_id)):
            if value is not None:
                sql += f" AND {column} = ?"
                params.append(value)
        if open_only:
            sql += " AND mark = 'question' AND outcome IS NULL"
        found = [Review(*row) for row in self.conn.execute(
            sql + " ORDER BY transcript_id, start, id", params)]
        if found:
            threads: dict[int, list[ReviewComment]] = {}
            marks = ", ".join("?" for _ in found)
            for review_id_, author, body, created in self.conn.execute(
                    "SELECT review_id, author, body, created FROM review_comments"
                    f" WHERE review_id IN ({marks}) ORDER BY id", [r.id for r in found]):
                threads.setdefault(review_id_, []).append(ReviewComment(author, body, created))
            for review in found:
                review.comments = threads.get(review.id, [])
        return found

    def all_reviews(self) -> list[ReviewRecord]:
        """Every review with its thread, for an export, by GUID."""
        from qcode.core.model import ReviewComment, ReviewRecord

        comments: dict[int, list[ReviewComment]] = {}
        for review_id, guid, author, body, created in self.conn.execute(
                "SELECT review_id, guid, author, body, created FROM review_comments"
                " ORDER BY id"):
            comments.setdefault(review_id, []).append(
                ReviewComment(author, body, created, guid))
        return [ReviewRecord(*row[1:], comments=comments.get(row[0], []))
                for row in self.conn.execute(
                    'SELECT r.id, r.guid, c.guid, t.guid, k.guid, r.start, r."end", r.coder,'
                    " r.reviewer, r.mark, r.outcome, r.decided_by, r.decided, r.created"
                    " FROM reviews r JOIN transcripts t ON t.id = r.transcript_id"
                    " JOIN codes k ON k.id = r.code_id"
                    " LEFT JOIN codings c ON c.id = r.coding_id ORDER BY r.id")]

    def _lay_out_reviews(self, reviews: list[ReviewRecord], transcript_ids: dict,
                         code_ids: dict) -> None:
        """An export's reviews, written as they are into a project being laid out; a
        review whose coding was removed gets an id no coding will have."""
        coding_ids = dict(self.conn.execute("SELECT guid, id FROM codings"))
        for r in reviews:
            if r.transcript not in transcript_ids or r.code not in code_ids:
                continue
            review_id = self._new_ids("reviews", 1)
            self._put("reviews", {
                "id": review_id, "guid": r.guid,
                "coding_id": coding_ids.get(r.coding) or self._new_ids("codings", 1),
                "transcript_id": transcript_ids[r.transcript], "code_id": code_ids[r.code],
                "start": r.start, "end": r.end, "coder": r.coder, "reviewer": r.reviewer,
                "mark": r.mark, "outcome": r.outcome, "decided_by": r.decided_by,
                "decided": r.decided, "created": r.created})
            for c in r.comments:
                self._put("review_comments", {
                    "guid": c.guid or new_guid(), "review_id": review_id,
                    "author": c.author, "body": c.body, "created": c.created or now()})

    def codings_to_review(self, coder: str) -> list[Coding]:
        """Every coding of `coder`, in transcript and text order."""
        from qcode.core.model import Coding

        return [Coding(*row) for row in self.conn.execute(
            'SELECT c.guid, t.guid, k.guid, w.guid, c.start, c."end", c.memo, c.created,'
            " c.id, c.transcript_id, c.code_id, w.name FROM codings c"
            " JOIN transcripts t ON t.id = c.transcript_id"
            " JOIN codes k ON k.id = c.code_id JOIN coders w ON w.id = c.coder_id"
            ' WHERE w.name = ? ORDER BY t.name, c.start, c."end"', (coder,))]

    def review_figures(self) -> ReviewFigures:
        """What a methods section reports, per coder reviewed and overall. A coding
        removed after review still counts among the coder's codings."""
        from dataclasses import fields

        from qcode.core.model import ReviewCounts, ReviewFigures

        rows = self.conn.execute(
            "SELECT coder, count(*), sum(mark = 'agreed'), sum(mark = 'question'),"
            " sum(outcome = 'kept'), sum(outcome = 'changed'), sum(outcome = 'removed'),"
            " sum(mark = 'question' AND outcome IS NULL) FROM reviews GROUP BY coder"
            " ORDER BY coder").fetchall()
        codings = dict(self.conn.execute(
            "SELECT k.name, count(*) FROM codings c JOIN coders k ON k.id = c.coder_id"
            " GROUP BY k.name"))
        coders = {coder: ReviewCounts(codings.get(coder, 0) + counts[5], *counts)
                  for coder, *counts in rows}
        total = ReviewCounts(*(sum(getattr(c, f.name) for c in coders.values())
                               for f in fields(ReviewCounts)))
        reviewers = [r for (r,) in self.conn.execute(
            "SELECT DISTINCT reviewer FROM reviews ORDER BY reviewer")]
        return ReviewFigures(coders, total, reviewers)
