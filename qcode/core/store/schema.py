"""The project file's schema, its migrations, and how a connection to it is opened."""

from __future__ import annotations

import os
import sqlite3
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

from qcode.core.store.base import ProjectError

# 'QCOD': lets us tell a qcode project from any other SQLite file before touching it.
APPLICATION_ID = 0x51434F44

SQLITE_HEADER = b"SQLite format 3\x00"

BUSY_TIMEOUT_MS = 10_000

# The search index reads the turns' text from these tables (through turn_texts).
SEARCH_INDEX_SOURCES = ("turns", "transcripts")


class Reshape:
    """A migration step for what ALTER TABLE cannot do (rename, drop or retype columns,
    change keys): sqlite-utils' `Table.transform(**changes)`, inside the migration's
    transaction; e.g. `Reshape("codes", rename={"colour": "color"})`.

    A table is reshaped by copying it into a new one, which is only safe with foreign
    keys off (dropping the old table would cascade into the rows that point at it), so
    the migration runs with them off and is checked at its end (`_check_reshaped`).
    transform cannot carry over an expression index, nor edit a view that names a
    renamed column: drop and re-create those around the Reshape, in the same
    migration."""

    def __init__(self, table: str, **changes):
        self.table = table
        self.changes = changes


# A migration is an SQL script, a Reshape, or a tuple of them run in order.
Migration = str | Reshape | tuple


# Each migration takes the schema from version i to i+1. Never edit a released one:
# a project made by an older qcode is brought forward by running the rest in order.
MIGRATIONS: list[Migration] = [
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
    # 4: read-only views for researchers, to query the project with sqlite-utils,
    # Datasette, R or pandas; their columns are documented in docs/views.md and stable.
    # They show only what the tables hold (anonymised text), and cost nothing until read.
    """
    CREATE INDEX turns_by_start ON turns (transcript_id, start);
    CREATE VIEW codebook AS
        WITH RECURSIVE tree (id, path, depth, top_theme, sort_key) AS (
            SELECT id, name, 0, name, printf('%010d.%010d/', sort_order, id)
            FROM codes WHERE parent_id IS NULL
            UNION ALL
            SELECT codes.id, tree.path || ' > ' || codes.name, tree.depth + 1,
                   tree.top_theme,
                   tree.sort_key || printf('%010d.%010d/', codes.sort_order, codes.id)
            FROM codes JOIN tree ON codes.parent_id = tree.id)
        SELECT codes.guid AS code_guid, tree.path AS code_path, tree.depth AS depth,
               codes.name AS code, tree.top_theme AS top_theme,
               codes.definition AS definition, codes.when_to_use AS when_to_use,
               codes.when_not_to_use AS when_not_to_use, codes.example AS example,
               codes.key AS key, codes.colour AS colour,
               (SELECT count(*) FROM codings WHERE codings.code_id = codes.id) AS codings
        FROM tree JOIN codes ON codes.id = tree.id
        ORDER BY tree.sort_key;
    CREATE VIEW case_attributes AS
        SELECT cases.name AS case_name, attributes.name AS attribute,
               attributes.value AS value, attributes.type AS type
        FROM attributes JOIN cases ON cases.id = attributes.case_id
        ORDER BY cases.name, attributes.name;
    CREATE VIEW transcript_turns AS
        SELECT transcripts.name AS transcript, cases.name AS case_name, turns.seq AS turn,
               turns.speaker AS speaker, turns.start AS start, turns."end" AS "end",
               substr(transcripts.text, turns.start + 1, turns."end" - turns.start) AS text,
               turns.begin_time AS begin_time, turns.end_time AS end_time
        FROM turns JOIN transcripts ON transcripts.id = turns.transcript_id
        LEFT JOIN cases ON cases.id = transcripts.case_id;
    -- A coding's turn is the last one starting at or before it. The case's attributes
    -- are one JSON object; a value is a JSON number only where it reads back as the
    -- same text ("007" and "2.50" stay strings).
    CREATE VIEW coded_segments AS
        SELECT codings.guid AS coding_guid, transcripts.name AS transcript,
               cases.name AS case_name,
               (SELECT json_group_object(attributes.name, CASE
                       WHEN CAST(CAST(attributes.value AS NUMERIC) AS TEXT) = attributes.value
                       THEN CAST(attributes.value AS NUMERIC) ELSE attributes.value END)
                FROM attributes WHERE attributes.case_id = cases.id) AS case_attributes,
               codebook.code AS code, codebook.code_path AS code_path,
               codebook.top_theme AS top_theme, codebook.code_guid AS code_guid,
               coders.name AS coder, codings.start AS start, codings."end" AS "end",
               substr(transcripts.text, codings.start + 1, codings."end" - codings.start)
                   AS text,
               turn.seq AS turn, turn.speaker AS speaker,
               codings.memo AS memo, codings.created AS created
        FROM codings
        JOIN transcripts ON transcripts.id = codings.transcript_id
        LEFT JOIN cases ON cases.id = transcripts.case_id
        JOIN codes ON codes.id = codings.code_id
        JOIN codebook ON codebook.code_guid = codes.guid
        JOIN coders ON coders.id = codings.coder_id
        LEFT JOIN turns AS turn ON turn.id = (
            SELECT id FROM turns WHERE turns.transcript_id = codings.transcript_id
            AND turns.start <= codings.start ORDER BY turns.start DESC LIMIT 1);
    """,
    # 5: two sources may hold the same text (two documents, two cases): they stay two
    # transcripts, each with its own codings, so the text hash is no longer unique; it
    # stays indexed, as imports still look a text up by it to warn. SQLite cannot drop
    # a column's UNIQUE, so the hash moves to a plain column of the same name.
    (
        """
        ALTER TABLE transcripts ADD COLUMN text_sha256 TEXT;
        UPDATE transcripts SET text_sha256 = sha256;
        """,
        Reshape("transcripts", drop={"sha256"}, rename={"text_sha256": "sha256"},
                not_null={"text_sha256"},
                column_order=["id", "guid", "name", "case_id", "source_file",
                              "source_format", "encoding", "text", "text_sha256",
                              "word_count", "imported"]),
        """
        CREATE INDEX transcripts_by_text ON transcripts (sha256);
        """,
    ),
    # 6: a category (REFI-QDA's isCodable="false", QualCoder's code_cat) groups codes
    # and is never applied to text itself; every code made before is codable.
    """
    ALTER TABLE codes ADD COLUMN codable INTEGER NOT NULL DEFAULT 1 CHECK (codable IN (0, 1));
    """,
    # 7: who codes what: a transcript assigned to a coder (the double-coded subsample)
    # and marked coded by them, so agreement compares coders only where each has coded.
    """
    CREATE TABLE assignments (
        id INTEGER PRIMARY KEY, guid TEXT NOT NULL UNIQUE,
        transcript_id INTEGER NOT NULL REFERENCES transcripts(id) ON DELETE CASCADE,
        coder_id INTEGER NOT NULL REFERENCES coders(id) ON DELETE RESTRICT,
        assigned INTEGER NOT NULL DEFAULT 0 CHECK (assigned IN (0, 1)),
        marked_coded TEXT,
        UNIQUE (transcript_id, coder_id));
    """,
    # 8: a coding made by `qcode autocode` (a search's hit the coder accepted) says so,
    # so agreement can leave such codings out; every coding made before was by hand.
    """
    ALTER TABLE codings ADD COLUMN autocoded INTEGER NOT NULL DEFAULT 0
        CHECK (autocoded IN (0, 1));
    """,
    # 9: memos on everything and a reflexive journal (issue 15). A memo is about the
    # project (no target), a transcript, a case or a code; a journal entry is a memo of
    # kind 'journal', about no one thing. Its author is coder_id; it is dated when
    # written and when last edited, and may point at codes, transcripts and passages.
    # A link names its target by id (not GUID) so that removing the target must deal
    # with its links in the same undoable action (see memos.py); no cascade, which
    # the event log would not see.
    """
    ALTER TABLE memos ADD COLUMN kind TEXT NOT NULL DEFAULT 'memo'
        CHECK (kind IN ('memo', 'journal'));
    ALTER TABLE memos ADD COLUMN modified TEXT;
    CREATE TABLE memo_links (
        id INTEGER PRIMARY KEY, guid TEXT NOT NULL UNIQUE,
        memo_id INTEGER NOT NULL REFERENCES memos(id),
        code_id INTEGER REFERENCES codes(id),
        transcript_id INTEGER REFERENCES transcripts(id),
        start INTEGER, "end" INTEGER,
        CHECK ((code_id IS NULL) != (transcript_id IS NULL)),
        CHECK ((start IS NULL) = ("end" IS NULL)),
        CHECK (start IS NULL OR (transcript_id IS NOT NULL AND start < "end")));
    CREATE INDEX memo_links_by_memo ON memo_links (memo_id);
    CREATE INDEX memo_links_by_code ON memo_links (code_id);
    CREATE INDEX memo_links_by_transcript ON memo_links (transcript_id);
    """,
    # 10: a reviewer's pass over another coder's codings: a mark per coding and
    # reviewer (agreed, or a question), the thread of comments under it, and the
    # outcome with who decided it. The coding's place is copied in, not referenced
    # with a cascade: a coding removed as the outcome keeps its review, which the
    # methods section counts.
    """
    CREATE TABLE reviews (
        id INTEGER PRIMARY KEY, guid TEXT NOT NULL UNIQUE,
        coding_id INTEGER NOT NULL,
        transcript_id INTEGER NOT NULL REFERENCES transcripts(id) ON DELETE CASCADE,
        code_id INTEGER NOT NULL, start INTEGER NOT NULL, "end" INTEGER NOT NULL,
        coder TEXT NOT NULL, reviewer TEXT NOT NULL,
        mark TEXT NOT NULL CHECK (mark IN ('agreed', 'question')),
        outcome TEXT CHECK (outcome IN ('kept', 'changed', 'removed')),
        decided_by TEXT, decided TEXT, created TEXT NOT NULL,
        UNIQUE (coding_id, reviewer));
    CREATE TABLE review_comments (
        id INTEGER PRIMARY KEY, guid TEXT NOT NULL UNIQUE,
        review_id INTEGER NOT NULL REFERENCES reviews(id) ON DELETE CASCADE,
        author TEXT NOT NULL, body TEXT NOT NULL, created TEXT NOT NULL);
    CREATE INDEX review_comments_by_review ON review_comments (review_id, id);
    """,
]

SCHEMA_VERSION = len(MIGRATIONS)


def _steps(migration: Migration) -> tuple:
    return migration if isinstance(migration, tuple) else (migration,)


@contextmanager
def _foreign_keys_off(conn: sqlite3.Connection,
                      migrations: Sequence[Migration]) -> Iterator[None]:
    """Foreign keys off around migrations that reshape a table (SQLite's own recipe;
    the pragma cannot change inside a transaction); other migrations keep them on."""
    reshaping = any(isinstance(step, Reshape)
                    for migration in migrations for step in _steps(migration))
    if reshaping:
        conn.execute("PRAGMA foreign_keys = OFF")
    try:
        yield
    finally:
        if reshaping:
            conn.execute("PRAGMA foreign_keys = ON")


def _apply(project, migration: Migration) -> None:
    reshaped = []
    for step in _steps(migration):
        if isinstance(step, Reshape):
            project.db[step.table].transform(**step.changes)
            reshaped.append(step.table)
        else:
            for statement in _statements(step):
                project.conn.execute(statement)
    if reshaped:
        _check_reshaped(project, reshaped)


def _check_reshaped(project, tables: list[str]) -> None:
    """What foreign keys would have caught, a search index that reads a reshaped table,
    and every view: a migration that leaves any of them wrong changes nothing."""
    conn = project.conn
    orphans = conn.execute("PRAGMA foreign_key_check").fetchall()
    if orphans:
        raise ProjectError(f"{project.path}: reshaping {', '.join(tables)} would leave rows"
                           f" of {orphans[0][0]} pointing at nothing; nothing was changed")
    if set(tables) & set(SEARCH_INDEX_SOURCES):
        conn.execute("INSERT INTO turns_fts (turns_fts) VALUES ('rebuild')")
    for (view,) in conn.execute("SELECT name FROM sqlite_master WHERE type = 'view'"
                                ).fetchall():
        try:
            conn.execute(f'SELECT * FROM "{view}" LIMIT 0')
        except sqlite3.OperationalError as exc:
            raise ProjectError(f"{project.path}: reshaping {', '.join(tables)} broke the"
                               f" view {view} ({exc}); nothing was changed") from None


def _create_private(path: Path) -> None:
    """An empty file only its owner may read: a project holds interviews. SQLite gives
    the WAL and shared-memory files the mode of the database file."""
    try:
        os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
    except FileExistsError:
        raise ProjectError(
            f"{path} already exists; open it instead of creating it") from None
    except FileNotFoundError:
        raise ProjectError(
            f"{path}: there is no folder {path.parent} to keep it in") from None


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
