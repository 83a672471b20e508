"""qcode assign / unassign / mark / status, and agree's design options (issue 13)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from tests.cli_runner import CliRunner

from qcode.cli import cli
from tests.design_helpers import make_project

pytestmark = pytest.mark.cli


@pytest.fixture
def path(tmp_path: Path) -> Path:
    make_project(tmp_path / "p.qcode").close()
    return tmp_path / "p.qcode"


def run(path: Path, *args: str, code: int = 0):
    result = CliRunner().invoke(cli, ["-p", str(path), *args], env={"QCODE_CODER": ""})
    assert result.exit_code == code, result.output
    return result.output


def test_assign_mark_and_status(path: Path):
    assert "assigned T1, T2 to cy" in run(path, "assign", "cy", "T1", "T2", "--by", "lead")
    assert "nothing changed" in run(path, "assign", "cy", "T1", "--by", "lead")
    assert "cy marked T1 coded" in run(path, "mark", "T1", "--coder", "cy")
    table = run(path, "status")
    assert "assigned, not marked" in table
    [cy] = [line.split() for line in table.splitlines() if line.startswith("cy")]
    # Assigned 2, marked 1, with codings 2 (T1, T2), assigned but not marked 1.
    assert cy == ["cy", "2", "1", "2", "1"]
    rows = json.loads(run(path, "status", "--coder", "CY", "--json"))
    assert [(r["transcript"], r["assigned"], bool(r["marked_coded"])) for r in rows] == [
        ("T1", True, True), ("T2", True, False)]
    assert "took T2 back from cy" in run(path, "unassign", "cy", "T2", "--by", "lead")
    assert "cy marked T1 not coded" in run(path, "mark", "T1", "--coder", "cy",
                                           "--not-coded")


def test_status_per_transcript(path: Path):
    run(path, "assign", "cy", "T1", "T3", "--by", "lead")
    run(path, "mark", "T1", "--coder", "ana")
    rows = json.loads(run(path, "status", "--transcripts", "--json"))
    assert rows[0] == {"transcript": "T1", "assigned": ["cy"], "marked": ["ana"],
                       "coded": ["ana", "ben", "cy"]}
    assert rows[2] == {"transcript": "T3", "assigned": ["cy"], "marked": [],
                       "coded": ["ana", "ben"]}
    table = run(path, "status", "--transcripts")
    assert "marked coded by" in table and "T4" in table
    assert "not both" in run(path, "status", "--transcripts", "--coder", "cy", code=2)


def test_a_new_coder_is_said_and_an_unknown_transcript_refused(path: Path):
    assert "dee is a new coder" in run(path, "assign", "dee", "T3", "--by", "lead")
    out = run(path, "mark", "T9", "--coder", "ana", code=1)
    assert "T9" in out and "Traceback" not in out
    assert "no coder named 'zed'" in run(path, "status", "--coder", "zed", code=1)


def test_agree_says_which_transcripts_it_compared(path: Path):
    out = run(path, "agree", "--resamples", "0", "--codes", "Trust")
    flat = " ".join(out.split())
    assert "on 2 transcript(s): 2 unmarked with codings of every coder" in flat
    assert "left out T3, T4 (no marks, and cy coded nothing in it)" in flat
    every = json.loads(run(path, "agree", "--resamples", "0", "--format", "json",
                           "--include-uncoded", "--continuum", "joined"))
    assert every["transcripts"] == ["T1", "T2", "T3", "T4"]
    assert every["design"]["include_uncoded"] and every["design"]["continuum"] == "joined"
    assert every["design"]["left_out"] == []


def test_agree_refuses_in_one_line_when_no_transcript_was_coded_by_all(path: Path):
    out = run(path, "agree", "--transcripts", "T3,T4", code=1)
    assert out.count("\n") == 1 and "--include-uncoded" in out
