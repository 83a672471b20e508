"""The project file: one SQLite file in WAL mode, opened through `Project`.

`Project` is assembled from the store's rooms, one per concern (journal, cases,
transcripts, removal, codebook, codings, consensus, assignments, reviews, memos, merge,
reads, health, autocoding); this package is the only place in qcode that runs SQL. Every
user action is one short transaction (BEGIN IMMEDIATE, so two coders on one file queue behind the busy timeout
instead of failing on a lock upgrade) and one row in the append-only `events` table.
"""

from __future__ import annotations

import os
import sqlite3
import threading
from collections.abc import Callable
from functools import cached_property
from pathlib import Path

from qcode.core.store.assignments import Assignments
from qcode.core.store.autocoding import Autocoding
from qcode.core.store.base import ProjectError, new_guid, now
from qcode.core.store.cases import Cases
from qcode.core.store.codebook import Codebook
from qcode.core.store.codings import Codings
from qcode.core.store.consensus import Consensus
from qcode.core.store.health import Health
from qcode.core.store.journal import Journal
from qcode.core.store.memos import Memos
from qcode.core.store.merge import Merging
from qcode.core.store.reads import Reads
from qcode.core.store.removal import Removal
from qcode.core.store.reviews import Reviews
from qcode.core.store.schema import (APPLICATION_ID, MIGRATIONS, SCHEMA_VERSION,
                                     SQLITE_HEADER, _apply, _connect, _create_private,
                                     _foreign_keys_off)
from qcode.core.store.transcripts import Transcripts

# Made by the first migration and never dropped: every qcode project has them.
QCODE_TABLES = frozenset({"meta", "coders", "cases", "attributes", "transcripts", "turns",
                          "codes", "codings", "memos", "events"})


class Project(Journal, Cases, Transcripts, Removal, Codebook, Codings, Consensus,
              Assignments, Reviews, Memos, Merging, Reads, Health, Autocoding):
    """An open project file. Use `Project.create` or `Project.open`."""

    def __init__(self, path: Path, conn: sqlite3.Connection):
        self.path = path
        self.conn = conn
        self.coder: str | None = None
        self.texts_verified: set[int] = set()  # transcripts whose SHA-256 was checked
        self.read_only_reason: str | None = None  # why writes are refused, if they are

    @cached_property
    def db(self):
        """sqlite-utils' view of the connection. Imported on first use: sqlite-utils
        loads numpy, which would double the start-up time of every command."""
        import sqlite_utils

        return sqlite_utils.Database(self.conn)

    @classmethod
    def create(cls, path: str | Path, setup: Callable[[Project], None] | None = None
               ) -> Project:
        """A new project; `setup` finishes it (a setting), and if anything fails on
        the way, no file is left."""
        path = Path(path)
        if str(path) == ":memory:":
            return cls._made(path, setup)
        _create_private(path)
        try:
            return cls._made(path, setup)
        except BaseException as exc:
            # A half-made file would be refused by every command, and by init itself.
            _remove_made(path)
            if isinstance(exc, (sqlite3.Error, OSError)):
                raise ProjectError(f"{path}: cannot create the project ({exc}); nothing "
                                   "was left behind") from None
            raise

    @classmethod
    def _made(cls, path: Path, setup: Callable[[Project], None] | None) -> Project:
        project = cls(path, _connect(path))
        try:
            project._migrate()
            if setup is not None:
                setup(project)
            # The header (with the application id) is written to the WAL first; copy it
            # into the file now, so another process can tell it is a qcode project.
            project.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        except BaseException:
            project.close()
            raise
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
        reason = _not_writable(path)
        project = cls.read_only(path)
        try:
            project._check_ours()
            if reason is not None:
                project._check_readable_as_is(reason)
        except BaseException:
            project.close()
            raise
        if reason is not None:
            project.read_only_reason = reason
            return project
        project.close()
        project = cls(path, _connect(path))
        project._migrate()
        return project

    @classmethod
    def read_only(cls, path: str | Path) -> Project:
        """The project as it is on disk, for reading only: nothing is migrated,
        checkpointed or written (verify-anonymised must not change what it checks)."""
        path = Path(path)
        # Without a WAL beside it the file is all there is: immutable, so SQLite creates
        # no -wal or -shm of its own in the researcher's folder.
        wal = Path(f"{path}-wal").exists()
        conn = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro"
                               + ("" if wal else "&immutable=1"), uri=True,
                               isolation_level=None)
        project = cls(path, conn)
        project.read_only_reason = "opened for reading only"
        return project

    def _check_ours(self) -> None:
        """Refuse, before anything is migrated, a file that carries qcode's application
        id but not qcode's tables: migrating it would rewrite someone else's data."""
        version = self.schema_version
        tables = {name for (name,) in self.conn.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table'")}
        if version == 0 or not QCODE_TABLES <= tables:
            raise ProjectError(f"{self.path} carries qcode's mark but not a qcode "
                               "project's tables; it was left as it is")

    def _check_readable_as_is(self, reason: str) -> None:
        """A read-only project cannot be migrated, so only the current schema is read."""
        version = self.schema_version
        if version != SCHEMA_VERSION:
            raise ProjectError(f"{self.path} has schema {version} and this qcode reads "
                               f"schema {SCHEMA_VERSION}; it cannot be brought up to date "
                               f"because it is read-only here: {reason}")

    def transaction(self):
        if self.read_only_reason is not None:
            raise ProjectError(f"the project is read-only here: {self.read_only_reason}; "
                               "copy it somewhere you may write to change it")
        return super().transaction()

    def close(self) -> None:
        self.conn.close()

    def change_stamp(self) -> tuple[int, int]:
        """Equal before and after only if nothing was written in between: the rows
        this connection has changed (a rolled-back change counts too) and SQLite's
        data version, which moves when another connection commits. Lets a reader keep
        what it read ahead, knowing it is still what is stored."""
        return (self.conn.total_changes,
                self.conn.execute("PRAGMA data_version").fetchone()[0])

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
        # (A project in memory is made by the migrations themselves, as the copy is.)
        if version == 0 and str(self.path) != ":memory:":
            # A new project: a copy of the schema every migration makes, made once per
            # process in memory (migrating from nothing, with sqlite-utils reading each
            # reshaped table, took most of the 27 ms a project took to create).
            with _NEW_SCHEMA_LOCK:
                _new_schema().backup(self.conn)
            self.conn.execute("PRAGMA journal_mode = WAL")
            with self.transaction():
                self._begin_life()
            return
        self._apply_migrations(MIGRATIONS[version:SCHEMA_VERSION], new=version == 0)

    def _apply_migrations(self, migrations: list, new: bool = False) -> None:
        """Apply `migrations` in one transaction, ending at the schema this qcode reads;
        `new`: a project beginning its life in it."""
        with _foreign_keys_off(self.conn, migrations), self.transaction():
            for migration in migrations:
                _apply(self, migration)
            if new:
                self._begin_life()
            self.conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")

    def _begin_life(self) -> None:
        """What makes a new project this one: qcode's mark in the header, its own GUID
        and when it was made."""
        self.conn.execute(f"PRAGMA application_id = {APPLICATION_ID}")
        self._set_meta("project_guid", new_guid())
        self._set_meta("created", now())


def _not_writable(path: Path) -> str | None:
    """Why the project cannot be written here (a shared copy, a read-only disk), or
    None. SQLite in WAL mode also writes files beside it, so the folder counts too."""
    if not os.access(path, os.W_OK):
        return f"{path} is not writable"
    if not os.access(path.parent, os.W_OK):
        return f"its folder {path.parent} is not writable"
    return None


# By schema version: one in a real process (tests make projects of older schemas).
_NEW_SCHEMA: dict[int, sqlite3.Connection] = {}
# Projects are created on the app's database thread as well as the main one.
_NEW_SCHEMA_LOCK = threading.Lock()


def _new_schema() -> sqlite3.Connection:
    """An empty project in memory, every migration applied and nothing else (no GUID,
    no date): what each new project in this process starts as. (Called holding
    _NEW_SCHEMA_LOCK.)"""
    if SCHEMA_VERSION not in _NEW_SCHEMA:
        empty = Project(Path(":memory:"), sqlite3.connect(
            ":memory:", isolation_level=None, check_same_thread=False))
        empty._apply_migrations(MIGRATIONS[:SCHEMA_VERSION])
        _NEW_SCHEMA[SCHEMA_VERSION] = empty.conn
    return _NEW_SCHEMA[SCHEMA_VERSION]


def _remove_made(path: Path) -> None:
    for made in (path, Path(f"{path}-wal"), Path(f"{path}-shm")):
        try:
            made.unlink(missing_ok=True)
        except OSError:
            pass  # a full or failing disk: what could be removed is gone
