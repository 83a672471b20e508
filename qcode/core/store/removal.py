"""Removing a transcript, and finding and cleaning a value wherever the project holds
text (a late redaction): names, memos, and the event log's undo data."""

from __future__ import annotations

import json
import re
import sqlite3

from qcode.core.store.base import ProjectError
from qcode.core.store.journal import NOT_UNDOABLE, _row_identity

# What stands in the event log for the name of a transcript removed and scrubbed.
SCRUBBED = "[scrubbed]"

# Researcher-given text outside transcript texts (turn speakers go with the text).
TEXT_FIELDS = (
    ("transcripts", "name"), ("transcripts", "source_file"), ("cases", "name"),
    ("attributes", "name"), ("attributes", "value"), ("codes", "name"),
    ("codes", "definition"), ("codes", "when_to_use"), ("codes", "when_not_to_use"),
    ("codes", "example"), ("memos", "name"), ("memos", "text"), ("codings", "memo"),
    ("coders", "name"), ("resolutions", "first_coder"), ("resolutions", "second_coder"),
    ("resolutions", "resolved_by"), ("meta", "value"), ("events", "coder"),
    ("events", "summary"), ("reviews", "coder"), ("reviews", "reviewer"),
    ("reviews", "decided_by"), ("review_comments", "author"), ("review_comments", "body"),
)

# How a row of each table is named for the researcher (SQL over that row).
ROW_NAMES = {
    "transcripts": "name", "cases": "name", "codes": "name", "memos": "name",
    "coders": "name", "meta": "key",
    "attributes": "'case ' || (SELECT name FROM cases WHERE id = case_id)",
    "codings": "'transcript ' || (SELECT name FROM transcripts WHERE id = transcript_id)"
               " || ' at ' || start",
    "resolutions": "'transcript ' || (SELECT name FROM transcripts WHERE id = transcript_id)"
                   " || ' at ' || start",
    "events": "'event ' || id || ' (' || action || ')'",
    "reviews": "'review in transcript ' || (SELECT name FROM transcripts"
               " WHERE id = transcript_id) || ' at ' || start",
    "review_comments": "'comment ' || id || ' in a review'",
}


class Removal:
    def remove_transcript(self, transcript_id: int, actor: str | None = None) -> dict:
        """Remove a transcript imported by mistake with everything about it: its turns,
        codings (and their memos), resolutions, the memos on it, and its case when no
        other transcript belongs to it and it has no attributes. Returns the counts and
        what happened to the case."""
        transcript = self._row("transcripts", transcript_id)
        if transcript is None:
            raise ProjectError(f"no transcript with id {transcript_id}")
        gone: dict = {"name": transcript["name"]}
        with self.transaction():
            changes: list = []
            for table, sql, key in (
                    ("codings", "SELECT id FROM codings WHERE transcript_id = ?", transcript_id),
                    ("resolutions", "SELECT id FROM resolutions WHERE transcript_id = ?",
                     transcript_id),
                    ("assignments", "SELECT id FROM assignments WHERE transcript_id = ?",
                     transcript_id),
                    ("review_comments", "SELECT id FROM review_comments WHERE review_id IN"
                     " (SELECT id FROM reviews WHERE transcript_id = ?)", transcript_id),
                    ("reviews", "SELECT id FROM reviews WHERE transcript_id = ?",
                     transcript_id),
                    ("turns", "SELECT id FROM turns WHERE transcript_id = ? ORDER BY seq",
                     transcript_id)):
                ids = [row[0] for row in self.conn.execute(sql, (key,)).fetchall()]
                for row_id in ids:
                    self._delete(changes, table, row_id)
                gone[table] = len(ids)
            gone["memos"] = self._drop_memos_about(changes, "transcript", transcript["guid"])
            gone["memo links"] = self._drop_links(changes, "transcript_id", transcript_id)
            self._delete(changes, "transcripts", transcript_id)
            gone["case"] = self._remove_case_if_unused(changes, transcript["case_id"])
            self._reindex_turns(changes, backwards=False)
            self._action("remove transcript",
                         f"removed transcript {transcript['name']} ({gone['turns']} turns,"
                         f" {gone['codings']} codings)", changes, actor=actor,
                         transcript=transcript_id)
        return gone

    def _remove_case_if_unused(self, changes: list, case_id: int | None) -> str | None:
        """What became of a removed transcript's case, in a sentence."""
        if case_id is None:
            return None
        name = self.conn.execute("SELECT name FROM cases WHERE id = ?", (case_id,)).fetchone()[0]
        others = self.conn.execute("SELECT count(*) FROM transcripts WHERE case_id = ?",
                                   (case_id,)).fetchone()[0]
        if others:
            return f"case {name} kept: {others} other transcript(s) belong to it"
        attributes = [row[0] for row in self.conn.execute(
            "SELECT name FROM attributes WHERE case_id = ? ORDER BY name", (case_id,))]
        if attributes:
            return (f"case {name} kept: it has attributes ({', '.join(attributes)}); "
                    "'qcode redact --all' removes its name if it is a real one")
        guid = self.conn.execute("SELECT guid FROM cases WHERE id = ?", (case_id,)).fetchone()[0]
        memos = self._drop_memos_about(changes, "case", guid)
        self._delete(changes, "cases", case_id)
        return (f"case {name} removed too: no other transcript and no attributes"
                + (f"; its {memos} memo(s) with it" if memos else ""))

    def _reindex_turns(self, changes: list, backwards: bool) -> None:
        """Keep the search index in step when whole turns come or go (a transcript
        removed, or put back by undo): the index has no rows of its own to replay."""
        texts = {c[2]["id"]: c[2]["text"] for c in changes
                 if c[0] != "update" and c[1] == "transcripts"}
        for kind, table, row, *_ in changes:
            if kind == "update" or table != "turns":
                continue
            piece = texts[row["transcript_id"]][row["start"]:row["end"]]
            if (kind == "insert") != backwards:
                self.conn.execute("INSERT INTO turns_fts (rowid, text) VALUES (?, ?)",
                                  (row["id"], piece))
            else:
                self.conn.execute("INSERT INTO turns_fts (turns_fts, rowid, text)"
                                  " VALUES ('delete', ?, ?)", (row["id"], piece))

    def _still_used(self, table: str, row_id: int) -> bool:
        """Whether rows outside an action's undo data hang on a row it deletes (a coding
        made after a removal was undone): deleting it would take them along unseen."""
        column, dependants = {
            "transcripts": ("transcript_id", ("turns", "codings", "resolutions",
                                               "assignments", "memo_links")),
            "cases": ("case_id", ("transcripts", "attributes")),
            "memos": ("memo_id", ("memo_links",)),
            "codes": ("code_id", ("codings", "resolutions", "memo_links")),  # a code a load added
        }.get(table, ("", ()))
        return any(self.conn.execute(f"SELECT 1 FROM {dependant} WHERE {column} = ?"
                                     " LIMIT 1", (row_id,)).fetchone()
                   for dependant in dependants)

    def forget_removed(self) -> int:
        """Make every removal final: the rows of removed transcripts leave the undo data
        of the event log (the removal's and that of every action that changed them,
        which can no longer be undone), and their names leave every event's summary and
        details. Returns the number of transcripts made unrecoverable."""
        with self.transaction():
            removals = self.conn.execute(
                "SELECT payload FROM events WHERE action = 'remove transcript' AND undone = 0"
                f" AND json_extract(payload, '$.{NOT_UNDOABLE}') IS NULL").fetchall()
            gone, names = set(), set()
            for (payload,) in removals:
                for change in json.loads(payload)["changes"]:
                    row = change[2]
                    if change[1] != "turns":  # turns have no GUID and go with their text
                        gone.add(_row_identity(change))
                    if change[1] == "transcripts":
                        names.update((row["name"], row["source_file"]))
                    elif change[1] == "cases":
                        names.add(row["name"])
            if not removals:
                return 0
            named = re.compile("|".join(
                rf"(?<!\w){re.escape(name)}(?!\w)"
                for name in sorted(names, key=len, reverse=True)))
            for event_id, summary, payload in self.conn.execute(
                    "SELECT id, summary, payload FROM events").fetchall():
                data = _renamed(json.loads(payload), named)
                if any(_row_identity(change) in gone for change in data.get("changes", ())):
                    data["changes"] = []
                    data[NOT_UNDOABLE] = "it concerns a transcript removed and scrubbed"
                new = (named.sub(SCRUBBED, summary), json.dumps(data))
                if new != (summary, payload):
                    self.conn.execute("UPDATE events SET summary = ?, payload = ? WHERE id = ?",
                                      (*new, event_id))
        return len(removals)

    def text_fields(self) -> list[tuple[str, str, int, str, str]]:
        """(table, column, rowid, where, text) of every non-empty value of TEXT_FIELDS;
        `where` names the row as a researcher knows it."""
        out = []
        for table, column in TEXT_FIELDS:
            out += [(table, column, *row) for row in self.conn.execute(
                f'SELECT rowid, {ROW_NAMES[table]}, "{column}" FROM {table}'
                f""" WHERE ifnull("{column}", '') != '' ORDER BY rowid""")]
        return out

    def set_text_fields(self, updates: list[tuple[str, str, int, str]]) -> None:
        """Write (table, column, rowid, new text) of TEXT_FIELDS in one transaction."""
        with self.transaction():
            for table, column, rowid, text in updates:
                if (table, column) not in TEXT_FIELDS:
                    raise ValueError(f"{table}.{column} is not a text field")
                try:
                    self.conn.execute(f'UPDATE {table} SET "{column}" = ? WHERE rowid = ?',
                                      (text, rowid))
                except sqlite3.IntegrityError:
                    raise ProjectError(
                        f"redacting would give two {table} the {column} '{text}': rename "
                        "one of them first") from None

    def event_details(self) -> list[tuple[int, list | None, dict]]:
        """(event id, undo data or None, the rest of its details) of every event."""
        out = []
        for event_id, payload in self.conn.execute("SELECT id, payload FROM events"):
            data = json.loads(payload)
            out.append((event_id, data.pop("changes", None), data))
        return out

    def clean_events(self, cleaned: list[tuple[int, list | None, dict, str | None]]) -> None:
        """Write back (event id, undo data, details, why it is no longer undoable or
        None) of events whose text was redacted."""
        with self.transaction():
            for event_id, changes, details, reason in cleaned:
                data = dict(details)
                if changes is not None:
                    data["changes"] = changes
                if reason:
                    data[NOT_UNDOABLE] = reason
                self.conn.execute("UPDATE events SET payload = ? WHERE id = ?",
                                  (json.dumps(data), event_id))


def _renamed(payload: dict, names: re.Pattern) -> dict:
    """An event's details with `names` replaced in every text but its undo data."""
    def walk(value):
        if isinstance(value, str):
            return names.sub(SCRUBBED, value)
        if isinstance(value, list):
            return [walk(v) for v in value]
        if isinstance(value, dict):
            return {k: walk(v) for k, v in value.items()}
        return value
    return {k: v if k == "changes" else walk(v) for k, v in payload.items()}
