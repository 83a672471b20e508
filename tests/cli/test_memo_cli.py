"""`qcode memo`: memos on each object written, listed, shown, edited and removed from
the command line, in text and JSON; bad input refused in one line, nothing written."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from qcode.core.store import Project
from tests.conftest import cli_result
from tests.unit.test_store import transcript


@pytest.fixture
def qcode(tmp_path: Path, monkeypatch):
    """`qcode("memo", "list")` on a project with a transcript t1 of case P01, a code
    Training and a coding of it (id 1)."""
    path = tmp_path / "p.qcode"
    with Project.create(path) as project:
        tid = project.add_transcript(transcript(), source_file="t1.txt")
        project.set_attributes("P01", {"role": "officer"})
        project.conn.execute("UPDATE transcripts SET case_id = (SELECT id FROM cases)")
        code = project.add_code("Training")
        project.add_coding(tid, code, "ana", 0, 11)
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("QCODE_CODER", "ana")
    return lambda *args, ok=True, **kw: cli_result(["-p", path, *args], ok, **kw)


def listed(qcode, *options) -> list[dict]:
    return json.loads(qcode("memo", "list", "--json", *options).output)


def test_memos_on_every_object_in_text_and_json(qcode):
    qcode("memo", "add", "--text", "the study")
    qcode("memo", "add", "--transcript", "t1", "--text", "the interview")
    qcode("memo", "add", "--case", "P01", "--text", "the participant")
    qcode("memo", "add", "--code", "training", "--text", "where it ends",
          "--link-passage", "t1:0-11", "--name", "Boundary")
    assert "coding:1" in qcode("memo", "add", "--coding", "1", "--text", "why").output
    # A coding's memo is dated by its coding, which may be a second older.
    memos = {m["ref"]: m for m in listed(qcode)}
    assert {(m["kind"], m["about"], m["author"]) for m in memos.values()} == {
        ("project", "the project", "ana"), ("transcript", "transcript t1", "ana"),
        ("case", "case P01", "ana"), ("code", "code Training", "ana"),
        ("coding", "coding of Training, t1, turn 1 (Interviewer): “Interviewer”", "ana")}
    assert memos["4"]["links"] == ["passage t1, turn 1 (Interviewer): “Interviewer”"]
    assert memos["coding:1"]["place"] == {"transcript_id": 1, "start": 0, "end": 11}
    assert {m["ref"] for m in listed(qcode, "--code", "Training")} == {"4", "coding:1"}
    assert [m["ref"] for m in listed(qcode, "--search", "PARTICIPANT")] == ["3"]
    table = qcode("memo", "list").output
    assert "the participant" in table and "coding:1" in table
    shown = qcode("memo", "show", "4").output
    assert "title: Boundary" in shown and "linked: passage t1, turn 1" in shown


def test_edit_takes_text_from_stdin_without_a_terminal_then_remove(qcode):
    qcode("memo", "add", "--text", "first")
    qcode("memo", "edit", "1", input="second\n")
    assert json.loads(qcode("memo", "show", "1", "--json").output)["text"] == "second"
    qcode("memo", "edit", "1", "--text", "third", "--link-code", "Training")
    assert listed(qcode)[0]["links"] == ["code Training"]
    qcode("memo", "remove", "1")
    assert listed(qcode) == []


@pytest.mark.parametrize("args, problem", [
    (["memo", "add", "--text", "  "], "a memo needs text"),
    (["memo", "add", "--code", "Nope", "--text", "x"], "no code named 'Nope'"),
    (["memo", "add", "--transcript", "zz", "--text", "x"], "zz"),
    (["memo", "add", "--case", "P99", "--text", "x"], "no case named 'P99'"),
    (["memo", "add", "--coding", "9", "--text", "x"], "no coding with id 9"),
    (["memo", "add", "--code", "Training", "--case", "P01", "--text", "x"],
     "a memo is about one thing"),
    (["memo", "add", "--text", "x", "--link-passage", "t1:5-999"], "not inside"),
    (["memo", "add", "--text", "x", "--link-passage", "t1"], "NAME:START-END"),
    (["memo", "add", "--text", "x", "--link-code", "Gone"], "no code named 'Gone'"),
    (["journal", "add", "--text", "x", "--link-transcript", "gone"], "gone"),
    (["memo", "show", "7"], "no memo 7"),
    (["memo", "edit", "x", "--text", "y"], "is not a memo"),
    (["memo", "remove", "coding:1"], "coding 1 has no memo"),
])
def test_bad_input_is_one_line_and_writes_nothing(qcode, args, problem):
    result = qcode(*args, ok=False, one_line=True)
    assert problem in result.output
    assert listed(qcode) == []


def test_a_memo_linked_to_a_removed_code_or_transcript_loses_the_link(qcode):
    qcode("memo", "add", "--text", "see", "--link-transcript", "t1",
          "--link-code", "Training")
    qcode("memo", "add", "--transcript", "t1", "--text", "about it")
    result = qcode("transcript", "remove", "t1", "--yes")
    assert "1 memos; 1 link(s) to it dropped from other memos" in result.output
    memos = listed(qcode)
    assert [(m["ref"], m["links"]) for m in memos] == [("1", ["code Training"])]


def test_quotes_put_a_codings_memo_under_its_quote_only_when_asked(qcode, tmp_path):
    qcode("memo", "add", "--coding", "1", "--text", "said <b>twice</b>")
    assert "twice" not in qcode("quotes", "Training").output
    markdown = qcode("quotes", "Training", "--memos").output
    assert "*Memo (ana):* said \\<b\\>twice\\</b\\>" in markdown
    assert "--memos" in markdown  # made again by
    qcode("quotes", "Training", "--memos", "--out", tmp_path / "q.html")
    page = (tmp_path / "q.html").read_text()
    assert "<em>Memo (ana):</em> said &lt;b&gt;twice&lt;/b&gt;" in page
    rows = qcode("quotes", "Training", "--memos", "--format", "csv").output
    assert rows.splitlines()[0].endswith(",memos")


def test_the_html_report_has_a_memos_section_only_when_asked(qcode, tmp_path):
    qcode("memo", "add", "--case", "P01", "--text", "a <i>careful</i> witness",
          "--link-code", "Training")
    qcode("memo", "add", "--coding", "1", "--text", "why this")
    qcode("journal", "add", "--text", "my own position")
    qcode("report", "html", tmp_path / "plain")
    assert 'id="memos"' not in (tmp_path / "plain" / "index.html").read_text()
    qcode("report", "html", tmp_path / "with", "--memos")
    page = (tmp_path / "with" / "index.html").read_text()
    memos = page[page.index('<section id="memos">'):]
    assert "case P01" in memos and "a &lt;i&gt;careful&lt;/i&gt; witness" in memos
    assert "Linked: code Training" in memos and "why this" in memos
    assert "my own position" not in page  # the journal is exported apart
    assert "--memos" in page  # made again by


def test_edit_opens_the_editor_on_the_memo_at_a_terminal(qcode, monkeypatch):
    import qcode.cli.memos as memos
    import qcode.cli.terminal as terminal

    qcode("memo", "add", "--text", "first")
    seen = []
    monkeypatch.setattr(memos, "_at_a_terminal", lambda: True)
    monkeypatch.setattr(terminal, "edit", lambda text, **kw: seen.append(text) or "edited")
    qcode("memo", "edit", "1")
    assert seen == ["first"]
    assert listed(qcode)[0]["text"] == "edited"
    monkeypatch.setattr(terminal, "edit", lambda text, **kw: None)  # closed unsaved
    assert "needs text" in qcode("memo", "edit", "1", ok=False, one_line=True).output
    assert listed(qcode)[0]["text"] == "edited"
