"""The project file: the only module that writes SQL.

A project is one SQLite file in WAL mode. Every user action is one short transaction
(BEGIN IMMEDIATE, so two coders on one file queue behind the busy timeout instead of
failing on a lock upgrade) and one row in the append-only `events` table.
"""

from __future__ import annotations

import json
import sqlite3
import uuid
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timezone
from functools import cached_property
from pathlib import Path

from qcode.core.importers.base import ParsedTranscript, Turn, text_hash

# 'QCOD': lets us tell a qcode project from any other SQLite file before touching it.
APPLICATION_ID = 0x51434F44
SQLITE_HEADER = b"SQLite format 3\x00"
BUSY_TIMEOUT_MS = 10_000
CONSENSUS = "consensus"  # the coder whose codings are the agreed version


class ProjectError(Exception):
    """A problem a user can act on; the message is a sentence for them."""


def new_guid() -> str:
    return str(uuid.uuid4()).upper()


def now() -> str:
    return datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


# Each migration takes the schema from version i to i+1. Never edit a released one:
# a project made by an older qcode is brought forward by running the rest in order.
MIGRATIONS: list[str] = [
    """
    CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
    CREATE TABLE coders (
        id INTEGER PRIMARY KEY, guid TEXT NOT NULL UNIQUE, name TEXT NOT NULL UNIQUE,
        created TEXT NOT NULL);
    CREATE TABLE cases (
        id INTEGER PRIMARY KEY, guid TEXT NOT NULL UNIQUE, name TEXT NOT NULL UNIQUE);
    CREATE TABLE attributes (
        case_id INTEGER NOT NULL REFERENCES cases(id) ON DELETE CASCADE,
        name TEXT NOT NULL, value TEXT NOT NULL, type TEXT NOT NULL DEFAULT 'text',
        PRIMARY KEY (case_id, name));
    CREATE TABLE transcripts (
        id INTEGER PRIMARY KEY, guid TEXT NOT NULL UNIQUE, name TEXT NOT NULL UNIQUE,
        case_id INTEGER REFERENCES cases(id) ON DELETE SET NULL,
        source_file TEXT NOT NULL, source_format TEXT NOT NULL, encoding TEXT NOT NULL,
        text TEXT NOT NULL, sha256 TEXT NOT NULL UNIQUE, word_count INTEGER NOT NULL,
        imported TEXT NOT NULL);
    CREATE TABLE turns (
        id INTEGER PRIMARY KEY,
        transcript_id INTEGER NOT NULL REFERENCES transcripts(id) ON DELETE CASCADE,
        seq INTEGER NOT NULL, speaker TEXT, start INTEGER NOT NULL, "end" INTEGER NOT NULL,
        label_start INTEGER, begin_time REAL, end_time REAL,
        UNIQUE (transcript_id, seq));
    CREATE TABLE codes (
        id INTEGER PRIMARY KEY, guid TEXT NOT NULL UNIQUE,
        parent_id INTEGER REFERENCES codes(id) ON DELETE RESTRICT,
        name TEXT NOT NULL, definition TEXT NOT NULL DEFAULT '',
        when_to_use TEXT NOT NULL DEFAULT '', when_not_to_use TEXT NOT NULL DEFAULT '',
        example TEXT NOT NULL DEFAULT '', colour TEXT, key TEXT,
        sort_order INTEGER NOT NULL DEFAULT 0);
    -- NULLs are distinct in a UNIQUE constraint, so top-level names need the ifnull.
    CREATE UNIQUE INDEX codes_sibling_name ON codes (ifnull(parent_id, 0), name);
    CREATE TABLE codings (
        id INTEGER PRIMARY KEY, guid TEXT NOT NULL UNIQUE,
        transcript_id INTEGER NOT NULL REFERENCES transcripts(id) ON DELETE CASCADE,
        code_id INTEGER NOT NULL REFERENCES codes(id) ON DELETE RESTRICT,
        coder_id INTEGER NOT NULL REFERENCES coders(id) ON DELETE RESTRICT,
        start INTEGER NOT NULL, "end" INTEGER NOT NULL, memo TEXT NOT NULL DEFAULT '',
        created TEXT NOT NULL, CHECK (start < "end"));
    CREATE INDEX codings_by_transcript ON codings (transcript_id, start);
    CREATE INDEX codings_by_code ON codings (code_id);
    CREATE TABLE memos (
        id INTEGER PRIMARY KEY, guid TEXT NOT NULL UNIQUE, name TEXT NOT NULL,
        text TEXT NOT NULL DEFAULT '', target_type TEXT, target_guid TEXT,
        coder_id INTEGER REFERENCES coders(id), created TEXT NOT NULL);
    -- Append-only: drives undo/redo and is the audit trail. Never holds a real
    -- identifier (anonymisation happens before text reaches the project).
    CREATE TABLE events (
        id INTEGER PRIMARY KEY, guid TEXT NOT NULL UNIQUE, at TEXT NOT NULL,
        coder TEXT, action TEXT NOT NULL, summary TEXT NOT NULL,
        payload TEXT NOT NULL DEFAULT '{}', undone INTEGER NOT NULL DEFAULT 0);
    -- Search reads turn texts through this view, so the text is stored once.
    CREATE VIEW turn_texts AS
        SELECT turns.id AS id, turns.transcript_id AS transcript_id,
               substr(transcripts.text, turns.start + 1, turns."end" - turns.start) AS text
        FROM turns JOIN transcripts ON transcripts.id = turns.transcript_id;
    CREATE VIRTUAL TABLE turns_fts USING fts5(
        text, content='turn_texts', content_rowid='id', tokenize='unicode61 remove_diacritics 2');
    """,
    # 2: undo and redo look up a coder's latest events.
    """
    CREATE INDEX events_by_coder ON events (coder, undone, id);
    """,
    # 3: how each place where two coders differed was resolved into the consensus.
    """
    CREATE TABLE resolutions (
        id INTEGER PRIMARY KEY, guid TEXT NOT NULL UNIQUE,
        transcript_id INTEGER NOT NULL REFERENCES transcripts(id) ON DELETE CASCADE,
        code_id INTEGER NOT NULL REFERENCES codes(id) ON DELETE CASCADE,
        first_coder TEXT NOT NULL, second_coder TEXT NOT NULL,
        start INTEGER NOT NULL, "end" INTEGER NOT NULL, choice TEXT NOT NULL,
        resolved_by TEXT, created TEXT NOT NULL);
    CREATE INDEX resolutions_by_place ON resolutions (transcript_id, code_id, start);
    """,
]
SCHEMA_VERSION = len(MIGRATIONS)


@dataclass
class TranscriptRow:
    id: int
    guid: str
    name: str
    case: str | None
    source_file: str
    source_format: str
    word_count: int
    turn_count: int
    imported: str


@dataclass
class SearchHit:
    transcript: str
    turn: int
    speaker: str | None
    start: int
    end: int
    snippet: str


class Project:
    """An open project file. Use `Project.create` or `Project.open`."""

    def __init__(self, path: Path, conn: sqlite3.Connection):
        self.path = path
        self.conn = conn
        self.coder: str | None = None

    @cached_property
    def db(self):
        """sqlite-utils' view of the connection. Imported on first use: sqlite-utils
        loads numpy, which would double the start-up time of every command."""
        import sqlite_utils

        return sqlite_utils.Database(self.conn)

    # -- opening -------------------------------------------------------------------

    @classmethod
    def create(cls, path: str | Path) -> Project:
        path = Path(path)
        if path.exists():
            raise ProjectError(f"{path} already exists; open it instead of creating it")
        project = cls(path, _connect(path))
        project._migrate()
        # The header (with the application id) is written to the WAL first; copy it
        # into the file now, so another process can tell it is a qcode project.
        project.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        return project

    @classmethod
    def open(cls, path: str | Path) -> Project:
        path = Path(path)
        if not path.exists():
            raise ProjectError(f"no project at {path}; create one with 'qcode init'")
        if not path.is_file():
            raise ProjectError(f"{path} is not a file, so it cannot be a qcode project")
        # Read the header ourselves: connecting and switching to WAL would write to a
        # file that is not ours.
        with path.open("rb") as fh:
            header = fh.read(100)
        if not header.startswith(SQLITE_HEADER):
            raise ProjectError(f"{path} is not a qcode project (not an SQLite database)")
        if int.from_bytes(header[68:72], "big") != APPLICATION_ID:
            raise ProjectError(f"{path} is an SQLite database but not a qcode project")
        project = cls(path, _connect(path))
        project._migrate()
        return project

    def close(self) -> None:
        self.conn.close()

    def __enter__(self) -> Project:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    @property
    def schema_version(self) -> int:
        return self.conn.execute("PRAGMA user_version").fetchone()[0]

    def _migrate(self) -> None:
        version = self.schema_version
        if version > SCHEMA_VERSION:
            raise ProjectError(
                f"{self.path} was made by a newer qcode (schema {version}); "
                f"this one reads up to schema {SCHEMA_VERSION}: upgrade qcode"
            )
        if version == SCHEMA_VERSION:
            return
        with self.transaction():
            for number in range(version, SCHEMA_VERSION):
                for statement in _statements(MIGRATIONS[number]):
                    self.conn.execute(statement)
            if version == 0:
                self.conn.execute(f"PRAGMA application_id = {APPLICATION_ID}")
                self._set_meta("project_guid", new_guid())
                self._set_meta("created", now())
            self.conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")

    # -- transactions and events ----------------------------------------------------

    @contextmanager
    def transaction(self) -> Iterator[None]:
        """One user action. Nested calls join the outer transaction."""
        if self.conn.in_transaction:
            # A savepoint of our own: sqlite-utils' would load numpy for nothing.
            self.conn.execute("SAVEPOINT nested")
            try:
                yield
            except BaseException:
                self.conn.execute("ROLLBACK TO nested")
                self.conn.execute("RELEASE nested")
                raise
            self.conn.execute("RELEASE nested")
            return
        self.conn.execute("BEGIN IMMEDIATE")
        try:
            yield
        except BaseException:
            if self.conn.in_transaction:
                self.conn.execute("ROLLBACK")
            raise
        self.conn.execute("COMMIT")

    def record(self, action: str, summary: str, actor: str | None = None,
               **payload) -> None:
        """Append to the event log; `actor` is the coder acting (default: self.coder)."""
        self.conn.execute(
            "INSERT INTO events (guid, at, coder, action, summary, payload) "
            "VALUES (?, ?, ?, ?, ?, ?)",
            (new_guid(), now(), actor or self.coder, action, summary, json.dumps(payload)),
        )

    def events(self, limit: int = 50) -> list[dict]:
        rows = self.conn.execute(
            "SELECT at, coder, action, summary, payload FROM events "
            "ORDER BY id DESC LIMIT ?",
            (limit,),
        ).fetchall()
        return [
            {"at": r[0], "coder": r[1], "action": r[2], "summary": r[3],
             "payload": json.loads(r[4])}
            for r in rows
        ]

    def meta(self, key: str) -> str | None:
        row = self.conn.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
        return row[0] if row else None

    def set_setting(self, key: str, value: str, summary: str, **payload) -> None:
        """A project setting (kept in meta), recorded in the event log."""
        with self.transaction():
            self._set_meta(key, value)
            self.record("setting", summary, **payload)

    def _set_meta(self, key: str, value: str) -> None:
        self.conn.execute(
            "INSERT INTO meta (key, value) VALUES (?, ?) "
            "ON CONFLICT (key) DO UPDATE SET value = excluded.value",
            (key, value),
        )

    # -- coders ----------------------------------------------------------------------

    def coder_id(self, name: str) -> int:
        """The coder's id, creating the coder on first use."""
        row = self.conn.execute("SELECT id FROM coders WHERE name = ?", (name,)).fetchone()
        if row:
            return row[0]
        with self.transaction():
            cursor = self.conn.execute(
                "INSERT INTO coders (guid, name, created) VALUES (?, ?, ?)",
                (new_guid(), name, now()),
            )
            self.record("add coder", f"added coder {name}", coder=name)
        return cursor.lastrowid

    def coders(self) -> list[str]:
        return [r[0] for r in self.conn.execute("SELECT name FROM coders ORDER BY name")]

    # -- cases and attributes --------------------------------------------------------

    def _case_id(self, name: str, create: bool) -> int | None:
        row = self.conn.execute("SELECT id FROM cases WHERE name = ?", (name,)).fetchone()
        if row:
            return row[0]
        if not create:
            return None
        return self.conn.execute(
            "INSERT INTO cases (guid, name) VALUES (?, ?)", (new_guid(), name)
        ).lastrowid

    def set_attributes(self, case: str, values: Mapping[str, str]) -> None:
        """Set attributes of a case (created if new); an empty value removes one."""
        with self.transaction():
            case_id = self._case_id(case, create=True)
            for name, value in values.items():
                if value == "":
                    self.conn.execute(
                        "DELETE FROM attributes WHERE case_id = ? AND name = ?",
                        (case_id, name),
                    )
                else:
                    self.conn.execute(
                        "INSERT INTO attributes (case_id, name, value, type) "
                        "VALUES (?, ?, ?, ?) ON CONFLICT (case_id, name) "
                        "DO UPDATE SET value = excluded.value, type = excluded.type",
                        (case_id, name, value, _attribute_type(value)),
                    )
            shown = ", ".join(f"{k}={v!s}" for k, v in values.items())
            self.record("set attributes", f"case {case}: {shown}", case=case,
                        attributes=dict(values))

    def cases(self) -> list[dict]:
        """Each case with its attributes and transcripts."""
        out: dict[int, dict] = {}
        for case_id, name in self.conn.execute("SELECT id, name FROM cases ORDER BY name"):
            out[case_id] = {"case": name, "attributes": {}, "transcripts": []}
        for case_id, name, value in self.conn.execute(
            "SELECT case_id, name, value FROM attributes ORDER BY name"
        ):
            out[case_id]["attributes"][name] = value
        for case_id, name in self.conn.execute(
            "SELECT case_id, name FROM transcripts WHERE case_id IS NOT NULL ORDER BY name"
        ):
            out[case_id]["transcripts"].append(name)
        return list(out.values())

    def attribute_names(self) -> list[str]:
        return [r[0] for r in self.conn.execute(
            "SELECT DISTINCT name FROM attributes ORDER BY name")]

    # -- transcripts -----------------------------------------------------------------

    def has_text(self, sha256: str) -> str | None:
        """The name of the transcript with this text hash, if one is stored."""
        row = self.conn.execute(
            "SELECT name FROM transcripts WHERE sha256 = ?", (sha256,)
        ).fetchone()
        return row[0] if row else None

    def add_transcript(
        self, parsed: ParsedTranscript, source_file: str, case: str | None = None,
        name: str | None = None,
    ) -> int:
        """Store a parsed transcript, its turns and its search index in one transaction."""
        name = name or parsed.name
        existing = self.has_text(parsed.sha256)
        if existing is not None:
            raise ProjectError(f"already imported as transcript '{existing}' (same text)")
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
        rows = self.conn.execute(
            "SELECT t.id, t.guid, t.name, c.name, t.source_file, t.source_format,"
            " t.word_count, (SELECT count(*) FROM turns WHERE transcript_id = t.id),"
            " t.imported FROM transcripts t LEFT JOIN cases c ON c.id = t.case_id"
            " ORDER BY t.name"
        )
        return [TranscriptRow(*r) for r in rows]

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

    def transcript_lengths(self) -> dict[int, int]:
        """Each transcript's length in code points (what spans are counted in)."""
        return dict(self.conn.execute("SELECT id, length(text) FROM transcripts"))

    def transcript_text(self, transcript_id: int) -> str:
        return self.conn.execute(
            "SELECT text FROM transcripts WHERE id = ?", (transcript_id,)
        ).fetchone()[0]

    def turns(self, transcript_id: int) -> list[dict]:
        cursor = self.conn.execute(
            'SELECT seq, speaker, start, "end", label_start, begin_time, end_time'
            " FROM turns WHERE transcript_id = ? ORDER BY seq",
            (transcript_id,),
        )
        keys = ("turn", "speaker", "start", "end", "label_start", "begin_time", "end_time")
        return [dict(zip(keys, row)) for row in cursor]

    def stored_transcript(self, transcript_id: int) -> ParsedTranscript:
        """A stored transcript in the importers' shape, e.g. to redact it."""
        name, source_format, encoding, text = self.conn.execute(
            "SELECT name, source_format, encoding, text FROM transcripts WHERE id = ?",
            (transcript_id,),
        ).fetchone()
        turns = [Turn(t["speaker"], t["start"], t["end"], t["label_start"], t["begin_time"],
                      t["end_time"]) for t in self.turns(transcript_id)]
        return ParsedTranscript(name, source_format, text, turns, encoding)

    def rewrite_transcript(self, transcript_id: int, new: ParsedTranscript, positions,
                           summary: str, **payload) -> int:
        """The one permitted change to stored text (a late redaction): the text, hash,
        turns, search index and codings move together in one transaction; `positions`
        maps old positions to new (`.start(p)`, `.end(p)`). Returns codings moved."""
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
            self.record("redact", summary, **payload)
        return len(codings)

    def scrub(self) -> bool:
        """Leave no old text behind after a rewrite: merge the search index (its old
        segments hold the removed words), then copy the WAL into the database and
        truncate it. secure_delete zeroes every page freed on the way.
        Returns False when another process holding the project open kept the WAL from
        being emptied: the old text is still in the -wal file until it is."""
        with self.transaction():
            self.conn.execute("INSERT INTO turns_fts (turns_fts) VALUES ('optimize')")
        busy, _, _ = self.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()
        return busy == 0

    # -- search ----------------------------------------------------------------------

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

    # -- codebook --------------------------------------------------------------------

    def codes(self) -> list[dict]:
        """All codes in tree order (depth-first, by sort order), each with its depth."""
        rows = self.conn.execute(
            "SELECT id, guid, parent_id, name, definition, when_to_use, when_not_to_use,"
            " example, colour, key, sort_order,"
            " (SELECT count(*) FROM codings WHERE code_id = codes.id)"
            " FROM codes ORDER BY sort_order, id"
        ).fetchall()
        keys = ("id", "guid", "parent_id", "name", "definition", "when_to_use",
                "when_not_to_use", "example", "colour", "key", "sort_order", "codings")
        children: dict[int | None, list[dict]] = {}
        for row in rows:
            code = dict(zip(keys, row))
            children.setdefault(code["parent_id"], []).append(code)
        ordered: list[dict] = []

        def walk(parent: int | None, depth: int) -> None:
            for code in children.get(parent, []):
                code["depth"] = depth
                ordered.append(code)
                walk(code["id"], depth + 1)

        walk(None, 0)
        return ordered

    def load_codebook(self, codebook, under: str | None = None) -> dict:
        """Bring a codebook's codes into the project: matched by GUID, then by their path
        of names; matched codes take the file's fields, new ones are added, and nothing
        is deleted (codings are never lost). With `under`, the codebook becomes a theme
        of that name, so several codebooks can share one project.
        Returns counts of added/updated/unchanged, and `keys_dropped`: shortcut keys
        not given because another code has them."""
        from qcode.core.codebook import CODE_FIELDS, Code

        if under:
            codebook = type(codebook)(
                name=codebook.name, description=codebook.description,
                codes=[Code(name=under, definition=codebook.description,
                            codes=codebook.codes)],
            )
        counts = {"added": 0, "updated": 0, "unchanged": 0}
        dropped: list[str] = []
        with self.transaction():
            by_guid = {r[0]: r[1] for r in self.conn.execute("SELECT guid, id FROM codes")}

            def place(code, parent_id: int | None, order: int) -> None:
                row_id = by_guid.get(code.guid.upper()) if code.guid else None
                if row_id is None:
                    found = self.conn.execute(
                        "SELECT id FROM codes WHERE ifnull(parent_id, 0) = ? AND name = ?",
                        (parent_id or 0, code.name),
                    ).fetchone()
                    row_id = found[0] if found else None
                values = {f: getattr(code, f) for f in CODE_FIELDS}
                if values["key"]:
                    holder = self.conn.execute(
                        "SELECT id, name FROM codes WHERE key = ? AND id IS NOT ?",
                        (values["key"], row_id)).fetchone()
                    if holder:
                        # One key, one code: the code that had it first keeps it.
                        dropped.append(f"key '{values['key']}' of {code.name} already "
                                       f"belongs to {holder[1]}; {code.name} has no key")
                        values["key"] = None
                if row_id is None:
                    row_id = self.conn.execute(
                        "INSERT INTO codes (guid, parent_id, name, definition, when_to_use,"
                        " when_not_to_use, example, colour, key, sort_order)"
                        " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                        ((code.guid or new_guid()).upper(), parent_id, code.name,
                         values["definition"], values["when_to_use"],
                         values["when_not_to_use"], values["example"], values["colour"],
                         values["key"], order),
                    ).lastrowid
                    counts["added"] += 1
                else:
                    before = self.conn.execute(
                        "SELECT parent_id, name, definition, when_to_use, when_not_to_use,"
                        " example, colour, key, sort_order FROM codes WHERE id = ?",
                        (row_id,),
                    ).fetchone()
                    after = (parent_id, code.name, values["definition"],
                             values["when_to_use"], values["when_not_to_use"],
                             values["example"], values["colour"], values["key"], order)
                    if tuple(before) == after:
                        counts["unchanged"] += 1
                    else:
                        self.conn.execute(
                            "UPDATE codes SET parent_id = ?, name = ?, definition = ?,"
                            " when_to_use = ?, when_not_to_use = ?, example = ?,"
                            " colour = ?, key = ?, sort_order = ? WHERE id = ?",
                            (*after, row_id),
                        )
                        counts["updated"] += 1
                for child_order, child in enumerate(code.codes):
                    place(child, row_id, child_order)

            first = self.conn.execute(
                "SELECT ifnull(max(sort_order) + 1, 0) FROM codes WHERE parent_id IS NULL"
            ).fetchone()[0]
            for order, code in enumerate(codebook.codes):
                found = self.conn.execute(
                    "SELECT sort_order FROM codes WHERE parent_id IS NULL AND name = ?",
                    (code.name,),
                ).fetchone()
                place(code, None, found[0] if found else first + order)
            if not under:  # a codebook loaded as a theme does not name the project's
                self._set_meta("codebook_name", codebook.name)
            self.record(
                "load codebook",
                f"loaded codebook '{codebook.name}': {counts['added']} added, "
                f"{counts['updated']} updated, {counts['unchanged']} unchanged",
                codebook=codebook.name, **counts,
            )
        return {**counts, "keys_dropped": dropped}

    # -- undoable changes ------------------------------------------------------------
    # A coding or codebook action keeps its row changes in its event, so undo and redo
    # work across restarts and from any process, and the log says exactly what changed.

    def _new_ids(self, table: str, count: int) -> int:
        """The first of `count` ids never used before in `table` (they follow it):
        SQLite would reuse the highest id after a delete, and undo/redo refer to rows
        by id."""
        key = f"last_id.{table}"
        used = max(int(self.meta(key) or 0),
                   self.conn.execute(f"SELECT ifnull(max(id), 0) FROM {table}").fetchone()[0])
        self._set_meta(key, str(used + count))
        return used + 1

    def _insert(self, changes: list, table: str, values: dict) -> int:
        """Insert a row under a new id, recording it in `changes` for undo."""
        row = {"id": self._new_ids(table, 1), **values}
        self._put(table, row)
        changes.append(["insert", table, row])
        return row["id"]

    def _insert_many(self, table: str, rows: list[dict]) -> None:
        """Insert rows (of one shape) under new ids in one statement; not undoable
        (for merges and imports)."""
        if not rows:
            return
        first = self._new_ids(table, len(rows))
        columns = ["id", *rows[0]]
        names = ", ".join(f'"{c}"' for c in columns)
        self.conn.executemany(
            f"INSERT INTO {table} ({names}) VALUES ({', '.join('?' for _ in columns)})",
            [(first + n, *row.values()) for n, row in enumerate(rows)])

    def _put(self, table: str, row: dict) -> None:
        columns = ", ".join(f'"{c}"' for c in row)
        marks = ", ".join("?" for _ in row)
        self.conn.execute(f"INSERT INTO {table} ({columns}) VALUES ({marks})",
                          tuple(row.values()))

    def _row(self, table: str, row_id: int) -> dict | None:
        cursor = self.conn.execute(f"SELECT * FROM {table} WHERE id = ?", (row_id,))
        row = cursor.fetchone()
        if row is None:
            return None
        return dict(zip([d[0] for d in cursor.description], row))

    def _delete(self, changes: list, table: str, row_id: int) -> None:
        row = self._row(table, row_id)
        self.conn.execute(f"DELETE FROM {table} WHERE id = ?", (row_id,))
        changes.append(["delete", table, row])

    def _update(self, changes: list, table: str, row_id: int, **values) -> None:
        row = self._row(table, row_id)
        before = {c: row[c] for c in values if row[c] != values[c]}
        if not before:
            return
        after = {c: values[c] for c in before}
        self._set_columns(table, row_id, after)
        changes.append(["update", table, row_id, before, after])

    def _set_columns(self, table: str, row_id: int, values: dict) -> None:
        assignments = ", ".join(f'"{c}" = ?' for c in values)
        self.conn.execute(f"UPDATE {table} SET {assignments} WHERE id = ?",
                          (*values.values(), row_id))

    def _action(self, action: str, summary: str, changes: list, actor: str | None = None,
                **payload) -> None:
        """Record a user action that can be undone. A new action ends this coder's
        chance to redo what they had undone, as in any editor."""
        actor = actor or self.coder
        self.conn.execute(
            "UPDATE events SET undone = 2 WHERE undone = 1 AND coder IS ?", (actor,))
        self.record(action, summary, actor=actor, changes=changes, **payload)

    def _replay(self, changes: list, backwards: bool) -> None:
        """Apply changes (redo) or their inverse (undo), refusing when another action
        has changed the same rows since: nothing is overwritten silently."""
        for change in (reversed(changes) if backwards else changes):
            kind, table = change[0], change[1]
            if kind == "update":
                row_id, before, after = change[2], change[3], change[4]
                expect, target = (after, before) if backwards else (before, after)
                row = self._row(table, row_id)
                if row is None or any(row[c] != v for c, v in expect.items()):
                    raise ProjectError(f"a {_singular(table)} it touched was changed since")
                self._set_columns(table, row_id, target)
                continue
            row = change[2]
            remove = (kind == "insert") == backwards
            current = self._row(table, row["id"])
            if remove:
                if current != row:
                    raise ProjectError(f"a {_singular(table)} it touched was changed since")
                self.conn.execute(f"DELETE FROM {table} WHERE id = ?", (row["id"],))
            else:
                if current is not None:
                    raise ProjectError(f"a {_singular(table)} it touched was changed since")
                self._put(table, row)

    def _barrier(self) -> int:
        """Undo never reaches past a redaction: the text and every span moved then."""
        return self.conn.execute(
            "SELECT ifnull(max(id), 0) FROM events WHERE action = 'redact'").fetchone()[0]

    def undo(self) -> str | None:
        """Undo this coder's latest action; returns what was undone, or None."""
        return self._step("undo")

    def redo(self) -> str | None:
        """Redo this coder's most recently undone action; returns it, or None."""
        return self._step("redo")

    def _step(self, direction: str) -> str | None:
        undo = direction == "undo"
        with self.transaction():
            row = self.conn.execute(
                "SELECT id, guid, summary, payload FROM events WHERE coder IS ?"
                " AND undone = ? AND id > ? AND json_extract(payload, '$.changes')"
                f" IS NOT NULL ORDER BY id {'DESC' if undo else 'ASC'} LIMIT 1",
                (self.coder, 0 if undo else 1, self._barrier()),
            ).fetchone()
            if row is None:
                return None
            event_id, guid, summary, payload = row
            try:
                self._replay(json.loads(payload)["changes"], backwards=undo)
            except ProjectError as exc:
                raise ProjectError(f"cannot {direction} '{summary}': {exc}") from None
            self.conn.execute("UPDATE events SET undone = ? WHERE id = ?",
                              (1 if undo else 0, event_id))
            self.record(direction, f"{direction}: {summary}", event=guid)
        return summary

    def can_undo(self) -> tuple[bool, bool]:
        """Whether this coder has something to undo, and something to redo."""
        barrier = self._barrier()
        found = lambda state: self.conn.execute(  # noqa: E731
            "SELECT 1 FROM events WHERE coder IS ? AND undone = ? AND id > ?"
            " AND json_extract(payload, '$.changes') IS NOT NULL LIMIT 1",
            (self.coder, state, barrier)).fetchone() is not None
        return found(0), found(1)

    # -- codings ---------------------------------------------------------------------

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

    def add_coding(
        self, transcript_id: int, code_id: int, coder: str, start: int, end: int,
        memo: str = "",
    ) -> int:
        """Code a span. A coder's codings of one code that overlap or touch the new span
        are joined with it into one coding, so a span is never counted twice."""
        self._check_span(transcript_id, start, end)
        name = self._code_name(code_id)
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
                "memo": "\n\n".join(memos), "created": now()})
            self._action("code", f"coded [{start}, {end}) as {name}", changes,
                         actor=coder, coding=coding_id, code=code_id,
                         transcript=transcript_id)
        return coding_id

    def coding(self, coding_id: int) -> dict:
        row = self.conn.execute(
            'SELECT c.id, c.guid, c.transcript_id, c.code_id, k.name, c.start, c."end",'
            " c.memo FROM codings c JOIN coders k ON k.id = c.coder_id WHERE c.id = ?",
            (coding_id,),
        ).fetchone()
        if row is None:
            raise ProjectError(f"no coding with id {coding_id}")
        keys = ("id", "guid", "transcript_id", "code_id", "coder", "start", "end", "memo")
        return dict(zip(keys, row))

    def codings(self, transcript_id: int, coders: list[str] | None = None) -> list[dict]:
        """A transcript's codings in text order, of the given coders (default: all)."""
        sql = ('SELECT c.id, c.code_id, k.name, c.start, c."end", c.memo FROM codings c'
               " JOIN coders k ON k.id = c.coder_id WHERE c.transcript_id = ?")
        params: list = [transcript_id]
        if coders is not None:
            sql += f" AND k.name IN ({', '.join('?' for _ in coders)})"
            params += coders
        keys = ("id", "code_id", "coder", "start", "end", "memo")
        return [dict(zip(keys, r))
                for r in self.conn.execute(sql + ' ORDER BY c.start, c."end"', params)]

    def remove_coding(self, coding_id: int) -> None:
        coding = self.coding(coding_id)
        with self.transaction():
            changes: list = []
            self._delete(changes, "codings", coding_id)
            self._action("uncode", f"removed {self._code_name(coding['code_id'])} from "
                         f"[{coding['start']}, {coding['end']})", changes, coding=coding_id)

    def recode(self, coding_id: int, code_id: int) -> None:
        """Give a coding another code."""
        coding = self.coding(coding_id)
        name = self._code_name(code_id)
        with self.transaction():
            changes: list = []
            self._update(changes, "codings", coding_id, code_id=code_id)
            self._action("recode", f"recoded [{coding['start']}, {coding['end']}) as "
                         f"{name}", changes, coding=coding_id, code=code_id)

    def set_coding_memo(self, coding_id: int, memo: str) -> None:
        coding = self.coding(coding_id)
        with self.transaction():
            changes: list = []
            self._update(changes, "codings", coding_id, memo=memo)
            self._action("memo", f"memo on coding [{coding['start']}, {coding['end']})",
                         changes, coding=coding_id)

    def code_counts(self, coders: list[str] | None = None) -> dict[int, int]:
        """Codings per code id, of the given coders (default: all)."""
        sql = "SELECT c.code_id, count(*) FROM codings c JOIN coders k ON k.id = c.coder_id"
        params: list = []
        if coders is not None:
            sql += f" WHERE k.name IN ({', '.join('?' for _ in coders)})"
            params = list(coders)
        return dict(self.conn.execute(sql + " GROUP BY c.code_id", params).fetchall())

    def progress(self, coder: str) -> dict[int, tuple[int, int]]:
        """For each transcript id: this coder's codings and the number of turns they
        have coded at least in part."""
        codings = dict(self.conn.execute(
            "SELECT c.transcript_id, count(*) FROM codings c JOIN coders k"
            " ON k.id = c.coder_id WHERE k.name = ? GROUP BY c.transcript_id", (coder,)))
        turns = dict(self.conn.execute(
            "SELECT tu.transcript_id, count(DISTINCT tu.id) FROM turns tu JOIN codings c"
            ' ON c.transcript_id = tu.transcript_id AND c.start < tu."end"'
            ' AND c."end" > tu.start JOIN coders k ON k.id = c.coder_id WHERE k.name = ?'
            " GROUP BY tu.transcript_id", (coder,)))
        return {tid: (n, turns.get(tid, 0)) for tid, n in codings.items()}

    def segments(self, code_ids: list[int], coders: list[str] | None = None) -> list[dict]:
        """Every coded segment of these codes across transcripts, with its text, the
        speaker of the turn where it starts, its case and the case's attributes."""
        if not code_ids:
            return []
        sql = (
            'SELECT c.id, c.code_id, t.id, t.name, cs.name, k.name, c.start, c."end",'
            ' c.memo, substr(t.text, c.start + 1, c."end" - c.start),'
            " (SELECT speaker FROM turns tu WHERE tu.transcript_id = t.id"
            '  AND tu.start <= c.start ORDER BY tu.start DESC LIMIT 1), cs.id'
            " FROM codings c JOIN transcripts t ON t.id = c.transcript_id"
            " JOIN coders k ON k.id = c.coder_id LEFT JOIN cases cs ON cs.id = t.case_id"
            f" WHERE c.code_id IN ({', '.join('?' for _ in code_ids)})")
        params: list = list(code_ids)
        if coders is not None:
            sql += f" AND k.name IN ({', '.join('?' for _ in coders)})"
            params += coders
        rows = self.conn.execute(sql + " ORDER BY t.name, c.start", params).fetchall()
        attributes: dict[int, dict] = {}
        for case_id, name, value in self.conn.execute(
                "SELECT case_id, name, value FROM attributes ORDER BY name"):
            attributes.setdefault(case_id, {})[name] = value
        keys = ("id", "code_id", "transcript_id", "transcript", "case", "coder", "start",
                "end", "memo", "text", "speaker")
        return [dict(zip(keys, r[:11]), attributes=attributes.get(r[11], {})) for r in rows]

    # -- editing the codebook while coding -------------------------------------------

    def code(self, code_id: int) -> dict:
        row = self._row("codes", code_id)
        if row is None:
            raise ProjectError(f"no code with id {code_id}")
        return row

    def _check_name(self, name: str, parent_id: int | None, code_id: int | None) -> str:
        name = name.strip()
        if not name:
            raise ProjectError("a code needs a name")
        clash = self.conn.execute(
            "SELECT id FROM codes WHERE ifnull(parent_id, 0) = ? AND name = ?",
            (parent_id or 0, name),
        ).fetchone()
        if clash and clash[0] != code_id:
            where = f"under '{self._code_name(parent_id)}'" if parent_id else "at the top"
            raise ProjectError(f"there is already a code named '{name}' {where}")
        return name

    def _check_key(self, key: str | None, code_id: int | None) -> None:
        if not key:
            return
        holder = self.conn.execute("SELECT name FROM codes WHERE key = ? AND id IS NOT ?",
                                   (key, code_id)).fetchone()
        if holder:
            raise ProjectError(f"the key '{key}' already belongs to {holder[0]}")

    def _check_fields(self, fields: Mapping[str, str | None]) -> None:
        from qcode.core.codebook import CODE_FIELDS, COLOUR

        unknown = set(fields) - set(CODE_FIELDS) - {"name"}
        if unknown:
            raise ProjectError(f"codes have no field {', '.join(sorted(unknown))}")
        colour = fields.get("colour")
        if colour and not COLOUR.match(colour):
            raise ProjectError(f"colour '{colour}' is not of the form #RRGGBB")
        key = fields.get("key")
        if key and (len(key) != 1 or not (key.isdigit() or key.islower())):
            raise ProjectError(f"shortcut key '{key}' must be one lowercase letter or digit")

    def add_code(self, name: str, parent_id: int | None = None, **fields) -> int:
        fields = _trimmed(fields)
        self._check_fields(fields)
        with self.transaction():
            name = self._check_name(name, parent_id, None)
            self._check_key(fields.get("key"), None)
            order = self.conn.execute(
                "SELECT ifnull(max(sort_order) + 1, 0) FROM codes"
                " WHERE ifnull(parent_id, 0) = ?", (parent_id or 0,)).fetchone()[0]
            changes: list = []
            code_id = self._insert(changes, "codes", {
                "guid": new_guid(), "parent_id": parent_id, "name": name,
                "definition": "", "when_to_use": "", "when_not_to_use": "", "example": "",
                "colour": None, "key": None, "sort_order": order, **fields})
            self._action("add code", f"added code {name}", changes, code=code_id)
        return code_id

    def edit_code(self, code_id: int, **fields) -> None:
        """Rename a code or change its definition, guidance, example, colour or key."""
        fields = _trimmed(fields)
        self._check_fields(fields)
        code = self.code(code_id)
        with self.transaction():
            if "name" in fields:
                fields["name"] = self._check_name(fields["name"], code["parent_id"], code_id)
            self._check_key(fields.get("key"), code_id)
            changes: list = []
            self._update(changes, "codes", code_id, **fields)
            if changes:
                what = (f"renamed code {code['name']} to {fields['name']}"
                        if "name" in changes[0][3] else f"edited code {code['name']}")
                self._action("edit code", what, changes, code=code_id)

    def move_code(self, code_id: int, parent_id: int | None) -> None:
        """Put a code under another theme (None: make it a top-level theme)."""
        code = self.code(code_id)
        ancestor = parent_id
        while ancestor is not None:
            if ancestor == code_id:
                raise ProjectError(f"cannot move {code['name']} under itself or its children")
            ancestor = self.code(ancestor)["parent_id"]
        with self.transaction():
            self._check_name(code["name"], parent_id, code_id)
            order = self.conn.execute(
                "SELECT ifnull(max(sort_order) + 1, 0) FROM codes"
                " WHERE ifnull(parent_id, 0) = ?", (parent_id or 0,)).fetchone()[0]
            changes: list = []
            self._update(changes, "codes", code_id, parent_id=parent_id, sort_order=order)
            where = self._code_name(parent_id) if parent_id else "the top level"
            self._action("move code", f"moved code {code['name']} to {where}", changes,
                         code=code_id)

    def merge_codes(self, source_id: int, target_id: int) -> int:
        """Merge `source` into `target`: its codings and child codes move to the
        target, then it is removed. Returns the number of codings moved."""
        if source_id == target_id:
            raise ProjectError("a code cannot be merged into itself")
        source, target = self.code(source_id), self.code(target_id)
        ancestor = target["parent_id"]
        while ancestor is not None:
            if ancestor == source_id:
                raise ProjectError(
                    f"cannot merge {source['name']} into its own child {target['name']}")
            ancestor = self.code(ancestor)["parent_id"]
        with self.transaction():
            changes: list = []
            codings = [r[0] for r in self.conn.execute(
                "SELECT id FROM codings WHERE code_id = ?", (source_id,))]
            for coding_id in codings:
                self._update(changes, "codings", coding_id, code_id=target_id)
            for (child_id,) in self.conn.execute(
                    "SELECT id FROM codes WHERE parent_id = ?", (source_id,)).fetchall():
                self._check_name(self._code_name(child_id), target_id, child_id)
                self._update(changes, "codes", child_id, parent_id=target_id)
            self._delete(changes, "codes", source_id)
            self._action("merge codes", f"merged code {source['name']} into "
                         f"{target['name']} ({len(codings)} codings)", changes,
                         code=target_id)
        return len(codings)

    def delete_code(self, code_id: int) -> None:
        """Remove a code that has no codings and no children (merge one that has)."""
        code = self.code(code_id)
        used = self.conn.execute(
            "SELECT (SELECT count(*) FROM codings WHERE code_id = ?),"
            " (SELECT count(*) FROM codes WHERE parent_id = ?)", (code_id, code_id)
        ).fetchone()
        if used[0]:
            raise ProjectError(f"{code['name']} has {used[0]} codings: merge it into "
                               "another code instead")
        if used[1]:
            raise ProjectError(f"{code['name']} has child codes: move or merge them first")
        with self.transaction():
            changes: list = []
            self._delete(changes, "codes", code_id)
            self._action("delete code", f"deleted code {code['name']}", changes)

    # -- consensus ---------------------------------------------------------------------

    def resolve(self, transcript_id: int, code_id: int, place: tuple[int, int],
                spans: list[tuple[int, int]], choice: str, coders: tuple[str, str],
                consensus: str = CONSENSUS) -> None:
        """Write the consensus for one place where two coders differed: the consensus
        coder's codings of this code inside the place become `spans`, and the choice is
        recorded. Re-resolving a place replaces what was written before; undoable."""
        start, end = place
        for low, high in spans:
            if not start <= low < high <= end:
                raise ProjectError(f"[{low}, {high}) is outside the place [{start}, {end})")
        self._check_span(transcript_id, start, end)
        name = self._code_name(code_id)
        consensus_id = self.coder_id(consensus)
        with self.transaction():
            changes: list = []
            for (coding_id,) in self.conn.execute(
                    'SELECT id FROM codings WHERE transcript_id = ? AND code_id = ? AND'
                    ' coder_id = ? AND start < ? AND "end" > ?',
                    (transcript_id, code_id, consensus_id, end, start)).fetchall():
                self._delete(changes, "codings", coding_id)
            for (row_id,) in self.conn.execute(
                    'SELECT id FROM resolutions WHERE transcript_id = ? AND code_id = ?'
                    ' AND first_coder = ? AND second_coder = ? AND start = ? AND "end" = ?',
                    (transcript_id, code_id, *coders, start, end)).fetchall():
                self._delete(changes, "resolutions", row_id)
            for low, high in spans:
                self._insert(changes, "codings", {
                    "guid": new_guid(), "transcript_id": transcript_id, "code_id": code_id,
                    "coder_id": consensus_id, "start": low, "end": high, "memo": "",
                    "created": now()})
            self._insert(changes, "resolutions", {
                "guid": new_guid(), "transcript_id": transcript_id, "code_id": code_id,
                "first_coder": coders[0], "second_coder": coders[1], "start": start,
                "end": end, "choice": choice, "resolved_by": self.coder, "created": now()})
            self._action("resolve", f"resolved {name} [{start}, {end}) by {choice}",
                         changes, code=code_id, transcript=transcript_id)

    def coded_spans(self, coders: list[str], code_ids: list[int] | None = None,
                    transcript_ids: list[int] | None = None) -> dict:
        """{(coder, transcript id, code id): [(start, end), ...]} in text order."""
        sql = ('SELECT k.name, c.transcript_id, c.code_id, c.start, c."end" FROM codings c'
               f" JOIN coders k ON k.id = c.coder_id WHERE k.name IN "
               f"({', '.join('?' for _ in coders)})")
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

    def resolutions(self, coders: tuple[str, str]) -> dict[tuple[int, int, int, int], str]:
        """(transcript id, code id, start, end) of each resolved place -> the choice."""
        return {tuple(r[:4]): r[4] for r in self.conn.execute(
            'SELECT transcript_id, code_id, start, "end", choice FROM resolutions'
            " WHERE first_coder = ? AND second_coder = ?", coders)}

    # -- exchange --------------------------------------------------------------------

    @contextmanager
    def reading(self) -> Iterator[None]:
        """Reads that must all see one state of the project (an export), even while
        another coder writes: one read transaction, which WAL keeps consistent without
        blocking anyone. Nested calls join the outer transaction."""
        if self.conn.in_transaction:
            yield
            return
        self.conn.execute("BEGIN DEFERRED")
        try:
            yield
        finally:
            if self.conn.in_transaction:
                self.conn.execute("ROLLBACK")  # nothing was written: this ends the read

    def exchange_coders(self) -> list[dict]:
        """Every coder with GUID, name and date added, by name."""
        keys = ("guid", "name", "created")
        return [dict(zip(keys, row)) for row in self.conn.execute(
            "SELECT guid, name, created FROM coders ORDER BY name")]

    def exchange_transcripts(self) -> list[dict]:
        """Every transcript with its text, the facts of its source file and its turns
        (speaker, start, end, label_start, begin_time, end_time), by name."""
        turns: dict[int, list[tuple]] = {}
        for transcript_id, *turn in self.conn.execute(
                'SELECT transcript_id, speaker, start, "end", label_start, begin_time,'
                " end_time FROM turns ORDER BY transcript_id, seq"):
            turns.setdefault(transcript_id, []).append(tuple(turn))
        keys = ("guid", "name", "text", "source_file", "source_format", "encoding",
                "imported")
        return [dict(zip(keys, row[1:]), turns=turns.get(row[0], []))
                for row in self.conn.execute(
                    "SELECT id, guid, name, text, source_file, source_format, encoding,"
                    " imported FROM transcripts ORDER BY name")]

    def exchange_cases(self) -> list[dict]:
        """Every case, by name, with its attributes as stored ({name: (value, type)})
        and the GUIDs of its transcripts."""
        cases: dict[int, dict] = {}
        for case_id, guid, name in self.conn.execute(
                "SELECT id, guid, name FROM cases ORDER BY name"):
            cases[case_id] = {"guid": guid, "name": name, "attributes": {},
                              "transcripts": []}
        for case_id, name, value, kind in self.conn.execute(
                "SELECT case_id, name, value, type FROM attributes ORDER BY name"):
            cases[case_id]["attributes"][name] = (value, kind)
        for case_id, guid in self.conn.execute(
                "SELECT case_id, guid FROM transcripts WHERE case_id IS NOT NULL"
                " ORDER BY name"):
            cases[case_id]["transcripts"].append(guid)
        return list(cases.values())

    def exchange_codings(self) -> list[dict]:
        """Every coding with the GUIDs of its transcript, code and coder, in text order
        within each transcript (by transcript name)."""
        keys = ("guid", "transcript", "code", "coder", "start", "end", "memo", "created")
        return [dict(zip(keys, row)) for row in self.conn.execute(
            'SELECT c.guid, t.guid, k.guid, d.guid, c.start, c."end", c.memo, c.created'
            " FROM codings c JOIN transcripts t ON t.id = c.transcript_id"
            " JOIN codes k ON k.id = c.code_id JOIN coders d ON d.id = c.coder_id"
            ' ORDER BY t.name, c.start, c."end", c.guid')]

    def exchange_memos(self) -> list[dict]:
        """Every free-standing memo (on the project, a code or a transcript) with its
        coder's GUID, oldest first."""
        keys = ("guid", "name", "text", "target_type", "target_guid", "coder", "created")
        return [dict(zip(keys, row)) for row in self.conn.execute(
            "SELECT m.guid, m.name, m.text, m.target_type, m.target_guid, d.guid,"
            " m.created FROM memos m LEFT JOIN coders d ON d.id = m.coder_id"
            " ORDER BY m.created, m.guid")]

    def exchange_resolutions(self) -> list[dict]:
        """How each place where two coders differed was resolved, by GUID."""
        keys = ("guid", "transcript", "code", "first_coder", "second_coder", "start",
                "end", "choice", "resolved_by", "created")
        return [dict(zip(keys, row)) for row in self.conn.execute(
            'SELECT r.guid, t.guid, c.guid, r.first_coder, r.second_coder, r.start, r."end",'
            " r.choice, r.resolved_by, r.created FROM resolutions r"
            " JOIN transcripts t ON t.id = r.transcript_id JOIN codes c ON c.id = r.code_id"
            " ORDER BY r.created, r.guid")]

    # -- merging a coder's copy ------------------------------------------------------

    def merge(self, other_path: str | Path) -> dict:
        """Bring in another copy of this project (a coder's blind copy): coders, cases
        and attributes, transcripts, codes and codings, matched by GUID, then by name
        (coders, cases), text hash (transcripts) or path of names (codes). Everything
        new is added; nothing here is changed or deleted; what disagrees is reported.
        Merging the same copy twice adds nothing."""
        other = _open_read_only(Path(other_path))
        try:
            return self._merge_from(other, "merge", f"merged {Path(other_path).name}")
        finally:
            other.close()

    def _merge_from(self, other: sqlite3.Connection, action: str, summary: str) -> dict:
        report: dict = {"coders": 0, "cases": 0, "transcripts": 0, "codes": 0,
                        "codings": 0, "memos": 0, "conflicts": []}
        conflicts = report["conflicts"]
        with self.transaction():
            coders = self._merge_by_name(other, "coders", report,
                                         ("guid", "name", "created"))
            cases = self._merge_by_name(other, "cases", report, ("guid", "name"))
            self._merge_attributes(other, cases, conflicts)
            transcripts = self._merge_transcripts(other, cases, report)
            codes = self._merge_codes(other, report)
            self._merge_codings(other, transcripts, codes, coders, report)
            self._merge_memos(other, coders, transcripts, codes, report)
            self._merge_resolutions(other, transcripts, codes)
            self.record(action, f"{summary}: " + ", ".join(f"{report[k]} {k}" for k in (
                            "transcripts", "codes", "codings", "coders")),
                        **{k: v for k, v in report.items() if k != "conflicts"},
                        conflicts=len(conflicts))
        return report

    def _merge_by_name(self, other, table: str, report: dict, columns) -> dict[int, int]:
        """Rows matched by GUID, then by their unique name; returns other id -> our id."""
        mapping = {}
        for row in other.execute(f"SELECT id, {', '.join(columns)} FROM {table}"):
            values = dict(zip(columns, row[1:]))
            # The GUID first: a name alone may belong to someone else's row.
            found = self.conn.execute(
                f"SELECT id FROM {table} WHERE guid = ? UNION ALL "
                f"SELECT id FROM {table} WHERE name = ? LIMIT 1",
                (values["guid"], values["name"])).fetchone()
            if found is None:
                found = (self._put_new(table, values),)
                report[table] += 1
            mapping[row[0]] = found[0]
        return mapping

    def _put_new(self, table: str, values: dict) -> int:
        columns = ", ".join(f'"{c}"' for c in values)
        return self.conn.execute(
            f"INSERT INTO {table} ({columns}) VALUES ({', '.join('?' for _ in values)})",
            tuple(values.values())).lastrowid

    def _merge_attributes(self, other, cases: dict[int, int], conflicts: list) -> None:
        for case_id, name, value, kind in other.execute(
                "SELECT case_id, name, value, type FROM attributes"):
            ours = self.conn.execute(
                "SELECT value FROM attributes WHERE case_id = ? AND name = ?",
                (cases[case_id], name)).fetchone()
            if ours is None:
                self.conn.execute(
                    "INSERT INTO attributes (case_id, name, value, type) VALUES (?, ?, ?, ?)",
                    (cases[case_id], name, value, kind))
            elif ours[0] != value:
                case = self.conn.execute("SELECT name FROM cases WHERE id = ?",
                                         (cases[case_id],)).fetchone()[0]
                conflicts.append(f"case {case}: {name} is '{ours[0]}' here and '{value}' "
                                 f"in the other copy; kept '{ours[0]}'")

    def _merge_transcripts(self, other, cases: dict[int, int], report: dict
                           ) -> dict[int, int]:
        mapping = {}
        columns = ("guid", "name", "case_id", "source_file", "source_format", "encoding",
                   "text", "sha256", "word_count", "imported")
        for row in other.execute(f"SELECT id, {', '.join(columns)} FROM transcripts"):
            values = dict(zip(columns, row[1:]))
            found = self.conn.execute(
                "SELECT id, sha256, name FROM transcripts WHERE guid = ? OR sha256 = ?",
                (values["guid"], values["sha256"])).fetchone()
            if found is not None:
                if found[1] != values["sha256"]:
                    report["conflicts"].append(
                        f"transcript {found[2]}: its text differs in the other copy (a "
                        "redaction on one side?); its codings there were not merged")
                    continue
                mapping[row[0]] = found[0]
                continue
            if self.conn.execute("SELECT 1 FROM transcripts WHERE name = ?",
                                 (values["name"],)).fetchone():
                renamed = f"{values['name']} ({values['guid'][:8]})"
                report["conflicts"].append(
                    f"transcript {values['name']}: this project has another text of that "
                    f"name; the other copy's is added as '{renamed}'")
                values["name"] = renamed
            values["case_id"] = cases.get(values["case_id"])
            transcript_id = self._put_new("transcripts", values)
            turns = other.execute(
                'SELECT seq, speaker, start, "end", label_start, begin_time, end_time'
                " FROM turns WHERE transcript_id = ? ORDER BY seq", (row[0],)).fetchall()
            # In two statements, as add_transcript does: a project brings thousands.
            self.conn.executemany(
                'INSERT INTO turns (transcript_id, seq, speaker, start, "end",'
                " label_start, begin_time, end_time) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                [(transcript_id, *turn) for turn in turns])
            turn_ids = self.conn.execute(
                "SELECT id FROM turns WHERE transcript_id = ? ORDER BY seq",
                (transcript_id,)).fetchall()
            self.conn.executemany(
                "INSERT INTO turns_fts (rowid, text) VALUES (?, ?)",
                [(turn_id, values["text"][turn[2]:turn[3]])
                 for (turn_id,), turn in zip(turn_ids, turns)])
            mapping[row[0]] = transcript_id
            report["transcripts"] += 1
        return mapping

    def _merge_codes(self, other, report: dict) -> dict[int, int]:
        from qcode.core.codebook import CODE_FIELDS

        columns = ("guid", "parent_id", "name", *CODE_FIELDS, "sort_order")
        rows = other.execute(
            f"SELECT id, {', '.join(columns)} FROM codes ORDER BY id").fetchall()
        by_id = {row[0]: dict(zip(columns, row[1:])) for row in rows}
        mapping: dict[int, int] = {}

        def place(other_id: int) -> int:
            if other_id in mapping:
                return mapping[other_id]
            values = dict(by_id[other_id])
            parent = place(values["parent_id"]) if values["parent_id"] else None
            found = self.conn.execute(
                f"SELECT id, name, {', '.join(CODE_FIELDS)} FROM codes WHERE guid = ?",
                (values["guid"],)).fetchone()
            if found is not None:
                if found[1] != values["name"]:
                    report["conflicts"].append(
                        f"code '{found[1]}' is named '{values['name']}' in the other copy;"
                        f" kept '{found[1]}'")
                changed = [f.replace("_", " ") for f, ours in zip(CODE_FIELDS, found[2:])
                           if ours != values[f]]
                if changed:
                    report["conflicts"].append(
                        f"code '{found[1]}': its {', '.join(changed)} differ in the other "
                        "copy; kept this project's")
                mapping[other_id] = found[0]
                return found[0]
            found = self.conn.execute(
                "SELECT id FROM codes WHERE ifnull(parent_id, 0) = ? AND name = ?",
                (parent or 0, values["name"])).fetchone()
            if found is not None:
                mapping[other_id] = found[0]
                return found[0]
            values["parent_id"] = parent
            if values["key"] and self.conn.execute(
                    "SELECT 1 FROM codes WHERE key = ?", (values["key"],)).fetchone():
                values["key"] = None
            mapping[other_id] = self._put_new("codes", values)
            report["codes"] += 1
            return mapping[other_id]

        for other_id in by_id:
            place(other_id)
        return mapping

    def _merge_codings(self, other, transcripts, codes, coders, report: dict) -> None:
        # What is here already, read once: a copy or an import can bring tens of
        # thousands of codings, and a query per coding would dominate the merge.
        known = {r[0]: (tuple(r[1:6]), r[6]) for r in self.conn.execute(
            'SELECT guid, transcript_id, code_id, coder_id, start, "end", memo FROM codings')}
        made = {place for place, _ in known.values()}
        new, differ = [], 0
        for row in other.execute(
                'SELECT guid, transcript_id, code_id, coder_id, start, "end", memo, created'
                " FROM codings"):
            guid, transcript_id, code_id, coder_id, start, end, memo, created = row
            if transcript_id not in transcripts:
                continue  # a transcript whose text differs: reported above
            place = (transcripts[transcript_id], codes[code_id], coders[coder_id], start, end)
            if guid in known:
                differ += known[guid] != (place, memo)
                continue
            if place in made:
                continue  # the same coding made twice (e.g. before the copies parted)
            known[guid] = (place, memo)
            made.add(place)
            new.append({"guid": guid, "transcript_id": place[0], "code_id": place[1],
                        "coder_id": place[2], "start": start, "end": end, "memo": memo,
                        "created": created})
        self._insert_many("codings", new)
        report["codings"] += len(new)
        if differ:
            report["conflicts"].append(
                f"{differ} coding(s) have another span, code, coder or memo in the other "
                "copy than here (the same GUID); kept this project's")

    def _merge_resolutions(self, other, transcripts, codes) -> None:
        """The record of how places were resolved, so consensus progress survives."""
        known = {r[0] for r in self.conn.execute("SELECT guid FROM resolutions")}
        new = [{"guid": guid, "transcript_id": transcripts[transcript_id],
                "code_id": codes[code_id], "first_coder": first, "second_coder": second,
                "start": start, "end": end, "choice": choice, "resolved_by": by,
                "created": created}
               for guid, transcript_id, code_id, first, second, start, end, choice, by,
               created in other.execute(
                   "SELECT guid, transcript_id, code_id, first_coder, second_coder, start,"
                   ' "end", choice, resolved_by, created FROM resolutions')
               if guid not in known and transcript_id in transcripts]
        self._insert_many("resolutions", new)

    def _merge_memos(self, other, coders, transcripts, codes, report: dict) -> None:
        # A memo's target is named by GUID; the thing it names may be known here by
        # another one (a transcript matched by its text, a code by its path).
        ours = {}
        for table, mapping in (("transcripts", transcripts), ("codes", codes)):
            here = dict(self.conn.execute(f"SELECT id, guid FROM {table}"))
            ours.update({guid: here[mapping[other_id]] for other_id, guid in
                         other.execute(f"SELECT id, guid FROM {table}")
                         if other_id in mapping})
        for guid, name, text, target_type, target_guid, coder_id, created in other.execute(
                "SELECT guid, name, text, target_type, target_guid, coder_id, created"
                " FROM memos"):
            if self.conn.execute("SELECT 1 FROM memos WHERE guid = ?", (guid,)).fetchone():
                continue
            self._put_new("memos", {
                "guid": guid, "name": name, "text": text, "target_type": target_type,
                "target_guid": ours.get(target_guid, target_guid),
                "coder_id": coders.get(coder_id), "created": created})
            report["memos"] += 1

    # -- reports ---------------------------------------------------------------------
    # Whole-project reads for the write-up reports (qcode.core.reports): each is one
    # query giving plain tuples, so a report over 300,000 codings is one read and an
    # aggregation in Python, never a query per coding.

    def report_coders(self) -> list[tuple]:
        """(id, name, number of codings) of every coder, by name."""
        return self.conn.execute(
            "SELECT k.id, k.name, ifnull(n.codings, 0) FROM coders k LEFT JOIN"
            " (SELECT coder_id, count(*) AS codings FROM codings GROUP BY coder_id) n"
            " ON n.coder_id = k.id ORDER BY k.name").fetchall()

    def report_codings(self, coder_ids: list[int]) -> list[tuple]:
        """(transcript id, code id, start, end, coder id) of every coding made by these
        coders, in no particular order."""
        if not coder_ids:
            return []
        return self.conn.execute(
            'SELECT transcript_id, code_id, start, "end", coder_id FROM codings'
            " WHERE coder_id IN (SELECT value FROM json_each(?))",
            (json.dumps(coder_ids),)).fetchall()

    def report_resolutions(self) -> list[tuple]:
        """(first coder, second coder, transcript id, code id, start, end, choice) of
        every place resolved into the consensus, oldest first."""
        return self.conn.execute(
            'SELECT first_coder, second_coder, transcript_id, code_id, start, "end",'
            " choice FROM resolutions ORDER BY created, id").fetchall()

    def report_transcripts(self) -> list[tuple]:
        """(id, guid, name, case id, text SHA-256, words) of every transcript, by name."""
        return self.conn.execute(
            "SELECT id, guid, name, case_id, sha256, word_count FROM transcripts"
            " ORDER BY name").fetchall()

    def report_cases(self) -> tuple[list[tuple], list[tuple]]:
        """(id, guid, name) of every case, and (case id, name, value) of every
        attribute."""
        cases = self.conn.execute("SELECT id, guid, name FROM cases ORDER BY name")
        attributes = self.conn.execute(
            "SELECT case_id, name, value FROM attributes ORDER BY case_id, name")
        return cases.fetchall(), attributes.fetchall()

    def report_turns(self, transcript_ids: list[int] | None = None) -> list[tuple]:
        """(transcript id, turn number, speaker, start, end) of the turns of these
        transcripts (default: all), in text order."""
        sql = 'SELECT transcript_id, seq, speaker, start, "end" FROM turns'
        params: tuple = ()
        if transcript_ids is not None:
            sql += " WHERE transcript_id IN (SELECT value FROM json_each(?))"
            params = (json.dumps(transcript_ids),)
        return self.conn.execute(sql + " ORDER BY transcript_id, start", params).fetchall()

    def excerpts(self, spans: list[tuple[int, int, int]]) -> list[str]:
        """The text of each (transcript id, start, end), in the order given."""
        if not spans:
            return []
        rows = self.conn.execute(
            "SELECT w.key, substr(t.text, json_extract(w.value, '$[1]') + 1,"
            " json_extract(w.value, '$[2]') - json_extract(w.value, '$[1]'))"
            " FROM json_each(?) w JOIN transcripts t"
            " ON t.id = json_extract(w.value, '$[0]')",
            (json.dumps([list(span) for span in spans]),)).fetchall()
        texts = dict(rows)
        return [texts.get(index, "") for index in range(len(spans))]

    # -- health ----------------------------------------------------------------------

    def check(self) -> list[str]:
        """Problems found: SQLite integrity, foreign keys, text hashes, spans. Empty
        when the project is sound."""
        problems = [
            f"integrity: {row[0]}"
            for row in self.conn.execute("PRAGMA integrity_check")
            if row[0] != "ok"
        ]
        problems += [
            f"foreign key: a row of {row[0]} points at a missing {row[2]} row"
            for row in self.conn.execute("PRAGMA foreign_key_check")
        ]
        for transcript_id, name, text, sha in self.conn.execute(
            "SELECT id, name, text, sha256 FROM transcripts"
        ):
            if text_hash(text) != sha:
                problems.append(f"transcript {name}: text does not match its SHA-256")
            for table, label in (("turns", "turn"), ("codings", "coding")):
                for row_id, start, end in self.conn.execute(
                    f'SELECT id, start, "end" FROM {table} WHERE transcript_id = ?'
                    f' AND NOT (0 <= start AND start <= "end" AND "end" <= ?)',
                    (transcript_id, len(text)),
                ):
                    problems.append(
                        f"transcript {name}: {label} {row_id} span [{start}, {end}) "
                        f"is outside the text (length {len(text)})"
                    )
        try:
            self.conn.execute("INSERT INTO turns_fts(turns_fts) VALUES ('integrity-check')")
        except sqlite3.DatabaseError as exc:
            problems.append(f"search index: {exc}")
        return problems

    def backup(self, dest: str | Path) -> None:
        """A consistent copy made with SQLite's online backup, safe while others write."""
        dest = Path(dest)
        if dest.exists():
            raise ProjectError(f"{dest} already exists; choose a new file for the backup")
        if not dest.parent.is_dir():
            raise ProjectError(f"{dest}: no folder {dest.parent} to write the backup in")
        target = sqlite3.connect(dest)
        try:
            self.conn.backup(target)
        finally:
            target.close()

    def summary(self) -> dict[str, int]:
        count = lambda table: self.conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0]  # noqa: E731
        words = self.conn.execute(
            "SELECT ifnull(sum(word_count), 0) FROM transcripts").fetchone()[0]
        return {
            "transcripts": count("transcripts"), "words": words, "turns": count("turns"),
            "cases": count("cases"), "codes": count("codes"), "codings": count("codings"),
            "coders": count("coders"),
        }


    # -- a project from another tool (REFI-QDA) ---------------------------------------

    def import_exchange(self, project, source: str) -> dict:
        """Bring in a project read from another tool's export (an ExchangeProject): it
        is first laid out as a qcode project in memory, then merged like a coder's
        copy, so it is matched to what is here by GUID, text hash, name and path of
        names exactly as `merge` does, and nothing here is changed or deleted. A
        project with nothing in it yet also takes the file's identity (GUID, creation
        date, codebook name), so an export imported back is the same project."""
        empty = not any(self.summary()[k] for k in ("transcripts", "codes", "codings"))
        staged = Project.create(":memory:")
        try:
            staged._lay_out(project)
            with self.transaction():  # the merge and the identity: all or nothing
                report = self._merge_from(staged.conn, "import project",
                                          f"imported project {source}")
                if empty:
                    for key, value in (("project_guid", project.guid),
                                       ("created", project.created),
                                       ("codebook_name", project.codebook.name)):
                        if value:
                            self._set_meta(key, value)
        finally:
            staged.close()
        return report

    def _lay_out(self, project) -> None:
        """Write an ExchangeProject's rows into this (new, empty) project as they are."""
        with self.transaction():
            if project.codebook.codes:
                self.load_codebook(project.codebook)
            coder_ids = {}
            for coder in project.coders:
                coder_ids[coder.guid] = self.conn.execute(
                    "INSERT INTO coders (guid, name, created) VALUES (?, ?, ?)",
                    (coder.guid, coder.name, coder.created or now())).lastrowid
            transcript_ids = {}
            # Rows only: this project is a staging area that is merged, never searched,
            # so the search index is built once, where the merge puts the text.
            for transcript in project.transcripts:
                parsed = ParsedTranscript(transcript.name, transcript.source_format,
                                          transcript.text, list(transcript.turns or []),
                                          transcript.encoding)
                transcript_id = transcript_ids[transcript.guid] = self.conn.execute(
                    "INSERT INTO transcripts (guid, name, source_file, source_format,"
                    " encoding, text, sha256, word_count, imported)"
                    " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    (transcript.guid, parsed.name, transcript.source_file or parsed.name,
                     parsed.source_format, parsed.encoding, parsed.text, parsed.sha256,
                     parsed.word_count, transcript.imported or now())).lastrowid
                self.conn.executemany(
                    'INSERT INTO turns (transcript_id, seq, speaker, start, "end",'
                    " label_start, begin_time, end_time) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                    [(transcript_id, seq, t.speaker, t.start, t.end, t.label_start,
                      t.begin_time, t.end_time) for seq, t in enumerate(parsed.turns, 1)])
            for case in project.cases:
                case_id = self.conn.execute("INSERT INTO cases (guid, name) VALUES (?, ?)",
                                            (case.guid, case.name)).lastrowid
                self.conn.executemany(
                    "INSERT INTO attributes (case_id, name, value, type) VALUES (?, ?, ?, ?)",
                    # Typed as qcode types every value, whatever the file called it.
                    [(case_id, name, value, _attribute_type(value))
                     for name, (value, _) in case.attributes.items()])
                for guid in case.transcripts:
                    self.conn.execute("UPDATE transcripts SET case_id = ? WHERE id = ?",
                                      (case_id, transcript_ids[guid]))
            code_ids = dict(self.conn.execute("SELECT guid, id FROM codes"))
            self.conn.executemany(
                'INSERT INTO codings (guid, transcript_id, code_id, coder_id, start, "end",'
                " memo, created) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                [(c.guid, transcript_ids[c.transcript], code_ids[c.code], coder_ids[c.coder],
                  c.start, c.end, c.memo, c.created or now()) for c in project.codings])
            self.conn.executemany(
                "INSERT INTO memos (guid, name, text, target_type, target_guid, coder_id,"
                " created) VALUES (?, ?, ?, ?, ?, ?, ?)",
                [(m.guid, m.name, m.text, m.target_type, m.target_guid,
                  coder_ids.get(m.coder), m.created or now()) for m in project.memos])
            self.conn.executemany(
                "INSERT INTO resolutions (guid, transcript_id, code_id, first_coder,"
                ' second_coder, start, "end", choice, resolved_by, created)'
                " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                [(r.guid, transcript_ids[r.transcript], code_ids[r.code], r.first_coder,
                  r.second_coder, r.start, r.end, r.choice, r.resolved_by,
                  r.created or now()) for r in project.resolutions
                 if r.transcript in transcript_ids and r.code in code_ids])


def _connect(path: Path) -> sqlite3.Connection:
    # isolation_level=None: we issue BEGIN ourselves, so nothing commits behind our back.
    conn = sqlite3.connect(path, isolation_level=None, timeout=BUSY_TIMEOUT_MS / 1000)
    conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
    conn.execute("PRAGMA foreign_keys = ON")
    # Deleted text (e.g. a late redaction) is overwritten, not left in free pages.
    conn.execute("PRAGMA secure_delete = ON")
    conn.execute("PRAGMA journal_mode = WAL")
    # FULL: a committed action survives even a power cut, not only a killed process.
    conn.execute("PRAGMA synchronous = FULL")
    return conn


def _statements(script: str) -> list[str]:
    """Split a migration into statements (executescript would commit our transaction)."""
    statements, buffer = [], ""
    for line in script.splitlines():
        if line.strip().startswith("--"):
            continue
        buffer += line + "\n"
        if sqlite3.complete_statement(buffer):
            statements.append(buffer.strip())
            buffer = ""
    if buffer.strip():
        statements.append(buffer.strip())
    return statements


def _attribute_type(value: str) -> str:
    try:
        int(value)
        return "integer"
    except ValueError:
        pass
    try:
        float(value)
        return "float"
    except ValueError:
        return "text"


def _open_read_only(path: Path) -> sqlite3.Connection:
    """Another project, read without changing a byte of it (no WAL switch, no
    migration)."""
    if not path.is_file():
        raise ProjectError(f"no project at {path}")
    with path.open("rb") as fh:
        header = fh.read(100)
    if not header.startswith(SQLITE_HEADER) or \
            int.from_bytes(header[68:72], "big") != APPLICATION_ID:
        raise ProjectError(f"{path} is not a qcode project")
    conn = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)
    version = conn.execute("PRAGMA user_version").fetchone()[0]
    if version != SCHEMA_VERSION:
        conn.close()
        raise ProjectError(f"{path} has schema {version} and this project {SCHEMA_VERSION}:"
                           " open it once with this qcode to bring it up to date")
    return conn


def _trimmed(fields: dict) -> dict:
    """A code's guidance without surrounding white space, as every editor and codebook
    file gives it, so a code made through the API is one the files can carry."""
    guidance = ("definition", "when_to_use", "when_not_to_use", "example")
    return {k: v.strip() if k in guidance and isinstance(v, str) else v
            for k, v in fields.items()}


def _singular(table: str) -> str:
    return {"codings": "coding", "codes": "code", "resolutions": "resolution"
            }.get(table, table)


def _fts_phrase(phrase: str) -> str | None:
    """Turn what a researcher types into an FTS5 query: every word must appear, in
    order, as a phrase; quotes and operators are taken literally."""
    words = [w for w in phrase.replace('"', " ").split() if w]
    if not words:
        return None
    return '"' + " ".join(words) + '"'
