"""Passages named as a researcher reads them: transcript, turn, speaker, first words
(`passages.passage_in`), in the store's actions too."""

from __future__ import annotations

import pytest

from qcode.core.codebook import parse as parse_codebook
from qcode.core.model import Turn
from qcode.core.store import Project
from qcode.core.passages import first_words, passage_in
from tests.unit.test_store import transcript

TEXT = ("Interviewer: Did you report it?\n\n"
        "Ana: I reported it to the sergeant the next day. Nothing happened.\n\n"
        "Interviewer: Why not?\n\n"
        "Ana: Nobody believed me.\n")


def turns() -> list[Turn]:
    found, at = [], 0
    for number, line in enumerate((li for li in TEXT.split("\n") if li), start=1):
        label_start = TEXT.index(line, at)
        speaker, _, said = line.partition(": ")
        start = label_start + len(speaker) + 2
        found.append(Turn(speaker, start, start + len(said), label_start, number=number))
        at = start + len(said)
    return found


def where(phrase: str, length: int | None = None) -> str:
    start = TEXT.index(phrase)
    end = start + (length or len(phrase))
    return passage_in("p07", turns(), start, end, TEXT[start:end])


def test_a_passage_names_transcript_turn_speaker_and_first_words():
    assert where("I reported it to the sergeant the next day") == \
        "p07, turn 2 (Ana): “I reported it to the sergeant…”"


def test_a_short_passage_is_quoted_whole():
    assert where("Nothing happened.") == "p07, turn 2 (Ana): “Nothing happened.”"


def test_a_passage_over_several_turns_names_them_and_their_speakers():
    start = TEXT.index("Nothing")
    assert where("Nothing", TEXT.index("believed") - start) == \
        ("p07, turns 2–4 (Ana, Interviewer): “Nothing happened. Interviewer: Why not? "
         "Ana:…”")


def test_a_passage_outside_any_turn_names_the_transcript():
    text = "Header line\n\nAna: Hello."
    assert passage_in("p01", [Turn("Ana", 18, 24, 13, number=1)], 0, 6, text[:6]) == \
        "p01: “Header”"


def test_first_words_collapse_line_breaks():
    assert first_words("one\ntwo\n\nthree", 0, 14, count=2) == "“one two…”"


# -- the store's actions, worded as the researcher reads them (undo, the log) ----------

BOOK = """
name: b
codes:
  - name: Reporting
  - name: "{passage}"
"""


@pytest.fixture
def coded(project: Project):
    tid = project.add_transcript(transcript(body=TEXT), source_file="p07.txt")
    project.load_codebook(parse_codebook(BOOK))
    project.coder = "ana"
    ids = {c.name: c.id for c in project.codes()}
    start = TEXT.index("I reported")
    return project, tid, ids, start


def test_undo_and_redo_name_the_passage_by_turn_and_words(coded):
    project, tid, ids, start = coded
    coding = project.add_coding(tid, ids["Reporting"], "ana", start, start + 40)
    worded = "coded t1, turn 2 (Ana): “I reported it to the sergeant…” as Reporting"
    assert project.events(1)[0]["summary"] == worded
    assert project.undo() == worded and project.redo() == worded
    project.set_coding_memo(coding, "asked twice")
    assert project.undo() == ("memo on the coding of t1, turn 2 (Ana): “I reported it "
                              "to the sergeant…” as Reporting")
    project.recode(coding, ids["{passage}"])
    assert project.undo() == ("recoded t1, turn 2 (Ana): “I reported it to the "
                              "sergeant…” as {passage}")
    project.remove_coding(coding)
    assert project.undo().startswith("removed the coding of t1, turn 2 (Ana): “I")


def test_the_log_keeps_positions_not_words(coded):
    """A late redaction rewrites the text, not the log: words kept there would stay."""
    project, tid, ids, start = coded
    project.add_coding(tid, ids["Reporting"], "ana", start, start + 40)
    stored = project.conn.execute("SELECT summary, payload FROM events").fetchall()
    assert not any("reported" in summary + payload for summary, payload in stored)
