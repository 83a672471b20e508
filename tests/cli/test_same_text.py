"""Two sources with one text stay two transcripts (two documents, two cases, each with
its own codings); only the same source again is recognised as the same: by the file
(its name) on `qcode import`, by the GUID, else the name and text, on a merge."""

from __future__ import annotations

from pathlib import Path

from tests.cli_runner import CliRunner

from qcode.cli import cli
from qcode.core.store import Project
from tests.cli.test_merge import ids, make_copies
from tests.conftest import write
from tests.unit.test_store import transcript

TEXT = "Interviewer: How big is the problem?\n\nP01: It is growing.\n"


def run(project: Path, *args: str):
    if not project.exists():
        Project.create(project).close()
    return CliRunner().invoke(cli, ["--project", str(project), *args],
                              catch_exceptions=False)


def test_another_file_with_the_same_text_is_imported_with_a_warning(tmp_path: Path):
    target = tmp_path / "study.qcode"
    first, second = write(tmp_path / "p01.txt", TEXT), write(tmp_path / "p02.txt", TEXT)
    result = run(target, "import", str(first), str(second))
    assert result.exit_code == 0, result.output
    assert (f"warning: {second}: same text as transcript 'p01'; imported as a second "
            "transcript") in result.output
    with Project.open(target) as project:
        assert [(t.name, t.case) for t in project.transcripts()] == [("p01", "p01"),
                                                                     ("p02", "p02")]


def test_the_same_file_again_is_refused_as_a_duplicate(tmp_path: Path):
    target = tmp_path / "study.qcode"
    first = write(tmp_path / "p01.txt", TEXT)
    assert run(target, "import", str(first)).exit_code == 0
    elsewhere = tmp_path / "copy"
    elsewhere.mkdir()
    for again in (first, write(elsewhere / "p01.txt", TEXT)):
        result = run(target, "import", str(again))
        assert result.exit_code != 0
        assert f"error: {again}: already imported as transcript 'p01' (same text)" in \
            result.output
    with Project.open(target) as project:
        assert [t.name for t in project.transcripts()] == ["p01"]


def test_merge_matches_by_guid_then_by_name_and_text(tmp_path: Path):
    """A copy's transcript is ours by its GUID; one each coder imported from the same
    file (another GUID, same name and text) is ours too; another name with the same
    text is another source, added with a note."""
    ana, ben = make_copies(tmp_path)
    with Project.open(ben) as project:
        project.add_coding(1, ids(project)["Fear"], "ben", 1, 5)
        project.add_transcript(transcript("twin"), source_file="twin.txt", case="P02")
        project.add_coding(project.transcript_id("twin"), ids(project)["Fear"], "ben", 1, 5)
        project.add_transcript(transcript("t3", "P03: Same file, both sides."),
                               source_file="t3.txt")
    with Project.open(ana) as project:
        # Ana imported t3 herself: her own GUID for it.
        project.add_transcript(transcript("t3", "P03: Same file, both sides."),
                               source_file="t3.txt")
        report = project.merge(ben)
        assert report["transcripts"] == 1  # the twin alone
        assert [t.name for t in project.transcripts()] == ["t1", "t3", "twin"]
        assert ("transcript twin: the same text as transcript t1 here, but another source"
                " (its GUID and name differ); kept as two transcripts") in report["conflicts"]
        assert len(project.codings(project.transcript_id("t1"))) == 1
        assert len(project.codings(project.transcript_id("twin"))) == 1
        again = project.merge(ben)
        assert again["transcripts"] == 0 and again["codings"] == 0
        assert not any("same text" in c for c in again["conflicts"])
        assert project.check() == []
