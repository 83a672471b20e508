"""The importers on real published transcripts kept beside the repository. The expected
speakers and turn counts were counted from the files themselves, not from the parser."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest

from qcode.core.importers import parse_file
from qcode.core.model import Transcript

TRANSCRIPTS = Path(__file__).resolve().parents[2].parent / "shared" / "fixtures" / "transcripts"


def real(name: str) -> Transcript:
    path = TRANSCRIPTS / name
    if not path.is_file():
        pytest.skip(f"{name} is not in the shared fixtures")
    return parse_file(path)


def check_turns(parsed: Transcript) -> None:
    at = 0
    for turn in parsed.turns:
        assert at <= turn.start < turn.end <= len(parsed.text), turn
        said = parsed.text[turn.start:turn.end]
        assert said == said.strip(), turn
        if turn.label_start is not None:
            assert at <= turn.label_start < turn.start
            assert parsed.text.startswith(turn.speaker, turn.label_start)
        at = turn.end


def turns_per_speaker(parsed: Transcript) -> Counter:
    return Counter(t.speaker for t in parsed.turns)


def test_ml_quality_interview_txt():
    parsed = real("ml-quality-issues_interview-04.txt")
    check_turns(parsed)
    assert parsed.text == (TRANSCRIPTS / "ml-quality-issues_interview-04.txt").read_text()
    # 225 labelled lines; every one starts a turn, nothing comes before the first.
    assert len(parsed.turns) == 225
    assert turns_per_speaker(parsed) == {"Interviewee": 159, "Interviewer 1": 61,
                                         "Interviewer 2": 5}
    first, last = parsed.turns[0], parsed.turns[-1]
    assert (first.label_start, first.start) == (0, len("Interviewer 1: "))
    assert parsed.text[first.start:first.end].startswith("okay. I will start.")
    assert parsed.text[last.start:last.end] == "All right. Bye. You too. Bye-bye."
    for turn in parsed.turns:  # each turn is its label's line, bar the one aside below
        assert parsed.text[turn.label_start:turn.end].count("\n") == 0 or (
            "Connection got interrupted" in parsed.text[turn.start:turn.end])
    assert all(t.begin_time is None for t in parsed.turns)


def test_mannheimer_otter_docx():
    parsed = real("mannheimer-qdr_BSR02_transcript_deidentified.docx")
    check_turns(parsed)
    # A header block, 71 "Name  mm:ss" headings and two bare "mm:ss" headings whose
    # speaker Otter did not identify.
    assert len(parsed.turns) == 74
    assert turns_per_speaker(parsed) == {"Sara Mannheimer": 36, "BSR02": 35, None: 3}
    header = parsed.turns[0]
    assert (header.speaker, header.begin_time) == (None, None)
    lines = parsed.text[header.start:header.end].split("\n")
    assert lines[:2] + lines[3:] == ["BSR02_transcript_deidentified", "SUMMARY KEYWORDS",
                                     "SPEAKERS", "Sara Mannheimer, BSR02"]
    assert lines[2].startswith("wikipedia, people, data")
    opening = parsed.turns[1]
    assert (opening.speaker, opening.begin_time, opening.label_start) == (
        "Sara Mannheimer", 1.0, header.end + 2)
    unknown = [(t.begin_time, parsed.text[t.start:t.end][:25]) for t in parsed.turns[1:]
               if t.speaker is None]
    assert unknown == [(48 * 60 + 32, "But you succeeded, right?"),
                       (48 * 60 + 38, "Yeah, so some, some a cou")]
    last = parsed.turns[-1]
    assert (last.speaker, last.begin_time) == ("Sara Mannheimer", 52 * 60 + 27)
    assert parsed.text[last.start:last.end].startswith("Okay, cool. Awesome.")
    times = [t.begin_time for t in parsed.turns[1:]]
    assert times == sorted(times)


def test_nypl_oral_history_vtt():
    parsed = real("nypl-oral-history_aaron-scott_2015.vtt")
    check_turns(parsed)
    # 957 cues, 145 with a voice tag, written where the speaker changes: an untagged cue
    # continues the last voice, so the turns are the 30 runs of one voice tag.
    assert len(parsed.turns) == 30
    assert turns_per_speaker(parsed) == {"Multiple Speakers": 13, "Aaron Scott": 13,
                                         "Barry Solow": 4}
    assert parsed.warnings == []
    assert all(a.speaker != b.speaker for a, b in zip(parsed.turns, parsed.turns[1:]))
    first, last = parsed.turns[0], parsed.turns[-1]
    assert (first.speaker, first.label_start, first.begin_time, first.end_time) == (
        "Barry Solow", 0, 0.0, 37.0)
    assert parsed.text[first.start:first.end].startswith(
        "And it has begun to record so this is, uh, recording on March 17th, 2015 for")
    assert (last.speaker, last.begin_time, last.end_time) == ("Aaron Scott", 4038.0, 4039.0)
    assert parsed.text[last.start:last.end] == "Thank you very much, Barry."
    assert "<" not in parsed.text and "Title: Aaron Scott" not in parsed.text
