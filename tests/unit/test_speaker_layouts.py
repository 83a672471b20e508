"""Speaker layouts of real transcription services and transcribers, on small synthetic
samples: who speaks, where each turn runs, and where each label stands in the text."""

from __future__ import annotations

import sqlite3
import zipfile
from pathlib import Path

import docx
import pytest

from qcode.core.importers import parse_file
from qcode.core.model import Transcript
from qcode.core.importers.speakers import SpeakerPatternError, compile_speaker_pattern

from tests.conftest import write
from tests.cli.test_anonymise_leaks import whole_word
from tests.unit.test_importers import check_turns


def parse(tmp_path: Path, text: str, name: str = "t.txt", pattern: str | None = None
          ) -> Transcript:
    compiled = compile_speaker_pattern(pattern) if pattern else None
    return parse_file(write(tmp_path / name, text), compiled)


def spoken(parsed: Transcript) -> list[tuple[str | None, str]]:
    check_turns(parsed)
    return [(t.speaker, parsed.text[t.start:t.end]) for t in parsed.turns]


def labels_at(parsed: Transcript) -> list[str | None]:
    """The text at each label position, as long as the speaker's name."""
    return [parsed.text[t.label_start:t.label_start + len(t.speaker)]
            if t.label_start is not None else None for t in parsed.turns]


# -- Otter.ai ---------------------------------------------------------------------------

OTTER = """\
Interview 7

SPEAKERS
Sara Smith, BSR02

Sara Smith  0:04
Thanks for coming. Note: we record.

BSR02  0:10
Glad to.
Really glad.

48:32
Who said this?

Sara Smith  1:02:03
Bye.

Transcribed by https://otter.ai
"""


@pytest.mark.parametrize("suffix", [".txt", ".md"])
def test_otter_export_in_text(tmp_path: Path, suffix: str):
    parsed = parse(tmp_path, OTTER, "otter" + suffix)
    assert parsed.text == OTTER
    assert spoken(parsed) == [
        (None, "Interview 7\n\nSPEAKERS\nSara Smith, BSR02"),
        ("Sara Smith", "Thanks for coming. Note: we record."),
        ("BSR02", "Glad to.\nReally glad."),
        (None, "Who said this?"),
        ("Sara Smith", "Bye."),
        (None, "Transcribed by https://otter.ai")]
    assert [t.begin_time for t in parsed.turns] == [None, 4.0, 10.0, 2912.0, 3723.0, None]
    assert labels_at(parsed) == [None, "Sara Smith", "BSR02", None, "Sara Smith", None]
    assert parsed.turns[1].label_start == OTTER.index("Sara Smith  0:04")
    # So short a sample is mostly header, footer and a turn Otter could not attribute.
    assert parsed.warnings[0].startswith("52% of the words (12 of 23) are in turns with no")


def test_teams_heading_over_two_lines(tmp_path: Path):
    text = "Owen Mercer\n0:09\nFine.\n\nHannah Okafor\n0:12\nGood.\n\nOwen Mercer\n0:15\nBye.\n"
    parsed = parse(tmp_path, text)
    assert spoken(parsed) == [("Owen Mercer", "Fine."), ("Hannah Okafor", "Good."),
                              ("Owen Mercer", "Bye.")]
    assert [t.begin_time for t in parsed.turns] == [9.0, 12.0, 15.0]


# -- Rev --------------------------------------------------------------------------------

def test_rev_labels_with_text_on_the_same_or_the_next_line(tmp_path: Path):
    text = ("Jane Doe (00:00:01):\nWelcome back.\n\n"
            "Speaker 2 (00:01:02): Thanks.\n\n"
            "Jane Doe (01:05):\nGood.\n\n"
            "Speaker 2: (01:09)\nBye.\n")
    parsed = parse(tmp_path, text)
    assert spoken(parsed) == [("Jane Doe", "Welcome back."), ("Speaker 2", "Thanks."),
                              ("Jane Doe", "Good."), ("Speaker 2", "Bye.")]
    assert [t.begin_time for t in parsed.turns] == [1.0, 62.0, 65.0, 69.0]
    assert labels_at(parsed) == ["Jane Doe", "Speaker 2", "Jane Doe", "Speaker 2"]


# -- Markdown ---------------------------------------------------------------------------

def test_bold_labels_with_and_without_times(tmp_path: Path):
    text = ("# Episode 12\n\n"
            "**I [00:01:02]** What brought you here?\n\n"
            "**B [00:01:10]**\nThe work.\n\n"
            "**I [00:02:00]** And then?\n")
    parsed = parse(tmp_path, text, "ep.md")
    assert spoken(parsed) == [(None, "# Episode 12"), ("I", "What brought you here?"),
                              ("B", "The work."), ("I", "And then?")]
    assert [t.begin_time for t in parsed.turns] == [None, 62.0, 70.0, 120.0]
    assert labels_at(parsed)[1:] == ["I", "B", "I"]


def test_bold_colon_labels(tmp_path: Path):
    text = "**Jane Doe:** Hello.\n\n**Owen Mercer:** Hi.\n\n**Jane Doe:** Bye.\n\n**Owen Mercer:** Bye.\n"
    parsed = parse(tmp_path, text, "ep.md")
    assert spoken(parsed) == [("Jane Doe", "Hello."), ("Owen Mercer", "Hi."),
                              ("Jane Doe", "Bye."), ("Owen Mercer", "Bye.")]
    assert labels_at(parsed) == ["Jane Doe", "Owen Mercer", "Jane Doe", "Owen Mercer"]


def test_markdown_headings_as_turns(tmp_path: Path):
    text = ("# Transcript\n\nRecorded in May.\n\n"
            "### Jane Doe\n\nWelcome.\n\nSecond paragraph.\n\n"
            "### Owen Mercer 00:01:10\n\nThanks.\n\n"
            "### Jane Doe\n\nBye.\n\n### Owen Mercer\n\nBye.\n")
    parsed = parse(tmp_path, text, "ep.md")
    assert spoken(parsed) == [
        (None, "# Transcript\n\nRecorded in May."),
        ("Jane Doe", "Welcome.\n\nSecond paragraph."), ("Owen Mercer", "Thanks."),
        ("Jane Doe", "Bye."), ("Owen Mercer", "Bye.")]
    assert parsed.turns[2].begin_time == 70.0
    assert labels_at(parsed)[1:] == ["Jane Doe", "Owen Mercer", "Jane Doe", "Owen Mercer"]


def test_bold_names_on_their_own_lines(tmp_path: Path):
    text = "**Jane Doe**\nWelcome.\n\n**Owen Mercer**\nThanks.\n\n**Jane Doe**\nBye.\n"
    parsed = parse(tmp_path, text, "ep.md")
    assert spoken(parsed) == [("Jane Doe", "Welcome."), ("Owen Mercer", "Thanks."),
                              ("Jane Doe", "Bye.")]


# -- timestamped names ------------------------------------------------------------------

def test_name_with_a_time_on_its_own_line_or_leading_one(tmp_path: Path):
    text = ("Jane Doe [00:00:05]\nHow did it start?\n\n"
            "Owen Mercer [00:00:09] With an advert.\n\n"
            "Jane Doe [00:00:20] And then?\n\n"
            "Owen Mercer [00:00:25]\nNothing.\n")
    parsed = parse(tmp_path, text)
    assert spoken(parsed) == [("Jane Doe", "How did it start?"),
                              ("Owen Mercer", "With an advert."),
                              ("Jane Doe", "And then?"), ("Owen Mercer", "Nothing.")]
    assert [t.begin_time for t in parsed.turns] == [5.0, 9.0, 20.0, 25.0]
    assert labels_at(parsed) == ["Jane Doe", "Owen Mercer", "Jane Doe", "Owen Mercer"]


# -- interview letters ------------------------------------------------------------------

@pytest.mark.parametrize(("ask", "answer"), [("Q", "A"), ("I", "B")])
def test_interview_letters(tmp_path: Path, ask: str, answer: str):
    text = f"{ask}: Where do you work?\n{answer}: In the city.\n{ask}: Since when?\n{answer}: 2019.\n"
    parsed = parse(tmp_path, text)
    assert spoken(parsed) == [(ask, "Where do you work?"), (answer, "In the city."),
                              (ask, "Since when?"), (answer, "2019.")]
    assert labels_at(parsed) == [ask, answer, ask, answer]


# -- broadcast captions -----------------------------------------------------------------

def test_speaker_changes_in_captions(tmp_path: Path):
    text = ("WEBVTT\n\n"
            "00:00:01.000 --> 00:00:03.000\n>> GOOD EVENING. TONIGHT,\nTHE FLOODS.\n\n"
            "00:00:03.000 --> 00:00:05.000\nTHE RIVER ROSE. >> IT CAME\n\n"
            "00:00:05.000 --> 00:00:07.000\nFAST.\n\n"
            "00:00:07.000 --> 00:00:09.000\n&gt;&gt; MAYOR SMITH: WE ARE READY.\n")
    parsed = parse(tmp_path, text, "news.vtt")
    assert spoken(parsed) == [
        ("Unknown 1", "GOOD EVENING. TONIGHT, THE FLOODS. THE RIVER ROSE."),
        ("Unknown 2", "IT CAME FAST."), ("MAYOR SMITH", "WE ARE READY.")]
    assert [(t.begin_time, t.end_time) for t in parsed.turns] == [
        (1.0, 5.0), (3.0, 7.0), (7.0, 9.0)]
    assert parsed.warnings == [
        "2 speaker change(s) marked '>>' name no speaker; those turns are labelled "
        "Unknown 1 to Unknown 2 (one number per change, not per person)"]


def test_speaker_changes_in_a_caption_text(tmp_path: Path):
    text = ">> GOOD EVENING.\n>> THANK YOU.\n>> JOHN KING: THE VOTE IS IN.\n>> GOOD.\n"
    parsed = parse(tmp_path, text)
    assert spoken(parsed) == [("Unknown 1", "GOOD EVENING."), ("Unknown 2", "THANK YOU."),
                              ("JOHN KING", "THE VOTE IS IN."), ("Unknown 3", "GOOD.")]
    assert labels_at(parsed) == [None, None, "JOHN KING", None]
    assert "Unknown 1 to Unknown 3" in parsed.warnings[0]


def test_srt_cues_continue_the_previous_speaker(tmp_path: Path):
    text = ("1\n00:00:01,000 --> 00:00:02,000\nInterviewer: Ready?\n\n"
            "2\n00:00:02,000 --> 00:00:03,000\nTell me.\n\n"
            "3\n00:00:03,000 --> 00:00:04,000\nP01: Yes.\n\n"
            "4\n00:00:04,000 --> 00:00:05,000\nQuite ready.\n")
    parsed = parse(tmp_path, text, "p.srt")
    assert spoken(parsed) == [("Interviewer", "Ready? Tell me."),
                              ("P01", "Yes. Quite ready.")]


# -- evidence across the file ----------------------------------------------------------

def test_prose_with_colons_does_not_cut_a_clear_layout(tmp_path: Path):
    text = ("### Jane Doe\nRemember: it was cold.\n\n### Owen Mercer\nRemember: yes.\n"
            "Note: we left.\n\n### Jane Doe\nBye.\n")
    parsed = parse(tmp_path, text, "ep.md")
    assert [s for s, _ in spoken(parsed)] == ["Jane Doe", "Owen Mercer", "Jane Doe"]


def test_a_layout_seen_once_heads_no_turn(tmp_path: Path):
    text = ("Interviewer: Where were you?\n\nP01: At home.\n\n### Jane Doe\n\n"
            "Interviewer: And then?\n\nP01: Bed.\n")
    parsed = parse(tmp_path, text)
    assert [s for s, _ in spoken(parsed)] == ["Interviewer", "P01", "Interviewer", "P01"]


def test_a_time_in_a_sentence_heads_no_turn(tmp_path: Path):
    text = "Interviewer: When?\nP01: Meet at\n10:30\nInterviewer: Fine.\nP01: Yes.\n"
    parsed = parse(tmp_path, text)
    assert spoken(parsed)[1] == ("P01", "Meet at\n10:30")


# -- the warning and --speaker-pattern -------------------------------------------------

def test_words_without_a_speaker_are_warned_about(tmp_path: Path):
    text = ("JANE - Thanks for coming today to talk.\n\nOWEN - Glad to be here with you.\n\n"
            "JANE - Let us start.\n")
    parsed = parse(tmp_path, text)
    assert parsed.warnings == [
        "100% of the words (21 of 21) are in turns with no speaker; if the file names its "
        "speakers in a layout qcode does not read, give it with --speaker-pattern REGEX "
        "(a named group 'speaker', matched at line starts)"]
    mine = parse(tmp_path, text, pattern=r"(?P<speaker>[A-Z]+) - ")
    assert spoken(mine) == [("JANE", "Thanks for coming today to talk."),
                            ("OWEN", "Glad to be here with you."), ("JANE", "Let us start.")]
    assert labels_at(mine) == ["JANE", "OWEN", "JANE"]
    assert mine.warnings == []


def test_a_small_header_is_no_reason_to_warn(tmp_path: Path):
    text = "Date: May\n\n" + ("Interviewer: How was it for you back then?\n\n"
                              "P01: Fine, all in all, though the nights were long.\n") * 2
    assert parse(tmp_path, text).warnings == []


def test_speaker_pattern_with_a_time(tmp_path: Path):
    text = "0:04 | Jane: Hello.\n0:09 | Owen: Hi.\n"
    parsed = parse(tmp_path, text, pattern=r"(?P<time>[\d:]+) \| (?P<speaker>\w+):")
    assert spoken(parsed) == [("Jane", "Hello."), ("Owen", "Hi.")]
    assert [t.begin_time for t in parsed.turns] == [4.0, 9.0]


@pytest.mark.parametrize(("regex", "message"), [
    ("(", "--speaker-pattern is not a valid regular expression"),
    (r"(?P<name>\w+):", "--speaker-pattern needs a named group for the speaker"),
])
def test_unusable_speaker_patterns(regex: str, message: str):
    with pytest.raises(SpeakerPatternError, match=message):
        compile_speaker_pattern(regex)


@pytest.mark.parametrize("command", ["import", "anonymise"])
def test_unusable_speaker_pattern_on_the_command_line(run, tmp_path: Path, command: str):
    run("init")
    write(tmp_path / "t.txt", "JANE - Hello.\n")
    before = (tmp_path / "project.qcode").read_bytes()
    extra = ["--out", "out"] if command == "anonymise" else []
    result = run(command, "t.txt", *extra, "--speaker-pattern", "(?P<name>x)", ok=False,
                 one_line=True)
    assert "--speaker-pattern needs a named group" in result.output
    assert (tmp_path / "project.qcode").read_bytes() == before
    assert not (tmp_path / "out").exists()


def test_speaker_pattern_on_the_command_line(run, tmp_path: Path):
    run("init")
    write(tmp_path / "t.txt", "JANE - Hello there.\nOWEN - Hi.\n")
    result = run("import", "t.txt", "--speaker-pattern", r"(?P<speaker>[A-Z]+) - ")
    assert "2 turns" in result.output and "speaker-pattern" not in result.output


# -- Word -------------------------------------------------------------------------------

def test_docx_shares_the_recogniser(tmp_path: Path):
    document = docx.Document()
    for paragraph in ["Interview 3", "Jane Doe (00:00:05):", "How did it start?",
                      "Owen Mercer (00:00:09):", "With an advert.", "Jane Doe (00:00:20):",
                      "Thanks."]:
        document.add_paragraph(paragraph)
    document.save(str(tmp_path / "rev.docx"))
    parsed = parse_file(tmp_path / "rev.docx")
    assert spoken(parsed) == [(None, "Interview 3"), ("Jane Doe", "How did it start?"),
                              ("Owen Mercer", "With an advert."), ("Jane Doe", "Thanks.")]
    assert [t.begin_time for t in parsed.turns] == [None, 5.0, 9.0, 20.0]


# -- privacy: names in an Otter layout are speaker labels, so they are replaced ----------

def test_otter_text_export_leaves_no_speaker_name(run, tmp_path: Path):
    write(tmp_path / "bsr02.txt", OTTER.replace("48:32\nWho said this?\n\n", ""))
    run("init")
    run("import", "bsr02.txt", "--anonymise", "--key", "k.json", "--non-interactive")
    run("export", "out.qdpx")
    project = tmp_path / "project.qcode"
    stored = b"".join(p.read_bytes() for p in tmp_path.glob("project.qcode*"))
    with sqlite3.connect(project) as db:  # every text column, the event log included
        dump = "\n".join(db.iterdump()).encode()
    with zipfile.ZipFile(tmp_path / "out.qdpx") as export:
        exported = b"".join(export.read(name) for name in export.namelist())
    for data in (stored, dump, exported):
        for name in ("Sara", "Smith"):
            assert whole_word(name, data, case_sensitive=True) == [], name
