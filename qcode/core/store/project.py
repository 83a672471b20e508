"""The project file: one SQLite file in WAL mode, opened through `Project`.

`Project` is assembled from the store's rooms, one per concern (journal, cases,
transcripts, removal, codebook, codings, consensus, merge, reads, health); this
package is the only place in qcode that runs SQL. Every user action is one short
transaction (BEGIN IMMEDIATE, so two coders on one file queue behind the busy timeout
instead of failing on a lock upgrade) and one row in the append-only `events` table.
"""

from __future__ import annotations

import sqlite3
from functools import cached_property
from pathlib import Path

from qcode.core.store.base import ProjectError, new_guid, now
from qcode.core.store.cases import Cases
from qcode.core.store.codebook import Codebook
from qcode.core.store.codings import Codings
from qcode.core.store.consensus import Consensus
from qcode.core.store.health import Health
from qcode.core.store.journal import Journal
from qcode.core.store.merge import Merging
from qcode.core.store.reads import Reads
from qcode.core.store.removal import Removal
from qcode.core.store.schema import (APPLICATION_ID, MIGRATIONS, SCHEMA_VERSION,
                                     SQLITE_HEADER, _apply, _connect, _create_private,
                                     _foreign_keys_off)
from qcode.core.store.transcripts import Transcripts


class Project(Journal, Cases, Transcripts, Removal, Codebook, Codings, Consensus,
              Merging, Reads, Health):
    """An open project file. Use `Project.create` or `Project.open`."""

    def __init__(self, path: Path, conn: sqlite3.Connection):
        self.path = path
        self.conn = conn
        self.coder: str | None = None
        self.texts_verified: set[int] = set()  # transcripts whose SHA-256 was checked

    @cached_property
    def db(self):
        """sqlite-utils' view of the connection. Imported on first use: sqlite-utils
        loads numpy, which would double the start-up time of every command."""
        import sqlite_utils

        return sqlite_utils.Database(self.conn)

    @classmethod
    def create(cls, path: str | Path) -> Project:
        path = Path(path)
        if str(path) != ":memory:":
            _create_private(path)
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
        return cls(path, conn)

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
        migrations = MIGRATIONS[version:SCHEMA_VERSION]
        with _foreign_keys_off(self.conn, migrations), self.transaction():
            for migration in migrations:
                _apply(self, migration)
            if version == 0:
                self.conn.execute(f"PRAGMA application_id = {APPLICATION_ID}")
                self._set_meta("project_guid", new_guid())
                self._set_meta("created", now())
            self.conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
