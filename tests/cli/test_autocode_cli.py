"""`qcode autocode` end to end: hits listed (table, JSON) without a terminal, coded with
--accept-all, every turn of a speaker as a code, and each bad input one line with
nothing written; `agree --autocoded`."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from qcode.core import autocode
from qcode.core.store import Project
from tests.conftest import cli_result
from tests.tui_helpers import SECOND, build_project, code_id, codings, parsed


@pytest.fixture
def path(tmp_path: Path, monkeypatch) -> Path:
    monkeypatch.delenv("QCODE_CODER", raising=False)
    monkeypatch.delenv("QCODE_CONFIG", raising=False)
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    return build_project(tmp_path / "p.qcode")


def qcode(path: Path, *args, ok: bool = True, **kwargs):
    return cli_result(["-p", path, "autocode", *args], ok, **kwargs)


def test_without_a_terminal_the_hits_are_listed_and_nothing_is_coded(path: Path):
    result = qcode(path, "to", "--code", "Resources")
    assert "p01-detective" in result.output and "what to look for" not in result.output
    assert "3 hit(s); nothing was coded" in result.output
    hits = json.loads(qcode(path, "to", "--code", "Resources", "--json",
                            "--unit", "sentence").stdout)
    assert [h["text"] for h in hits][:1] == ["Nobody showed us what to look for [laughs]."]
    assert set(hits[0]) == {"transcript", "turn", "speaker", "start", "end", "text",
                            "score"}
    assert codings(path) == []


def test_accept_all_codes_every_hit_for_the_coder_marked_autocoded(path: Path):
    result = qcode(path, "help", "--code", "Resources", "--unit", "turn", "--accept-all",
                   "--coder", "ana")
    assert "coded 1 place(s) as Resources for ana, marked auto-coded" in result.output
    assert [SECOND[s:e] for _, _, s, e, _ in codings(path, "ana")] == [
        "Payment records help most. Phone numbers too."]
    with Project.open(path) as project:
        assert project.events(1)[0]["action"] == "autocode"
        assert project.conn.execute("SELECT autocoded FROM codings").fetchall() == [(1,)]


def test_fuzzy_regex_speaker_and_transcripts_choose_the_hits(path: Path):
    fuzzy = json.loads(qcode(path, "deportaton", "--fuzzy", "--code", "Resources",
                             "--json").stdout)
    assert [h["text"] for h in fuzzy] == ["deportation"]
    regex = json.loads(qcode(path, r"\bph\w+", "--regex", "--code", "Resources",
                             "--json", "--transcripts", "p02-operator").stdout)
    assert [h["text"] for h in regex] == ["Phone"]
    asked = json.loads(qcode(path, "the", "--code", "Resources", "--json",
                             "--speaker", "interviewer").stdout)
    assert {h["speaker"] for h in asked} == {"Interviewer"}


def test_a_speaker_as_a_code_is_every_turn_of_theirs(path: Path):
    result = qcode(path, "--speaker", "participant", "--unit", "turn", "--code",
                   "Resources", "--accept-all", "--coder", "ana")
    assert "coded 3 place(s)" in result.output
    with Project.open(path) as project:
        segments = project.conn.execute(
            "SELECT speaker, text FROM coded_segments ORDER BY transcript, start").fetchall()
    assert [speaker for speaker, _ in segments] == ["P01", "P01", "P02"]
    assert segments[-1][1] == "Payment records help most. Phone numbers too."


@pytest.mark.parametrize("args, message", [
    (["", "--code", "Resources"], "the pattern is empty"),
    (["(oops", "--regex", "--code", "Resources"], "not a valid regular expression"),
    (["zebra", "--code", "Resources"], "nothing matches 'zebra'"),
    (["to", "--code", "Nope"], "no code named 'Nope'"),
    (["to", "--code", "Victims"], "Victims is a category"),
    (["to", "--code", "Resources", "--transcripts", "p09"], "no transcript named 'p09'"),
    (["to", "--code", "Resources", "--speaker", "Nobody"], "no speaker labelled 'Nobody'"),
    (["--code", "Resources"], "give a pattern"),
    (["to", "--code", "Resources", "--within", "Resources", "--coder", "ana"],
     "ana has coded nothing as Resources"),
])
def test_bad_input_is_one_line_and_nothing_is_written(path: Path, args, message):
    with Project.open(path) as project:
        project.edit_code(next(c.id for c in project.codes() if c.name == "Victims"),
                          codable=False)
    result = qcode(path, *args, "--accept-all", "--coder", "ana", ok=False, one_line=True)
    assert message in result.output
    assert codings(path) == []
    with Project.open(path) as project:
        assert project.events(1)[0]["action"] != "autocode"


def test_a_runaway_expression_is_stopped_and_nothing_written(path: Path, monkeypatch):
    with Project.open(path) as project:
        project.add_transcript(parsed("p03", "P03: " + "a" * 40 + "!\n"), "p03.txt")
    monkeypatch.setattr(autocode, "REGEX_SECONDS", 0.2)
    result = qcode(path, "(a|aa)+$", "--regex", "--code", "Resources", "--accept-all",
                   "--coder", "ana", ok=False, one_line=True)
    assert "took more than 0.2 s and was stopped" in result.output
    assert codings(path) == []


def test_agree_can_leave_autocoded_codings_out_and_says_so(path: Path):
    with Project.open(path) as project:
        for coder in ("ana", "ben"):
            project.add_coding(1, code_id(path, "Resources"), coder, 0, 11)
    qcode(path, "help", "--code", "Resources", "--accept-all", "--coder", "ben")
    out = cli_result(["-p", path, "agree", "--coders", "ana,ben", "--include-uncoded",
                      "--autocoded", "exclude", "--resamples", "0", "--format", "json"])
    assert "auto-coded codings left out (--autocoded exclude)" in json.loads(
        out.stdout)["choices"]
