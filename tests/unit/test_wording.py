"""Passages named as a researcher reads them: transcript, turn, speaker, first words."""

from __future__ import annotations

from qcode.core.model import Turn
from qcode.core.wording import first_words, passage, plural

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
    return passage("p07", turns(), start, end, TEXT[start:end])


def test_a_passage_names_transcript_turn_speaker_and_first_words():
    assert where("I reported it to the sergeant") == \
        'p07, turn 2 (Ana): "I reported it to the…"'


def test_a_short_passage_is_quoted_whole():
    assert where("Nothing happened.") == 'p07, turn 2 (Ana): "Nothing happened."'


def test_a_passage_over_several_turns_names_them_and_their_speakers():
    start = TEXT.index("Nothing")
    assert where("Nothing", TEXT.index("believed") - start) == \
        'p07, turns 2–4 (Ana, Interviewer): "Nothing happened. Interviewer: Why not?…"'


def test_a_passage_outside_any_turn_names_the_transcript():
    text = "Header line\n\nAna: Hello."
    assert passage("p01", [Turn("Ana", 18, 24, 13, number=1)], 0, 6, text[:6]) == \
        'p01: "Header"'


def test_first_words_collapse_line_breaks():
    assert first_words("one\ntwo\n\nthree", count=2) == '"one two…"'
    assert plural(1, "coding") == "1 coding" and plural(1234, "coding") == "1,234 codings"
