"""Memos on every object and the reflexive journal, in the store: written, edited,
removed and undone; what removing the thing a memo is about or links does to it;
carried through merge."""

from __future__ import annotations

import pytest

from qcode.core.store import Project, ProjectError
from qcode.core.store.memos import Link
from tests.unit.test_store import transcript


@pytest.fixture
def filled(project: Project):
    project.coder = "ana"
    tid = project.add_transcript(transcript(), source_file="t1.txt")
    project.set_attributes("P01", {"role": "officer"})
    project.conn.execute("UPDATE transcripts SET case_id = (SELECT id FROM cases)")
    code = project.add_code("Training")
    return project, tid, code


def test_a_memo_on_each_object_is_listed_with_its_author_and_dates(filled):
    project, tid, code = filled
    coding = project.add_coding(tid, code, "ana", 0, 11)
    refs = [project.add_memo("on the whole study"),
            project.add_memo("on the transcript", ("transcript", tid)),
            project.add_memo("on the participant", ("case", project.case_id("P01"))),
            project.add_memo("where training ends", ("code", code)),
            project.add_memo("an aside", ("coding", coding)),
            project.add_memo("my position", journal=True)]
    rows = {m.ref: m for m in project.memo_rows()}
    assert [rows[r].kind for r in refs] == ["project", "transcript", "case", "code",
                                            "coding", "journal"]
    assert rows[refs[1]].about == "transcript t1"
    assert rows[refs[2]].place == (tid, 0, 0)  # its case's transcript
    assert rows[refs[4]].place == (tid, 0, 11)
    assert all(rows[r].author == "ana" and rows[r].created for r in refs)
    assert [m.ref for m in project.memo_rows(kind="journal")] == [refs[5]]
    assert {m.ref for m in project.memo_rows(code_id=code)} == {refs[3], refs[4]}
    assert [m.ref for m in project.memo_rows(search="TRAINING ENDS")] == [refs[3]]


def test_links_to_codes_transcripts_and_passages_filter_the_list(filled):
    project, tid, code = filled
    ref = project.add_memo("tension", links=[Link("code", code),
                                             Link("transcript", tid, 0, 11)])
    memo = project.memo_row(ref)
    assert memo.links == ["code Training", "transcript t1 [0, 11)"]
    assert memo.place == (tid, 0, 11)
    assert [m.ref for m in project.memo_rows(transcript_id=tid)] == [ref]


@pytest.mark.parametrize("call, problem", [
    (lambda p, t, c: p.add_memo("  \n"), "needs text"),
    (lambda p, t, c: p.add_memo("x", ("code", 999)), "no code with id 999"),
    (lambda p, t, c: p.add_memo("x", ("transcript", 999)), "no transcript"),
    (lambda p, t, c: p.add_memo("x", links=[Link("transcript", t, 5, 500)]),
     "not inside the transcript"),
    (lambda p, t, c: p.add_memo("x", links=[Link("code", 999)]), "no code with id"),
    (lambda p, t, c: p.edit_memo("42", "x"), "no memo 42"),
    (lambda p, t, c: p.remove_memo("coding:x"), "not a coding's memo"),
])
def test_bad_input_is_refused_and_nothing_is_written(filled, call, problem):
    project, tid, code = filled
    events = len(project.events(1000))
    with pytest.raises(ProjectError, match=problem):
        call(project, tid, code)
    assert project.memo_rows() == []
    assert len(project.events(1000)) == events


def test_edit_and_remove_are_undoable(filled):
    project, tid, code = filled
    ref = project.add_memo("first", links=[Link("code", code)])
    project.edit_memo(ref, "second", links=[])
    memo = project.memo_row(ref)
    assert (memo.text, memo.links) == ("second", [])
    assert memo.modified >= memo.created
    project.undo()
    assert project.memo_row(ref).text == "first"
    assert project.memo_row(ref).links == ["code Training"]
    project.remove_memo(ref)
    assert project.memo_rows() == []
    project.undo()
    assert project.memo_row(ref).links == ["code Training"]


def test_a_codings_memo_is_its_memo_column(filled):
    project, tid, code = filled
    coding = project.add_coding(tid, code, "ana", 0, 11)
    ref = project.add_memo("why", ("coding", coding))
    assert project.coding(coding).memo == "why"
    with pytest.raises(ProjectError, match="already has a memo"):
        project.add_memo("again", ("coding", coding))
    project.edit_memo(ref, "because")
    assert project.memo_row(ref).text == "because"
    project.remove_memo(ref)
    assert project.coding(coding).memo == ""


def test_deleting_a_code_takes_its_memos_and_drops_links_to_it_undoably(filled):
    project, tid, code = filled
    about = project.add_memo("boundaries", ("code", code))
    linking = project.add_memo("elsewhere", links=[Link("code", code),
                                                   Link("transcript", tid)])
    project.delete_code(code)
    assert [m.ref for m in project.memo_rows()] == [linking]
    assert project.memo_row(linking).links == ["transcript t1"]
    assert "1 memo(s) about it" in project.events(1)[0]["summary"]
    project.undo()
    assert project.memo_row(about).about == "code Training"
    assert project.memo_row(linking).links == ["code Training", "transcript t1"]


def test_merging_codes_moves_memos_and_links(filled):
    project, tid, code = filled
    other = project.add_code("Resources")
    about = project.add_memo("boundaries", ("code", code))
    linking = project.add_memo("see", links=[Link("code", code)])
    project.merge_codes(code, other)
    assert project.memo_row(about).about == "code Resources"
    assert project.memo_row(linking).links == ["code Resources"]


def test_removing_a_transcript_takes_its_memos_and_drops_links(filled):
    project, tid, code = filled
    project.add_memo("about it", ("transcript", tid))
    linking = project.add_memo("see", links=[Link("transcript", tid, 0, 11)])
    case_memo = project.add_memo("the participant", ("case", project.case_id("P01")))
    gone = project.remove_transcript(tid)
    assert (gone["memos"], gone["memo links"]) == (1, 1)
    assert [m.ref for m in project.memo_rows()] == [linking, case_memo]  # case kept
    project.undo()
    assert project.memo_row(linking).links == ["transcript t1 [0, 11)"]


def test_a_journal_entry_needs_an_author_and_is_about_nothing(project: Project):
    with pytest.raises(ProjectError, match="needs its author"):
        project.add_memo("x", journal=True)
    project.coder = "ana"
    tid = project.add_transcript(transcript(), source_file="t1.txt")
    with pytest.raises(ProjectError, match="about no one thing"):
        project.add_memo("x", ("transcript", tid), journal=True)


def test_merge_brings_memos_of_every_kind_with_links(filled, tmp_path):
    project, tid, code = filled
    project.add_memo("study", name="Overview")
    project.add_memo("participant", ("case", project.case_id("P01")))
    project.add_memo("me", journal=True, links=[Link("transcript", tid, 0, 11)])
    project.backup(tmp_path / "copy.qcode")
    with Project.create(tmp_path / "other.qcode") as other:
        other.merge(tmp_path / "copy.qcode")
        rows = other.memo_rows()
        assert [(m.kind, m.about, m.name, m.author) for m in rows] == [
            ("project", "the project", "Overview", "ana"),
            ("case", "case P01", "", "ana"), ("journal", "journal", "", "ana")]
        assert rows[2].links == ["transcript t1 [0, 11)"]
        assert other.merge(tmp_path / "copy.qcode")["memos"] == 0


def test_a_linked_passage_moves_with_a_late_redaction(project: Project):
    from qcode.core.anonymise.key import Key
    from qcode.core.anonymise.redact import redact_text

    project.coder = "ana"
    body = "Interviewer: Who?\n\nP01: I told Sarah Bright about it."
    tid = project.add_transcript(transcript(body=body), source_file="t1.txt")
    start, end = body.index("Sarah"), body.index(" about")
    ref = project.add_memo("who she is", links=[Link("transcript", tid, start, end)])
    redaction = redact_text(project.stored_transcript(tid), "Bright", "person", None,
                            Key())
    project.rewrite_transcript(tid, redaction.transcript, redaction.positions, "redacted")
    (link,) = project.memo_row(ref).links
    span = link.removeprefix("transcript t1 [").removesuffix(")").split(", ")
    text = project.transcript_text(tid)
    assert text[int(span[0]):int(span[1])] == "Sarah [Person 1]"


def test_linking_adds_to_a_memos_links_and_is_one_undo(filled):
    project, tid, code = filled
    ref = project.add_memo("what I bring to this", journal=True,
                           links=[Link("transcript", tid)])
    project.link_memo(ref, [Link("code", code), Link("transcript", tid, 0, 5)])
    assert project.memo_row(ref).links == ["transcript t1", "code Training",
                                           "transcript t1 [0, 5)"]
    project.undo()
    assert project.memo_row(ref).links == ["transcript t1"]
    with pytest.raises(ProjectError, match="no code with id"):
        project.link_memo(ref, [Link("code", 999)])
    with pytest.raises(ProjectError, match="has no links"):
        project.link_memo("coding:1", [Link("code", code)])
    assert project.memo_row(ref).links == ["transcript t1"]
