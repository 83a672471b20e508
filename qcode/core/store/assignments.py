"""Who codes what: transcripts assigned to a coder (the double-coded subsample) and
transcripts a coder has marked coded. Agreement reads them to compare coders only
where each has coded; every change is undoable."""

from __future__ import annotations

from collections.abc import Sequence

from qcode.core.store.base import ProjectError, new_guid, now

# The model is imported where its objects are made (see store/__init__.py).
TYPE_CHECKING = False  # typing.TYPE_CHECKING, without loading typing
if TYPE_CHECKING:
    from qcode.core.model import CodingStatus


class Assignments:
    def assign(self, coder: str, transcript_ids: Sequence[int], assigned: bool = True
               ) -> list[str]:
        """Assign transcripts to a coder (or take them back); returns the names of the
        transcripts whose assignment changed."""
        return self._set_for_coder(coder, transcript_ids, "assigned", int(assigned),
                                   "assign" if assigned else "unassign",
                                   "assigned {names} to {coder}" if assigned
                                   else "took {names} back from {coder}", self.coder)

    def mark_coded(self, coder: str, transcript_ids: Sequence[int], coded: bool = True
                   ) -> list[str]:
        """Mark transcripts as coded by a coder (or not coded any more); returns the
        names of the transcripts whose mark changed."""
        return self._set_for_coder(coder, transcript_ids, "marked_coded",
                                   now() if coded else None,
                                   "mark coded" if coded else "unmark coded",
                                   "{coder} marked {names} coded" if coded
                                   else "{coder} marked {names} not coded", coder)

    def _set_for_coder(self, coder: str, transcript_ids: Sequence[int], column: str,
                       value, action: str, summary: str, actor: str | None
                       ) -> list[str]:
        """`actor` undoes it: the lead for an assignment, the coder for a mark."""
        names = self._transcript_names(transcript_ids)
        coder_id = self.coder_id(coder)
        changed = []
        with self.transaction():
            changes: list = []
            for transcript_id in dict.fromkeys(transcript_ids):
                row = self.conn.execute(
                    f"SELECT id, {column} FROM assignments WHERE transcript_id = ?"
                    " AND coder_id = ?", (transcript_id, coder_id)).fetchone()
                # Already so (a second mark keeps the time of the first): no change.
                if bool(row[1] if row else None) == bool(value):
                    continue
                if row is None:
                    self._insert(changes, "assignments", {
                        "guid": new_guid(), "transcript_id": transcript_id,
                        "coder_id": coder_id, "assigned": 0, "marked_coded": None,
                        column: value})
                else:
                    self._update(changes, "assignments", row[0], **{column: value})
                changed.append(names[transcript_id])
            if changed:
                self._action(action, summary.format(names=", ".join(changed), coder=coder),
                             changes, actor=actor, coder=coder)
        return changed

    def _transcript_names(self, transcript_ids: Sequence[int]) -> dict[int, str]:
        names = {}
        for transcript_id in transcript_ids:
            row = self.conn.execute("SELECT name FROM transcripts WHERE id = ?",
                                    (transcript_id,)).fetchone()
            if row is None:
                raise ProjectError(f"no transcript with id {transcript_id}")
            names[transcript_id] = row[0]
        return names

    def coding_status(self) -> list[CodingStatus]:
        """Per coder and transcript where anything is known: whether it is assigned to
        the coder, when the coder marked it coded (or None), and the coder's codings in
        it; ordered by coder, then transcript."""
        from qcode.core.model import CodingStatus

        rows = self.conn.execute(
            "WITH pairs AS ("
            " SELECT coder_id, transcript_id FROM assignments"
            " UNION SELECT coder_id, transcript_id FROM codings)"
            " SELECT k.name, t.name, ifnull(a.assigned, 0), a.marked_coded,"
            "  (SELECT count(*) FROM codings c WHERE c.coder_id = p.coder_id"
            "   AND c.transcript_id = p.transcript_id)"
            " FROM pairs p JOIN coders k ON k.id = p.coder_id"
            " JOIN transcripts t ON t.id = p.transcript_id"
            " LEFT JOIN assignments a ON a.coder_id = p.coder_id"
            "  AND a.transcript_id = p.transcript_id"
            " ORDER BY k.name, t.name")
        return [CodingStatus(coder, transcript, bool(assigned), marked, codings)
                for coder, transcript, assigned, marked, codings in rows]

    def coded_by(self, coders: Sequence[str], transcript_ids: Sequence[int],
                 autocoded: bool = True
                 ) -> tuple[set[tuple[str, int]], set[tuple[str, int]]]:
        """Of these coders and transcripts: the (coder, transcript id) pairs marked
        coded, and the pairs where the coder has at least one coding; without
        `autocoded`, one coding of their own hand (accepted search hits alone do not
        show that the coder read the transcript)."""
        coder_marks = ", ".join("?" for _ in coders)
        transcript_marks = ", ".join("?" for _ in transcript_ids)
        params = (*coders, *transcript_ids)
        marked = set(self.conn.execute(
            "SELECT k.name, a.transcript_id FROM assignments a JOIN coders k"
            f" ON k.id = a.coder_id WHERE k.name IN ({coder_marks}) AND a.transcript_id"
            f" IN ({transcript_marks}) AND a.marked_coded IS NOT NULL", params))
        # One EXISTS per coder and transcript stops at the first coding found (the
        # index leads with the transcript); a DISTINCT over the join read every coding.
        ids = self.conn.execute(f"SELECT name, id FROM coders WHERE name IN ({coder_marks})",
                                tuple(coders)).fetchall()
        sql = ("SELECT EXISTS (SELECT 1 FROM codings WHERE transcript_id = ?"
               " AND coder_id = ?" + ("" if autocoded else " AND autocoded = 0") + ")")
        coded = {(name, transcript_id) for name, coder_id in ids
                 for transcript_id in transcript_ids
                 if self.conn.execute(sql, (transcript_id, coder_id)).fetchone()[0]}
        return marked, coded
