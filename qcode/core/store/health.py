"""Checking a project's soundness, copying it safely, counting what it holds, and reading
every text it holds (for verify-anonymised)."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from pathlib import Path

from qcode.core.hashing import text_hash
from qcode.core.store.base import ProjectError
from qcode.core.store.journal import ProjectBusy, is_busy


class Health:
    def text_values(self) -> Iterator[tuple[str, str, int, str]]:
        """(table, column, rowid, text) for every text value of every table, the event
        log included. Full-text tables are left out: they show the turns' text again
        (their own index is read by `index_terms`)."""
        tables = self.conn.execute(
            "SELECT name, sql LIKE '%WITHOUT ROWID%' FROM sqlite_master WHERE type = 'table'"
            " AND name NOT LIKE 'sqlite_%' AND sql NOT LIKE 'CREATE VIRTUAL TABLE%'"
            " ORDER BY name").fetchall()
        for table, without_rowid in tables:
            columns = [row[1] for row in self.conn.execute(f'PRAGMA table_info("{table}")')]
            for column in columns:
                row_id = "NULL" if without_rowid else "rowid"
                for rowid, text in self.conn.execute(
                        f'SELECT {row_id}, "{column}" FROM "{table}"'
                        f' WHERE typeof("{column}") = \'text\''):
                    yield table, column, rowid, text

    def index_terms(self) -> Iterator[tuple[str, str]]:
        """(full-text table, term) for every term of every full-text index, read
        through fts5vocab: an index can keep the words of text that is gone."""
        for (table,) in self.conn.execute(
                "SELECT name FROM sqlite_master WHERE type = 'table'"
                " AND sql LIKE 'CREATE VIRTUAL TABLE%USING fts5%'").fetchall():
            vocabulary = f"temp.{table}_terms"
            self.conn.execute(f'CREATE VIRTUAL TABLE IF NOT EXISTS {vocabulary}'
                              f' USING fts5vocab(main, "{table}", row)')
            for (term,) in self.conn.execute(f"SELECT term FROM {vocabulary}"):
                yield table, term

    def check(self) -> list[str]:
        """Problems found: SQLite integrity, foreign keys, text hashes, spans, the
        codebook's tree, GUIDs used twice. Empty when the project is sound. ProjectBusy
        when another program's write keeps a check from running: a lock is not damage."""
        try:
            return self._problems()
        except sqlite3.OperationalError as exc:
            if not is_busy(exc):
                raise
            raise ProjectBusy(f"busy: another program is writing to {self.path}; "
                              "try again when it is done") from None

    def _problems(self) -> list[str]:
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
        problems += self._binary_texts()
        problems += self._codebook_problems() + self._shared_guids()
        if self.read_only_reason is None:  # FTS5 checks itself with an INSERT: not here
            try:
                # A write statement, so it waits for the write lock like any change.
                self.conn.execute(
                    "INSERT INTO turns_fts(turns_fts) VALUES ('integrity-check')")
            except sqlite3.DatabaseError as exc:
                if isinstance(exc, sqlite3.OperationalError) and is_busy(exc):
                    raise
                problems.append(f"search index: {exc}")
        return problems

    def _binary_texts(self) -> list[str]:
        """Stored texts that are binary (a NUL): what the importers refuse, found where
        an older qcode or another way in let it through. SQLite's instr finds it without
        bringing every text into Python a second time."""
        from qcode.core.importers.base import binary_problem  # only for this check

        return [f"transcript {name}: {binary_problem(text)}" for name, text in
                self.conn.execute("SELECT name, text FROM transcripts"
                                  " WHERE instr(text, char(0)) > 0")]

    def _codebook_problems(self) -> list[str]:
        """Codes the tree cannot show: a parent that is missing, or parent links that
        go round in a loop (every code in it, and under it, is then out of sight)."""
        parent = dict(self.conn.execute("SELECT id, parent_id FROM codes"))
        name = dict(self.conn.execute("SELECT id, name FROM codes"))
        problems = [f"codebook: code '{name[code]}' (id {code}) has a parent (id {up}) "
                    "that is missing" for code, up in parent.items()
                    if up is not None and up not in parent]
        settled: set[int] = set()  # codes known to reach the top, a missing parent or a loop
        for start in parent:
            trail: dict[int, None] = {}
            code = start
            while code is not None and code in parent and code not in settled \
                    and code not in trail:
                trail[code] = None
                code = parent[code]
            if code in trail:  # back on its own trail: a loop, reported once
                loop = list(trail)[list(trail).index(code):]
                problems.append("codebook: the parent links of codes " + ", ".join(
                    f"'{name[c]}' (id {c})" for c in loop) + " go round in a loop")
            settled.update(trail)
        return problems

    def _shared_guids(self) -> list[str]:
        """One GUID on two things (a code and a transcript, two kinds of row): exports
        and merges match by GUID, so they would take one for the other."""
        tables = ("coders", "cases", "transcripts", "codes", "codings", "memos",
                  "resolutions")
        rows = self.conn.execute(
            "SELECT guid, group_concat(kind, ', ') FROM (" + " UNION ALL ".join(
                f"SELECT upper(guid) AS guid, '{table[:-1]}' AS kind FROM {table}"
                for table in tables) + ") GROUP BY guid HAVING count(*) > 1")
        return [f"GUID {guid} is used by more than one thing: {kinds}"
                for guid, kinds in rows]

    def backup(self, dest: str | Path, force: bool = False) -> None:
        """A consistent copy made with SQLite's online backup, safe while others write;
        written as every output is (never over the project, 0600, whole or not at all)."""
        from qcode.core import outputs

        try:
            with outputs.replacing(Path(dest), self.path, force=force) as partial:
                target = sqlite3.connect(partial)
                try:
                    self.conn.backup(target)
                finally:
                    target.close()
        except outputs.OutputError as exc:
            raise ProjectError(str(exc)) from None

    def summary(self) -> dict[str, int]:
        count = lambda table: self.conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0]  # noqa: E731
        words = self.conn.execute(
            "SELECT ifnull(sum(word_count), 0) FROM transcripts").fetchone()[0]
        return {
            "transcripts": count("transcripts"), "words": words, "turns": count("turns"),
            "cases": count("cases"), "codes": count("codes"), "codings": count("codings"),
            "coders": count("coders"),
        }
