"""Researchers read turns and words, not positions (issue 14): no command's text for
people shows a span as "[2279, 2466)"; the --json outputs keep positions for machines."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from tests.cli_runner import CliRunner

from qcode.cli import cli
from qcode.core.store import Project

OFFSETS = re.compile(r"\[\d+, \d+\)")
HIT_POSITIONS = re.compile(r"\b\d+-\d+\b")  # as the auto-coding list once showed them


@pytest.fixture
def qcode(tmp_path: Path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("QCODE_PROJECT", raising=False)
    monkeypatch.setenv("QCODE_CONFIG", str(tmp_path / "config.toml"))

    def invoke(*args: str) -> str:
        result = CliRunner().invoke(cli, ["-p", "demo.qcode", *args],
                                    catch_exceptions=False)
        assert result.exit_code == 0, result.output
        return result.output

    CliRunner().invoke(cli, ["demo", "--no-tui"], catch_exceptions=False)
    with Project.open(tmp_path / "demo.qcode") as project:
        project.coder = "Coder A"
        coding = project.codings(coders=["Coder A"])[0]
        project.set_coding_memo(coding.id, "asked twice")
        text = project.transcript_text(coding.transcript_id)
        start = text.index("police")
        name = next(t.name for t in project.transcripts() if t.id == coding.transcript_id)
    invoke("memo", "add", "--text", "on a passage", "--link-passage",
           f"{name}:{start}-{start + 40}")
    return invoke


COMMANDS = [
    ("status",), ("transcripts",), ("cases",), ("codebook", "show"),
    ("search", "police"), ("agree",), ("disagreements",), ("memo", "list"),
    ("memo", "show", "coding:1"), ("memo", "show", "1"), ("journal", "list"),
    ("review", "status"), ("check",),
]


def test_no_human_output_names_a_span_by_positions(qcode):
    for command in COMMANDS:
        shown = qcode(*command)
        assert not OFFSETS.search(shown), (command, OFFSETS.search(shown))
    hits = qcode("autocode", "police", "--code", "Victim identification")
    assert "police" in hits and not HIT_POSITIONS.search(hits)


def test_json_outputs_keep_positions(qcode):
    places = json.loads(qcode("disagreements", "--json"))
    assert all(isinstance(p["start"], int) and p["end"] > p["start"] for p in places)
    memo = next(m for m in json.loads(qcode("memo", "list", "--json"))
                if m["ref"] == "coding:1")
    assert memo["place"]["end"] > memo["place"]["start"]
    hits = json.loads(qcode("autocode", "police", "--code", "Victim identification",
                            "--json"))
    assert all("start" in hit and "end" in hit for hit in hits)
