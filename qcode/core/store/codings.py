"""Codings: spans of a transcript coded with a code by a coder (undoable)."""

from __future__ import annotations

from qcode.core.store.base import ProjectError, new_guid, now
from qcode.core.store.journal import PASSAGE

# The model is imported where its objects are made (see store/__init__.py).
TYPE_CHECKING = False  # typing.TYPE_CHECKING, without loading typing
if TYPE_CHECKING:
    from qcode.core.model import Coding, Segment


def _passage(coding: Coding) -> list[int]:
    """A coding's passage, as an action's payload names it (see journal.PASSAGE)."""
    return [coding.transcript_id, coding.start, coding.end]


class Codings:
    def _check_span(self, transcript_id: int, start: int, end: int) -> None:
        length = self.conn.execute(
            "SELECT length(text) FROM transcripts WHERE id = ?", (transcript_id,)
        ).fetchone()
        if length is None:
            raise ProjectError(f"no transcript with id {transcript_id}")
        if not 0 <= start < end <= length[0]:
            raise ProjectError(
                f"span [{start}, {end}) is not inside the transcript (0 to {length[0]})"
            )

    def _code_name(self, code_id: int) -> str:
        row = self.conn.execute("SELECT name FROM codes WHERE id = ?", (code_id,)).fetchone()
        if row is None:
            raise ProjectError(f"no code with id {code_id}")
        return row[0]

    def _codable_name(self, code_id: int) -> str:
        """The code's name, if text can be coded with it; a category cannot."""
        row = self.conn.execute("SELECT name, codable FROM codes WHERE id = ?",
                                (code_id,)).fetchone()
        if row is None:
            raise ProjectError(f"no code with id {code_id}")
        if not row[1]:
            raise ProjectError(f"{row[0]} is a category: it groups codes and cannot be "
                               "applied to text; code with one of the codes under it")
        return row[0]

    def add_coding(
        self, transcript_id: int, code_id: int, coder: str, start: int, end: int,
        memo: str = "",
    ) -> int:
        """Code a span. A coder's codings of one code that overlap or touch the new span
        are joined with it into one coding, so a span is never counted twice."""
        self._check_span(transcript_id, start, end)
        name = self._codable_name(code_id)
        coder_id = self.coder_id(coder)
        with self.transaction():
            changes: list = []
            joined = self.conn.execute(
                'SELECT id, start, "end", memo FROM codings WHERE transcript_id = ?'
                ' AND code_id = ? AND coder_id = ? AND start <= ? AND "end" >= ?'
                " ORDER BY start",
                (transcript_id, code_id, coder_id, end, start),
            ).fetchall()
            memos = [m for *_, m in joined if m] + ([memo] if memo else [])
            for coding_id, old_start, old_end, _ in joined:
                start, end = min(start, old_start), max(end, old_end)
                self._delete(changes, "codings", coding_id)
            coding_id = self._insert(changes, "codings", {
                "guid": new_guid(), "transcript_id": transcript_id, "code_id": code_id,
                "coder_id": coder_id, "start": start, "end": end,
                "memo": "\n\n".join(memos), "created": now(),
                # Coded by hand, even where it joins an auto-coded coding; the undo
                # data is the whole row, so every column is given.
                "autocoded": 0})
            self._action("code", f"coded {PASSAGE} as {name}", changes,
                         actor=coder, coding=coding_id, code=code_id,
                         transcript=transcript_id, passage=[transcript_id, start, end])
        return coding_id

    def coding(self, coding_id: int) -> Coding:
        from qcode.core.model import Coding

        row = self.conn.execute(CODING + " WHERE c.id = ?", (coding_id,)).fetchone()
        if row is None:
            raise ProjectError(f"no coding with id {coding_id}")
        return Coding(*row)

    def codings(self, transcript_id: int | None = None, coders: list[str] | None = None,
                code_ids: list[int] | None = None) -> list[Coding]:
        """Codings of one transcript (default: all) by the given coders (default: all)
        with the given codes (default: all), in text order within each transcript (by
        transcript name)."""
        from qcode.core.model import Coding

        where, params = _filters(transcript_id, coders, code_ids)
        return [Coding(*row) for row in self.conn.execute(
            CODING + where + ' ORDER BY t.name, c.start, c."end", c.id', params)]

    def remove_coding(self, coding_id: int) -> None:
        coding = self.coding(coding_id)
        with self.transaction():
            changes: list = []
            self._delete(changes, "codings", coding_id)
            self._action("uncode", f"removed the coding of {PASSAGE} as "
                         f"{self._code_name(coding.code_id)}", changes, coding=coding_id,
                         passage=_passage(coding))

    def recode(self, coding_id: int, code_id: int) -> None:
        """Give a coding another code."""
        coding = self.coding(coding_id)
        name = self._codable_name(code_id)
        with self.transaction():
            changes: list = []
            self._update(changes, "codings", coding_id, code_id=code_id)
            self._action("recode", f"recoded {PASSAGE} as {name}", changes,
                         coding=coding_id, code=code_id, passage=_passage(coding))

    def set_coding_memo(self, coding_id: int, memo: str) -> None:
        coding = self.coding(coding_id)
        with self.transaction():
            changes: list = []
            self._update(changes, "codings", coding_id, memo=memo)
            self._action("memo", f"memo on the coding of {PASSAGE} as "
                         f"{self._code_name(coding.code_id)}", changes, coding=coding_id,
                         passage=_passage(coding))

    def code_counts(self, coders: list[str] | None = None) -> dict[int, int]:
        """Codings per code id, of the given coders (default: all)."""
        sql = "SELECT c.code_id, count(*) FROM codings c JOIN coders k ON k.id = c.coder_id"
        params: list = []
        if coders is not None:
            sql += f" WHERE k.name IN ({', '.join('?' for _ in coders)})"
            params = list(coders)
        return dict(self.conn.execute(sql + " GROUP BY c.code_id", params).fetchall())

    def progress(self, coder: str) -> dict[int, tuple[int, int, int]]:
        """For each transcript id: this coder's codings, the participant's turns they
        have coded at least in part, and the participant's turns. Coverage is of what
        the participant said: the interviewer's turns (told by their label, as quotes
        tell them) are not counted."""
        from qcode.core.roles import is_interviewer  # compiles its pattern: not to start

        codings = dict(self.conn.execute(
            "SELECT c.transcript_id, count(*) FROM codings c JOIN coders k"
            " ON k.id = c.coder_id WHERE k.name = ? GROUP BY c.transcript_id", (coder,)))
        turns = self.conn.execute(
            "SELECT tu.transcript_id, tu.speaker, EXISTS (SELECT 1 FROM codings c"
            " JOIN coders k ON k.id = c.coder_id WHERE c.transcript_id = tu.transcript_id"
            ' AND c.start < tu."end" AND c."end" > tu.start AND k.name = ?) FROM turns tu',
            (coder,))
        coverage: dict[int, list[int]] = {}
        for transcript_id, speaker, coded in turns:
            if not is_interviewer(speaker):
                counts = coverage.setdefault(transcript_id, [0, 0])
                counts[0] += coded
                counts[1] += 1
        return {tid: (codings.get(tid, 0), *coverage.get(tid, (0, 0)))
                for tid in set(codings) | set(coverage)}

    def segments(self, code_ids: list[int], coders: list[str] | None = None
                 ) -> list[Segment]:
        """Every coded segment of these codes across transcripts, with its text, the
        speaker of the turn where it starts, its case and the case's attributes."""
        from dataclasses import fields

        from qcode.core.model import Coding, Segment

        if not code_ids:
            return []
        where, params = _filters(None, coders, code_ids)
        rows = self.conn.execute(
            f"SELECT {COLUMNS}, t.name, substr(t.text, c.start + 1, c.\"end\" - c.start),"
            " (SELECT speaker FROM turns tu WHERE tu.transcript_id = t.id"
            "  AND tu.start <= c.start ORDER BY tu.start DESC LIMIT 1), cs.name, cs.id"
            f"{TABLES} LEFT JOIN cases cs ON cs.id = t.case_id{where}"
            " ORDER BY t.name, c.start, c.id", params).fetchall()
        attributes: dict[int, dict] = {}
        for case_id, name, value in self.conn.execute(
                "SELECT case_id, name, value FROM attributes ORDER BY name"):
            attributes.setdefault(case_id, {})[name] = value
        width = len(fields(Coding))
        return [Segment(Coding(*r[:width]), *r[width:width + 4],
                        attributes=attributes.get(r[-1], {})) for r in rows]


# A coding with the GUIDs of its transcript, code and coder, its row ids and the
# coder's name, in the order of model.Coding's fields.
COLUMNS = ('c.guid, t.guid, k.guid, d.guid, c.start, c."end", c.memo, c.created, c.id,'
           " c.transcript_id, c.code_id, d.name")
TABLES = (" FROM codings c JOIN transcripts t ON t.id = c.transcript_id"
          " JOIN codes k ON k.id = c.code_id JOIN coders d ON d.id = c.coder_id")
CODING = f"SELECT {COLUMNS}{TABLES}"


def _filters(transcript_id: int | None, coders: list[str] | None,
             code_ids: list[int] | None) -> tuple[str, list]:
    """The WHERE clause (and its parameters) of a read of codings: None is no filter."""
    clauses, params = [], []
    if transcript_id is not None:
        clauses.append("c.transcript_id = ?")
        params.append(transcript_id)
    if coders is not None:
        clauses.append(f"d.name IN ({', '.join('?' for _ in coders)})")
        params += coders
    if code_ids is not None:
        clauses.append(f"c.code_id IN ({', '.join('?' for _ in code_ids)})")
        params += code_ids
    return (" WHERE " + " AND ".join(clauses) if clauses else ""), params
