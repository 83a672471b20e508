"""Anonymisation from the command line, and the proof that no real value is left."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from tests.cli_runner import CliRunner

from qcode.cli import cli
from qcode.core.store import Project

from tests.conftest import SHARED_FIXTURES

INTERVIEW = """Interviewer: Thanks for talking to me, Sarah.

P01: No problem. I work with Kirsty Miles at Wessex Constabulary, and Daniel's team \
covers Ipswich. Kirstie rang me from 07700 900417 about NightListings.

Interviewer: And Will?

P01: Will left in May. You can mail sarah.jones@example.org.
"""
TEAMS_VTT = """WEBVTT

1
00:00:01.000 --> 00:00:04.000
<v Hannah Okafor>Thanks for joining, Owen.</v>

2
00:00:04.500 --> 00:00:09.000
<v Owen Mercer>Glad to. I have worked in Northmoor for ten years now, mostly on adverts.</v>
"""
IDENTIFIERS = """value,category,pseudonym
Sarah Jones,person,
Sarah,person,
Kirsty Miles,person,
Kirsty,person,
Daniel,person,
Wessex Constabulary,police force,
Ipswich,place,
NightListings,website,
Will,person,
Hannah Okafor,person,Interviewer
Owen Mercer,person,P01
Owen,person,
Northmoor,place,
"""
REAL_VALUES = [b"Sarah", b"Kirsty", b"Kirstie", b"Miles", b"Daniel", b"Wessex", b"Ipswich",
               b"NightListings", b"07700 900417", b"900417", b"sarah.jones", b"Hannah",
               b"Okafor", b"Owen", b"Mercer", b"Northmoor"]


@pytest.fixture
def run(tmp_path: Path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("QCODE_PROJECT", raising=False)
    monkeypatch.delenv("QCODE_KEY_PASSPHRASE", raising=False)
    runner = CliRunner()

    def invoke(*args: str, ok: bool = True, input: str | None = None):
        if input is not None:  # typed answers: a person at the keyboard
            monkeypatch.setattr("qcode.cli.anonymise.can_ask", lambda: True)
        result = runner.invoke(cli, list(args), input=input, catch_exceptions=False)
        assert (result.exit_code == 0) is ok, result.output
        assert "Traceback" not in result.output
        return result

    (tmp_path / "p01.txt").write_text(INTERVIEW, encoding="utf-8")
    (tmp_path / "p02.vtt").write_text(TEAMS_VTT, encoding="utf-8")
    (tmp_path / "ids.csv").write_text(IDENTIFIERS, encoding="utf-8")
    return invoke


def project_bytes(tmp_path: Path) -> bytes:
    data = (tmp_path / "project.qcode").read_bytes()
    wal = tmp_path / "project.qcode-wal"
    return data + (wal.read_bytes() if wal.exists() else b"")


def assert_no_real_values(data: bytes, undecided: tuple[bytes, ...] = ()) -> None:
    """`undecided`: candidates stored unreviewed on purpose (--store-unreviewed)."""
    lowered = data.lower()
    left = [v for v in REAL_VALUES if v.lower() in lowered and v not in undecided]
    assert left == [], left


def test_non_interactive_import_leaves_no_listed_value(run, tmp_path: Path):
    run("init")
    result = run("import", "p01.txt", "p02.vtt", "--anonymise", "--key", "k.json",
                 "--identifiers", "ids.csv", "--non-interactive")
    # "May" and "Kirstie" are candidates nobody decided: p01 is held back, p02 goes in.
    assert "held back 1 transcript(s)" in result.output and "p01.txt" in result.output
    with Project.open(tmp_path / "project.qcode") as project:
        assert [t.name for t in project.transcripts()] == ["p02"]
    result = run("import", "p01.txt", "--anonymise", "--key", "k.json",
                 "--identifiers", "ids.csv", "--non-interactive", "--store-unreviewed")
    assert "stored 1 transcript(s) with undecided candidates" in result.output
    with Project.open(tmp_path / "project.qcode") as project:
        text = project.transcript_text(project.transcript_id("p01"))
        speakers = [t.speaker for t in project.turns(project.transcript_id("p02"))]
    assert text.startswith("Interviewer: Thanks for talking to me, [Person 1].")
    # Pseudonyms are numbered in order of first appearance.
    assert "[Person 2] at [Force 1]" in text and "[Person 3]'s team" in text
    # "Kirstie" is a first name of its own, close to the listed "Kirsty": proposed, not
    # taken for her; stored as written only because --store-unreviewed says so.
    assert "Kirstie rang me from [Phone 1] about [Website 1]" in text
    assert "[Person 4] left in May" in text  # listed Will replaced; "May" left as stored
    assert speakers == ["Interviewer", "P01"]
    assert_no_real_values(project_bytes(tmp_path), undecided=(b"Kirstie",))
    report = (tmp_path / "k-review.csv").read_text()
    assert "Will" in report and "decision" in report.splitlines()[0]
    assert "close to the listed 'Kirsty'" in report
    key = json.loads((tmp_path / "k.json").read_text())
    assert "Kirstie" not in {e["value"] for e in key["entries"]}


def test_decisions_file_finishes_the_review(run, tmp_path: Path):
    run("init")
    run("import", "p01.txt", "--anonymise", "--key", "first.json", "--identifiers",
        "ids.csv", "--non-interactive", ok=False)
    run("--project", "second.qcode", "init")  # a key is bound to one project: a new one
    report = (tmp_path / "first-review.csv").read_text().splitlines()
    filled = [report[0]] + ["accept" + line if line.startswith((",Will,", ",Kirstie,"))
                            else "reject" + line for line in report[1:]]
    (tmp_path / "decisions.csv").write_text("\n".join(filled) + "\n")
    result = run("--project", "second.qcode", "import", "p01.txt", "--anonymise", "--key",
                 "k.json", "--identifiers", "ids.csv", "--non-interactive",
                 "--decisions", "decisions.csv")
    assert "unresolved" not in result.output
    with Project.open(tmp_path / "second.qcode") as project:
        text = project.transcript_text(project.transcript_id("p01"))
    # Kirstie, accepted, is a person of her own: nothing said she is Kirsty.
    assert "[Person 4] rang me" in text
    assert "And [Person 5]?" in text and "[Person 5] left in May" in text


def test_interactive_review(run, tmp_path: Path):
    run("init")
    # Groups come most frequent first: Will (2), then Kirstie, May (1) ... answer a,
    # then r.
    result = run("import", "p01.txt", "--anonymise", "--key", "k.json", "--identifiers",
                 "ids.csv", input="a\nr\n" + "r\n" * 10)
    assert "possible identifier(s) to review" in result.output
    with Project.open(tmp_path / "project.qcode") as project:
        text = project.transcript_text(project.transcript_id("p01"))
    assert "[Person 4] left in May" in text
    key = json.loads((tmp_path / "k.json").read_text())
    assert "may" in key["rejected"]


def test_quitting_the_review_writes_nothing(run, tmp_path: Path):
    run("init")
    result = run("import", "p01.txt", "--anonymise", "--key", "k.json", "--identifiers",
                 "ids.csv", input="q\n", ok=False)
    assert "nothing was imported" in result.output
    assert not (tmp_path / "k.json").exists()
    with Project.open(tmp_path / "project.qcode") as project:
        assert project.transcripts() == []


def test_encrypted_key_and_pseudonyms_reused_by_later_imports(run, tmp_path, monkeypatch):
    monkeypatch.setenv("QCODE_KEY_PASSPHRASE", "a long passphrase")
    run("init")
    run("import", "p01.txt", "--anonymise", "--key", "k.key", "--identifiers", "ids.csv",
        "--non-interactive", "--encrypt-key", ok=False)
    assert b"Kirsty" not in (tmp_path / "k.key").read_bytes()
    (tmp_path / "later.txt").write_text("P03: Kirsty Miles moved to Ipswich.\n")
    run("import", "later.txt", "--anonymise", "--key", "k.key", "--non-interactive")
    with Project.open(tmp_path / "project.qcode") as project:
        text = project.transcript_text(project.transcript_id("later"))
    assert text == "P03: [Person 2] moved to [Place 1].\n"
    monkeypatch.setenv("QCODE_KEY_PASSPHRASE", "wrong")
    result = run("import", "p02.vtt", "--anonymise", "--key", "k.key", ok=False)
    assert "wrong passphrase" in result.output


@pytest.mark.parametrize("content, problem", [
    ("value,category\nSarah,person\nsarah,place\n", "listed again"),
    ("value,category\n,person\n", "the value is empty"),
    ("value,category\nSarah,alien\n", "unknown category 'alien'"),
])
def test_bad_identifier_lists_change_nothing(run, tmp_path: Path, content, problem):
    run("init")
    (tmp_path / "bad.csv").write_text(content)
    result = run("import", "p01.txt", "--anonymise", "--key", "k.json", "--identifiers",
                 "bad.csv", "--non-interactive", ok=False)
    assert problem in result.output and "bad.csv:" in result.output
    assert not (tmp_path / "k.json").exists()
    with Project.open(tmp_path / "project.qcode") as project:
        assert project.transcripts() == []


def test_bad_key_files_change_nothing(run, tmp_path: Path):
    run("init")
    (tmp_path / "k.json").write_text("{not json")
    result = run("import", "p01.txt", "--anonymise", "--key", "k.json", "--non-interactive",
                 ok=False)
    assert "k.json: not a qcode key file" in result.output
    assert "needs --key" in run("import", "p01.txt", "--anonymise", ok=False).output


def test_transcript_without_identifiers(run, tmp_path: Path):
    (tmp_path / "plain.txt").write_text("P09: We talked about the weather.\n")
    run("init")
    run("import", "plain.txt", "--anonymise", "--key", "k.json", "--non-interactive")
    with Project.open(tmp_path / "project.qcode") as project:
        assert project.transcript_text(project.transcript_id("plain")) == \
            "P09: We talked about the weather.\n"


def test_anonymise_file_to_file(run, tmp_path: Path):
    run("anonymise", "p01.txt", "p02.vtt", "--out", "clean", "--key", "k.json",
        "--identifiers", "ids.csv", "--non-interactive")
    out = (tmp_path / "clean" / "p02.txt").read_text()
    # "Owen" is listed on its own too, but the label "Owen Mercer" says who he is.
    assert out.startswith("Interviewer: Thanks for joining, P01.")
    for path in (tmp_path / "clean").iterdir():
        # Written unresolved, as "May" is, and said so: a first name of its own.
        assert_no_real_values(path.read_bytes(), undecided=(b"Kirstie",))


def test_redact_reanchors_codings_and_scrubs_the_file(run, tmp_path: Path):
    (tmp_path / "p05.txt").write_text(
        "P05: I reported it to Constable Marsh last spring.\n\nInterviewer: And then?\n\n"
        "P05: Marsh never called back.\n")
    run("init")
    run("import", "p05.txt", "--anonymise", "--key", "k.json", "--non-interactive",
        "--store-unreviewed")
    with Project.open(tmp_path / "project.qcode") as project:
        tid = project.transcript_id("p05")
        text = project.transcript_text(tid)
        assert "Marsh" in text  # unlisted: only proposed, so still there
        project.load_codebook(__import__("qcode.core.codebook", fromlist=["x"]).parse(
            "name: b\ncodes:\n  - name: Reporting\n"))
        code = project.codes()[0].id
        whole = project.add_coding(tid, code, "ana", text.index("I reported"),
                                   text.index(" last spring"))
        name = project.add_coding(tid, code, "ana", text.index("Marsh never") + 1,
                                  text.index("Marsh never") + 3)
    result = run("redact", "p05", "Marsh", "--key", "k.json")
    assert "replaced 2 occurrence(s) with [Person 1]" in result.output
    with Project.open(tmp_path / "project.qcode") as project:
        text = project.transcript_text(tid)
        spans = dict(project.conn.execute('SELECT id, substr((SELECT text FROM transcripts '
                                          'WHERE id = transcript_id), start + 1, "end" - start)'
                                          " FROM codings").fetchall())
        assert project.check() == []
        events = project.events()
    assert spans[whole] == "I reported it to Constable [Person 1]"
    assert spans[name] == "[Person 1]"
    assert events[0]["action"] == "redact" and "Marsh" not in json.dumps(events)
    data = project_bytes(tmp_path)
    assert b"marsh" not in data.lower()
    assert "ok:" in run("verify-anonymised", "--key", "k.json").output
    assert "not occur" in run("redact", "p05", "Nobody", "--key", "k.json", ok=False).output


def test_verify_anonymised_finds_leaks(run, tmp_path: Path):
    run("init")
    run("import", "p01.txt", "--key", "k.json", "--identifiers", "ids.csv", ok=False)
    run("import", "p01.txt")  # not anonymised: the names are in the project
    (tmp_path / "k.json").write_text(json.dumps({"format": "qcode-key", "entries": [
        {"value": "Kirsty Miles", "category": "person", "pseudonym": "[Person 1]"},
        {"value": "07700 900417", "category": "phone", "pseudonym": "[Phone 1]"}]}))
    result = run("verify-anonymised", "--key", "k.json", ok=False)
    assert "'Kirsty Miles'" in result.output and "'07700 900417'" in result.output


def test_demo_is_anonymised(run, tmp_path: Path):
    run("demo")
    assert "anonymised" in run("demo", "--fresh").output
    result = run("--project", "demo.qcode", "verify-anonymised", "--key", "demo.key.json")
    assert "\nok: none" in "\n" + result.output


TRANSCRIPTS = SHARED_FIXTURES / "transcripts"


@pytest.mark.skipif(not TRANSCRIPTS.is_dir(), reason="shared fixtures are absent")
def test_real_transcripts_come_out_without_their_names(run, tmp_path: Path):
    docx = TRANSCRIPTS / "mannheimer-qdr_BSR02_transcript_deidentified.docx"
    vtt = TRANSCRIPTS / "nypl-oral-history_aaron-scott_2015.vtt"
    shutil.copy(docx, tmp_path / "bsr02.docx")
    shutil.copy(vtt, tmp_path / "scott.vtt")
    run("init")
    run("import", "bsr02.docx", "scott.vtt", "--anonymise", "--key", "first.json",
        "--non-interactive", ok=False)
    # Accept every proposed candidate, as a cautious researcher would, then import again
    # into a new project (with a new key: a key belongs to one project).
    report = (tmp_path / "first-review.csv").read_text().splitlines()
    (tmp_path / "all.csv").write_text("\n".join(
        [report[0]] + ["accept" + line for line in report[1:]]) + "\n")
    run("--project", "again.qcode", "init")
    run("--project", "again.qcode", "import", "bsr02.docx", "scott.vtt", "--anonymise",
        "--key", "k.json", "--non-interactive", "--decisions", "all.csv")
    with Project.open(tmp_path / "again.qcode") as project:
        for row in project.transcripts():
            speakers = {t.speaker for t in project.turns(row.id)}
            assert all(s in (None, "Multiple Speakers")  # a generic label names nobody
                       or s.startswith(("Interviewer", "Participant", "Speaker", "["))
                       or s.isupper() for s in speakers), speakers
    result = run("--project", "again.qcode", "verify-anonymised", "--key", "k.json")
    assert "\nok: none" in "\n" + result.output


def test_a_second_review_file_never_replaces_the_first(run, tmp_path: Path):
    # The first may already be filled in: a later run writes beside it, and says where.
    run("init")
    run("import", "p01.txt", "--anonymise", "--key", "k.json", "--identifiers", "ids.csv",
        "--non-interactive", ok=False)
    first = (tmp_path / "k-review.csv").read_bytes()
    result = run("import", "p01.txt", "--anonymise", "--key", "k.json", "--identifiers",
                 "ids.csv", "--non-interactive", ok=False)
    assert (tmp_path / "k-review.csv").read_bytes() == first
    assert "k-review-2.csv" in result.output and (tmp_path / "k-review-2.csv").exists()


def test_an_explicit_report_that_exists_is_refused_before_any_work(run, tmp_path: Path):
    run("init")
    (tmp_path / "mine.csv").write_text("precious\n")
    result = run("import", "p01.txt", "--anonymise", "--key", "k.json", "--identifiers",
                 "ids.csv", "--non-interactive", "--report", "mine.csv", ok=False)
    assert "mine.csv already exists" in result.output
    assert (tmp_path / "mine.csv").read_text() == "precious\n"
    with Project.open(tmp_path / "project.qcode") as project:
        assert project.transcripts() == []


def test_import_project_asks_the_reviewer_as_import_does(run, tmp_path: Path):
    """import-project supplies the prompt reviewer to the same pipeline as import: a
    candidate accepted at the prompt leaves the text, the names and the export, and
    nothing is held back."""
    from tests.cli.test_pipeline import everywhere, leaks

    write = (tmp_path / "colleague.txt").write_text
    write("Interviewer: Who trained you?\n\nP05: Tobias Wrenfield trained me.\n")
    run("-p", "raw.qcode", "init")
    run("-p", "raw.qcode", "import", "colleague.txt")
    run("-p", "raw.qcode", "export", "raw.qdpx")
    result = run("import-project", "raw.qdpx", "--anonymise", "--key", "k.json",
                 "--interviewer", "Interviewer", input="A\n")
    assert "held back" not in result.output
    assert "replaced: person 1" in result.output
    assert leaks(everywhere(tmp_path), ("Tobias", "Wrenfield")) == {}
