"""A new project is a copy of the schema the migrations make, built once per process
(store/project.py): it must be exactly what migrating from nothing makes, with its own
GUID and date."""

from __future__ import annotations

import sqlite3
import threading
from pathlib import Path

from qcode.core.store import APPLICATION_ID, SCHEMA_VERSION, Project


def contents(conn: sqlite3.Connection) -> dict:
    """The schema, the header's numbers and every row but the project's own."""
    tables = [name for (name,) in conn.execute(
        "SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")]
    rows = {name: sorted(map(repr, conn.execute(f'SELECT * FROM "{name}"')))
            for name in tables if name != "meta"}
    return {"schema": sorted(conn.execute(
                "SELECT type, name, tbl_name, sql FROM sqlite_master").fetchall()),
            "version": conn.execute("PRAGMA user_version").fetchone(),
            "application": conn.execute("PRAGMA application_id").fetchone(),
            "meta": sorted(k for (k,) in conn.execute("SELECT key FROM meta")),
            "rows": rows}


def test_a_new_project_is_what_migrating_from_nothing_makes(tmp_path: Path):
    migrated = Project.create(":memory:")  # in memory, the migrations run one by one
    with Project.create(tmp_path / "a.qcode") as copied:
        assert contents(copied.conn) == contents(migrated.conn)
        assert copied.schema_version == SCHEMA_VERSION
        assert copied.conn.execute("PRAGMA application_id").fetchone()[0] == APPLICATION_ID
        assert copied.conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        assert copied.conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        assert copied.conn.execute("PRAGMA foreign_key_check").fetchall() == []


def test_each_new_project_has_its_own_guid(tmp_path: Path):
    guids = set()
    for name in ("a", "b", "c"):
        with Project.create(tmp_path / f"{name}.qcode") as project:
            guids.add(project.conn.execute(
                "SELECT value FROM meta WHERE key = 'project_guid'").fetchone()[0])
    assert len(guids) == 3


def test_projects_are_created_from_other_threads_too(tmp_path: Path):
    """The app creates projects on its database thread as well as the main one."""
    made, errors = [], []

    def create(name: str) -> None:
        try:
            with Project.create(tmp_path / f"{name}.qcode") as project:
                made.append(project.schema_version)
        except Exception as exc:  # noqa: BLE001 - reported below
            errors.append(exc)

    threads = [threading.Thread(target=create, args=(f"t{n}",)) for n in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == [] and made == [SCHEMA_VERSION] * 4


def test_a_new_project_takes_text_and_reopens(tmp_path: Path):
    from tests.unit.test_store import transcript

    with Project.create(tmp_path / "a.qcode") as project:
        project.add_transcript(transcript(), source_file="t1.txt", case="P01")
    with Project.open(tmp_path / "a.qcode") as project:
        assert [hit.transcript for hit in project.search("growing")] == ["t1"]
