"""The demo project comes coded by two fictional coders, who agree on most passages."""

from __future__ import annotations

import csv
from collections import Counter
from pathlib import Path

import pytest
from tests.cli_runner import CliRunner

from qcode.cli import cli
from qcode.core.demo import build_demo, code_paths, read_demo_codings
from qcode.core.agreement.disagreements import compare, places_in
from qcode.core.store import Project, ProjectError

CODERS = ("Coder A", "Coder B")


@pytest.fixture
def run(tmp_path: Path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("QCODE_PROJECT", raising=False)
    monkeypatch.setenv("QCODE_CONFIG", str(tmp_path / "config.toml"))

    def invoke(*args: str):
        result = CliRunner().invoke(cli, list(args), catch_exceptions=False)
        assert result.exit_code == 0, result.output
        return result

    return invoke


@pytest.fixture
def built(run, tmp_path: Path):
    run("demo", "--no-tui")
    with Project.open(tmp_path / "demo.qcode") as project:
        yield project


def test_every_row_of_the_material_became_a_coding(built: Project):
    rows = read_demo_codings()
    assert 60 <= len(rows) <= 90
    names = {t.name: t.id for t in built.transcripts()}
    paths = {code_id: path for path, code_id in code_paths(built).items()}
    stored: Counter = Counter()
    for transcript_id in names.values():
        text = built.transcript_text(transcript_id)
        for c in built.codings(transcript_id):
            stored[(transcript_id, c.coder_name, paths[c.code_id],
                    text[c.start:c.end])] += 1
    wanted = Counter((names[r["transcript"]], r["coder"], r["code"], r["quote"])
                     for r in rows)
    assert stored == wanted
    assert set(built.coders()) == set(CODERS)
    for coder in CODERS:
        assert {r["transcript"] for r in rows if r["coder"] == coder} == set(names), coder
    assert built.check() == []


def test_the_material_uses_basic_themes_and_several_indicators(built: Project):
    parents = {c.parent_id for c in built.codes()}
    leaves = {path for path, code_id in code_paths(built).items() if code_id not in parents}
    used = {r["code"] for r in read_demo_codings()}
    assert used <= leaves, used - leaves
    indicators = {u for u in used if u.startswith("Exploitation indicators > ")}
    assert len(indicators) >= 5, indicators


def test_the_coders_agree_mostly_but_not_everywhere(built: Project):
    places = places_in(built, *CODERS)
    assert {p["place"].kind for p in places} == {
        "only the first coder coded", "only the second coder coded", "boundaries differ"}
    spans = built.coded_spans(list(CODERS))
    agreed = sum(
        len(compare(spans.get((CODERS[0], t, c), []), spans.get((CODERS[1], t, c), []))[0])
        for t, c in {(t, c) for _, t, c in spans})
    assert agreed > len(places) > 0


def test_the_disagreements_command_counts_the_places(run, built: Project):
    result = run("-p", "demo.qcode", "disagreements", "--coders", ",".join(CODERS))
    count = len(places_in(built, *CODERS))
    assert f"{count} places where Coder A and Coder B differ" in result.output


def _material(tmp_path: Path, change) -> Path:
    rows = read_demo_codings()
    change(rows)
    path = tmp_path / "codings.csv"
    with path.open("w", encoding="utf-8", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=["transcript", "coder", "code", "quote"])
        writer.writeheader()
        writer.writerows(rows)
    return path


@pytest.mark.parametrize("change, message", [
    (lambda rows: rows[3].update(quote=rows[3]["quote"] + " Not said."),
     r"row 4 \(.*quote not found"),
    (lambda rows: rows[0].update(code="Ecosystem of exploitation > Nothing"),
     r"row 1 \(.*no code with that path"),
    (lambda rows: rows[1].update(transcript="demo-99"), r"row 2 \(demo-99.*no transcript"),
    (lambda rows: rows.append(dict(rows[0])), r"overlaps or touches row 1 "),
    (lambda rows: rows.append({**rows[0], "quote": "Interviewer: "}), "more than once"),
])
def test_a_row_that_cannot_be_placed_fails_the_build(tmp_path: Path, change, message):
    codings = _material(tmp_path, change)
    with pytest.raises(ProjectError, match=message):
        build_demo(tmp_path / "demo.qcode", codings)
    assert not (tmp_path / "demo.qcode").exists()
