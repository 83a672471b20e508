"""`qcode journal`: dated entries per researcher, linked to codes and passages, listed
and exported as Markdown, a web page and a Word document with their provenance; an
export never replaces a file unasked."""

from __future__ import annotations

import json
import zipfile
from pathlib import Path

import pytest

from tests.cli.test_memo_cli import qcode  # noqa: F401  (the fixture)
from tests.conftest import cli_result


def test_entries_per_researcher_with_links(qcode):  # noqa: F811
    qcode("journal", "add", "--text", "I was a police officer: <b>bias</b>",
          "--link-code", "Training", "--link-passage", "t1:0-11")
    qcode("journal", "add", "--text", "Second thoughts", "--by", "ben")
    entries = json.loads(qcode("journal", "list", "--json").output)
    assert [(e["author"], e["kind"]) for e in entries] == [("ana", "journal"),
                                                           ("ben", "journal")]
    assert entries[0]["links"] == ["code Training",
                                   "passage t1, turn 1 (Interviewer): “Interviewer”"]
    assert entries[0]["created"]
    only_ben = json.loads(qcode("journal", "list", "--by", "ben", "--json").output)
    assert [e["text"] for e in only_ben] == ["Second thoughts"]
    assert "no journal entries by zoe" in qcode("journal", "list", "--by", "zoe").output


@pytest.mark.parametrize("name", ["j.md", "j.html", "j.docx"])
def test_export_in_each_format_escapes_and_says_where_it_came_from(qcode, tmp_path,  # noqa: F811
                                                                  name):
    qcode("journal", "add", "--text", "I was a police officer: <b>bias</b>",
          "--link-code", "Training")
    out = tmp_path / name
    assert "wrote 1 journal entries" in qcode("journal", "export", "--out", out).output
    if name.endswith(".docx"):
        with zipfile.ZipFile(out) as word:
            text = word.read("word/document.xml").decode()
        assert "&lt;b&gt;bias&lt;/b&gt;" in text and "Made from" in text
    else:
        text = out.read_text()
        assert "<b>bias" not in text and "code Training" in text
        assert "journal export --format" in text  # made again by


def test_an_export_to_an_existing_file_is_refused_unless_forced(qcode, tmp_path):  # noqa: F811
    qcode("journal", "add", "--text", "entry")
    out = tmp_path / "j.md"
    out.write_text("mine")
    result = qcode("journal", "export", "--out", out, ok=False, one_line=True)
    assert "already exists; give --force" in result.output
    assert out.read_text() == "mine"
    qcode("journal", "export", "--out", out, "--force")
    assert "entry" in out.read_text()


def test_bad_input_is_refused(qcode, tmp_path):  # noqa: F811
    assert "needs text" in qcode("journal", "add", "--text", "", ok=False,
                                 one_line=True).output
    assert "cannot tell the format" in qcode("journal", "export", "--out",
                                             tmp_path / "j.txt", ok=False,
                                             one_line=True).output
    assert not (tmp_path / "j.txt").exists()


def test_journal_entries_travel_in_the_qdpx_as_notes_with_their_own_file(qcode,  # noqa: F811
                                                                        tmp_path):
    qcode("journal", "add", "--text", "I was a police officer", "--link-code", "Training")
    qcode("memo", "add", "--text", "the study")
    qcode("export", tmp_path / "p.qdpx")
    with zipfile.ZipFile(tmp_path / "p.qdpx") as archive:
        qde = archive.read("project.qde").decode()
        notes = [n for n in qde.split("<Note ")[1:]]
        (journal,) = [n for n in notes if "I was a police officer" in n]
        path = journal.split('plainTextPath="internal://')[1].split('"')[0]
        assert archive.read(f"sources/{path}").decode() == "I was a police officer"
        assert all("plainTextPath" not in n for n in notes if "the study" in n)
    back = tmp_path / "back.qcode"
    cli_result(["-p", back, "import-project", tmp_path / "p.qdpx"])
    entries = json.loads(cli_result(["-p", back, "journal", "list", "--json"]).output)
    assert [(e["text"], e["author"], e["links"]) for e in entries] == [
        ("I was a police officer", "ana", ["code Training"])]
