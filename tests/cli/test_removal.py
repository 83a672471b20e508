"""Removal that really removes: `transcript remove`, `redact --all`, `scrub`. Each path
checks that the real value is absent from the project file, its WAL, every text column
of every table (the event log included) and a .qdpx export."""

from __future__ import annotations

import sqlite3
import zipfile
from pathlib import Path

import pytest

from qcode.core import codebook
from qcode.core.store import Project, ProjectError

from tests.cli.test_anonymise_leaks import whole_word
from tests.cli.test_cli_anonymise import project_bytes

NAME = "Zorblatt"  # the real name found late: in no dictionary, so never a common word
OTHER = "Quennell"  # a second real name, in the transcript removed by mistake


@pytest.fixture
def study(run, tmp_path: Path, monkeypatch):
    """A project where NAME stands in every place a project holds text."""
    monkeypatch.setenv("QCODE_CONFIG", str(tmp_path / "config.toml"))
    (tmp_path / f"{NAME.lower()}_p01.txt").write_text(
        f"P01: I reported it to {NAME} last spring.\n\nInterviewer: And then?\n\n"
        f"P01: {NAME}'s office never called back.\n")
    (tmp_path / "p02.txt").write_text(f"P02: {OTHER} runs the night shift.\n\n"
                                      "Interviewer: Who else?\n\nP02: Nobody else.\n")
    run("init")
    run("import", f"{NAME.lower()}_p01.txt", "--case", f"{NAME} Smith")
    run("import", "p02.txt", "--case", "P02")
    run("case", "set", f"{NAME} Smith", f"employer={NAME} Ltd", f"{NAME}_ref=7")
    with Project.open(tmp_path / "project.qcode") as project:
        project.coder = "ana"
        project.load_codebook(codebook.parse(
            f"name: b\ncodes:\n  - name: Reporting\n    definition: as {NAME} did\n"
            f"  - name: {NAME} effect\n"))
        code = project.codes()[0].id
        first, second = (project.transcript_id(n) for n in ("zorblatt_p01", "p02"))
        text = project.transcript_text(first)
        coding = project.add_coding(first, code, "ana", text.index("I reported"),
                                    text.index(" last"), memo=f"{NAME} again")
        # A memo edited to take the name out: the old memo is in the undo data.
        project.set_coding_memo(coding, "the officer again")
        other = project.transcript_text(second)
        project.add_coding(second, code, "ana", other.index(OTHER), other.index(" runs"),
                           memo=f"ask about {OTHER}")
        project.add_coding(second, code, NAME, 0, 3)  # a coder named by the real name
    return tmp_path


def absent(folder: Path, run, value: str) -> None:
    """`value` is nowhere: project bytes, -wal, any text column, a .qdpx export."""
    assert whole_word(value, project_bytes(folder), case_sensitive=False) == []
    conn = sqlite3.connect(folder / "project.qcode")
    try:
        tables = [r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE"
                                             " type = 'table'")]
        for table in tables:
            columns = [r[1] for r in conn.execute(f'PRAGMA table_info("{table}")')]
            for column in columns:
                hits = conn.execute(f'SELECT "{column}" FROM "{table}" WHERE'
                                    f' CAST("{column}" AS TEXT) LIKE ?',
                                    (f"%{value}%",)).fetchall()
                assert hits == [], (table, column, hits)
    finally:
        conn.close()
    run("export", folder / "check.qdpx", "--force")
    with zipfile.ZipFile(folder / "check.qdpx") as qdpx:
        for member in qdpx.namelist():
            assert value.lower().encode() not in qdpx.read(member).lower(), member


def dump(folder: Path) -> list[str]:
    conn = sqlite3.connect(folder / "project.qcode")
    try:
        return [line for line in conn.iterdump() if "turns_fts" not in line]
    finally:
        conn.close()


# -- transcript remove --------------------------------------------------------------------

def test_remove_is_undoable_until_scrub_and_then_leaves_nothing(study: Path, run):
    result = run("transcript", "remove", "p02", "--yes", "--coder", "ana")
    assert "removed transcript p02" in result.output
    assert "case P02 removed too" in result.output
    with Project.open(study / "project.qcode") as project:
        assert [t.name for t in project.transcripts()] == ["zorblatt_p01"]
        assert project.search(OTHER) == [] and project.check() == []
        project.coder = "ana"
        assert project.undo().startswith("removed transcript p02")
        assert [h.transcript for h in project.search(OTHER)] == ["p02"]
        assert project.check() == []
        back = project.transcript_id("p02")
        assert sorted(c.memo for c in project.codings(back)) == ["", f"ask about {OTHER}"]
        assert [c.name for c in project.all_cases()] == ["P02", f"{NAME} Smith"]
        assert project.redo().startswith("removed transcript p02")
    assert "1 removed transcript(s) are gone for good" in run("scrub").output
    absent(study, run, OTHER)
    with Project.open(study / "project.qcode") as project:
        project.coder = "ana"
        with pytest.raises(ProjectError, match="removed and scrubbed"):
            project.undo()
        # The event stays, naming no real value.
        assert any(e["action"] == "remove transcript" for e in project.events())


def test_remove_keeps_a_case_with_attributes_and_says_so(study: Path, run):
    result = run("transcript", "remove", "zorblatt_p01", "--yes", "--coder", "ana")
    assert f"case {NAME} Smith kept: it has attributes" in result.output
    with Project.open(study / "project.qcode") as project:
        assert f"{NAME} Smith" in [c.name for c in project.all_cases()]


def test_redo_of_a_removal_never_takes_rows_added_since(study: Path, run):
    run("transcript", "remove", "p02", "--yes", "--coder", "ana")
    with Project.open(study / "project.qcode") as project:
        project.coder = "ana"
        project.undo()
        project.add_coding(project.transcript_id("p02"), project.codes()[0].id, "bo",
                           0, 3)  # another coder: ana's redo stays possible
        with pytest.raises(ProjectError, match="cannot redo"):
            project.redo()
        assert project.transcript_id("p02")


@pytest.mark.parametrize("args, message", [
    (["nobody", "--yes", "--coder", "ana"], "no transcript named 'nobody'"),
    (["p0", "--yes", "--coder", "ana"], "did you mean 'p02'"),
    (["p02", "--coder", "ana"], "needs confirmation"),
])
def test_remove_refuses_in_one_line_and_changes_nothing(study: Path, run, args, message):
    before = dump(study)
    result = run("transcript", "remove", *args, ok=False, one_line=True)
    assert message in result.output
    assert dump(study) == before


# -- redact --all -------------------------------------------------------------------------

def test_redact_all_previews_then_removes_the_value_from_every_place(study: Path, run):
    with Project.open(study / "project.qcode") as project:
        project.coder = "ana"
        project.undo()  # ana's coding of p02: her latest action is then the memo edit
    (study / "value.txt").write_text(f"{NAME}\n")
    result = run("redact", "--all", "--value-file", "value.txt", "--key", "k.json", "--yes")
    out = result.output
    for place in ("transcript zorblatt_p01, turn 1", "transcript name", "source file name",
                  "case name", "attribute name", "attribute value", "code name",
                  "code definition", "coder name", "event log summary", "undo data of"):
        assert place in out, place
    assert "earlier action(s) can no longer be undone" in out
    assert "warning" not in out  # from a file: nothing in the process list
    absent(study, run, NAME)
    with Project.open(study / "project.qcode") as project:
        assert project.check() == []
        tid = project.transcript_id("[Person 1]_p01")
        text = project.transcript_text(tid)
        [coding] = project.codings(tid)
        assert text[coding.start:coding.end] == "I reported it to [Person 1]"
        assert "[Person 1]'s office" in text
        # The memo edit's undo data held the name: undo refuses, and says why.
        project.coder = "ana"
        with pytest.raises(ProjectError, match="undo data held a redacted value"):
            project.undo()


def test_redact_preview_can_be_declined(study: Path, run, monkeypatch):
    monkeypatch.setattr("qcode.cli.privacy.can_ask", lambda: True)  # where redact asks
    (study / "value.txt").write_text(NAME)
    before = dump(study)
    result = run("redact", "--all", "--value-file", "value.txt", "--key", "k.json",
                 input="n\n", ok=False)
    assert "coding memo" not in result.output  # the memo no longer holds it ...
    # ... its undo data does, as do the codebook load's (a definition names it) and
    # the attributes set's (the case and the values name it)
    assert "undo data of 4 action(s)" in result.output
    assert dump(study) == before and not (study / "k.json").exists()


def test_redact_reads_the_value_from_standard_input(study: Path, run):
    result = run("redact", "--all", "--value", "-", "--key", "k.json", "--yes",
                 input=f"{OTHER}\n")
    assert "replaced 3 occurrence(s)" in result.output and "warning" not in result.output
    absent(study, run, OTHER)
    # With no value at all and standard input not a terminal, it is read from there.
    result = run("redact", "p02", "--key", "k.json", input="Nobody else\n")
    assert "replaced 1 occurrence(s) with [Person 2]" in result.output


def test_redact_one_transcript_cleans_names_and_event_log_too(study: Path, run):
    # Today's form, value as an argument: it still works, with a warning.
    result = run("redact", "zorblatt_p01", NAME, "--key", "k.json")
    assert "visible to other users in the process list" in result.output
    assert "replaced 2 occurrence(s)" not in result.output  # names and events count too
    absent(study, run, NAME)


def test_a_memo_edited_to_remove_a_name_leaves_no_copy_after_redact(study: Path, run):
    with Project.open(study / "project.qcode") as project:
        assert any(f"{NAME} again" in str(e["payload"]) for e in project.events(100))
    run("redact", "--all", "--value", "-", "--key", "k.json", "--yes", input=NAME)
    run("scrub")
    absent(study, run, NAME)


@pytest.mark.parametrize("args, stdin, message", [
    (["--all", "--value", "-"], "Nowhere\n", "does not occur anywhere in the project"),
    (["--all", "--value", "-"], "\n", "the value to redact is empty"),
    (["--all", "--value", "-"], "Z\n", "one-letter value"),
    (["nobody", "--value", "-"], f"{NAME}\n", "no transcript named 'nobody'"),
])
def test_redact_bad_input_is_one_line_and_changes_nothing(study: Path, run, args, stdin,
                                                         message):
    before = dump(study)
    result = run("redact", *args, "--key", "k.json", "--yes", input=stdin, ok=False,
                 one_line=True)
    assert message in result.output
    assert dump(study) == before and not (study / "k.json").exists()


def test_redact_all_without_yes_away_from_a_terminal_refuses(study: Path, run):
    result = run("redact", "--all", "--value", "-", "--key", "k.json", input=NAME,
                 ok=False, one_line=True)
    assert "give --yes" in result.output


# -- the coding screen ------------------------------------------------------------------

def test_the_coding_screen_steps_back_when_redo_removes_its_transcript(tmp_path, monkeypatch):
    import asyncio

    from qcode.tui.app import QcodeApp
    from qcode.tui.screens.coding import CodingScreen
    from qcode.tui.screens.transcripts import TranscriptsScreen
    from tests.tui_helpers import build_project, settle

    monkeypatch.setenv("QCODE_CONFIG", str(tmp_path / "config.toml"))
    path = build_project(tmp_path / "p.qcode")
    with Project.open(path) as project:
        project.coder = "ana"
        project.remove_transcript(project.transcript_id("p01-detective"), actor="ana")
        project.undo()

    async def scenario():
        app = QcodeApp(path, "ana", remember=False)
        async with app.run_test() as pilot:
            await settle(pilot, app)
            await pilot.press("enter")
            await settle(pilot, app)
            assert isinstance(app.screen, CodingScreen)
            assert app.screen.transcript_name == "p01-detective"
            await pilot.press("U")
            await settle(pilot, app)
            assert isinstance(app.screen, TranscriptsScreen)

    asyncio.run(scenario())
    with Project.open(path) as project:
        assert [t.name for t in project.transcripts()] == ["p02-operator"]
