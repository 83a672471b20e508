"""The read-only views a researcher queries with sqlite-utils, Datasette, R or pandas
(docs/views.md): each one shows what the store's own reads show, follows changes, comes
to a project made by the previous schema, and reads from a closed file. Also the
`Reshape` migration step that future migrations use to reshape a table."""

from __future__ import annotations

import json
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
import sqlite_utils

from qcode.core import store
from qcode.core.anonymise.verify import verify_files
from qcode.core.model import Transcript, Turn
from qcode.core.store import Project, ProjectError
from qcode.core.store.schema import Reshape, _statements

from tests.report_helpers import hand_built
from tests.unit.test_verify_anonymised import key_of, project_with

VIEWS = ("coded_segments", "transcript_turns", "codebook", "case_attributes")


@pytest.fixture
def built(tmp_path: Path) -> Project:
    project = hand_built(tmp_path / "views.qcode")
    # A memo, and a coded transcript with no case and text before its first turn.
    first = project.codings(project.transcript_id("a1"))[0]
    project.set_coding_memo(first.id, "threat made twice")
    text = "Notes before the interview.\nP: after them"
    project.add_transcript(Transcript("e1", "txt", text, [Turn("P", 31, len(text))]),
                           "e1.txt")
    money = next(c.id for c in project.codes() if c.name == "Money")
    project.add_coding(project.transcript_id("e1"), money, "ana", 0, 5)
    project.add_coding(project.transcript_id("e1"), money, "ben", 31, 36)
    yield project
    project.close()


def rows(project: Project, view: str) -> list[dict]:
    cursor = project.conn.execute(f"SELECT * FROM {view}")
    names = [d[0] for d in cursor.description]
    return [dict(zip(names, row)) for row in cursor]


def paths(project: Project) -> dict[int, str]:
    """Each code's path of theme names, worked out from `Project.codes`."""
    out: dict[int, str] = {}
    for code in project.codes():  # tree order: a parent comes before its children
        parent = out.get(code.parent_id)
        out[code.id] = f"{parent} > {code.name}" if parent else code.name
    return out


def turn_at(turns: list[Turn], start: int) -> Turn:
    started = [t for t in turns if t.start <= start]
    return started[-1] if started else Turn(None, start, start)


def expected_segments(project: Project) -> list[dict]:
    code_path = paths(project)
    attributes = {case.name: case.values for case in project.all_cases()}
    expected = []
    for transcript in project.transcripts():
        text = project.transcript_text(transcript.id)
        turns = project.turns(transcript.id)
        for coding in project.codings(transcript.id):
            path = code_path[coding.code_id]
            turn = turn_at(turns, coding.start)
            expected.append({
                "transcript": transcript.name, "case_name": transcript.case,
                "case_attributes": attributes.get(transcript.case, {}),
                "code": path.split(" > ")[-1], "code_path": path,
                "top_theme": path.split(" > ")[0], "coder": coding.coder_name,
                "start": coding.start, "end": coding.end,
                "text": text[coding.start:coding.end],
                "turn": turn.number, "speaker": turn.speaker, "memo": coding.memo})
    return expected


def shown_segments(project: Project) -> list[dict]:
    shown = []
    for row in rows(project, "coded_segments"):
        row["case_attributes"] = {k: str(v) for k, v in
                                  json.loads(row["case_attributes"]).items()}
        for column in ("coding_guid", "code_guid", "created"):
            assert row.pop(column)
        shown.append(row)
    return shown


def by_place(segments: list[dict]) -> list[dict]:
    return sorted(segments, key=lambda s: (s["transcript"], s["start"], s["end"],
                                           s["coder"], s["code_path"]))


def test_coded_segments_show_every_coding_as_the_store_reads_it(built: Project):
    assert by_place(shown_segments(built)) == by_place(expected_segments(built))
    assert len(shown_segments(built)) == built.summary()["codings"]


def test_case_attributes_are_json_numbers_only_where_the_text_reads_back(built: Project):
    built.set_attributes("A", {"age": "41", "code": "007", "height": "1.80"})
    row = built.conn.execute("SELECT case_attributes FROM coded_segments"
                             " WHERE case_name = 'A' LIMIT 1").fetchone()
    attributes = json.loads(row[0])
    assert (attributes["age"], attributes["code"], attributes["height"]) == (41, "007", "1.80")


def test_transcript_turns_are_the_stored_turns_with_their_text(built: Project):
    expected = []
    for transcript in built.transcripts():
        text = built.transcript_text(transcript.id)
        for turn in built.turns(transcript.id):
            expected.append({
                "transcript": transcript.name, "case_name": transcript.case,
                "turn": turn.number, "speaker": turn.speaker, "start": turn.start,
                "end": turn.end, "text": text[turn.start:turn.end],
                "begin_time": turn.begin_time, "end_time": turn.end_time})
    shown = sorted(rows(built, "transcript_turns"), key=lambda t: (t["transcript"], t["turn"]))
    assert shown == expected


def test_the_codebook_view_is_the_codebook_in_tree_order(built: Project):
    code_path = paths(built)
    expected = [{
        "code_guid": c.guid, "code_path": code_path[c.id], "depth": c.depth,
        "code": c.name, "top_theme": code_path[c.id].split(" > ")[0],
        "definition": c.definition, "when_to_use": c.when_to_use,
        "when_not_to_use": c.when_not_to_use, "example": c.example, "key": c.key,
        "colour": c.colour, "codings": c.codings} for c in built.codes()]
    assert rows(built, "codebook") == expected
    assert {r["code_path"]: r["codings"] for r in rows(built, "codebook")}[
        "Harm > Control > Threats"] == 5


def test_case_attributes_are_the_stored_attributes_with_their_types(built: Project):
    expected = sorted((case.name, name, value, kind)
                      for case in built.all_cases()
                      for name, (value, kind) in case.attributes.items())
    shown = [tuple(r.values()) for r in rows(built, "case_attributes")]
    assert shown == expected


def test_the_views_follow_changes_to_codes_codings_and_transcripts(built: Project):
    codes = {c.name: c.id for c in built.codes() if c.name != "Other"}
    built.move_code(codes["Threats"], codes["Harm"])
    built.remove_transcript(built.transcript_id("d1"))
    built.remove_coding(built.codings(built.transcript_id("a2"))[0].id)
    assert by_place(shown_segments(built)) == by_place(expected_segments(built))
    assert "Harm > Threats" in {r["code_path"] for r in rows(built, "codebook")}
    assert "d1" not in {r["transcript"] for r in rows(built, "transcript_turns")}


def test_the_views_are_read_only(built: Project):
    for view in VIEWS:
        with pytest.raises(sqlite3.OperationalError, match="view"):
            built.conn.execute(f"DELETE FROM {view}")
    assert built.summary()["codings"] == 17


def test_a_project_of_the_previous_schema_gets_the_views(tmp_path, monkeypatch):
    path = tmp_path / "old.qcode"
    previous = store.MIGRATIONS[:3]
    monkeypatch.setattr(store.project, "MIGRATIONS", previous)
    monkeypatch.setattr(store.project, "SCHEMA_VERSION", len(previous))
    # Today's API writes columns that later migrations add: lend them to the old
    # schema while it is built, then take them away again.
    with monkeypatch.context() as lent:
        autocoded = next(m for m in store.MIGRATIONS if "autocoded" in str(m))
        lent.setattr(store.project, "MIGRATIONS",
                     [*previous, store.MIGRATIONS[5], autocoded])  # codable, autocoded
        lent.setattr(store.project, "SCHEMA_VERSION", len(previous) + 2)
        built = hand_built(path)
        built.conn.execute("ALTER TABLE codes DROP COLUMN codable")
        built.conn.execute("ALTER TABLE codings DROP COLUMN autocoded")
        built.conn.execute(f"PRAGMA user_version = {len(previous)}")
        built.close()
    with Project.read_only(path) as old:
        assert old.schema_version == 3
        assert not old.conn.execute(
            "SELECT name FROM sqlite_master WHERE type = 'view' AND name = 'codebook'"
        ).fetchall()
    monkeypatch.undo()
    with Project.open(path) as migrated:
        assert migrated.schema_version == store.SCHEMA_VERSION
        assert by_place(shown_segments(migrated)) == by_place(expected_segments(migrated))
        assert all(rows(migrated, view) for view in VIEWS)


def test_sqlite_utils_reads_the_views_of_a_closed_project(built: Project):
    expected = by_place(shown_segments(built))
    built.close()
    db = sqlite_utils.Database(built.path)
    try:
        assert set(VIEWS) <= set(db.view_names())
        read = list(db["coded_segments"].rows)
    finally:
        db.close()
    for row in read:
        row["case_attributes"] = {k: str(v) for k, v in
                                  json.loads(row["case_attributes"]).items()}
        for column in ("coding_guid", "code_guid", "created"):
            del row[column]
    assert by_place(read) == expected


def test_verify_reads_each_text_once_not_again_through_the_views(tmp_path: Path):
    path = project_with(tmp_path, "P01: I met Kirsty Blackwood on Monday.\n")
    with Project.open(path) as project:
        assert not {table for table, *_ in project.text_values()} & set(VIEWS)
        assert rows(project, "transcript_turns")  # the name is there to be found
    hits = verify_files(key_of(("Kirsty Blackwood", "person")), [path])
    places = [h.place.split(" row")[0] for h in hits]
    assert places.count("transcripts.text") == 1
    assert not [p for p in places if p.split(".")[0] in VIEWS]


# Reshaping: a test-only migration after the real ones.

def with_migration(monkeypatch, step) -> None:
    newer = [*store.MIGRATIONS, step]
    monkeypatch.setattr(store.project, "MIGRATIONS", newer)
    monkeypatch.setattr(store.project, "SCHEMA_VERSION", len(newer))


def counts(path: Path) -> dict[str, int]:
    conn = sqlite3.connect(path)
    try:
        tables = [r[0] for r in conn.execute(
            "SELECT name FROM sqlite_master WHERE type IN ('table', 'view')"
            " AND name NOT LIKE 'sqlite_%' AND name NOT LIKE 'turns_fts%'")]
        return {t: conn.execute(f'SELECT count(*) FROM "{t}"').fetchone()[0] for t in tables}
    finally:
        conn.close()


def keys(conn: sqlite3.Connection, table: str) -> tuple:
    """A table's unique and other indexes, foreign keys and column constraints: what a
    reshape must carry over."""
    indexes = sorted(
        (unique, [column or "(expression)" for _, _, column, _, _, key
                  in conn.execute(f'PRAGMA index_xinfo("{name}")') if key])
        for _, name, unique, *_ in conn.execute(f'PRAGMA index_list("{table}")'))
    foreign = sorted(tuple(r[2:]) for r in conn.execute(f'PRAGMA foreign_key_list("{table}")'))
    # transform writes a default of 0 as '0': the column's affinity stores it as 0.
    columns = [(kind, notnull, default if default is None else default.strip("'"), pk)
               for _, _, kind, notnull, default, pk
               in conn.execute(f'PRAGMA table_info("{table}")')]
    return indexes, foreign, columns


def test_a_reshape_keeps_the_rows_the_foreign_keys_and_the_search(tmp_path, monkeypatch):
    path = tmp_path / "reshape.qcode"
    with hand_built(path) as project:
        shape = {t: keys(project.conn, t) for t in ("transcripts", "turns", "codings")}
    before = counts(path)
    # transcripts is pointed at by turns, codings and resolutions ON DELETE CASCADE:
    # dropping the old table with foreign keys on would empty them.
    with_migration(monkeypatch, Reshape("transcripts", rename={"encoding": "source_encoding"}))
    with Project.open(path) as reshaped:
        columns = [r[1] for r in reshaped.conn.execute("PRAGMA table_info(transcripts)")]
        assert "source_encoding" in columns and "encoding" not in columns
        assert reshaped.conn.execute("PRAGMA foreign_key_check").fetchall() == []
        assert reshaped.conn.execute("PRAGMA foreign_keys").fetchone()[0] == 1
        assert reshaped.check() == []
        assert [h.transcript for h in reshaped.search("a105")] == ["a1"]
        assert by_place(shown_segments(reshaped)) == by_place(expected_segments(reshaped))
        renamed = {t: keys(reshaped.conn, t) for t in shape}
    assert counts(path) == before
    assert renamed == shape


SIBLING_NAMES = "CREATE UNIQUE INDEX codes_sibling_name ON codes (ifnull(parent_id, 0), name)"


def test_a_reshape_that_breaks_a_view_changes_nothing(tmp_path, monkeypatch):
    path = tmp_path / "reshape.qcode"
    hand_built(path).close()
    before = path.read_bytes()
    with_migration(monkeypatch, ("DROP INDEX codes_sibling_name;",
                                 Reshape("codes", rename={"colour": "color"}),
                                 SIBLING_NAMES + ";"))
    with pytest.raises(ProjectError, match="broke the view codebook"):
        Project.open(path)
    monkeypatch.undo()
    with Project.open(path) as project:
        assert project.schema_version == store.SCHEMA_VERSION
        assert "colour" in [r[1] for r in project.conn.execute("PRAGMA table_info(codes)")]
        assert project.conn.execute("PRAGMA foreign_keys").fetchone()[0] == 1
        assert project.check() == []


def test_a_reshape_with_its_index_and_view_made_again_keeps_the_codebook(
        tmp_path, monkeypatch):
    path = tmp_path / "reshape.qcode"
    with hand_built(path) as project:
        codebook, segments = rows(project, "codebook"), shown_segments(project)
        keys_before = keys(project.conn, "codes")
    [view] = [s for s in _statements(store.MIGRATIONS[3])
              if s.startswith("CREATE VIEW codebook")]
    with_migration(monkeypatch, (
        "DROP INDEX codes_sibling_name;\nDROP VIEW codebook;",
        Reshape("codes", rename={"colour": "color"}),
        f"{SIBLING_NAMES};\n{view.replace('codes.colour AS', 'codes.color AS')}"))
    with Project.open(path) as reshaped:
        assert rows(reshaped, "codebook") == codebook
        assert shown_segments(reshaped) == segments
        assert keys(reshaped.conn, "codes") == keys_before
        code = reshaped.conn.execute(
            "INSERT INTO codes (guid, name) VALUES ('G', 'Coercion')").lastrowid
        assert reshaped.conn.execute("SELECT typeof(sort_order) FROM codes WHERE id = ?",
                                     (code,)).fetchone()[0] == "integer"


def test_opening_a_project_and_reading_a_view_leaves_sqlite_utils_unloaded(built: Project):
    # sqlite-utils loads numpy: only a migration that reshapes a table may pay for it.
    built.close()
    script = ("import sys; from qcode.core.store import Project\n"
              f"with Project.open({str(built.path)!r}) as p:\n"
              "    p.conn.execute('SELECT * FROM coded_segments').fetchall()\n"
              "assert 'sqlite_utils' not in sys.modules, 'sqlite_utils loaded'\n")
    subprocess.run([sys.executable, "-c", script], check=True)


def test_a_reshape_that_would_leave_orphans_changes_nothing(tmp_path, monkeypatch):
    path = tmp_path / "reshape.qcode"
    hand_built(path).close()
    before = counts(path)
    # With foreign keys off for the reshape, nothing but the check stops this delete.
    with_migration(monkeypatch, (Reshape("transcripts", rename={"encoding": "charset"}),
                                 "DELETE FROM transcripts WHERE name = 'd1';"))
    with pytest.raises(ProjectError, match="would leave rows of .* pointing at nothing"):
        Project.open(path)
    assert counts(path) == before
