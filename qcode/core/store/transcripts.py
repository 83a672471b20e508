"""Transcripts: their fixed text, turns and search index."""

from __future__ import annotations

import json
import math
from collections import namedtuple

from qcode.core.hashing import text_hash
from qcode.core.store.base import ProjectError, new_guid, now

# The model is imported where its objects are made (see store/__init__.py).
TYPE_CHECKING = False  # typing.TYPE_CHECKING, without loading typing
if TYPE_CHECKING:
    from qcode.core.model import Transcript, TranscriptRow, Turn

# The meta entry in which an import records the transcripts it stored with candidates
# nobody decided (--store-unreviewed): their names, one a line.
STORED_UNREVIEWED = "stored_unreviewed"


class SearchHit(namedtuple("SearchHit", "transcript turn speaker start end snippet")):
    """A turn where a searched phrase was found: the transcript's name, the turn's
    number (from 1), its speaker (or None) and span, and a snippet with the words found
    marked (each between the control characters STX and ETX)."""

    __slots__ = ()


class Transcripts:
    def same_text(self, sha256: str) -> list[tuple[str, str]]:
        """(name, source file) of each stored transcript with this text hash: two
        sources may hold one text (two documents, two cases), and each stays its own."""
        return self.conn.execute(
            "SELECT name, source_file FROM transcripts WHERE sha256 = ? ORDER BY name",
            (sha256,)).fetchall()

    def add_transcript(
        self, parsed: Transcript, source_file: str, case: str | None = None,
        name: str | None = None,
    ) -> int:
        """Store a parsed transcript, its turns and its search index in one transaction.
        The same file again (its text under its name or file name) is refused; another
        file with the same text is a second transcript (the caller warns)."""
        # The importers' package loads with it: only when a text comes in, not to search.
        from qcode.core.importers.base import binary_problem

        name = name or parsed.name
        # The last guard, whatever the way in: a NUL stored breaks coding and reports.
        if (problem := binary_problem(parsed.text)) is not None:
            raise ProjectError(f"transcript '{name}': {problem}")
        for twin, twin_file in self.same_text(parsed.sha256):
            if twin == name or twin_file == source_file:
                raise ProjectError(f"already imported as transcript '{twin}' (same text)")
        if self.conn.execute("SELECT 1 FROM transcripts WHERE name = ?", (name,)).fetchone():
            raise ProjectError(
                f"a different transcript named '{name}' is already in the project; "
                "rename the file"
            )
        with self.transaction():
            case_id = self._case_id(case, create=True) if case else None
            transcript_id = self.conn.execute(
                "INSERT INTO transcripts (guid, name, case_id, source_file, source_format,"
                " encoding, text, sha256, word_count, imported)"
                " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (new_guid(), name, case_id, source_file, parsed.source_format,
                 parsed.encoding, parsed.text, parsed.sha256, parsed.word_count, now()),
            ).lastrowid
            self.conn.executemany(
                'INSERT INTO turns (transcript_id, seq, speaker, start, "end", label_start,'
                " begin_time, end_time) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                [
                    (transcript_id, seq, t.speaker, t.start, t.end, t.label_start,
                     t.begin_time, t.end_time)
                    for seq, t in enumerate(parsed.turns, start=1)
                ],
            )
            # Index from the slices in hand: going through the view would re-read the
            # whole text from disk for every turn.
            turn_ids = self.conn.execute(
                "SELECT id FROM turns WHERE transcript_id = ? ORDER BY seq", (transcript_id,)
            ).fetchall()
            self.conn.executemany(
                "INSERT INTO turns_fts (rowid, text) VALUES (?, ?)",
                [(row[0], parsed.text[t.start:t.end])
                 for row, t in zip(turn_ids, parsed.turns)],
            )
            self.record(
                "import", f"imported {name} ({parsed.word_count} words, "
                f"{len(parsed.turns)} turns)",
                transcript=name, turns=len(parsed.turns), words=parsed.word_count,
            )
        return transcript_id

    def set_transcript_case(self, transcript: str, case: str) -> None:
        transcript_id = self.transcript_id(transcript)
        with self.transaction():
            case_id = self._case_id(case, create=True)
            self.conn.execute(
                "UPDATE transcripts SET case_id = ? WHERE id = ?", (case_id, transcript_id)
            )
            self.record("assign case", f"transcript {transcript} belongs to case {case}",
                        transcript=transcript, case=case)

    def transcripts(self) -> list[TranscriptRow]:
        from qcode.core.model import TranscriptRow

        rows = self.conn.execute(
            "SELECT t.id, t.guid, t.name, c.name, t.source_file, t.source_format,"
            " t.word_count, (SELECT count(*) FROM turns WHERE transcript_id = t.id),"
            " t.imported FROM transcripts t LEFT JOIN cases c ON c.id = t.case_id"
            " ORDER BY t.name"
        )
        return [TranscriptRow(*r) for r in rows]

    def stored_unreviewed(self) -> list[str]:
        """The transcripts still in the project that an import recorded as stored with
        candidates nobody decided, by name."""
        here = {row[0] for row in self.conn.execute("SELECT name FROM transcripts")}
        return [name for name in self.unreviewed_record() if name in here]

    def unreviewed_record(self) -> list[str]:
        """The record itself: every name an import put in it and nothing took out."""
        return [n for n in (self.meta(STORED_UNREVIEWED) or "").split("\n") if n]

    def set_unreviewed_record(self, names: list[str], summary: str, **payload) -> None:
        """Replace the record (one name a line), in the event log as a setting."""
        self.set_setting(STORED_UNREVIEWED, "\n".join(names), summary, **payload)

    def transcript_id(self, name_or_guid: str) -> int:
        """A transcript by its name or GUID; else by its case's name, or the start of
        its name, when just one transcript fits ("P03", "demo-03")."""
        row = self.conn.execute(
            "SELECT id FROM transcripts WHERE name = ? OR guid = upper(?)",
            (name_or_guid, name_or_guid),
        ).fetchone()
        if row is not None:
            return row[0]
        fits = self.conn.execute(
            "SELECT t.id, t.name FROM transcripts t LEFT JOIN cases c ON c.id = t.case_id"
            " WHERE c.name = ? OR substr(t.name, 1, length(?)) = ?",
            (name_or_guid, name_or_guid, name_or_guid)).fetchall()
        if len(fits) == 1:
            return fits[0][0]
        if fits:
            raise ProjectError(f"'{name_or_guid}' fits {len(fits)} transcripts ("
                               + ", ".join(sorted(n for _, n in fits)[:5])
                               + "): give the full name")
        raise ProjectError(f"no transcript named '{name_or_guid}' in {self.path}")

    def transcript_name(self, transcript_id: int) -> str:
        """The transcript's name; a clear error if it is gone (removed by another
        program while a list still showed it)."""
        row = self.conn.execute("SELECT name FROM transcripts WHERE id = ?",
                                (transcript_id,)).fetchone()
        if row is None:
            raise ProjectError("that transcript is no longer in the project (removed "
                               "since the list was shown)")
        return row[0]

    def transcript_lengths(self) -> dict[int, int]:
        """Each transcript's length in code points (what spans are counted in)."""
        return dict(self.conn.execute("SELECT id, length(text) FROM transcripts"))

    def transcript_text(self, transcript_id: int) -> str:
        name, text, sha = self.conn.execute(
            "SELECT name, text, sha256 FROM transcripts WHERE id = ?", (transcript_id,)
        ).fetchone()
        return self.verified_text(transcript_id, name, text, sha)

    def verified_text(self, transcript_id: int, name: str, text: str, sha: str) -> str:
        """`text`, once its SHA-256 is seen to match: a flipped byte on disk must not
        reach a quote or an export as if it were the interview. Hashed once per
        transcript for as long as the project is open (one command, one screen)."""
        if transcript_id not in self.texts_verified:
            if text_hash(text) != sha:
                raise ProjectError(f"transcript '{name}': its stored text does not match "
                                   "its SHA-256 (damaged on disk?); run 'qcode check'")
            self.texts_verified.add(transcript_id)
        return text

    def turns(self, transcript_id: int) -> list[Turn]:
        """A transcript's turns in order, each with its number."""
        from qcode.core.model import Turn

        return [Turn(speaker, start, end, label_start, _time(begin), _time(end_time), seq)
                for seq, speaker, start, end, label_start, begin, end_time
                in self.conn.execute(
                    'SELECT seq, speaker, start, "end", label_start, begin_time, end_time'
                    " FROM turns WHERE transcript_id = ? ORDER BY seq", (transcript_id,))]

    def stored_transcript(self, transcript_id: int) -> Transcript:
        """A stored transcript in the importers' shape, e.g. to redact it."""
        from qcode.core.model import Transcript

        name, source_format, encoding, text = self.conn.execute(
            "SELECT name, source_format, encoding, text FROM transcripts WHERE id = ?",
            (transcript_id,),
        ).fetchone()
        return Transcript(name, source_format, text, self.turns(transcript_id), encoding)

    def rewrite_transcript(self, transcript_id: int, new: Transcript, positions,
                           summary: str, **payload) -> int:
        """The one permitted change to stored text (a late redaction): the text, hash,
        turns, search index, codings and memos' passages move together in one
        transaction; `positions` maps old positions to new (`.start(p)`, `.end(p)`).
        Returns codings moved."""
        old_turns = self.conn.execute(
            'SELECT id, start, "end" FROM turns WHERE transcript_id = ? ORDER BY seq',
            (transcript_id,),
        ).fetchall()
        if len(old_turns) != len(new.turns):
            raise ProjectError("the rewritten transcript has a different number of turns")
        old_text = self.transcript_text(transcript_id)
        with self.transaction():
            self.conn.executemany(
                "INSERT INTO turns_fts (turns_fts, rowid, text) VALUES ('delete', ?, ?)",
                [(turn_id, old_text[start:end]) for turn_id, start, end in old_turns],
            )
            self.conn.execute(
                "UPDATE transcripts SET text = ?, sha256 = ?, word_count = ? WHERE id = ?",
                (new.text, new.sha256, new.word_count, transcript_id),
            )
            self.conn.executemany(
                'UPDATE turns SET speaker = ?, start = ?, "end" = ?, label_start = ?'
                " WHERE id = ?",
                [(t.speaker, t.start, t.end, t.label_start, row[0])
                 for row, t in zip(old_turns, new.turns)],
            )
            self.conn.executemany(
                "INSERT INTO turns_fts (rowid, text) VALUES (?, ?)",
                [(row[0], new.text[t.start:t.end]) for row, t in zip(old_turns, new.turns)],
            )
            codings = self.conn.execute(
                'SELECT id, start, "end" FROM codings WHERE transcript_id = ?',
                (transcript_id,),
            ).fetchall()
            self.conn.executemany(
                'UPDATE codings SET start = ?, "end" = ? WHERE id = ?',
                [(positions.start(start), positions.end(end), coding_id)
                 for coding_id, start, end in codings],
            )
            # A memo's link to a passage moves with the text, as a coding does.
            self.conn.executemany(
                'UPDATE memo_links SET start = ?, "end" = ? WHERE id = ?',
                [(positions.start(start), positions.end(end), link_id)
                 for link_id, start, end in self.conn.execute(
                     'SELECT id, start, "end" FROM memo_links WHERE transcript_id = ?'
                     " AND start IS NOT NULL", (transcript_id,)).fetchall()],
            )
            # A review keeps its coding's place (the coding may be gone): it moves too.
            self.conn.executemany(
                'UPDATE reviews SET start = ?, "end" = ? WHERE id = ?',
                [(positions.start(start), positions.end(end), review_id)
                 for review_id, start, end in self.conn.execute(
                     'SELECT id, start, "end" FROM reviews WHERE transcript_id = ?',
                     (transcript_id,)).fetchall()])
            self.record("redact", summary, **payload)
        return len(codings)

    def scrub(self) -> bool:
        """Leave no old text behind after a rewrite or a final removal (see
        forget_removed): merge the search index (its old segments hold the removed
        words), then copy the WAL into the database and truncate it. secure_delete
        zeroes every page and cell freed on the way.
        Returns False when another process holding the project open kept the WAL from
        being emptied: the old text is still in the -wal file until it is."""
        with self.transaction():
            self.conn.execute("INSERT INTO turns_fts (turns_fts) VALUES ('optimize')")
        busy, _, _ = self.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()
        return busy == 0

    def search(self, phrase: str, limit: int = 50) -> list[SearchHit]:
        """Full-text search for a phrase; hits in transcript and turn order."""
        query = _fts_phrase(phrase)
        if query is None:
            raise ProjectError("the search has no words to look for")
        # rowid order lets SQLite stop after `limit` hits instead of ranking them all.
        rows = self.conn.execute(
            "SELECT tr.name, tu.seq, tu.speaker, tu.start, tu.\"end\","
            " snippet(turns_fts, 0, '\x02', '\x03', '…', 12)"
            " FROM turns_fts JOIN turns tu ON tu.id = turns_fts.rowid"
            " JOIN transcripts tr ON tr.id = tu.transcript_id"
            " WHERE turns_fts MATCH ? ORDER BY turns_fts.rowid LIMIT ?",
            (query, limit),
        )
        return [SearchHit(*r) for r in rows]

    def excerpts(self, spans: list[tuple[int, int, int]]) -> list[str]:
        """The text of each (transcript id, start, end), in the order given."""
        if not spans:
            return []
        for transcript_id in {span[0] for span in spans} - self.texts_verified:
            self.transcript_text(transcript_id)
        rows = self.conn.execute(
            "SELECT w.key, substr(t.text, json_extract(w.value, '$[1]') + 1,"
            " json_extract(w.value, '$[2]') - json_extract(w.value, '$[1]'))"
            " FROM json_each(?) w JOIN transcripts t"
            " ON t.id = json_extract(w.value, '$[0]')",
            (json.dumps([list(span) for span in spans]),)).fetchall()
        texts = dict(rows)
        return [texts.get(index, "") for index in range(len(spans))]


    def passages_in_words(self, spans: list[tuple[int, int, int]]) -> list[str]:
        """Each (transcript id, start, end) named as a researcher finds it again:
        transcript, turn, speaker and first words (`passages.passage_in`), never offsets."""
        from qcode.core.passages import passage_in  # and spans: not to start

        names = dict(self.conn.execute("SELECT id, name FROM transcripts"))
        kept = [span for span in spans if span[0] in names]
        # The first words are all a description shows: no need to read long passages.
        texts = iter(self.excerpts([(t, s, min(e, s + 300)) for t, s, e in kept]))
        turns = {t: self.turns(t) for t in {span[0] for span in kept}}
        return [passage_in(names[t], turns[t], s, e, next(texts)) if t in names
                else "a passage of a removed transcript" for t, s, e in spans]

    def passage_in_words(self, transcript_id: int, start: int, end: int) -> str:
        return self.passages_in_words([(transcript_id, start, end)])[0]

def _time(seconds: float | None) -> float | None:
    """A turn's time as a reader can use it: a clock of a few hundred digits reads as
    infinity, which is no time (and no valid JSON)."""
    return seconds if seconds is None or math.isfinite(seconds) else None


def _fts_phrase(phrase: str) -> str | None:
    """Turn what a researcher types into an FTS5 query: every word must appear, in
    order, as a phrase; quotes and operators are taken literally."""
    words = [w for w in phrase.replace('"', " ").split() if w]
    if not words:
        return None
    return '"' + " ".join(words) + '"'
