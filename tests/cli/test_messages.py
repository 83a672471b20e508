"""Messages a new user met in a trial: each points to what to do instead."""

from __future__ import annotations

from pathlib import Path

from tests.conftest import write


def test_codebook_load_of_another_tools_file_points_to_codebook_import(run, tmp_path):
    run("init")
    write(tmp_path / "book.qdc", '<?xml version="1.0"?><CodeBook/>\n')
    result = run("codebook", "load", "book.qdc", ok=False, one_line=True)
    assert "'qcode codebook import book.qdc'" in result.output


def test_import_of_a_project_file_points_to_import_project(run, tmp_path):
    run("init")
    write(tmp_path / "other.qdpx", "not read")
    result = run("import", "other.qdpx", ok=False)
    assert "'qcode import-project other.qdpx'" in result.output
    assert "1 of 1 file(s) not imported" in result.output


def test_a_project_and_no_command_shows_the_commands(run):
    result = run("--project", "p.qcode", ok=False)
    assert "Missing command" not in result.output
    assert "Commands:" in result.output
    assert "'qcode --project p.qcode code' opens the coding screen" in result.output
    assert not Path("p.qcode").exists()


def test_without_a_coder_says_plainly_that_nobody_can_undo(run, tmp_path, monkeypatch):
    monkeypatch.setenv("QCODE_CONFIG", str(tmp_path / "none.toml"))
    monkeypatch.delenv("QCODE_CODER", raising=False)
    run("init")
    result = run("case", "set", "P01", "role=nurse")
    assert ("no coder was named, so setting these attributes cannot be undone in "
            "'qcode code'") in result.output
    write(tmp_path / "book.yaml", "name: b\ncodes:\n  - name: Training\n")
    result = run("codebook", "load", "book.yaml")
    assert "so this load cannot be undone" in result.output
    assert "by no coder" not in result.output
