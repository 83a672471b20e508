"""The journal: transactions, the project's settings, and the append-only event log
that drives undo and redo and is the audit trail."""

from __future__ import annotations

import json
import re
import sqlite3
import time
from collections import namedtuple
from collections.abc import Iterator
from contextlib import contextmanager

from qcode.core.store.base import ProjectError, new_guid, now
from qcode.core.store.schema import BUSY_TIMEOUT_MS

# In an event's payload: why it can no longer be undone (its undo data was cleaned).
NOT_UNDOABLE = "not_undoable"
# Where an action's summary names a passage (its payload's `passage`: transcript id,
# start, end). It is worded when read: the log keeps no words of the text, which a
# late redaction could not reach there, and a researcher reads turns and first words.
PASSAGE = "{passage}"

# After the busy timeout has run out, BEGIN is tried this many times more, pausing
# between tries (doubling from the first pause): a lock held a little longer than the
# timeout is waited out, one held for minutes is reported.
LOCK_RETRIES = 2
FIRST_RETRY_PAUSE_S = 0.25


# Named tuples, not dataclasses (see store/__init__.py).
class Step(namedtuple("Step", "event_id action transcript_id told")):
    """The action an undo (or redo) would take back next: its event's id, what kind,
    on which transcript (an id, or None), and told in words (transcript, turn, first
    words; never offsets)."""

    __slots__ = ()


class ProjectBusy(ProjectError):
    """Another program holds the project for writing, longer than we wait: what was
    asked is not done yet, and can be asked again once the other program is done."""


def is_busy(exc: sqlite3.Error) -> bool:
    """Whether SQLite refused because another connection holds a lock (not damage)."""
    return getattr(exc, "sqlite_errorcode", None) in (sqlite3.SQLITE_BUSY,
                                                      sqlite3.SQLITE_LOCKED)


class Journal:
    busy_timeout_s = BUSY_TIMEOUT_MS / 1000

    def wait_for_lock(self, seconds: float) -> None:
        """How long one try waits for another program's write to end (SQLite's busy
        timeout) before the retries; all of them together wait about three times it."""
        self.busy_timeout_s = seconds
        self.conn.execute(f"PRAGMA busy_timeout = {int(seconds * 1000)}")

    def _begin(self) -> None:
        """BEGIN IMMEDIATE, retried within a bound while another program writes; then
        ProjectBusy, so nothing waits forever and nothing fails unexplained."""
        pause = FIRST_RETRY_PAUSE_S
        for retries_left in range(LOCK_RETRIES, -1, -1):
            try:
                self.conn.execute("BEGIN IMMEDIATE")
                return
            except sqlite3.OperationalError as exc:
                if not is_busy(exc):
                    raise
                if not retries_left:
                    raise ProjectBusy(
                        f"the project {self.path} is busy: another program holds it for "
                        "writing; this change is not saved yet") from None
            time.sleep(min(pause, self.busy_timeout_s))
            pause *= 2

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
        self._begin()
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
        events = [{"at": r[0], "coder": r[1], "action": r[2], "payload": json.loads(r[4]),
                   "summary": r[3]} for r in rows]
        for event in events:
            event["summary"] = self._worded(event["summary"], event["payload"])
        return events

    def meta(self, key: str) -> str | None:
        row = self.conn.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
        return row[0] if row else None

    @property
    def guid(self) -> str:
        return self.meta("project_guid")

    def key_id(self) -> str | None:
        """The key this project's pseudonyms came from, once it has any."""
        return self.meta("key_id")

    def record_key(self, key_id: str) -> None:
        with self.transaction():
            self._set_meta("key_id", key_id)

    def guid_after_import(self, guid: str | None) -> str:
        """The GUID this project has once a project of GUID `guid` is imported into it:
        a project with nothing in it yet takes the file's (see import_exchange)."""
        return guid if guid and self._empty() else self.guid

    def _empty(self) -> bool:
        return not any(self.summary()[k] for k in ("transcripts", "codes", "codings"))

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

    def _keyed_row(self, table: str, row: dict) -> dict | None:
        """The row stored now under `row`'s key (its id, or its own key; see _KEYS)."""
        where, key = _key(table, row)
        cursor = self.conn.execute(f"SELECT * FROM {table} WHERE {where}", key)
        found = cursor.fetchone()
        return None if found is None else dict(zip([d[0] for d in cursor.description],
                                                    found))

    def _delete_keyed(self, changes: list, table: str, row: dict) -> None:
        """Delete a row of a table keyed by its own columns (see _KEYS), for undo."""
        found = self._keyed_row(table, row)
        if found is not None:
            where, key = _key(table, found)
            self.conn.execute(f"DELETE FROM {table} WHERE {where}", key)
            changes.append(["delete", table, found])

    def _insert_keyed(self, changes: list, table: str, row: dict) -> None:
        """Insert a row of a table keyed by its own columns (see _KEYS), for undo."""
        self._put(table, row)
        changes.append(["insert", table, row])

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
            where, key = _key(table, row)
            current = self._keyed_row(table, row)
            if remove:
                if current != row or self._still_used(table, row.get("id")):
                    raise ProjectError(f"a {_singular(table)} it touched was changed since")
                self.conn.execute(f"DELETE FROM {table} WHERE {where}", key)
            else:
                if current is not None:
                    raise ProjectError(f"a {_singular(table)} it touched was changed since")
                self._put(table, row)

    def _barrier(self) -> int:
        """Undo never reaches past a redaction: the text and every span moved then."""
        return self.conn.execute(
            "SELECT ifnull(max(id), 0) FROM events WHERE action = 'redact'").fetchone()[0]

    def undo(self, expect: int | None = None) -> str | None:
        """Undo this coder's latest action; returns what was undone, or None. With
        `expect` (a Step's event id) it is refused unless that is still the latest."""
        return self._step("undo", expect)

    def redo(self, expect: int | None = None) -> str | None:
        """Redo this coder's most recently undone action; returns it, or None."""
        return self._step("redo", expect)

    def next_step(self, direction: str) -> Step | None:
        """What undo (or redo) would take back next, so a screen can tell whether it
        belongs there and, if not, name it and ask before doing it."""
        row = self._next_event(direction)
        if row is None:
            return None
        event_id, action, summary, payload = row
        data = json.loads(payload)
        if data.get("passage") and PASSAGE in summary:  # it names its passage itself
            return Step(event_id, action, data["passage"][0], self._worded(summary, data))
        transcript_id, span = self._event_place(data)
        told = re.sub(r"\s*(from )?\[\d+, \d+\)", "", summary)
        if transcript_id is not None:
            told += f" in {self._passage_words(transcript_id, span)}"
        return Step(event_id, action, transcript_id, told)

    def _next_event(self, direction: str) -> tuple | None:
        undo = direction == "undo"
        return self.conn.execute(
            "SELECT id, action, summary, payload FROM events WHERE coder IS ?"
            " AND undone = ? AND json_extract(payload, '$.changes')"
            f" IS NOT NULL ORDER BY id {'DESC' if undo else 'ASC'} LIMIT 1",
            (self.coder, 0 if undo else 1),
        ).fetchone()

    def _event_place(self, data: dict) -> tuple[int | None, tuple[int, int] | None]:
        """The transcript an action touched and a span in it, from the rows it
        changed (a coding or resolution), else from what its payload names."""
        for change in data.get("changes", []):
            row = change[2]
            if change[0] == "update" and change[1] == "codings":
                row = self._row("codings", row)
            if isinstance(row, dict) and "transcript_id" in row and "start" in row:
                return row["transcript_id"], (row["start"], row["end"])
        return data.get("transcript"), None

    def _passage_words(self, transcript_id: int, span: tuple[int, int] | None) -> str:
        from qcode.core.passages import passage

        found = self.conn.execute("SELECT name FROM transcripts WHERE id = ?",
                                  (transcript_id,)).fetchone()
        if found is None:
            return "a transcript since removed"
        if span is None:
            return found[0]
        text = self.transcript_text(transcript_id)
        return f"{found[0]}, {passage(text, self.turns(transcript_id), *span)}"

    def _step(self, direction: str, expect: int | None = None) -> str | None:
        undo = direction == "undo"
        with self.transaction():
            row = self._next_event(direction)
            if row is None:
                return None
            event_id, _, summary, _ = row
            if expect is not None and event_id != expect:
                raise ProjectError(f"cannot {direction}: another action was done since it "
                                   "was shown; nothing was changed")
            guid, payload = self.conn.execute(
                "SELECT guid, payload FROM events WHERE id = ?", (event_id,)).fetchone()
            data = json.loads(payload)
            try:
                # Refused, not skipped: stepping over an action would undo the ones
                # before it out of order.
                if NOT_UNDOABLE in data:
                    raise ProjectError(data[NOT_UNDOABLE])
                if event_id < self._barrier():
                    raise ProjectError("a redaction since then rewrote the text it refers to")
                self._replay(data["changes"], backwards=undo)
                self._reindex_turns(data["changes"], backwards=undo)
            except (ProjectError, sqlite3.IntegrityError) as exc:
                raise ProjectError(f"cannot {direction} '{self._worded(summary, data)}': "
                                   f"{exc}") from None
            self.conn.execute("UPDATE events SET undone = ? WHERE id = ?",
                              (1 if undo else 0, event_id))
            self.record(direction, f"{direction}: {summary}", event=guid,
                        passage=data.get("passage"))
            return self._worded(summary, data)

    def _worded(self, summary: str, payload: dict) -> str:
        """An action's summary as the researcher reads it (see PASSAGE)."""
        where = payload.get("passage")
        if not where:
            return summary
        return summary.replace(PASSAGE, self.passage_in_words(*where), 1)

    def can_undo(self) -> tuple[bool, bool]:
        """Whether this coder has something to undo, and something to redo."""
        barrier = self._barrier()
        found = lambda state: self.conn.execute(  # noqa: E731
            "SELECT 1 FROM events WHERE coder IS ? AND undone = ? AND id > ?"
            " AND json_extract(payload, '$.changes') IS NOT NULL LIMIT 1",
            (self.coder, state, barrier)).fetchone() is not None
        return found(0), found(1)

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


# Tables whose rows have no id: undo finds them by these columns instead.
_KEYS = {"attributes": ("case_id", "name")}


def _key(table: str, row: dict) -> tuple[str, tuple]:
    """The WHERE clause and its values that find `row` of `table` again."""
    columns = _KEYS.get(table, ("id",))
    return " AND ".join(f'"{c}" = ?' for c in columns), tuple(row[c] for c in columns)


def _row_identity(change: list) -> tuple:
    """What a change of an undoable action touched: codings and resolutions by id (ids
    never used before, see _new_ids, and what an update names), rows without an id by
    their key, the rest by GUID."""
    kind, table, row = change[0], change[1], change[2]
    if table in _KEYS:
        return table, _key(table, row)[1]
    if kind == "update" or table in ("codings", "resolutions"):
        return table, row if kind == "update" else row["id"]
    return table, row.get("guid")


def _singular(table: str) -> str:
    return {"codings": "coding", "codes": "code", "resolutions": "resolution",
            "attributes": "attribute"}.get(table, table)
