from __future__ import annotations

import re
import sqlite3
from pathlib import Path

import pytest

from qcode.core import store
from qcode.core.codebook import parse as parse_codebook
from qcode.core.model import Transcript, Turn
from qcode.core.store import Project, ProjectError

GUID = re.compile(r"^[0-9A-F]{8}-[0-9A-F]{4}-4[0-9A-F]{3}-[89AB][0-9A-F]{3}-[0-9A-F]{12}$")


def transcript(name="t1", body="Interviewer: How big is the problem?\n\nP01: It is growing."):
    turns = []
    for match in re.finditer(r"^(\w+): (.*)$", body, re.M):
        turns.append(Turn(match.group(1), match.start(2), match.end(2), match.start(1)))
    return Transcript(name=name, source_format="txt", text=body, turns=turns)


def test_new_project_has_schema_guid_and_safety_pragmas(project: Project):
    conn = project.conn
    assert project.schema_version == store.SCHEMA_VERSION
    assert conn.execute("PRAGMA application_id").fetchone()[0] == store.APPLICATION_ID
    assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert conn.execute("PRAGMA foreign_keys").fetchone()[0] == 1
    assert conn.execute("PRAGMA secure_delete").fetchone()[0] == 1
    assert GUID.match(project.meta("project_guid"))


def test_create_refuses_an_existing_file(tmp_path: Path):
    path = tmp_path / "x.qcode"
    path.write_text("keep me")
    with pytest.raises(ProjectError, match="already exists"):
        Project.create(path)
    assert path.read_text() == "keep me"


@pytest.mark.parametrize("content, message", [
    (b"just some notes\n", "not an SQLite database"),
    (b"", "not an SQLite database"),
])
def test_open_refuses_files_that_are_not_projects_and_leaves_them(tmp_path, content, message):
    path = tmp_path / "notes.qcode"
    path.write_bytes(content)
    with pytest.raises(ProjectError, match=message):
        Project.open(path)
    assert path.read_bytes() == content
    assert not Path(f"{path}-wal").exists()


def test_open_refuses_another_sqlite_database_untouched(tmp_path: Path):
    path = tmp_path / "other.db"
    conn = sqlite3.connect(path)
    conn.execute("CREATE TABLE t (x)")
    conn.commit()
    conn.close()
    before = path.read_bytes()
    with pytest.raises(ProjectError, match="not a qcode project"):
        Project.open(path)
    assert path.read_bytes() == before


def test_open_missing_file(tmp_path: Path):
    with pytest.raises(ProjectError, match="qcode init"):
        Project.open(tmp_path / "nope.qcode")


def test_an_older_project_is_migrated_and_keeps_its_data(tmp_path, monkeypatch):
    path = tmp_path / "old.qcode"
    with Project.create(path) as old:
        old.add_transcript(transcript(), source_file="t1.txt", case="P01")
    newer = [*store.MIGRATIONS, "ALTER TABLE cases ADD COLUMN note TEXT;"]
    # Patched where the project reads them when it opens.
    monkeypatch.setattr(store.project, "MIGRATIONS", newer)
    monkeypatch.setattr(store.project, "SCHEMA_VERSION", len(newer))
    with Project.open(path) as migrated:
        assert migrated.schema_version == len(newer)
        assert [t.name for t in migrated.transcripts()] == ["t1"]
        columns = [r[1] for r in migrated.conn.execute("PRAGMA table_info(cases)")]
        assert "note" in columns


def test_a_newer_project_is_refused(tmp_path: Path):
    path = tmp_path / "new.qcode"
    with Project.create(path) as p:
        p.conn.execute(f"PRAGMA user_version = {store.SCHEMA_VERSION + 1}")
    with pytest.raises(ProjectError, match="newer qcode"):
        Project.open(path)


def test_transcript_turns_search_and_events(project: Project):
    tid = project.add_transcript(transcript(), source_file="t1.txt", case="P01")
    turns = project.turns(tid)
    text = project.transcript_text(tid)
    assert [t.speaker for t in turns] == ["Interviewer", "P01"]
    assert text[turns[1].start:turns[1].end] == "It is growing."
    hits = project.search("growing")
    assert [(h.transcript, h.turn, h.speaker) for h in hits] == [("t1", 2, "P01")]
    assert "\x02growing\x03" in hits[0].snippet
    assert project.search("big is the") and not project.search("the big")
    [row] = project.transcripts()
    assert (row.case, row.word_count, row.turn_count) == ("P01", 8, 2)
    assert GUID.match(row.guid)
    assert project.events()[0]["action"] == "import"


def test_search_takes_user_text_literally(project: Project):
    project.add_transcript(transcript(body='P01: He said "NEAR" AND left (twice).'),
                           source_file="x.txt")
    assert len(project.search('"NEAR" AND')) == 1
    assert project.search("left (twice") and project.search("NOT") == []
    with pytest.raises(ProjectError, match="no words"):
        project.search(' " ')


def test_the_same_file_twice_is_refused_and_nothing_written(project: Project):
    project.add_transcript(transcript(), source_file="a.txt")
    before = project.summary()
    for name, source_file in (("t1", "again.txt"), ("renamed", "a.txt")):
        with pytest.raises(ProjectError, match="already imported as transcript 't1'"):
            project.add_transcript(transcript(name=name), source_file=source_file)
    assert project.summary() == before


def test_another_file_with_the_same_text_is_a_second_transcript(project: Project):
    """Two documents (two cases) may hold one text: pooling them would pool their
    codings, so each stays its own transcript."""
    first = project.add_transcript(transcript(), source_file="a.txt", case="P01")
    second = project.add_transcript(transcript(name="copy"), source_file="copy.txt",
                                    case="P02")
    assert first != second
    assert project.same_text(transcript().sha256) == [("copy", "copy.txt"), ("t1", "a.txt")]
    assert [(t.name, t.case) for t in project.transcripts()] == [("copy", "P02"),
                                                                 ("t1", "P01")]
    assert project.check() == []


def test_a_project_of_schema_4_keeps_its_transcripts_and_allows_a_second_text(
        tmp_path: Path, monkeypatch):
    """Migration 5 drops the UNIQUE on the text hash and keeps everything else."""
    path = tmp_path / "old.qcode"
    monkeypatch.setattr(store.project, "MIGRATIONS", store.MIGRATIONS[:4])
    monkeypatch.setattr(store.project, "SCHEMA_VERSION", 4)
    old = Project.create(path)
    old.add_transcript(transcript(), source_file="a.txt", case="P01")
    with pytest.raises(sqlite3.IntegrityError):  # what schema 4 forbade
        with old.transaction():
            old.conn.execute("INSERT INTO transcripts (guid, name, source_file,"
                             " source_format, encoding, text, sha256, word_count, imported)"
                             " SELECT 'X', 'x', source_file, source_format, encoding, text,"
                             " sha256, word_count, imported FROM transcripts")
    old.close()
    monkeypatch.undo()
    with Project.open(path) as migrated:
        assert migrated.schema_version == store.SCHEMA_VERSION
        [row] = migrated.transcripts()
        assert (row.name, row.case, row.turn_count) == ("t1", "P01", 2)
        migrated.add_transcript(transcript(name="copy"), source_file="copy.txt")
        assert len(migrated.search("growing")) == 2
        assert migrated.check() == []
        indexes = {r[0] for r in migrated.conn.execute(
            "SELECT name FROM sqlite_master WHERE tbl_name = 'transcripts'"
            " AND type = 'index'")}
        assert "transcripts_by_text" in indexes


def test_failed_import_rolls_back_everything(project: Project):
    broken = transcript()
    broken.turns.append(Turn("X", 0, 2))
    # The third turn's insert fails after the transcript, its case and two turns went in.
    project.conn.execute("CREATE TRIGGER boom BEFORE INSERT ON turns WHEN NEW.seq = 3 "
                         "BEGIN SELECT RAISE(ABORT, 'boom'); END")
    with pytest.raises(sqlite3.DatabaseError):
        project.add_transcript(broken, source_file="t.txt", case="P09")
    assert project.summary()["transcripts"] == 0
    assert project.summary()["cases"] == 0


def test_attributes_and_cases(project: Project):
    project.set_attributes("P01", {"role": "Detective Sergeant", "region": "Southeast"})
    project.set_attributes("P01", {"region": "", "years": "12"})
    [case] = project.all_cases()
    assert case.values == {"role": "Detective Sergeant", "years": "12"}
    assert project.conn.execute(
        "SELECT type FROM attributes WHERE name='years'").fetchone()[0] == "integer"


def test_check_finds_tampered_text_and_bad_spans(project: Project):
    tid = project.add_transcript(transcript(), source_file="t1.txt")
    assert project.check() == []
    project.conn.execute("UPDATE transcripts SET text = text || 'x' WHERE id = ?", (tid,))
    project.conn.execute('UPDATE turns SET "end" = 9999 WHERE seq = 1')
    problems = project.check()
    assert any("SHA-256" in p for p in problems)
    assert any("outside the text" in p for p in problems)


def test_codings_must_lie_inside_the_text(project: Project):
    tid = project.add_transcript(transcript(), source_file="t1.txt")
    project.load_codebook(parse_codebook("name: b\ncodes:\n  - name: Scale\n"))
    code_id = project.codes()[0].id
    project.add_coding(tid, code_id, "ana", 13, 20)
    with pytest.raises(ProjectError, match="not inside"):
        project.add_coding(tid, code_id, "ana", 10, 10_000)
    assert project.summary()["codings"] == 1
    assert project.coders() == ["ana"]


def test_backup_is_a_working_copy(project: Project, tmp_path: Path):
    project.add_transcript(transcript(), source_file="t1.txt")
    project.backup(tmp_path / "copy.qcode")
    with Project.open(tmp_path / "copy.qcode") as copy:
        assert [t.name for t in copy.transcripts()] == ["t1"]
        assert copy.check() == []
    with pytest.raises(ProjectError, match="already exists"):
        project.backup(tmp_path / "copy.qcode")


BOOK = """
name: Study
codes:
  - name: Barriers
    colour: "#112233"
    codes:
      - name: Training
        definition: Lack of training.
      - name: Resources
"""


def test_codebook_load_matches_by_path_and_never_deletes(project: Project):
    first = project.load_codebook(parse_codebook(BOOK))
    assert first == {"added": 3, "updated": 0, "unchanged": 0, "keys_dropped": []}
    assert project.load_codebook(parse_codebook(BOOK)) == {
        "added": 0, "updated": 0, "unchanged": 3, "keys_dropped": []}
    changed = BOOK.replace("Lack of training.", "No training given.").replace(
        "      - name: Resources\n", "")
    assert project.load_codebook(parse_codebook(changed)) == {
        "added": 0, "updated": 1, "unchanged": 1, "keys_dropped": []}
    codes = {c.name: c for c in project.codes()}
    assert codes["Training"].definition == "No training given."
    assert "Resources" in codes  # codes are never deleted by a load
    assert [(c.name, c.depth) for c in project.codes()] == [
        ("Barriers", 0), ("Training", 1), ("Resources", 1)]


def test_codebook_load_matches_by_guid_across_a_rename(project: Project):
    guid = "9C3E7D21-0B4F-4E8A-A1C2-6D5F8E9A0B12"
    project.load_codebook(parse_codebook(f"name: b\ncodes:\n  - name: Old\n    guid: {guid}\n"))
    project.load_codebook(parse_codebook(f"name: b\ncodes:\n  - name: New\n    guid: {guid}\n"))
    assert [(c.name, c.guid) for c in project.codes()] == [("New", guid)]


def test_codebook_under_a_theme(project: Project):
    project.load_codebook(parse_codebook(BOOK))
    project.load_codebook(parse_codebook("name: Ind\ndescription: Signs.\ncodes:\n"
                                         "  - name: Low prices\n"), under="Indicators")
    tree = [(c.name, c.depth) for c in project.codes()]
    assert tree[-2:] == [("Indicators", 0), ("Low prices", 1)]


def test_two_connections_write_without_errors(tmp_path: Path):
    path = tmp_path / "shared.qcode"
    Project.create(path).close()
    with Project.open(path) as a, Project.open(path) as b:
        a.set_attributes("P01", {"role": "DS"})
        b.set_attributes("P02", {"role": "DC"})
        a.set_attributes("P03", {"role": "DI"})
        assert len(b.all_cases()) == 3


def test_a_new_project_is_recognised_while_still_open(tmp_path: Path):
    path = tmp_path / "new.qcode"
    with Project.create(path):
        with Project.open(path) as second:  # e.g. another coder's process
            assert second.schema_version == store.SCHEMA_VERSION


def test_a_transcript_is_found_by_case_or_the_start_of_its_name(project: Project):
    first = project.add_transcript(transcript("demo-01-sergeant"), "a.txt", case="P01")
    project.add_transcript(transcript("demo-02-analyst", "P02: Other words."), "b.txt")
    assert project.transcript_id("P01") == first
    assert project.transcript_id("demo-01") == first
    with pytest.raises(ProjectError, match="fits 2 transcripts"):
        project.transcript_id("demo-0")
    with pytest.raises(ProjectError, match="no transcript named 'x'"):
        project.transcript_id("x")


CATEGORY_BOOK = """\
name: With categories
codes:
  - name: Barriers
    codable: false
    codes:
      - name: Cost
"""


def category_project(project: Project) -> tuple[int, dict[str, int]]:
    project.add_transcript(transcript(), "t1.txt")
    project.load_codebook(parse_codebook(CATEGORY_BOOK))
    return project.transcripts()[0].id, {c.name: c.id for c in project.codes()}


def test_a_category_is_stored_and_cannot_be_coded(project: Project):
    transcript_id, codes = category_project(project)
    assert {c.name: c.codable for c in project.codes()} == {
        "Barriers": False, "Cost": True}
    with pytest.raises(ProjectError, match="^Barriers is a category: it groups codes and "
                       "cannot be applied to text; code with one of the codes under it$"):
        project.add_coding(transcript_id, codes["Barriers"], "ann", 0, 5)
    coding = project.add_coding(transcript_id, codes["Cost"], "ann", 0, 5)
    with pytest.raises(ProjectError, match="Barriers is a category"):
        project.recode(coding, codes["Barriers"])
    assert [c.code_id for c in project.codings(transcript_id)] == [codes["Cost"]]


def test_a_code_with_codings_cannot_become_a_category(project: Project):
    transcript_id, codes = category_project(project)
    project.add_coding(transcript_id, codes["Cost"], "ann", 0, 5)
    with pytest.raises(ProjectError, match="Cost has 1 codings, and a category"):
        project.edit_code(codes["Cost"], codable=False)
    project.edit_code(codes["Barriers"], codable=True)
    project.undo()
    assert not project.code(codes["Barriers"]).codable


def test_reloading_a_codebook_updates_whether_a_code_is_a_category(project: Project):
    category_project(project)
    counts = project.load_codebook(parse_codebook(CATEGORY_BOOK.replace("false", "true")))
    assert counts["updated"] == 1
    assert all(c.codable for c in project.codes())


def test_a_project_made_before_categories_has_only_codable_codes(tmp_path, monkeypatch):
    path = tmp_path / "old.qcode"
    previous = store.MIGRATIONS[:-1]
    with monkeypatch.context() as old:
        old.setattr(store.project, "MIGRATIONS", previous)
        old.setattr(store.project, "SCHEMA_VERSION", len(previous))
        with Project.create(path) as made:
            made.conn.execute("INSERT INTO codes (guid, name) VALUES ('G', 'Old')")
    with Project.open(path) as opened:
        assert [(c.name, c.codable) for c in opened.codes()] == [("Old", True)]
