"""The project file's schema, its migrations, and how a connection to it is opened."""

from __future__ import annotations

import os
import sqlite3
from pathlib import Path

from qcode.core.store.base import ProjectError

# 'QCOD': lets us tell a qcode project from any other SQLite file before touching it.
APPLICATION_ID = 0x51434F44

SQLITE_HEADER = b"SQLite format 3\x00"

BUSY_TIMEOUT_MS = 10_000

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
