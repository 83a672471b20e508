"""Whole-project reads: every record of a kind as the model's objects (for export and
anything else that wants the whole project), and the plain rows the write-up reports
and agreement aggregate. Each is one query, so a project of 300,000 codings is one
read, never a query per coding. The `*_rows` reads and `coded_spans` give tuples,
not model objects, on purpose: they feed the reports and agreement over every coding
of a large project, where an object per row would cost more than the sums."""

from __future__ import annotations

import json

# The model is imported where its objects are made (see store/__init__.py).
TYPE_CHECKING = False  # typing.TYPE_CHECKING, without loading typing
if TYPE_CHECKING:
    from qcode.core.model import Case, Coder, Coding, Memo, Resolution, Transcript


class Reads:
    def all_coders(self) -> list[Coder]:
        """Every coder with GUID, name and date added, by name."""
        from qcode.core.model import Coder

        return [Coder(*row) for row in self.conn.execute(
            "SELECT guid, name, created FROM coders ORDER BY name")]

    def all_transcripts(self) -> list[Transcript]:
        """Every transcript with its text, the facts of its source file and its turns
        (speaker, start, end, label_start, begin_time, end_time), by name."""
        from qcode.core.model import Transcript, Turn

        turns: dict[int, list[tuple]] = {}
        for transcript_id, *turn in self.conn.execute(
                'SELECT transcript_id, speaker, start, "end", label_start, begin_time,'
                " end_time FROM turns ORDER BY transcript_id, seq"):
            turns.setdefault(transcript_id, []).append(Turn(*turn))
        return [Transcript(name, source_format,
                           self.verified_text(transcript_id, name, text, sha),
                           turns.get(transcript_id, []), encoding, guid=guid,
                           source_file=source_file, imported=imported)
                for transcript_id, guid, name, text, sha, source_file, source_format,
                encoding, imported in self.conn.execute(
                    "SELECT id, guid, name, text, sha256, source_file, source_format,"
                    " encoding, imported FROM transcripts ORDER BY name")]

    def all_cases(self) -> list[Case]:
        """Every case, by name, with its attributes as stored ({name: (value, type)})
        and the GUIDs of its transcripts."""
        from qcode.core.model import Case

        cases: dict[int, Case] = {}
        for case_id, guid, name in self.conn.execute(
                "SELECT id, guid, name FROM cases ORDER BY name"):
            cases[case_id] = Case(guid, name)
        for case_id, name, value, kind in self.conn.execute(
                "SELECT case_id, name, value, type FROM attributes ORDER BY name"):
            cases[case_id].attributes[name] = (value, kind)
        for case_id, guid in self.conn.execute(
                "SELECT case_id, guid FROM transcripts WHERE case_id IS NOT NULL"
                " ORDER BY name"):
            cases[case_id].transcripts.append(guid)
        return list(cases.values())

    def all_codings(self) -> list[Coding]:
        """Every coding with the GUIDs of its transcript, code and coder, in text order
        within each transcript (by transcript name)."""
        from qcode.core.model import Coding

        return [Coding(*row) for row in self.conn.execute(
            'SELECT c.guid, t.guid, k.guid, d.guid, c.start, c."end", c.memo, c.created'
            " FROM codings c JOIN transcripts t ON t.id = c.transcript_id"
            " JOIN codes k ON k.id = c.code_id JOIN coders d ON d.id = c.coder_id"
            ' ORDER BY t.name, c.start, c."end", c.guid')]

    def transcript_codings(self, transcript_guid: str) -> list[Coding]:
        """One transcript's codings, as all_codings gives them, in text order: an export
        of a large project reads them a transcript at a time rather than all at once."""
        from qcode.core.model import Coding

        return [Coding(*row) for row in self.conn.execute(
            'SELECT c.guid, t.guid, k.guid, d.guid, c.start, c."end", c.memo, c.created'
            " FROM codings c JOIN transcripts t ON t.id = c.transcript_id"
            " JOIN codes k ON k.id = c.code_id JOIN coders d ON d.id = c.coder_id"
            ' WHERE t.guid = ? ORDER BY c.start, c."end", c.guid', (transcript_guid,))]

    def coding_count(self) -> int:
        return self.conn.execute("SELECT count(*) FROM codings").fetchone()[0]

    def all_memos(self) -> list[Memo]:
        """Every memo row (on the project, a transcript, a case or a code, and journal
        entries) with its author's GUID and its links by GUID, oldest first. Codings'
        memos travel with the codings (all_codings)."""
        from qcode.core.model import Memo, MemoLink

        links: dict[int, list[MemoLink]] = {}
        for memo_id, *link in self.conn.execute(
                'SELECT l.memo_id, CASE WHEN l.code_id IS NULL THEN \'transcript\''
                " ELSE 'code' END, coalesce(c.guid, t.guid), l.start, l.\"end\""
                " FROM memo_links l LEFT JOIN codes c ON c.id = l.code_id"
                " LEFT JOIN transcripts t ON t.id = l.transcript_id ORDER BY l.id"):
            links.setdefault(memo_id, []).append(MemoLink(*link))
        return [Memo(*row[1:], links=links.get(row[0], [])) for row in self.conn.execute(
            "SELECT m.id, m.guid, m.name, m.text, m.target_type, m.target_guid, d.guid,"
            " m.created, m.kind, m.modified FROM memos m"
            " LEFT JOIN coders d ON d.id = m.coder_id ORDER BY m.created, m.guid")]

    def all_resolutions(self) -> list[Resolution]:
        """How each place where two coders differed was resolved, by GUID."""
        from qcode.core.model import Resolution

        return [Resolution(*row) for row in self.conn.execute(
            'SELECT r.guid, t.guid, c.guid, r.first_coder, r.second_coder, r.start, r."end",'
            " r.choice, r.resolved_by, r.created FROM resolutions r"
            " JOIN transcripts t ON t.id = r.transcript_id JOIN codes c ON c.id = r.code_id"
            " ORDER BY r.created, r.guid")]

    def coder_rows(self) -> list[tuple]:
        """(id, name, number of codings) of every coder, by name."""
        return self.conn.execute(
            "SELECT k.id, k.name, ifnull(n.codings, 0) FROM coders k LEFT JOIN"
            " (SELECT coder_id, count(*) AS codings FROM codings GROUP BY coder_id) n"
            " ON n.coder_id = k.id ORDER BY k.name").fetchall()

    def coding_rows(self, coder_ids: list[int], autocoded: bool = True) -> list[tuple]:
        """(transcript id, code id, start, end, coder id) of every coding made by these
        coders, in no particular order; without the auto-coded ones when `autocoded` is
        False."""
        if not coder_ids:
            return []
        return self.conn.execute(
            'SELECT transcript_id, code_id, start, "end", coder_id FROM codings'
            " WHERE coder_id IN (SELECT value FROM json_each(?))"
            + ("" if autocoded else " AND autocoded = 0"),
            (json.dumps(coder_ids),)).fetchall()

    def resolution_rows(self) -> list[tuple]:
        """(first coder, second coder, transcript id, code id, start, end, choice) of
        every place resolved into the consensus, oldest first."""
        return self.conn.execute(
            'SELECT first_coder, second_coder, transcript_id, code_id, start, "end",'
            " choice FROM resolutions ORDER BY created, id").fetchall()

    def transcript_rows(self) -> list[tuple]:
        """(id, guid, name, case id, text SHA-256, words) of every transcript, by name."""
        return self.conn.execute(
            "SELECT id, guid, name, case_id, sha256, word_count FROM transcripts"
            " ORDER BY name").fetchall()

    def case_rows(self) -> tuple[list[tuple], list[tuple]]:
        """(id, guid, name) of every case, and (case id, name, value) of every
        attribute."""
        cases = self.conn.execute("SELECT id, guid, name FROM cases ORDER BY name")
        attributes = self.conn.execute(
            "SELECT case_id, name, value FROM attributes ORDER BY case_id, name")
        return cases.fetchall(), attributes.fetchall()

    def turn_rows(self, transcript_ids: list[int] | None = None) -> list[tuple]:
        """(transcript id, turn number, speaker, start, end) of the turns of these
        transcripts (default: all), in text order."""
        sql = 'SELECT transcript_id, seq, speaker, start, "end" FROM turns'
        params: tuple = ()
        if transcript_ids is not None:
            sql += " WHERE transcript_id IN (SELECT value FROM json_each(?))"
            params = (json.dumps(transcript_ids),)
        return self.conn.execute(sql + " ORDER BY transcript_id, start", params).fetchall()

    def coded_spans(self, coders: list[str], code_ids: list[int] | None = None,
                    transcript_ids: list[int] | None = None, autocoded: bool = True
                    ) -> dict[tuple[str, int, int], list[tuple[int, int]]]:
        """{(coder, transcript id, code id): [(start, end), ...]} in text order; without
        the auto-coded codings when `autocoded` is False.
        Plain spans, not Codings: agreement reads every coding of two or more coders
        (300,000 on a large project), and an object per coding would slow it."""
        sql = ('SELECT k.name, c.transcript_id, c.code_id, c.start, c."end" FROM codings c'
               f" JOIN coders k ON k.id = c.coder_id WHERE k.name IN "
               f"({', '.join('?' for _ in coders)})"
               + ("" if autocoded else " AND c.autocoded = 0"))
        params: list = list(coders)
        for column, values in (("c.code_id", code_ids), ("c.transcript_id", transcript_ids)):
            if values is not None:
                sql += f" AND {column} IN ({', '.join('?' for _ in values)})"
                params += values
        out: dict = {}
        for coder, transcript_id, code_id, start, end in self.conn.execute(
                sql + " ORDER BY c.start", params):
            out.setdefault((coder, transcript_id, code_id), []).append((start, end))
        return out
