"""Coding and codebook actions in the store, and undo/redo from the event log."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from qcode.core.codebook import parse as parse_codebook
from qcode.core.store import Project, ProjectError
from tests.unit.test_store import transcript

BOOK = """
name: b
codes:
  - name: Barriers
    codes:
      - name: Training
      - name: Resources
  - name: Victims
    codes:
      - name: Fear
"""


@pytest.fixture
def coded(project: Project):
    tid = project.add_transcript(transcript(), source_file="t1.txt")
    project.load_codebook(parse_codebook(BOOK))
    project.coder = "ana"
    ids = {c.name: c.id for c in project.codes()}
    return project, tid, ids


def state(project: Project):
    codings = project.conn.execute(
        'SELECT id, code_id, coder_id, start, "end", memo FROM codings ORDER BY id'
    ).fetchall()
    codes = project.conn.execute(
        "SELECT id, parent_id, name, definition, sort_order FROM codes ORDER BY id"
    ).fetchall()
    return codings, codes


def test_overlapping_codings_of_one_code_and_coder_join(coded):
    project, tid, ids = coded
    project.add_coding(tid, ids["Training"], "ana", 13, 20, memo="first")
    project.add_coding(tid, ids["Training"], "ana", 18, 30, memo="second")
    project.add_coding(tid, ids["Training"], "ben", 18, 30)
    ana = project.codings(tid, ["ana"])
    assert [(c.start, c.end, c.memo) for c in ana] == [(13, 30, "first\n\nsecond")]
    assert len(project.codings(tid)) == 2
    project.undo()
    assert [(c.start, c.end) for c in project.codings(tid, ["ana"])] == [(13, 20)]


def test_codings_read_with_filters_carry_ids_guids_and_coder(coded):
    project, tid, ids = coded
    first = project.add_coding(tid, ids["Training"], "ana", 13, 20)
    project.add_coding(tid, ids["Fear"], "ben", 1, 5)
    [coding] = project.codings(code_ids=[ids["Training"]])
    assert (coding.id, coding.transcript_id, coding.code_id, coding.coder_name) == (
        first, tid, ids["Training"], "ana")
    assert coding == project.coding(first)
    [stored] = [c for c in project.all_codings() if c.guid == coding.guid]
    assert (stored.transcript, stored.code, stored.coder) == (
        coding.transcript, coding.code, coding.coder)
    assert [c.coder_name for c in project.codings(tid)] == ["ben", "ana"]
    assert project.codings(tid, ["ben"], [ids["Training"]]) == []


def test_every_action_undoes_and_redoes(coded):
    project, tid, ids = coded
    start = state(project)
    coding = project.add_coding(tid, ids["Training"], "ana", 13, 20)
    project.set_coding_memo(coding, "why")
    project.recode(coding, ids["Fear"])
    new = project.add_code("Trust", ids["Victims"], definition="Trust in police")
    project.edit_code(new, name="Trust in police", example="We trust them.")
    project.move_code(ids["Training"], ids["Victims"])
    project.merge_codes(ids["Fear"], new)
    project.remove_coding(coding)
    project.delete_code(ids["Resources"])
    states = []
    while True:
        states.append(state(project))
        if project.undo() is None:
            break
    assert states[-1] == start
    assert len(states) == 10
    for expected in reversed(states[:-1]):
        assert project.redo() is not None
        assert state(project) == expected
    assert project.redo() is None
    assert project.check() == []


def test_undo_survives_a_restart_and_a_new_action_ends_redo(coded, tmp_path: Path):
    project, tid, ids = coded
    project.add_coding(tid, ids["Training"], "ana", 13, 20)
    project.add_coding(tid, ids["Fear"], "ana", 13, 20)
    path = project.path
    project.close()
    with Project.open(path) as again:
        again.coder = "ana"
        assert "Fear" in again.undo()
        assert again.can_undo() == (True, True)
        again.add_coding(tid, ids["Resources"], "ana", 1, 5)
        assert again.can_undo() == (True, False)
        assert again.redo() is None


def test_undo_is_per_coder_and_refuses_to_overwrite_others(coded):
    project, tid, ids = coded
    coding = project.add_coding(tid, ids["Training"], "ana", 13, 20)
    project.coder = "ben"
    assert project.undo() is None  # ben has done nothing
    project.recode(coding, ids["Fear"])
    project.coder = "ana"
    with pytest.raises(ProjectError, match="cannot undo .*changed since"):
        project.undo()
    assert len(project.codings(tid)) == 1


def test_an_id_is_never_reused_so_redo_cannot_collide(coded):
    project, tid, ids = coded
    first = project.add_coding(tid, ids["Training"], "ana", 13, 20)
    project.undo()
    project.coder = "ben"
    second = project.add_coding(tid, ids["Training"], "ben", 1, 5)
    assert second != first
    project.coder = "ana"
    project.redo()
    assert {c.id for c in project.codings(tid)} == {first, second}


def test_codebook_edits_are_checked(coded):
    project, tid, ids = coded
    with pytest.raises(ProjectError, match="already a code named 'Resources'"):
        project.edit_code(ids["Training"], name="Resources")
    with pytest.raises(ProjectError, match="already a code named 'Training'"):
        project.add_code("Training", ids["Barriers"])
    with pytest.raises(ProjectError, match="under itself"):
        project.move_code(ids["Barriers"], ids["Training"])
    with pytest.raises(ProjectError, match="#RRGGBB"):
        project.edit_code(ids["Fear"], colour="red")
    with pytest.raises(ProjectError, match="one lowercase letter"):
        project.edit_code(ids["Fear"], key="F1")
    project.add_coding(tid, ids["Fear"], "ana", 1, 5)
    with pytest.raises(ProjectError, match="merge it"):
        project.delete_code(ids["Fear"])
    with pytest.raises(ProjectError, match="child codes"):
        project.delete_code(ids["Barriers"])
    with pytest.raises(ProjectError, match="own child"):
        project.merge_codes(ids["Barriers"], ids["Training"])


def test_retrieval_and_progress(coded):
    project, tid, ids = coded
    project.set_attributes("P01", {"role": "Detective Sergeant", "region": "Southeast"})
    project.set_transcript_case("t1", "P01")
    text = project.transcript_text(tid)
    start = text.index("It is")
    project.add_coding(tid, ids["Fear"], "ana", start, start + 5, memo="hedged")
    [segment] = project.segments([ids["Fear"]])
    assert segment.text == "It is"
    assert segment.speaker == "P01"
    assert segment.case == "P01"
    assert segment.attributes["role"] == "Detective Sergeant"
    # The participant's one turn is coded; the interviewer's turn is not counted.
    assert project.progress("ana") == {tid: (1, 1, 1)}
    assert project.code_counts(["ana"]) == {ids["Fear"]: 1}
    assert project.code_counts(["ben"]) == {}


@pytest.fixture(scope="module")
def start(tmp_path_factory) -> Path:
    """The transcript and the codebook, built once: each example of the property below
    works on a copy, as building the project cost more than the example itself."""
    path = tmp_path_factory.mktemp("start") / "p.qcode"
    with Project.create(path) as project:
        project.add_transcript(transcript(), source_file="t1.txt")
        project.load_codebook(parse_codebook(BOOK))
    return path


@settings(max_examples=40, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 40), st.integers(1, 20), st.sampled_from(
    ["Training", "Fear"])), min_size=1, max_size=12))
def test_property_undo_all_restores_the_start(tmp_path_factory, start: Path, actions):
    path = tmp_path_factory.mktemp("p") / "p.qcode"
    shutil.copy(start, path)
    with Project.open(path) as project:
        [tid] = [row.id for row in project.transcripts()]
        project.coder = "ana"
        ids = {c.name: c.id for c in project.codes()}
        length = len(project.transcript_text(tid))
        before = state(project)
        done = 0
        for start, size, code in actions:
            start = min(start, length - 1)
            project.add_coding(tid, ids[code], "ana", start, min(length, start + size))
            done += 1
        for coding in project.codings(tid):
            assert 0 <= coding.start < coding.end <= length
        while project.undo() is not None:
            done -= 1
        assert done == 0
        assert state(project) == before


def test_scrub_says_when_another_reader_keeps_old_text_in_the_wal(coded, tmp_path):
    import sqlite3

    project, tid, ids = coded
    assert project.scrub() is True
    reader = sqlite3.connect(project.path)
    reader.execute("BEGIN")
    reader.execute("SELECT count(*) FROM transcripts").fetchone()  # holds a snapshot
    project.add_coding(tid, ids["Fear"], "ana", 1, 5)
    project.conn.execute("PRAGMA busy_timeout = 100")
    try:
        assert project.scrub() is False
    finally:
        reader.close()
    assert project.scrub() is True
    assert Path(f"{project.path}-wal").stat().st_size == 0


def test_a_shortcut_key_belongs_to_one_code(coded):
    project, tid, ids = coded
    project.edit_code(ids["Training"], key="t")
    with pytest.raises(ProjectError, match="already belongs to Training"):
        project.edit_code(ids["Fear"], key="t")
    with pytest.raises(ProjectError, match="already belongs to Training"):
        project.add_code("New", key="t")
    counts = project.load_codebook(parse_codebook(
        "name: other\ncodes:\n  - name: Elsewhere\n    key: t\n"))
    assert counts["keys_dropped"] == [
        "key 't' of Elsewhere already belongs to Training; Elsewhere has no key"]
    assert project.load_codebook(parse_codebook(BOOK))["keys_dropped"] == []


def test_backup_into_a_missing_folder_names_the_destination(coded, tmp_path):
    project, _, _ = coded
    with pytest.raises(ProjectError, match="no folder"):
        project.backup(tmp_path / "missing" / "copy.qcode")


def test_units_of_a_transcript():
    from qcode.core.model import Turn
    from qcode.core.spans import units

    text = "Interviewer: Is it big? Tell me.\n\nP01: Yes. It grows."
    turns = [Turn(None, 13, 32, label_start=0), Turn(None, 39, len(text), label_start=34)]
    slices = lambda unit: [text[s:e] for s, e in units(text, turns, unit)]  # noqa: E731
    assert slices("turn") == ["Is it big? Tell me.", "Yes. It grows."]
    assert slices("sentence") == ["Is it big?", "Tell me.", "Yes.", "It grows."]
    assert slices("word")[:3] == ["Interviewer", "Is", "it"]
    assert "".join(slices("character")) == "".join(text.split())
    with pytest.raises(ValueError, match="unknown unit"):
        units(text, turns, "paragraph")
