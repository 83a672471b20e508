"""Privacy defects found by an audit: each test names what used to leak."""

from __future__ import annotations

import re
import shutil
from functools import lru_cache
from pathlib import Path

import pytest
from tests.cli_runner import CliRunner

from qcode.cli import cli
from qcode.core.anonymise import lexicon
from qcode.core.anonymise.detect import Detector
from qcode.core.anonymise.identifiers import Identifier
from qcode.core.anonymise.key import Key, KeyFileError, load_key, save_key
from qcode.core.anonymise.review import Anonymiser, Decision, SpeakerEvidence
from qcode.core.anonymise.verify import verify_files
from qcode.core.model import Transcript, Turn
from qcode.core.store import Project, ProjectError

from tests.conftest import SHARED_FIXTURES


def transcript(body: str, name: str = "t") -> Transcript:
    turns = [Turn(m.group(1), m.start(2), m.end(2), m.start(1))
             for m in re.finditer(r"^([^:\n]+): (.*)$", body, re.M)]
    return Transcript(name, "txt", body, turns)


def candidates(*texts: str) -> list[set[str]]:
    """The candidate values proposed in each text of one batch."""
    scan = Anonymiser([], Key()).scan([transcript(t, f"t{i}") for i, t in enumerate(texts)])
    return [{f.text for f in found if f.kind == "candidate"} for found in scan.findings]


def whole_word(value: str, data: bytes, case_sensitive: bool) -> list[bytes]:
    # Most listed values are absent, and a substring search rules them out many times
    # faster than the regex below scans a project's bytes. It answers alike: on bytes,
    # re.IGNORECASE and bytes.lower() both fold ASCII letters only.
    needle = value.encode()
    if case_sensitive and needle not in data:
        return []
    if not case_sensitive and needle.lower() not in _lowered(data):
        return []
    pattern = re.compile(rb"(?<![A-Za-z0-9])" + re.escape(value.encode()) +
                         rb"(?![A-Za-z0-9])", 0 if case_sensitive else re.IGNORECASE)
    return [data[max(0, m.start() - 30):m.end() + 30] for m in pattern.finditer(data)]


@lru_cache(maxsize=2)  # the same bytes are searched for every listed value in turn
def _lowered(data: bytes) -> bytes:
    return data.lower()


# -- 1. listed common words (Will, May, Rose ...) -----------------------------------------

def test_demo_project_holds_no_listed_name(tmp_path: Path, demo_copy: Path):
    from qcode.core.demo import demo_identifiers

    data = b"".join(p.read_bytes() for p in tmp_path.glob("demo.qcode*"))
    left = {}
    for identifier in demo_identifiers():
        # A common word is sought as the capitalised name: "will" and "may" are words.
        common = " " not in identifier.value and lexicon.is_ordinary(identifier.value)
        hits = whole_word(identifier.value, data, case_sensitive=common)
        if hits:
            left[identifier.value] = hits[:2]
    assert left == {}
    key = load_key(tmp_path / "demo.key.json")
    assert [h for h in verify_files(key, [tmp_path / "demo.qcode"]) if h.certain] == []


def test_a_held_listed_value_is_known_to_the_key_and_verify_reports_it(tmp_path: Path):
    key = Key()
    anonymiser = Anonymiser([Identifier("Will", "person")], key)
    text = "P01: I spoke to Will about it; you will see. Will said so."
    [out] = anonymiser.apply(anonymiser.scan([transcript(text)]), {})  # non-interactive
    assert out.text == text  # held for review, so not replaced ...
    assert key.lookup("Will") is not None  # ... but the key knows it is a real value
    (tmp_path / "project").write_text(out.text)
    hits = verify_files(key, [tmp_path / "project"])
    certain = [h.offset for h in hits if h.certain]
    doubtful = [h.offset for h in hits if not h.certain]
    assert certain == [text.index("Will about")]  # lowercase "will" is the ordinary word
    assert doubtful == [text.index("Will said")]  # sentence-initial: check by eye


def test_a_non_interactive_import_leaves_no_listed_common_word_name(
        tmp_path: Path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("QCODE_PROJECT", raising=False)
    (tmp_path / "ids.csv").write_text("value,category,pseudonym\nRose,person,\n")
    (tmp_path / "p01.txt").write_text("P01: Then Rose called me. It will rain.\n")
    runner = CliRunner()
    assert runner.invoke(cli, ["init"]).exit_code == 0
    result = runner.invoke(cli, ["import", "p01.txt", "--anonymise", "--key", "k.json",
                                 "--identifiers", "ids.csv", "--non-interactive"])
    assert result.exit_code == 0, result.output
    result = runner.invoke(cli, ["verify-anonymised", "--key", "k.json"])
    assert result.exit_code == 0 and "'Rose'" not in result.output, result.output
    assert "It will rain" in runner.invoke(cli, ["show", "p01"]).output


# -- 2. an accepted candidate is replaced everywhere ------------------------------------

def test_accepting_a_candidate_replaces_every_whole_word_occurrence():
    batch = [transcript("P01: We live on Smith Street, near the blacksmith.", "a"),
             transcript("P02: Mr Smith came. Anna Smith called. SMITH again.", "b")]
    anonymiser = Anonymiser([], Key())
    scan = anonymiser.scan(batch)
    groups = {g.value: g for g in scan.groups}
    assert "Smith" in groups
    a, b = anonymiser.apply(scan, {groups["Smith"].key: Decision("accept")})
    assert "Smith" not in a.text + b.text and "SMITH" not in b.text
    assert a.text == "P01: We live on [Person 1] Street, near the blacksmith."
    assert b.text == "P02: Mr [Person 1] came. Anna [Person 1] called. [Person 1] again."


# -- 3. speaker labels carrying real names ----------------------------------------------

INTERVIEW = ("Barry Solow: Thanks for talking to me, Aaron.\n\n"
             "Aaron Scott: Glad to. When Barry rang I said yes at once, I had a lot to say "
             "about the old days and the music.\n\n"
             "Barry Solow: Tell me more, Mr Scott.\n\n"
             "Aaron Scott: Well, Barry, it was loud and it was good and it paid the rent.\n")


def test_named_speakers_become_role_labels_without_review():
    anonymiser = Anonymiser([], Key())
    scan = anonymiser.scan([transcript(INTERVIEW)], ["P03"],
                           [SpeakerEvidence(frozenset({"Barry Solow"}))])
    assert not any(g.value in ("Barry Solow", "Aaron Scott") for g in scan.groups)
    [out] = anonymiser.apply(scan, {})  # nothing decided: as under --non-interactive
    assert [t.speaker for t in out.turns] == ["Interviewer", "P03", "Interviewer", "P03"]
    for name in ("Barry", "Solow", "Aaron", "Scott"):
        assert name not in out.text, out.text
    # The label is the role; the person's name in the text is the person's pseudonym.
    assert out.text.startswith("Interviewer: Thanks for talking to me, P03.\n\n"
                               "P03: Glad to. When [Person 1] rang")


def test_without_evidence_named_speakers_get_neutral_labels_not_word_count_roles():
    anonymiser = Anonymiser([], Key())
    scan = anonymiser.scan([transcript(INTERVIEW)], ["P03"])
    [out] = anonymiser.apply(scan, {})
    assert scan.neutral == [0]
    assert [t.speaker for t in out.turns] == ["Speaker 1", "Speaker 2"] * 2
    for turn in out.turns:  # labels and text agree
        assert out.text[turn.label_start:].startswith(turn.speaker)


def test_a_speaker_named_by_a_common_word_is_replaced_in_the_label():
    parsed = transcript("Will: How did it start?\n\nP01: Slowly, Will. It took years and a "
                        "lot of patience.\n\nWill: And now?\n\nP01: Will you believe it? Fine.")
    anonymiser = Anonymiser([], Key())
    scan = anonymiser.scan([parsed], None, [SpeakerEvidence(frozenset({"Will"}))])
    [out] = anonymiser.apply(scan, {})
    assert [t.speaker for t in out.turns] == ["Interviewer", "P01", "Interviewer", "P01"]
    assert "Slowly, [Person 1]." in out.text
    # A sentence-initial "Will" that is not a label is the researcher's call.
    assert [(g.value, len(g.occurrences)) for g in scan.groups] == [("Will", 1)]


def test_speaker_labels_are_consistent_across_a_batch_and_later_imports():
    key = Key()
    first = Anonymiser([], key)
    batch = [transcript(INTERVIEW, "a"),
             transcript("Barry Solow: Hello again.\n\nRuth Amos: Hello, Barry. It has been "
                        "a long time since we last spoke about the club.\n", "b")]
    barry = SpeakerEvidence(frozenset({"Barry Solow"}))
    a, b = first.apply(first.scan(batch, ["P03", "P04"], [barry, barry]), {})
    assert [t.speaker for t in b.turns] == ["Interviewer", "P04"]
    later = Anonymiser([], key)
    [c] = later.apply(later.scan([transcript("Ruth Amos: Barry Solow came.\n", "c")]), {})
    assert c.text == "P04: [Person 1] came.\n"  # one person, one pseudonym


@pytest.mark.skipif(not (SHARED_FIXTURES / "transcripts").is_dir(),
                    reason="shared fixtures are absent")
def test_real_speaker_labels_are_replaced_non_interactively(tmp_path: Path, monkeypatch):
    source = SHARED_FIXTURES / "transcripts"
    shutil.copy(source / "mannheimer-qdr_BSR02_transcript_deidentified.docx",
                tmp_path / "bsr02.docx")
    shutil.copy(source / "nypl-oral-history_aaron-scott_2015.vtt", tmp_path / "scott.vtt")
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("QCODE_PROJECT", raising=False)
    runner = CliRunner()
    assert runner.invoke(cli, ["init"]).exit_code == 0
    result = runner.invoke(cli, ["import", "bsr02.docx", "scott.vtt", "--anonymise",
                                 "--key", "k.json", "--non-interactive",
                                 "--store-unreviewed"])
    assert result.exit_code == 0, result.output
    with Project.open(tmp_path / "project.qcode") as project:
        speakers = {t.speaker for row in project.transcripts()
                    for t in project.turns(row.id)}
    assert speakers <= {None, "Multiple Speakers", "Interviewer", "Participant", "BSR02",
                        "Speaker 1", "Speaker 2", "Speaker 3"}
    data = b"".join(p.read_bytes() for p in tmp_path.glob("project.qcode*"))
    for name in (b"Sara", b"Mannheimer", b"Barry", b"Solow", b"Aaron", b"Scott"):
        assert whole_word(name.decode(), data, case_sensitive=True) == [], name


# -- 4. candidates ----------------------------------------------------------------------

def test_common_word_names_at_sentence_start_are_proposed():
    # "Will" is capitalised mid-sentence in the batch, "Rose" is followed by a verb.
    first, second = candidates("P01: I spoke to Will about it. Rose arrived later.",
                               "P02: Will, it was fine. Mark my words.")
    assert {"Will", "Rose"} <= first
    assert "Will" in second and "Mark" not in second
    assert candidates("P01: Will said so.") == [{"Will"}]
    # Alone, a sentence-initial "Will" followed by no verb is the ordinary word.
    assert candidates("P01: Will you come? Will it rain?") == [set()]


def test_full_names_and_irish_names_are_one_candidate():
    [found] = candidates("P01: I met Sarah Smith and Mr O'Brien, and DS D’Souza.")
    assert {"Sarah Smith", "O'Brien", "D’Souza"} <= found
    assert not {"Sarah", "Smith", "Brien", "Souza"} & found


# -- 5. overlapping listed values -------------------------------------------------------

def test_overlapping_listed_values_are_warned_about():
    ids = [Identifier("Sarah Smith", "person"), Identifier("Smith Street", "place")]
    anonymiser = Anonymiser(ids, Key())
    scan = anonymiser.scan([transcript("P01: Where was Sarah Smith Street station?", "ov")])
    [warning] = scan.warnings
    assert "'Sarah Smith'" in warning and "'Smith Street'" in warning and "ov" in warning
    [out] = anonymiser.apply(scan, {})
    assert "Sarah" not in out.text


def test_overlap_warning_from_the_detector():
    detector = Detector([Identifier("Sarah Smith", "person"),
                         Identifier("Smith Street", "place")], Key())
    [detection] = detector.detect_batch(["Sarah Smith Street"])
    assert detection.overlaps == [("Sarah Smith", "Smith Street", "Sarah Smith Street")]


# -- 6. verify ----------------------------------------------------------------------------

def test_verify_anonymised_says_when_it_cannot_verify(tmp_path: Path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("QCODE_PROJECT", raising=False)
    (tmp_path / "empty.json").write_text('{"format": "qcode-key", "entries": []}')
    runner = CliRunner()
    assert runner.invoke(cli, ["init"]).exit_code == 0
    result = runner.invoke(cli, ["verify-anonymised", "--key", "empty.json"])
    assert result.exit_code != 0 and "no real values" in result.output
    assert "ok" not in result.output
    key = Key()
    key.assign("Sarah", "person")
    save_key(key, tmp_path / "k.json")
    result = runner.invoke(cli, ["-p", "nowhere.qcode", "verify-anonymised", "--key", "k.json"])
    assert result.exit_code != 0 and "nowhere.qcode: no such file" in result.output


def test_verify_refuses_an_empty_key_and_a_missing_project(tmp_path: Path):
    (tmp_path / "p.qcode").write_bytes(b"nothing here")
    with pytest.raises(KeyFileError, match="no real values"):
        verify_files(Key(), [tmp_path / "p.qcode"])
    key = Key()
    key.assign("Sarah", "person")
    with pytest.raises(ProjectError, match="no such file"):
        verify_files(key, [tmp_path / "missing.qcode"])
    # A project's WAL exists only while it is open: its absence is no error.
    assert verify_files(key, [tmp_path / "p.qcode", tmp_path / "p.qcode-wal"]) == []


def test_non_interactive_replaces_listed_common_word_names(tmp_path):
    from tests.cli_runner import CliRunner

    from qcode.cli import cli

    (tmp_path / "m.txt").write_text(
        "Interviewer: Who built it?\n\nP01: Mark built it. Mark Dolan is my co-founder. "
        "Rose and Grace help. We mark the adverts and will check them in May.\n")
    (tmp_path / "ids.csv").write_text(
        "value,category,pseudonym\nMark Dolan,person,\nMark,person,\nRose,person,\n"
        "Grace,person,\n")
    runner = CliRunner()
    project = str(tmp_path / "p.qcode")
    assert runner.invoke(cli, ["-p", project, "init"]).exit_code == 0
    result = runner.invoke(cli, ["-p", project, "import", str(tmp_path / "m.txt"),
                                 "--anonymise", "--key", str(tmp_path / "k.json"),
                                 "--identifiers", str(tmp_path / "ids.csv"),
                                 "--non-interactive", "--store-unreviewed"])
    assert result.exit_code == 0, result.output
    data = (tmp_path / "p.qcode").read_bytes() + (
        tmp_path / "p.qcode-wal").read_bytes() if (tmp_path / "p.qcode-wal").exists() \
        else (tmp_path / "p.qcode").read_bytes()
    for name in (b"Mark", b"Rose", b"Grace", b"Dolan"):
        assert name not in data, name
    shown = " ".join(runner.invoke(cli, ["-p", project, "show", "m"]).output.split())
    assert "mark the adverts and will check them in May" in shown


def test_a_rejected_candidate_is_not_replaced_as_a_variant_of_an_accepted_one():
    batch = [transcript("P01: I edit Wikipedia pages. People from Wikimedia came.", "a")]
    anonymiser = Anonymiser([], Key())
    scan = anonymiser.scan(batch)
    groups = {g.value: g for g in scan.groups}
    assert {"Wikipedia", "Wikimedia"} <= set(groups)
    [out] = anonymiser.apply(scan, {groups["Wikipedia"].key: Decision("reject"),
                                    groups["Wikimedia"].key: Decision("accept")})
    assert "Wikipedia" in out.text and "Wikimedia" not in out.text


# -- 5. speaker labels that are phrases; spelling variants of other people's names ---------

CAPTIONS = """WEBVTT

00:00:01.000 --> 00:00:03.000
MAN:
When we think of Einstein,

00:00:03.000 --> 00:00:05.000
we see an old man.

00:00:05.000 --> 00:00:08.000
ACTOR AS EINSTEIN:
What would I see if I rode on a beam of light?
"""
INTERVIEW_WITH_AS = """Interviewer: So. As long as it has a model, that's it.

Participant: As I told you, we retrain it. As you know, it splits the data.
"""


def test_a_function_word_in_a_speaker_label_is_never_a_name(tmp_path: Path, monkeypatch):
    # "ACTOR AS EINSTEIN" put "AS" in the key as a name, and every "As" of the other
    # interview became "[Person 1]", in this import and every later one.
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("QCODE_PROJECT", raising=False)
    (tmp_path / "cap.vtt").write_text(CAPTIONS)
    (tmp_path / "int.txt").write_text(INTERVIEW_WITH_AS)
    runner = CliRunner()
    assert runner.invoke(cli, ["init"]).exit_code == 0
    args = ["--anonymise", "--key", "k.json", "--non-interactive", "--store-unreviewed"]
    result = runner.invoke(cli, ["import", "cap.vtt", "int.txt", *args])
    assert result.exit_code == 0, result.output
    assert "'ACTOR AS EINSTEIN' reads as a phrase" in result.output  # said, not silent
    assert {e.value for e in load_key(tmp_path / "k.json").entries.values()} == {
        "ACTOR AS EINSTEIN", "EINSTEIN"}
    with Project.open(tmp_path / "project.qcode") as project:
        texts = {row.name: project.transcript_text(row.id) for row in project.transcripts()}
    assert texts["int"] == INTERVIEW_WITH_AS
    assert "Einstein" not in texts["cap"] and "EINSTEIN" not in texts["cap"]


def test_a_key_holding_a_function_word_replaces_nothing_with_it(tmp_path: Path):
    # A key written before the fix holds "AS": later imports must not use it.
    key = Key()
    key.assign("AS", "person")
    key.assign("EINSTEIN", "person", "[Person 1]")
    found = Detector([], key).find("As I told you, Einstein said so. AS you know.")
    assert [f.text for f in found] == ["Einstein"]
    # Nor does verify-anonymised report every "As" as a name left in the text.
    (tmp_path / "project").write_text("So, As I said, Einstein.")
    [hit] = verify_files(key, [tmp_path / "project"])
    assert hit.value == "EINSTEIN"


def test_role_like_labels_name_nobody():
    batch = [transcript("NARRATOR: It began in Leeds.\nINTERVIEWER (OFF CAMERA): And then?"
                        "\nSPEAKER 2: Then the Narrator spoke, off camera.\n"
                        "NARRATOR: Speaker 2 agreed.")]
    key = Key()
    anonymiser = Anonymiser([], key)
    scan = anonymiser.scan(batch)
    assert anonymiser.speakers == [] and key.entries == {}
    [out] = anonymiser.apply(scan, {})
    assert "the Narrator spoke, off camera" in out.text


SHOW = """Emma: Welcome back, I'm Emma. Today we're joined by Taylor Reyes.
Kelly: I think he got some sort of Emmy award for it.
Tailor: Thanks for having me, Emma.
Sidney: Start with Why by Simon Sinek is great. It's great to see Sydney here.
Tailor: Tailor Do you mind?
Sidney: Sure, Kelly.
"""


def test_other_peoples_names_are_not_merged_into_a_speakers_pseudonym():
    # Emmy was taken for Emma ("some sort of [Person 1] award"), Sinek and Sydney for
    # Sidney, Taylor for Tailor: separate people shared one pseudonym.
    key = Key()
    anonymiser = Anonymiser([], key)
    scan = anonymiser.scan([transcript(SHOW)])
    groups = {g.value: g for g in scan.groups}
    assert {"Emmy", "Simon Sinek", "Sydney", "Taylor Reyes"} <= set(groups)
    assert groups["Emmy"].reason == "first name, close to the listed 'Emma'"
    assert all(g.suggestion is None for v, g in groups.items() if v != "Tailor")
    [out] = anonymiser.apply(scan, {})  # nobody decided: left as written, and said so
    assert "some sort of Emmy award" in out.text and "Simon Sinek is" in out.text
    assert {e.value for e in key.entries.values()} == {"Emma", "Kelly", "Tailor", "Sidney"}
    # Decided as other people, each gets a pseudonym of their own.
    decisions = {groups[v].key: Decision("accept") for v in ("Emmy", "Sydney",
                                                             "Taylor Reyes")}
    key = Key()
    anonymiser = Anonymiser([], key)
    [out] = anonymiser.apply(anonymiser.scan([transcript(SHOW)]), decisions)
    pseudonyms = {v: key.lookup(v, "person").pseudonym
                  for v in ("Emma", "Emmy", "Sidney", "Sydney", "Tailor", "Taylor Reyes")}
    assert len(set(pseudonyms.values())) == 6, pseudonyms


@pytest.mark.parametrize("misspelt, reason", [
    ("Okafur", "a possible spelling variant of the listed 'Okafor'"),
    ("Okafro", "a possible spelling variant of the listed 'Okafor'"),
    ("Katherine", "first name, close to the listed 'Catherine'"),
])
def test_a_misspelt_participant_name_is_held_back_until_decided(
        tmp_path: Path, monkeypatch, misspelt: str, reason: str):
    # ASR misspells a participant's name: no longer merged unasked, so it must be
    # proposed, and the transcript held back until someone decides.
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("QCODE_PROJECT", raising=False)
    (tmp_path / "ids.csv").write_text(
        "value,category,pseudonym\nOkafor,person,P07\nCatherine,person,P08\n")
    (tmp_path / "p07.txt").write_text(
        f"Interviewer: Thanks, Okafor and Catherine.\nP07: {misspelt} here, hello.\n")
    runner = CliRunner()
    assert runner.invoke(cli, ["init"]).exit_code == 0
    args = ["import", "p07.txt", "--anonymise", "--key", "k.json", "--identifiers",
            "ids.csv", "--non-interactive"]
    result = runner.invoke(cli, args)
    # Nothing imported: a failure for scripts, with the summary that says why.
    assert result.exit_code == 1 and "held back 1 transcript(s)" in result.output
    with Project.open(tmp_path / "project.qcode") as project:
        assert project.transcripts() == []
    report = (tmp_path / "k-review.csv").read_text().splitlines()
    [row] = [line for line in report if line.startswith(f",{misspelt},")]
    assert reason in row
    # Accepted as the misspelling it is: the listed person's pseudonym.
    pseudonym = "P07" if misspelt.startswith("Oka") else "P08"
    (tmp_path / "decisions.csv").write_text(
        "\n".join([report[0], "accept" + row.replace(",person,,", f",person,{pseudonym},")
                   if "first name" in reason else "accept" + row]) + "\n")
    result = runner.invoke(cli, args + ["--decisions", "decisions.csv"])
    assert result.exit_code == 0, result.output
    with Project.open(tmp_path / "project.qcode") as project:
        [row] = project.transcripts()
        text = project.transcript_text(row.id)
    assert f"P07: {pseudonym} here" in text and misspelt not in text
