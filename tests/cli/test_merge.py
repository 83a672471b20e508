"""Merging coders' blind copies of a project."""

from __future__ import annotations

from pathlib import Path

import pytest

from qcode.core.codebook import parse as parse_codebook
from qcode.core.store import Project, ProjectError
from tests.unit.test_coding_store import BOOK
from tests.unit.test_store import transcript


def make_copies(tmp_path: Path):
    base = tmp_path / "base.qcode"
    with Project.create(base) as project:
        project.add_transcript(transcript(), source_file="t1.txt", case="P01")
        project.set_attributes("P01", {"role": "Detective"})
        project.load_codebook(parse_codebook(BOOK))
    copies = []
    for coder in ("ana", "ben"):
        copy = tmp_path / f"{coder}.qcode"
        with Project.open(base) as project:
            project.backup(copy)
        copies.append(copy)
    return copies


def ids(project: Project) -> dict[str, int]:
    return {c.name: c.id for c in project.codes()}


def test_merge_keeps_every_coding_adds_codes_and_reports_conflicts(tmp_path: Path):
    ana, ben = make_copies(tmp_path)
    with Project.open(ana) as project:
        project.add_coding(1, ids(project)["Training"], "ana", 13, 20)
        project.edit_code(ids(project)["Fear"], name="Fear of removal")
    with Project.open(ben) as project:
        code = ids(project)
        project.add_coding(1, code["Training"], "ben", 13, 24, memo="long")
        project.add_coding(1, code["Fear"], "ben", 1, 5)
        new = project.add_code("Distrust", code["Victims"])
        project.add_coding(1, new, "ben", 30, 40)
        project.edit_code(code["Fear"], name="Fear of deportation")
        project.set_attributes("P01", {"role": "Analyst", "region": "North"})
        project.add_transcript(transcript("t2", "P02: A second talk."), source_file="t2.txt")
    before = ben.read_bytes()
    with Project.open(ana) as project:
        report = project.merge(ben)
        assert (report["codings"], report["codes"], report["transcripts"],
                report["coders"]) == (3, 1, 1, 1)
        assert any("Fear of removal" in c and "Fear of deportation" in c
                   for c in report["conflicts"])
        assert any("role is 'Detective' here and 'Analyst'" in c for c in report["conflicts"])
        assert project.all_cases()[0].values == {"role": "Detective", "region": "North"}
        assert sorted(project.coders()) == ["ana", "ben"]
        ben_codings = project.codings(1, ["ben"])
        assert [(c.start, c.end, c.memo) for c in ben_codings] == [
            (1, 5, ""), (13, 24, "long"), (30, 40, "")]
        assert "Distrust" in ids(project)
        assert project.check() == []
        again = project.merge(ben)
        assert (again["codings"], again["codes"], again["transcripts"]) == (0, 0, 0)
        assert len(project.codings(1)) == 4
    assert ben.read_bytes() == before  # the other copy is only read


def test_merge_refuses_what_is_not_a_project(tmp_path: Path):
    ana, _ = make_copies(tmp_path)
    other = tmp_path / "notes.txt"
    other.write_text("hello")
    with Project.open(ana) as project:
        with pytest.raises(ProjectError, match="not a qcode project"):
            project.merge(other)
        with pytest.raises(ProjectError, match="no project"):
            project.merge(tmp_path / "missing.qcode")


def test_merge_command(tmp_path: Path):
    from tests.cli_runner import CliRunner

    from qcode.cli import cli

    ana, ben = make_copies(tmp_path)
    with Project.open(ben) as project:
        project.add_coding(1, ids(project)["Training"], "ben", 13, 20)
    runner = CliRunner()
    result = runner.invoke(cli, ["--project", str(ana), "merge", str(ben)])
    assert result.exit_code == 0, result.output
    assert "1 codings" in result.output
    result = runner.invoke(cli, ["--project", str(ana), "merge", str(tmp_path / "x.qcode")])
    assert result.exit_code == 1 and "no project at" in result.output
    assert "Traceback" not in result.output
