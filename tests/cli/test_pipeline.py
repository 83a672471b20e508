"""The import flow (parse -> anonymise -> store): every path by which a real name used
to reach the project, each checked in the project's bytes, its WAL, every text column
(the event log included) and a .qdpx export."""

from __future__ import annotations

import sqlite3
import zipfile
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from qcode.core.anonymise.identifiers import Identifier
from qcode.core.anonymise.key import Key, load_key
from qcode.core.pipeline import Anonymisation, NonInteractive, run_import
from qcode.core.store import Project

from tests.conftest import cli_result, decided, write
from tests.cli.test_anonymise_leaks import whole_word

# An unlisted colleague: only the candidate finder sees him.
COLLEAGUE = "Tobias Wrenfield"
INTERVIEW = (f"Smithfield: I joined in 2009. {COLLEAGUE} trained me, and Tobias still "
             "rings now and then.\n\n"
             "Okonkwo: What was the training like?\n\n"
             "Smithfield: Hard. We sat in a cold room in Harwich for a month and learnt "
             "the forms by heart.\n\n"
             "Okonkwo: Thank you.\n")
IDENTIFIERS = "value,category,pseudonym\nAnn Smithfield,person,\nHarwich,place,\n"
REAL = ("Smithfield", "Tobias", "Wrenfield", "Okonkwo", "Harwich", "Ann")


def everywhere(tmp_path: Path, project: str = "project.qcode") -> bytes:
    """All a project gives away: its file and WAL, every text column of every table
    (events included) and everything in a .qdpx export of it."""
    path = tmp_path / project
    data = path.read_bytes()
    wal = Path(f"{path}-wal")
    data += wal.read_bytes() if wal.exists() else b""
    with sqlite3.connect(path) as conn:
        tables = [r[0] for r in conn.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE '%fts%'")]
        for table in tables:
            for row in conn.execute(f"SELECT * FROM {table}"):  # noqa: S608 (own names)
                data += "\n".join(str(v) for v in row if isinstance(v, str)).encode()
        empty = not conn.execute("SELECT 1 FROM transcripts").fetchone()
    if empty:  # nothing to export
        return data
    out = tmp_path / f"{project}-{len(list(tmp_path.glob('*.qdpx')))}.qdpx"
    cli_result(["-p", path, "export", out])
    with zipfile.ZipFile(out) as archive:
        for member in archive.namelist():
            data += archive.read(member)
    return data


def leaks(data: bytes, values=REAL) -> dict[str, list[bytes]]:
    found = {v: whole_word(v, data, case_sensitive=False) for v in values}
    return {v: hits[:2] for v, hits in found.items() if hits}


def setup(tmp_path: Path, name: str = "p07.txt", body: str = INTERVIEW) -> None:
    write(tmp_path / name, body)
    write(tmp_path / "ids.csv", IDENTIFIERS)


# -- 1. plain imports ---------------------------------------------------------------------

def test_a_project_that_requires_anonymisation_refuses_a_plain_import(run, tmp_path):
    setup(tmp_path)
    run("init", "--require-anonymisation")
    result = run("import", "p07.txt", ok=False, one_line=True)
    assert "requires anonymisation" in result.output and "--anonymise" in result.output
    with Project.open(tmp_path / "project.qcode") as project:
        assert project.transcripts() == []
    assert leaks(everywhere(tmp_path)) == {}


def test_a_plain_import_says_the_text_was_not_anonymised(run, tmp_path):
    setup(tmp_path)
    run("init")
    result = run("import", "p07.txt")
    assert "NOT anonymised" in result.output


def test_import_project_into_a_project_that_requires_anonymisation(run, tmp_path):
    setup(tmp_path)
    run("-p", "other.qcode", "init")
    run("-p", "other.qcode", "import", "p07.txt")
    run("-p", "other.qcode", "export", "other.qdpx")
    run("init", "--require-anonymisation")
    result = run("import-project", "other.qdpx", ok=False, one_line=True)
    assert "requires anonymisation" in result.output
    assert leaks(everywhere(tmp_path)) == {}


def test_the_demo_project_requires_anonymisation(demo_copy):
    from qcode.core.pipeline import requires_anonymisation

    with Project.open(demo_copy) as project:
        assert requires_anonymisation(project)


# -- 2. unreviewed candidates ---------------------------------------------------------------

def test_non_interactive_holds_back_a_transcript_with_undecided_candidates(run, tmp_path):
    setup(tmp_path)
    run("init")
    result = run("import", "p07.txt", "--anonymise", "--key", "k.json", "--identifiers",
                 "ids.csv", "--non-interactive", ok=False)
    assert "held back 1 transcript(s)" in result.output and "p07.txt" in result.output
    # Nothing imported is a failure of the command, said after the usual summary.
    assert "1 of 1 file(s) not imported" in result.output
    assert "--decisions FILE" in result.output and "k-review.csv" in result.output
    with Project.open(tmp_path / "project.qcode") as project:
        assert project.transcripts() == []
    assert leaks(everywhere(tmp_path)) == {}
    # Finishing: the decisions file accepts the colleague; now the transcript goes in.
    decided(tmp_path, "Tobias")
    run("import", "p07.txt", "--anonymise", "--key", "k.json", "--identifiers", "ids.csv",
        "--non-interactive", "--decisions", "decided.csv")
    with Project.open(tmp_path / "project.qcode") as project:
        assert len(project.transcripts()) == 1
    assert leaks(everywhere(tmp_path)) == {}


def test_store_unreviewed_is_recorded_without_the_values(run, tmp_path):
    setup(tmp_path)
    run("init")
    result = run("import", "p07.txt", "--anonymise", "--key", "k.json", "--identifiers",
                 "ids.csv", "--non-interactive", "--store-unreviewed")
    assert "stored 1 transcript(s) with undecided candidates" in result.output
    with Project.open(tmp_path / "project.qcode") as project:
        assert project.meta("stored_unreviewed") == "p07"
        events = [e for e in project.events() if e["action"] == "setting"]
    assert "p07" in events[0]["summary"] and "unreviewed" in events[0]["summary"]
    # What was stored unreviewed is what nobody decided: only the listed values went.
    assert set(leaks(everywhere(tmp_path))) == {"Tobias", "Wrenfield"}


def test_transcripts_stored_unreviewed_are_flagged_until_reviewed(run, tmp_path):
    """Stored with --store-unreviewed, a transcript still holds names nobody decided:
    the list marks it, check names it, and what takes text out of the project warns,
    until a decisions file settles its candidates."""
    setup(tmp_path)
    write(tmp_path / "p08.txt", "Interviewer: And after?\n\nP08: Tobias Wrenfield moved "
          "to the coast, I heard.\n")
    write(tmp_path / "codebook.yaml", "name: b\ncodes:\n  - name: Training\n")
    run("init")
    run("codebook", "load", "codebook.yaml")
    run("import", "p07.txt", "--anonymise", "--key", "k.json", "--identifiers", "ids.csv",
        "--non-interactive", "--store-unreviewed", "--interviewer", "Okonkwo")
    warning = "1 transcript(s) still hold names nobody reviewed"
    assert "p07 (unreviewed names)" in run("transcripts").output
    checked = run("check").output
    assert warning in checked and "p07" in checked and "review-file edit" in checked
    assert warning in run("export", "out.qdpx").output
    assert warning in run("report", "html", "report").output
    decided(tmp_path, "Tobias")
    run("import", "p08.txt", "--anonymise", "--key", "k.json", "--identifiers", "ids.csv",
        "--non-interactive", "--decisions", "decided.csv")
    assert "unreviewed" not in run("transcripts").output
    assert "nobody reviewed" not in run("check").output
    assert "nobody reviewed" not in run("export", "again.qdpx").output


def test_decisions_reach_transcripts_already_in_the_project(run, tmp_path):
    setup(tmp_path)
    write(tmp_path / "p08.txt", "Interviewer: And after?\n\nP08: Tobias Wrenfield moved "
          "to the coast, I heard.\n")
    run("init")
    run("import", "p07.txt", "--anonymise", "--key", "k.json", "--identifiers", "ids.csv",
        "--non-interactive", "--store-unreviewed", "--interviewer", "Okonkwo")
    with Project.open(tmp_path / "project.qcode") as project:
        tid = project.transcript_id("p07")
        text = project.transcript_text(tid)
        project.load_codebook(__import__("qcode.core.codebook", fromlist=["x"]).parse(
            "name: b\ncodes:\n  - name: Training\n"))
        code = project.codes()[0].id
        start = text.index("Hard.")
        coding = project.add_coding(tid, code, "ana", start, start + len("Hard."))
    decided(tmp_path, "Tobias")
    result = run("import", "p08.txt", "--anonymise", "--key", "k.json", "--identifiers",
                 "ids.csv", "--non-interactive", "--decisions", "decided.csv")
    assert "already in the project" in result.output
    with Project.open(tmp_path / "project.qcode") as project:
        moved = project.coding(coding)
        text = project.transcript_text(tid)
        assert text[moved.start:moved.end] == "Hard."
        assert project.check() == []
    assert leaks(everywhere(tmp_path), ("Tobias", "Wrenfield")) == {}


# -- 3. case names and file names -----------------------------------------------------------

def test_a_case_named_after_the_participant_never_becomes_a_speaker_label(run, tmp_path):
    setup(tmp_path)
    run("init")
    run("import", "p07.txt", "--case", "Ann Smithfield", "--anonymise", "--key", "k.json",
        "--identifiers", "ids.csv", "--non-interactive", "--store-unreviewed",
        "--interviewer", "Okonkwo")
    with Project.open(tmp_path / "project.qcode") as project:
        speakers = [t.speaker for t in project.turns(project.transcript_id("p07"))]
        [case] = [t.case for t in project.transcripts()]
    assert speakers == ["Participant", "Interviewer", "Participant", "Interviewer"]
    assert case.startswith("[Person")
    assert leaks(everywhere(tmp_path), ("Smithfield", "Ann", "Harwich", "Okonkwo")) == {}


def test_a_name_accepted_in_review_leaves_the_file_name_too(run, tmp_path, at_keyboard):
    setup(tmp_path, "interview_tobias_wrenfield.txt",
          "Interviewer: Where did you start?\n\nP09: In the port office. Tobias Wrenfield "
          "was my sergeant, and Wrenfield is a good man.\n")
    run("init")
    # Every question answered by typing: accept the colleague ("Tobias Wrenfield",
    # then "Wrenfield"), reject the rest.
    result = run("import", "interview_tobias_wrenfield.txt", "--anonymise", "--key",
                 "k.json", "--identifiers", "ids.csv", input="a\na\nR\n")
    assert "replaced:" in result.output
    with Project.open(tmp_path / "project.qcode") as project:
        [row] = project.transcripts()
    assert "wrenfield" not in (row.name + row.case + row.source_file).lower()
    assert leaks(everywhere(tmp_path), ("Tobias", "Wrenfield")) == {}


# -- 4. roles from evidence -------------------------------------------------------------------

def test_roles_come_from_the_participants_file(run, tmp_path):
    setup(tmp_path)
    write(tmp_path / "people.csv", "case,file,speaker,interviewer,region\n"
          "P07,p07.txt,Smithfield,Okonkwo,East\n")
    run("init")
    run("import", "p07.txt", "--attributes", "people.csv", "--anonymise", "--key",
        "k.json", "--identifiers", "ids.csv", "--non-interactive", "--store-unreviewed")
    with Project.open(tmp_path / "project.qcode") as project:
        speakers = [t.speaker for t in project.turns(project.transcript_id("p07"))]
        attributes = project.all_cases()
    assert speakers == ["P07", "Interviewer", "P07", "Interviewer"]
    assert "speaker" not in str(attributes) and "Okonkwo" not in str(attributes)
    assert leaks(everywhere(tmp_path), ("Smithfield", "Okonkwo")) == {}


def test_without_evidence_speakers_get_neutral_labels_and_it_is_said(run, tmp_path):
    setup(tmp_path)
    run("init")
    result = run("import", "p07.txt", "--anonymise", "--key", "k.json", "--identifiers",
                 "ids.csv", "--non-interactive", "--store-unreviewed")
    assert "Speaker 1, Speaker 2" in result.output and "--interviewer" in result.output
    with Project.open(tmp_path / "project.qcode") as project:
        speakers = [t.speaker for t in project.turns(project.transcript_id("p07"))]
    assert speakers == ["Speaker 1", "Speaker 2", "Speaker 1", "Speaker 2"]


def test_two_interviewees_never_collapse_into_one_label(run, tmp_path):
    body = ("Okonkwo: How did it start?\n\n{0}: Slowly, over years of quiet work here.\n\n"
            "Okonkwo: And now?\n\n{0}: {1}.\n")
    write(tmp_path / "interview_bellamy.txt", body.format("Bellamy", "Better"))
    write(tmp_path / "interview_castellan.txt", body.format("Castellan", "Worse"))
    run("init")
    for name in ("interview_bellamy.txt", "interview_castellan.txt"):
        run("import", name, "--anonymise", "--key", "k.json", "--non-interactive",
            "--interviewer", "Okonkwo", "--store-unreviewed")
    with Project.open(tmp_path / "project.qcode") as project:
        names = sorted(t.name for t in project.transcripts())
    assert len(names) == 2 and names[0] != names[1]
    key = load_key(tmp_path / "k.json")
    assert key.lookup("Bellamy").pseudonym != key.lookup("Castellan").pseudonym
    assert leaks(everywhere(tmp_path), ("Bellamy", "Castellan", "Okonkwo")) == {}


# -- 5. the summary --------------------------------------------------------------------------

def test_the_summary_counts_by_category_and_names_the_key(run, tmp_path):
    setup(tmp_path)
    run("init")
    result = run("import", "p07.txt", "--anonymise", "--key", "k.json", "--identifiers",
                 "ids.csv", "--non-interactive", "--store-unreviewed")
    assert "replaced: place 1, speaker label 4" in result.output
    assert "key: k.json" in result.output
    assert leaks(result.output.encode(), ("Harwich",)) == {}


# -- 6. the prompt review has no default ------------------------------------------------------

def test_enter_alone_accepts_nothing(run, tmp_path, at_keyboard):
    setup(tmp_path)
    run("init")
    # Enter is asked again; then every candidate is rejected one by one.
    result = run("import", "p07.txt", "--anonymise", "--key", "k.json", "--identifiers",
                 "ids.csv", "--interviewer", "Okonkwo", input="\n" + "r\n" * 10)
    assert result.output.count("[1/") == 1 and result.output.count("decision (") >= 3
    with Project.open(tmp_path / "project.qcode") as project:
        text = project.transcript_text(project.transcript_id("p07"))
    assert "Tobias Wrenfield trained me, and Tobias still" in text


def test_reject_all_remaining_is_a_typed_choice(run, tmp_path, at_keyboard):
    setup(tmp_path)
    run("init")
    result = run("import", "p07.txt", "--anonymise", "--key", "k.json", "--identifiers",
                 "ids.csv", "--interviewer", "Okonkwo", input="R\n")
    assert "reject all remaining" in result.output
    with Project.open(tmp_path / "project.qcode") as project:
        text = project.transcript_text(project.transcript_id("p07"))
    assert "Tobias Wrenfield trained me" in text  # rejected, so kept as written


# -- property: no name survives anywhere ------------------------------------------------------

NAMES = ["Imogen Falkirk", "Desmond Quayle", "Petra Lindqvist", "Oswin Marchetti",
         "Rufus Abernethy", "Talia Nkemelu"]
FILLER = st.sampled_from(["we met at the office", "it was a long winter",
                          "the adverts changed", "nobody called back", "I kept notes"])


@st.composite
def interviews(draw):
    speakers = draw(st.lists(st.sampled_from(NAMES), min_size=2, max_size=2, unique=True))
    turns = []
    for number in range(draw(st.integers(2, 5))):
        mentioned = draw(st.sampled_from(NAMES))
        turns.append(f"{speakers[number % 2]}: {draw(FILLER)}, and {mentioned} "
                     f"said {draw(FILLER)}.")
    file_name = draw(st.sampled_from(NAMES)).lower().replace(" ", "_")
    case = draw(st.sampled_from(NAMES))
    return "\n\n".join(turns) + "\n", file_name, case


@settings(max_examples=15, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(interviews())
def test_no_listed_name_survives_anywhere(tmp_path_factory, interview):
    text, file_name, case = interview
    folder = tmp_path_factory.mktemp("property")
    path = write(folder / f"interview_{file_name}.txt", text)
    listed = [Identifier(name, "person") for name in NAMES]
    with Project.create(folder / "project.qcode") as project:
        run_import(project, [path], case=case,
                   anonymisation=Anonymisation(Key(), NonInteractive(), listed,
                                               store_unreviewed=True))
    parts = {w for name in NAMES for w in name.split()}
    assert leaks(everywhere(folder), parts) == {}


# -- decisions reach everything earlier work holds ----------------------------------------

def test_decisions_leave_the_names_memos_and_event_log_of_earlier_work(run, tmp_path):
    """A transcript stored unreviewed, named after the colleague and coded with a memo
    that was later edited (the old memo is undo data): a decisions file that accepts
    him, given with a later import, takes him out of all of it, as `redact --all`."""
    setup(tmp_path, "p07_wrenfield.txt")
    write(tmp_path / "p08.txt", "Interviewer: And after?\n\nP08: It went quiet.\n")
    run("init")
    run("import", "p07_wrenfield.txt", "--anonymise", "--key", "k.json", "--identifiers",
        "ids.csv", "--non-interactive", "--store-unreviewed", "--interviewer", "Okonkwo")
    with Project.open(tmp_path / "project.qcode") as project:
        [row] = project.transcripts()
        assert "wrenfield" in row.name  # nobody decided: stored as it was named
        project.load_codebook(__import__("qcode.core.codebook", fromlist=["x"]).parse(
            "name: b\ncodes:\n  - name: Training\n"))
        code = project.codes()[0].id
        text = project.transcript_text(row.id)
        start = text.index("Hard.")
        coding = project.add_coding(row.id, code, "ana", start, start + len("Hard."),
                                    memo="Wrenfield again")
        project.set_coding_memo(coding, "the colleague again")
    decided(tmp_path, "Tobias", "Wrenfield")
    result = run("import", "p08.txt", "--anonymise", "--key", "k.json", "--identifiers",
                 "ids.csv", "--non-interactive", "--decisions", "decided.csv",
                 "--interviewer", "Interviewer")
    assert "already in the project" in result.output
    assert "can no longer be undone" in result.output
    with Project.open(tmp_path / "project.qcode") as project:
        moved = project.coding(coding)
        earlier = project.transcript_id(next(t.name for t in project.transcripts()
                                             if t.name.startswith("p07")))
        assert project.transcript_text(earlier)[moved.start:moved.end] == "Hard."
        assert project.check() == []
    assert leaks(everywhere(tmp_path), ("Tobias", "Wrenfield")) == {}


def test_a_name_only_in_the_file_name_is_offered_for_review(run, tmp_path):
    """interview_jo_mbeki.txt never says "Mbeki": the name in the file name is a
    candidate like any other, so nobody deciding it holds the transcript back."""
    write(tmp_path / "interview_jo_mbeki.txt",
          "Interviewer: Where did you start?\n\nP09: In the port office, years ago.\n")
    run("init")
    result = run("import", "interview_jo_mbeki.txt", "--anonymise", "--key", "k.json",
                 "--non-interactive", ok=False)
    assert "held back 1 transcript(s)" in result.output
    assert leaks(everywhere(tmp_path), ("Mbeki",)) == {}
    review = (tmp_path / "k-review.csv").read_text()
    assert "file name 'interview_[Jo Mbeki]'" in review
    decided(tmp_path)
    result = run("import", "interview_jo_mbeki.txt", "--anonymise", "--key", "k.json",
                 "--non-interactive", "--decisions", "decided.csv")
    assert "replaced: file name 1" in result.output
    with Project.open(tmp_path / "project.qcode") as project:
        [row] = project.transcripts()
    assert "mbeki" not in (row.name + row.case + row.source_file).lower()
    assert leaks(everywhere(tmp_path), ("Mbeki",)) == {}


def test_a_name_only_in_the_case_name_is_offered_for_review(run, tmp_path):
    write(tmp_path / "p09.txt",
          "Interviewer: Where did you start?\n\nP09: In the port office, years ago.\n")
    run("init")
    result = run("import", "p09.txt", "--case", "Zorblatt", "--anonymise", "--key",
                 "k.json", "--non-interactive", ok=False)
    assert "held back 1 transcript(s)" in result.output
    assert "case name '[Zorblatt]'" in (tmp_path / "k-review.csv").read_text()
    assert leaks(everywhere(tmp_path), ("Zorblatt",)) == {}


def test_decisions_for_a_name_only_in_an_earlier_file_name_are_taken(run, tmp_path):
    """The value stands only in the name of a transcript stored unreviewed: the
    decisions file is not refused as made for other transcripts, and the name goes."""
    write(tmp_path / "interview_jo_mbeki.txt",
          "Interviewer: Where did you start?\n\nP09: In the port office, years ago.\n")
    write(tmp_path / "p08.txt", "Interviewer: And after?\n\nP08: It went quiet.\n")
    run("init")
    run("import", "interview_jo_mbeki.txt", "--anonymise", "--key", "k.json",
        "--non-interactive", "--store-unreviewed")
    decided(tmp_path)
    result = run("import", "p08.txt", "--anonymise", "--key", "k.json",
                 "--non-interactive", "--decisions", "decided.csv",
                 "--interviewer", "Interviewer")
    assert "names, memos and the event log" in result.output
    assert leaks(everywhere(tmp_path), ("Mbeki",)) == {}


def test_with_no_terminal_the_review_refuses_in_one_line(run, tmp_path):
    """Input from a file or a pipe: the questions have nobody to answer them, so the
    import says what to do instead and leaves no project, key or review file."""
    setup(tmp_path)
    run("init")
    result = run("import", "p07.txt", "--anonymise", "--key", "k.json", "--identifiers",
                 "ids.csv", "--interviewer", "Okonkwo", input="", ok=False)
    assert result.output.splitlines()[-1].startswith("Error: no terminal to ask in: use "
                                                     "--non-interactive")
    assert "Aborted" not in result.output
    assert not (tmp_path / "k.json").exists() and not (tmp_path / "k-review.csv").exists()
    with Project.open(tmp_path / "project.qcode") as project:
        assert project.transcripts() == []
    run("-p", "raw.qcode", "init")
    run("-p", "raw.qcode", "import", "p07.txt")
    run("-p", "raw.qcode", "export", "raw.qdpx")
    result = run("-p", "new.qcode", "import-project", "raw.qdpx", "--anonymise", "--key",
                 "k.json", "--identifiers", "ids.csv", input="", ok=False, one_line=True)
    assert "no terminal to ask in" in result.output
    assert not (tmp_path / "new.qcode").exists() and not (tmp_path / "k.json").exists()
