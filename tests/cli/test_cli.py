"""The command line end to end, as a researcher would use it."""

from __future__ import annotations

import json
import zipfile
from pathlib import Path

from qcode.core.store import Project

INTERVIEW = """Study: demo
Date: 2025-03-01

Interviewer: How big a problem is online exploitation in your area?

P01: It is bigger than the figures suggest. Most of what we see starts on advertising sites.

We rarely get reports from buyers.

Interviewer: What evidence do you rely on?

P01: Phone numbers repeated across adverts, mostly.
"""

VTT = """WEBVTT

00:00:01.000 --> 00:00:03.000
<v Interviewer>Thanks for joining.</v>

00:00:03.500 --> 00:00:06.000
<v P02>Happy to help with the research.</v>
"""


def test_init_import_list_show_search(run, tmp_path: Path):
    (tmp_path / "p01.txt").write_text(INTERVIEW, encoding="utf-8")
    (tmp_path / "p02.vtt").write_text(VTT, encoding="utf-8")
    run("init")
    assert (tmp_path / "project.qcode").exists()
    result = run("import", "p01.txt", "p02.vtt")
    assert "imported p01.txt" in result.output and "imported p02.vtt" in result.output

    listing = json.loads(run("transcripts", "--json").output)
    assert [(t["name"], t["turns"], t["case"]) for t in listing] == [
        ("p01", 5, "p01"), ("p02", 2, "p02")]
    assert "p01" in run("transcripts").output

    shown = run("show", "p01").output
    assert "Interviewer" in shown and "We rarely get reports from buyers." in shown
    turns = json.loads(run("show", "p01", "--json").output)
    assert turns[2]["speaker"] == "P01"
    assert turns[2]["text"].endswith("We rarely get reports from buyers.")

    hits = json.loads(run("search", "phone numbers", "--json").output)
    assert [(h["transcript"], h["turn"], h["speaker"]) for h in hits] == [("p01", 5, "P01")]
    assert "No transcript contains" in run("search", "nothing like this").output
    assert "ok:" in run("check").output


def test_project_option_and_environment_variable(run, tmp_path: Path, monkeypatch):
    run("--project", "a.qcode", "init")
    assert (tmp_path / "a.qcode").exists()
    monkeypatch.setenv("QCODE_PROJECT", str(tmp_path / "b.qcode"))
    run("init")
    assert (tmp_path / "b.qcode").exists()
    assert not (tmp_path / "project.qcode").exists()


def test_cases_and_attributes(run, tmp_path: Path):
    (tmp_path / "p01.txt").write_text(INTERVIEW, encoding="utf-8")
    (tmp_path / "people.csv").write_text(
        "case,file,role,region\nP01,p01.txt,Detective Sergeant,Southeast\n"
        "P02,,Modern Slavery Coordinator,East England\n", encoding="utf-8")
    run("init")
    run("import", "p01.txt", "--attributes", "people.csv")
    run("case", "set", "P02", "role=Analyst", "group=Police")
    cases = {c["case"]: c for c in json.loads(run("cases", "--json").output)}
    assert cases["P01"]["transcripts"] == ["p01"]
    assert cases["P01"]["attributes"] == {"role": "Detective Sergeant", "region": "Southeast"}
    assert cases["P02"]["attributes"]["role"] == "Analyst"
    table = run("cases").output
    assert "Detective Sergeant" in table and "group" in table
    bad = run("case", "set", "P02", "oops", ok=False)
    assert "NAME=VALUE" in bad.output


def test_case_option_on_import(run, tmp_path: Path):
    (tmp_path / "p01.txt").write_text(INTERVIEW, encoding="utf-8")
    run("init")
    run("import", "p01.txt", "--case", "P07")
    assert json.loads(run("transcripts", "--json").output)[0]["case"] == "P07"


def test_bad_files_are_reported_and_the_batch_goes_on(run, tmp_path: Path):
    (tmp_path / "good.txt").write_text(INTERVIEW, encoding="utf-8")
    (tmp_path / "again.txt").write_text(INTERVIEW, encoding="utf-8")
    (tmp_path / "old.doc").write_bytes(b"\xd0\xcf\x11\xe0 old word")
    (tmp_path / "scan.pdf").write_bytes(b"%PDF-1.4")
    (tmp_path / "empty.txt").write_bytes(b"")
    (tmp_path / "image.txt").write_bytes(bytes(range(256)) * 4)
    (tmp_path / "broken.docx").write_bytes(b"not a zip at all")
    (tmp_path / "bad.vtt").write_text("WEBVTT\n\n00:00:xx.000 --> 00:00:02.000\nhi\n")
    (tmp_path / "undecodable.txt").write_bytes(b"P01: caf\x81\x8d\x8f\x90\x9d\n")
    run("init")
    files = ["good.txt", "old.doc", "scan.pdf", "empty.txt", "image.txt", "broken.docx",
             "bad.vtt", "undecodable.txt", "again.txt", "missing.txt"]
    result = run("import", *files, ok=False)
    errors = [line for line in result.output.splitlines() if line.startswith("error: ")]
    assert len(errors) == 8, result.output
    by_file = {line.split(": ")[1]: line for line in errors}
    assert "unsupported format .doc" in by_file["old.doc"]
    assert ".docx" in by_file["scan.pdf"] and ".vtt" in by_file["scan.pdf"]
    assert "empty" in by_file["empty.txt"]
    assert "binary" in by_file["image.txt"]
    assert "docx" in by_file["broken.docx"]
    assert "line 3" in by_file["bad.vtt"]
    assert "decode" in by_file["undecodable.txt"]
    # Another file with the same text is a second transcript, said as a warning.
    assert "warning: again.txt: same text as transcript 'good'" in result.output
    assert "no such file" in by_file["missing.txt"]
    assert "8 of 10 file(s) not imported" in result.output
    with Project.open(tmp_path / "project.qcode") as project:
        assert [t.name for t in project.transcripts()] == ["again", "good"]
        assert project.summary()["turns"] == 10


def test_not_a_project_is_refused_and_untouched(run, tmp_path: Path):
    (tmp_path / "notes.txt").write_text("my notes")
    result = run("--project", "notes.txt", "transcripts", ok=False)
    assert "not a qcode project" in result.output
    assert (tmp_path / "notes.txt").read_text() == "my notes"
    assert "qcode init" in run("transcripts", ok=False).output
    zipped = tmp_path / "archive.qcode"
    with zipfile.ZipFile(zipped, "w") as z:
        z.writestr("x", "y")
    assert "not a qcode project" in run("--project", str(zipped), "cases", ok=False).output


def test_codebook_load_show_and_errors(run, tmp_path: Path):
    repo = Path(__file__).resolve().parents[2]
    run("init")
    loaded = run("codebook", "load", str(repo / "codebooks" / "asw-study.yaml")).output
    assert "added" in loaded
    shown = run("codebook", "show").output
    assert shown.splitlines()[0] and not shown.startswith(" ")
    assert any(line.startswith("    ") for line in shown.splitlines())  # three levels
    full = run("codebook", "show", "--full").output
    assert "definition:" in full and "not when:" in full
    codes = json.loads(run("codebook", "show", "--json").output)
    assert {"definition", "when_to_use", "when_not_to_use", "example", "guid"} <= set(codes[0])
    (tmp_path / "bad.yaml").write_text("name: x\ncodes:\n  - name: A\n    colour: blue\n")
    before = run("codebook", "show", "--json").output
    result = run("codebook", "load", "bad.yaml", ok=False)
    assert "bad.yaml:4: bad colour 'blue'" in result.output
    assert run("codebook", "show", "--json").output == before


def test_codebook_show_marks_a_category(run, tmp_path: Path):
    (tmp_path / "book.yaml").write_text("name: b\ncodes:\n  - name: Barriers\n"
                                        "    codable: false\n    codes:\n"
                                        "      - name: Cost\n")
    run("init")
    run("codebook", "load", "book.yaml")
    assert run("codebook", "show").output.splitlines() == [
        "Barriers (category: not applied to text)", "  Cost"]
    codes = json.loads(run("codebook", "show", "--json").output)
    assert [c["codable"] for c in codes] == [False, True]


def test_backup_and_check(run, tmp_path: Path):
    (tmp_path / "p01.txt").write_text(INTERVIEW, encoding="utf-8")
    run("init")
    run("import", "p01.txt")
    run("backup", "copy.qcode")
    assert "ok:" in run("--project", "copy.qcode", "check").output
    assert "already exists" in run("backup", "copy.qcode", ok=False).output
    with Project.open(tmp_path / "project.qcode") as project:
        project.conn.execute("UPDATE transcripts SET text = 'changed'")
    result = run("check", ok=False)
    assert "SHA-256" in result.output


def test_demo_builds_a_project_with_every_format(run, tmp_path: Path):
    result = run("demo")
    assert (tmp_path / "demo.qcode").exists()
    assert "Built the demo project" in result.output
    with Project.open(tmp_path / "demo.qcode") as project:
        rows = project.transcripts()
        assert len(rows) >= 6
        assert {r.source_format for r in rows} >= {"txt", "docx", "vtt"}
        assert all(1500 <= r.word_count <= 4000 for r in rows), [
            (r.name, r.word_count) for r in rows]
        assert all(r.case for r in rows)
        groups = {c.values.get("group") for c in project.all_cases()}
        assert groups >= {"Police", "Platform staff", "Sex workers"}
        assert len(project.codes()) > 40
        assert project.check() == []
    again = run("demo")
    assert "existing demo project" in again.output


def test_case_attributes_set_on_the_command_line_are_undone_in_the_coders_name(
        run, tmp_path: Path):
    run("init")
    run("case", "set", "P02", "role=Analyst", "--coder", "ana")
    told = run("case", "set", "P02", "role=Detective", "region=East", "--coder", "ana")
    assert "undo: u in 'qcode code --coder ana'" in told.output
    with Project.open(tmp_path / "project.qcode") as project:
        project.coder = "ana"
        assert project.undo() == "case P02: role=Detective, region=East"
        assert project.all_cases()[0].values == {"role": "Analyst"}


def test_the_coding_screen_without_a_terminal_is_refused_in_one_line(run):
    """`qcode code < /dev/null` waited for keys forever; now it says why it cannot open."""
    run("init")
    result = run("code", ok=False, one_line=True)
    assert "needs a terminal" in result.output
