"""Auto-coding: finding hits (phrase, regex, fuzzy) with units, speakers and --within,
storing the accepted ones in one undoable action, and agreement with or without them."""

from __future__ import annotations

import pytest

from qcode.core import autocode
from qcode.core.autocode import AutocodeError, Search, accept, code_to_apply, find
from qcode.core.codebook import parse as parse_codebook
from qcode.core.store import Project
from tests.unit.test_store import transcript

BOOK = """
name: b
codes:
  - name: Barriers
    codes:
      - name: Training
  - name: Talk
"""

ONE = ("Interviewer: Tell me about the Home Office. Was it slow?\n"
       "P01: The home office was slow. Very slow! The Home-Ofice lost my papers.\n"
       "Interviewer: And the police?\n"
       "P01: The policeman was kind. The police helped.")
TWO = ("Speaker: Anything about the home office?\n"
       "Speaker2: Nothing about the home office.")


@pytest.fixture
def coded(project: Project):
    first = project.add_transcript(transcript("one", ONE), source_file="one.txt")
    second = project.add_transcript(transcript("two", TWO), source_file="two.txt")
    project.load_codebook(parse_codebook(BOOK))
    project.coder = "ana"
    return project, first, second


def texts(found) -> list[str]:
    return [p.text for p in found.proposals]


def test_a_phrase_is_found_ignoring_case_and_never_inside_a_longer_word(coded):
    project, *_ = coded
    assert texts(find(project, Search("home office"))) == [
        "Home Office", "home office", "home office", "home office"]
    assert texts(find(project, Search("police"))) == ["police", "police"]


def test_units_widen_to_the_sentence_or_the_turn_and_join_hits_there(coded):
    project, first, _ = coded
    found = find(project, Search("slow", unit="sentence", transcript_ids=[first]))
    assert texts(found) == ["Was it slow?", "The home office was slow.", "Very slow!"]
    found = find(project, Search("slow", unit="turn", transcript_ids=[first]))
    assert texts(found) == ["Tell me about the Home Office. Was it slow?",
                            "The home office was slow. Very slow! The Home-Ofice lost "
                            "my papers."]
    hit = find(project, Search("papers", transcript_ids=[first])).proposals[0]
    assert hit.widened("sentence").text == "The Home-Ofice lost my papers."
    assert hit.widened("turn").start == found.proposals[1].start


def test_speaker_roles_and_labels(coded):
    project, first, _ = coded
    participant = find(project, Search("home office", speaker="participant"))
    assert [p.speaker for p in participant.proposals] == ["P01"]
    assert "Speaker" in participant.notes[0]  # neutral labels: role unknown, said
    interviewer = find(project, Search("home office", speaker="interviewer"))
    assert [p.speaker for p in interviewer.proposals] == ["Interviewer"]
    assert [p.speaker for p in find(project, Search("home office", speaker="speaker2")
                                    ).proposals] == ["Speaker2"]
    with pytest.raises(AutocodeError, match="no speaker labelled 'Nobody'.*P01"):
        find(project, Search("home office", speaker="Nobody"))


def test_every_turn_of_a_speaker_is_a_speaker_code(coded):
    project, first, _ = coded
    found = find(project, Search(None, unit="turn", speaker="participant",
                                 transcript_ids=[first]))
    assert [p.turn for p in found.proposals] == [2, 4]  # numbered from 1
    assert all(p.text == ONE[p.start:p.end] for p in found.proposals)
    with pytest.raises(AutocodeError, match="--unit turn"):
        find(project, Search(None, speaker="participant"))
    with pytest.raises(AutocodeError, match="give a pattern"):
        find(project, Search(None, unit="turn"))


def test_a_regex_is_case_blind_and_its_empty_matches_are_no_hits(coded):
    project, first, _ = coded
    assert texts(find(project, Search(r"home.of+ice", mode="regex",
                                      transcript_ids=[first]))) == [
        "Home Office", "home office", "Home-Ofice"]
    assert texts(find(project, Search(r"x*|papers", mode="regex"))) == ["papers"]


def test_a_regex_that_would_run_without_end_is_stopped_in_time(coded, monkeypatch):
    project, *_ = coded
    project.add_transcript(transcript("three", "P02: " + "a" * 40 + "!"),
                           source_file="three.txt")
    monkeypatch.setattr(autocode, "REGEX_SECONDS", 0.2)
    with pytest.raises(AutocodeError, match=r"took more than 0.2 s"):
        find(project, Search(r"(a|aa)+$", mode="regex"))


def test_fuzzy_finds_transcription_variants_above_its_cutoff(coded):
    project, first, _ = coded
    found = find(project, Search("home office", mode="fuzzy", transcript_ids=[first]))
    assert texts(found) == ["Home Office", "home office", "Home-Ofice"]
    assert all(p.score >= autocode.FUZZY_CUTOFF for p in found.proposals)
    with pytest.raises(AutocodeError, match="4 letters"):
        find(project, Search("hom", mode="fuzzy"))


@pytest.mark.parametrize("search, message", [
    (Search(""), "the pattern is empty"),
    (Search("   "), "the pattern is empty"),
    (Search("(unclosed", mode="regex"), "not a valid regular expression"),
    (Search("zebra crossing"), "nothing matches 'zebra crossing'"),
    (Search("slow", unit="paragraph"), "unknown unit"),
    (Search("slow", speaker=" "), "the speaker is empty"),
])
def test_bad_searches_say_why(coded, search, message):
    project, *_ = coded
    with pytest.raises(AutocodeError, match=message):
        find(project, search)


def test_within_keeps_hits_inside_the_coders_codings_of_that_code(coded):
    project, first, _ = coded
    talk = code_to_apply(project, "talk")
    with pytest.raises(AutocodeError, match="ana has coded nothing as Talk"):
        find(project, Search("slow", within=talk, coder="ana"))
    second_turn = ONE.index("The home office was slow.")
    project.add_coding(first, talk[0], "ana", second_turn, second_turn + 25)
    found = find(project, Search("slow", within=talk, coder="ana"))
    assert [p.hit_start for p in found.proposals] == [ONE.index("slow. Very")]


def test_codes_are_named_by_name_or_path_and_a_category_refused(coded):
    project, *_ = coded
    assert code_to_apply(project, "barriers > TRAINING")[1] == "Training"
    with pytest.raises(AutocodeError, match="no code named 'Nope'"):
        code_to_apply(project, "Nope")
    project.edit_code(code_to_apply(project, "Barriers")[0], codable=False)
    with pytest.raises(AutocodeError, match="Barriers is a category"):
        code_to_apply(project, "Barriers")


def test_accepting_is_one_action_marked_autocoded_and_one_undo(coded):
    project, first, _ = coded
    training = code_to_apply(project, "Training")
    found = find(project, Search("slow"))
    events = len(project.events(1000))
    done = accept(project, training, "ben", found.proposals, "slow")
    assert (done.added, done.already_coded) == (3, 0)
    rows = project.conn.execute(
        "SELECT k.name, c.autocoded FROM codings c JOIN coders k ON k.id = c.coder_id"
    ).fetchall()
    assert rows == [("ben", 1)] * 3
    assert project.events(1)[0]["action"] == "autocode"
    assert len(project.events(1000)) == events + 2  # the new coder, then the action
    project.coder = "ben"
    assert "auto-coded 3 hit(s) of 'slow' as Training" in project.undo()
    assert project.conn.execute("SELECT count(*) FROM codings").fetchone() == (0,)


def test_places_the_coder_coded_already_are_left_out_and_all_coded_is_refused(coded):
    project, first, _ = coded
    training = code_to_apply(project, "Training")
    found = find(project, Search("slow"))
    start = found.proposals[0].start
    project.add_coding(first, training[0], "ana", start, start + 4)
    done = accept(project, training, "ana", found.proposals, "slow")
    assert (done.added, done.already_coded) == (2, 1)
    before = project.conn.execute("SELECT count(*) FROM codings").fetchone()
    with pytest.raises(AutocodeError, match="coded Training by ana already"):
        accept(project, training, "ana", found.proposals, "slow")
    assert project.conn.execute("SELECT count(*) FROM codings").fetchone() == before
    with pytest.raises(AutocodeError, match="no hit was accepted"):
        accept(project, training, "ana", [], "slow")


def test_agreement_includes_or_excludes_autocoded_codings_and_says_which(coded):
    from qcode.core.agreement.report import build, choices_line, select

    project, first, second = coded
    talk = code_to_apply(project, "Talk")
    for coder in ("ana", "ben"):
        project.add_coding(first, talk[0], coder, 0, 5)
        project.add_coding(second, talk[0], coder, 0, 5)
    accept(project, talk, "ben", find(project, Search("slow")).proposals, "slow")
    included = build(project, select(project, ["ana", "ben"], codes=["Talk"]))
    excluded = build(project, select(project, ["ana", "ben"], codes=["Talk"],
                                     autocoded="exclude"))
    assert excluded.codes[0].alpha.value == pytest.approx(1.0)
    assert included.codes[0].alpha.value < 1.0
    assert "auto-coded codings left out (--autocoded exclude)" in choices_line(
        excluded.selection)
    assert "auto-coded codings included (--autocoded include)" in choices_line(
        included.selection)


def test_a_merged_copy_keeps_which_codings_were_autocoded(coded, tmp_path):
    import shutil

    project, *_ = coded
    talk = code_to_apply(project, "Talk")
    project.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    shutil.copy(project.path, tmp_path / "copy.qcode")
    with Project.open(tmp_path / "copy.qcode") as copy:
        accept(copy, talk, "ben", find(copy, Search("slow")).proposals, "slow")
    project.merge(tmp_path / "copy.qcode")
    assert project.conn.execute("SELECT autocoded FROM codings").fetchall() == [(1,)] * 3


def test_overlapping_accepted_hits_become_one_coding_and_progress_is_told(coded):
    project, first, _ = coded
    told = []
    found = find(project, Search("slow", transcript_ids=[first]),
                 progress=lambda done, total: told.append((done, total)))
    assert told[-1][0] == told[-1][1] > 0
    second = found.proposals[1]
    widened = [second.widened("turn"), second, found.proposals[2]]
    done = accept(project, code_to_apply(project, "Talk"), "ana", widened, "slow")
    assert done.added == 1
    assert project.conn.execute('SELECT start, "end" FROM codings').fetchall() == [
        (widened[0].start, widened[0].end)]
